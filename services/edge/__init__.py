"""The edge: browsers' socket.io and HTTP in, NATS requests out, NATS events back to sockets."""
