"""Where the repository's files are, for tests that read or run them."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# Node.js checks (tests/js/package.json): the official socket.io, NATS and AsyncAPI clients.
JS_TOOLS = ROOT / "tests" / "js"
# The committed AsyncAPI document (asyncapi.json, asyncapi.yaml).
ASYNCAPI = ROOT / "asyncapi"
COMPOSE = ROOT / "compose.yaml"
# The NATS users and permissions of the compose deployment.
DEPLOY_NATS_CONF = ROOT / "deploy" / "nats.conf"
