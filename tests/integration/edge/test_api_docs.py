"""The edge serves the AsyncAPI document and its viewer: valid, the committed bytes, read-only."""

import asyncio
import json
import shutil
from typing import Any

import httpx
import pytest
import yaml
from fastapi.routing import APIRoute

from services.edge.api_docs import VIEWER_DIR, create_docs_router
from tests.support.paths import JS_TOOLS, ROOT

COMMITTED = ROOT / "asyncapi"
VALIDATOR = JS_TOOLS / "validate_asyncapi.mjs"

READ_ONLY_PATHS = ("/docs", "/asyncapi")
WRITING_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Where a try-it or publish endpoint would sit, if anything had added one.
PROBED_PATHS = (
    "/docs",
    "/docs/",
    "/docs/try",
    "/docs/publish",
    "/docs/asyncapi-viewer.js",
    "/asyncapi.json",
    "/asyncapi.yaml",
    "/asyncapi/try",
    "/asyncapi.json/try",
)


async def validate(source: str) -> list[dict[str, Any]]:
    """The official parser's diagnostics for ``source`` (a file or a URL); fails on a crash."""
    node = shutil.which("node")
    assert node, "Node.js is needed for this test (make test installs tests/js)"
    # Asynchronously: the edge answering the parser's fetch runs in this event loop.
    process = await asyncio.create_subprocess_exec(
        node,
        str(VALIDATOR),
        source,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode in (0, 1), stderr.decode()
    diagnostics: list[dict[str, Any]] = json.loads(stdout)
    return diagnostics


async def test_official_parser_finds_no_errors_or_warnings_in_the_served_document(
    edge_url: str,
) -> None:
    diagnostics = await validate(f"{edge_url}/asyncapi.json")
    assert [d for d in diagnostics if d["severity"] <= 1] == [], diagnostics


async def test_served_json_is_the_committed_document_byte_for_byte(edge_url: str) -> None:
    async with httpx.AsyncClient(base_url=edge_url) as http:
        reply = await http.get("/asyncapi.json")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.content == (COMMITTED / "asyncapi.json").read_bytes()


async def test_served_yaml_parses_to_the_same_document_as_the_served_json(edge_url: str) -> None:
    async with httpx.AsyncClient(base_url=edge_url) as http:
        as_json, as_yaml = await asyncio.gather(
            http.get("/asyncapi.json"), http.get("/asyncapi.yaml")
        )
    assert as_yaml.status_code == 200
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(as_yaml.text) == as_json.json()
    assert as_json.json()["asyncapi"] == "3.0.0"


async def test_docs_page_loads_the_viewer_from_the_edge_itself(edge_url: str) -> None:
    if not (VIEWER_DIR / "asyncapi-viewer.js").exists():
        pytest.fail("web/dist/docs is missing: run `npm run build --prefix web`", pytrace=False)
    async with httpx.AsyncClient(base_url=edge_url) as http:
        page = await http.get("/docs")
        script = await http.get("/docs/asyncapi-viewer.js")
        style = await http.get("/docs/asyncapi-viewer.css")
    assert page.status_code == 200
    assert '<script src="/docs/asyncapi-viewer.js">' in page.text
    assert '<a href="/">' in page.text, "no way back to the chat"
    assert "//" not in page.text, "the page names another host (an absolute URL)"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert script.status_code == 200 and "AsyncApiStandalone" in script.text
    assert script.headers["content-type"].startswith("text/javascript")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")


def test_every_route_of_the_docs_router_answers_get_alone() -> None:
    routes = create_docs_router().routes
    paths = set()
    for route in routes:
        assert isinstance(route, APIRoute), route
        assert route.path.startswith(READ_ONLY_PATHS), route.path
        assert route.methods == {"GET"}, (route.path, route.methods)
        paths.add(route.path)
    assert paths >= {"/docs", "/asyncapi.json", "/asyncapi.yaml"}


async def test_writing_to_docs_or_asyncapi_is_refused_and_changes_nothing(edge_url: str) -> None:
    # Through the whole edge: no other route or the web client's mount may accept these.
    async with httpx.AsyncClient(base_url=edge_url) as http:
        before = (await http.get("/asyncapi.json")).content
        for path in PROBED_PATHS:
            for method in WRITING_METHODS:
                reply = await http.request(method, path, json={"subject": "chat.cmd.x.y.z"})
                assert reply.status_code in (404, 405), (method, path, reply.status_code)
        assert (await http.get("/asyncapi.json")).content == before
