"""Where chatbus reaches into nats-py's private members, and nowhere else.

Each module names the nats-py version and the functions it follows; the
pins in pyproject.toml keep nats-py to that minor version, and
tests/unit/test_private_names.py keeps such code out of every other package.
"""
