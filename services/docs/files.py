"""Rendering the document to ``asyncapi/asyncapi.{yaml,json}``, byte for byte stable."""

import json
from pathlib import Path
from typing import Any

import yaml

FILES = ("asyncapi.yaml", "asyncapi.json")


def render_json(document: dict[str, Any]) -> str:
    """The document as JSON, keys sorted."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_yaml(document: dict[str, Any]) -> str:
    """The document as YAML, keys sorted."""
    # Round-trip through JSON so YAML sees only plain types (no anchors, no tags).
    plain = json.loads(render_json(document))
    return yaml.safe_dump(plain, sort_keys=True, allow_unicode=True, width=100)


def write_documents(document: dict[str, Any], directory: Path) -> list[Path]:
    """Write both files into ``directory``; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in zip(FILES, (render_yaml(document), render_json(document)), strict=True):
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
