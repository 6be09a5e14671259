"""Where the repository's files are, for tests that read or run them."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# Node.js checks (tests/js/package.json): the official socket.io, NATS and AsyncAPI clients.
JS_TOOLS = ROOT / "tests" / "js"
