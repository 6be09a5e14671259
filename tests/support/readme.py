"""The code blocks of README.md, which tests run as written."""

import re

from tests.support.paths import README


def python_blocks() -> list[str]:
    """Every ```python block of the README, in order."""
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
