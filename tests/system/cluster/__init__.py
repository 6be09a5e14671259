"""chatbus spread over several machines, on one: a NATS cluster, edges and service replicas.

Used by tests/system/test_multinode.py. Everything binds 127.0.0.1 on free ports and
is started the way a deployment starts it (``chatbus edge``, ``chatbus service X``
with environment variables), so the test needs no Docker engine.
"""
