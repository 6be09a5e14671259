"""JSON logs: one record per line, a traceback inside its record."""

import io
import json
import logging
from pathlib import Path

from services.core.logs import configure_logging
from services.core.settings import Settings


def test_a_traceback_stays_inside_its_json_record(tmp_path: Path) -> None:
    stream = io.StringIO()
    settings = Settings(data_dir=tmp_path, log_format="json")
    root = logging.getLogger()
    level = root.level
    try:
        configure_logging(settings, stream=stream, role="edge")
        try:
            raise ValueError("boom\nwith a second line")
        except ValueError:
            logging.getLogger("chatbus.test").exception("it failed: %s", "ünïcode")
        # A later call without a role (as the app factories make) keeps the process's role.
        configure_logging(settings, stream=stream)
        logging.getLogger("chatbus.test").info("again")
    finally:
        for handler in [h for h in root.handlers if type(h).__name__ == "_ChatbusHandler"]:
            root.removeHandler(handler)
        root.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines
    failed, again = (json.loads(line) for line in lines)
    assert failed["message"] == "it failed: ünïcode" and failed["level"] == "ERROR"
    assert "ValueError: boom\nwith a second line" in failed["traceback"]
    assert again["role"] == failed["role"] == "edge"
