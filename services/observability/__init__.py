"""Operability: Prometheus metrics for every role and the ``chatbus status`` report's helpers.

``metrics`` holds what every role measures the same way (commands by outcome,
the NATS connection); ``metrics_server`` serves a registry on the internal
metrics port; ``service_metrics`` measures a handler service. The edge's own
metrics (sockets, deliveries) live with the edge, in ``services.edge.metrics``.
"""
