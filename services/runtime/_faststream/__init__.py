"""Where chatbus reaches into FastStream's private members, and nowhere else.

Each module names the FastStream version and the functions it follows; the
pins in pyproject.toml keep FastStream to that minor version, and
tests/unit/test_private_names.py keeps such code out of every other package.
"""
