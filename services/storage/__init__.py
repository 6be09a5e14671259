"""chatbus's state in JetStream: the message stream, the buckets and copies of them."""
