"""chatbus's state in JetStream: the message stream, the buckets and in-memory copies of them."""
