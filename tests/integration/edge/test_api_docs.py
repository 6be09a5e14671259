"""The edge serves the AsyncAPI document and its viewer: valid, the committed bytes, read-only."""

import asyncio

import pytest
import yaml

from services.edge.api_docs import VIEWER_DIR
from tests.support.http import http_client
from tests.support.paths import ASYNCAPI
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_services,
    shared_settings,
)

pytestmark = IN_THE_MODULES_LOOP

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


async def test_served_json_is_the_committed_document_byte_for_byte(edge_url: str) -> None:
    async with http_client(base_url=edge_url) as http:
        reply = await http.get("/asyncapi.json")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.content == (ASYNCAPI / "asyncapi.json").read_bytes()


async def test_served_yaml_parses_to_the_same_document_as_the_served_json(edge_url: str) -> None:
    async with http_client(base_url=edge_url) as http:
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
    async with http_client(base_url=edge_url) as http:
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


async def test_writing_to_docs_or_asyncapi_is_refused_and_changes_nothing(edge_url: str) -> None:
    # Through the whole edge: no other route or the web client's mount may accept these.
    async with http_client(base_url=edge_url) as http:
        before = (await http.get("/asyncapi.json")).content
        for path in PROBED_PATHS:
            for method in WRITING_METHODS:
                reply = await http.request(method, path, json={"subject": "chat.cmd.x.y.z"})
                assert reply.status_code in (404, 405), (method, path, reply.status_code)
        assert (await http.get("/asyncapi.json")).content == before
