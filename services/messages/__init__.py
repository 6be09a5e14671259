"""Messages: send and history. State: the ``CHAT_MESSAGES`` JetStream stream."""
