"""Files generated from the contract are committed up to date."""

from services.contracts import typescript
from tests.support.paths import ROOT


def test_web_protocol_types_match_the_contract() -> None:
    committed = (ROOT / "web" / "src" / "protocol.ts").read_text()
    assert committed == typescript.render(), (
        "web/src/protocol.ts is stale: run `python -m services.contracts.typescript"
        " > web/src/protocol.ts`"
    )


def test_every_command_and_server_event_is_in_the_web_types() -> None:
    from services.contracts import COMMANDS, SERVER_EVENTS

    rendered = typescript.render()
    for command in COMMANDS:
        assert f'"{command.event}": {{ request: {command.request.__name__};' in rendered
    for event in SERVER_EVENTS:
        assert f"  {event.name}: {event.payload.__name__};" in rendered
