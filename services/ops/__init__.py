"""Running chatbus: the command line, `chatbus up`, the embedded nats-server, operators' tools."""
