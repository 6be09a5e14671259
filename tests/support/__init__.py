"""Helpers shared by every tier: clients, programs on NATS, servers run in-process."""
