"""Chats: create, list, join, leave, invite. State: the ``chat_chats`` key-value bucket."""
