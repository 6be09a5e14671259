"""Abuse tests' corpora and helpers: floods of malformed input and unauthorized attempts.

Each corpus module lists the kinds of bad input it sends, so the tests can
report a count per kind; ``authorization`` also runs as a script for the full
10,000 attempts (``python -m tests.system.abuse.authorization --attempts 10000``).
"""
