"""chatbus: real-time chat on NATS.

Read in order: ``edge`` (from the browser) -> ``contracts`` (subjects, models)
-> ``chats`` | ``messages`` | ``status`` -> ``contracts`` -> ``edge``.
"""
