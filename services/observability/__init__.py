"""Operability: Prometheus metrics for every role and the ``chatbus status`` report's helpers.

``metrics`` holds what every role measures the same way (commands by outcome,
the NATS connection); ``service_metrics`` serves a handler service's metrics
over a small HTTP server; ``edge_metrics`` measures the edge's sockets and
deliveries and adds ``/metrics`` to its FastAPI app.
"""
