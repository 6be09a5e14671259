"""Every page the edge serves carries a Content-Security-Policy and the framing, referrer and
sniffing headers; its API answers carry the harmless ones and no page policy."""

import httpx
import pytest

from services.core.settings import Settings
from tests.support.clients import PASSWORD, unique_name
from tests.support.http import http_client
from tests.support.page_policy import directives
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_services,
    shared_settings,
)

pytestmark = IN_THE_MODULES_LOOP

# What every page's policy must say, directive by directive.
REQUIRED = {
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
}
ALWAYS = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


def assert_always(response: httpx.Response) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (response.url, name, response.headers)


async def test_the_web_client_page_has_the_app_policy(edge_url: str, settings: Settings) -> None:
    async with http_client(base_url=edge_url) as http:
        page = await http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert_always(page)
    policy = directives(page.headers["content-security-policy"])
    for name, sources in REQUIRED.items():
        assert policy[name] == sources, name
    assert policy["script-src"] == {"'self'"}  # no inline script, no eval
    assert policy["style-src"] == {"'self'"}
    assert policy["img-src"] == {"'self'", "blob:", "data:"}
    # socket.io's websocket goes back to the page's own host and port.
    assert policy["connect-src"] == {"'self'", f"ws://127.0.0.1:{settings.port}"}
    assert policy["default-src"] == {"'self'"}


async def test_the_docs_page_keeps_its_own_policy_with_the_same_guarantees(
    edge_url: str,
) -> None:
    async with http_client(base_url=edge_url) as http:
        page = await http.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert_always(page)
    policies = page.headers.get_list("content-security-policy")
    assert len(policies) == 1, policies  # one policy: the app's is not added beside it
    policy = directives(policies[0])
    for name, sources in REQUIRED.items():
        assert policy[name] == sources, name
    assert "'unsafe-inline'" not in policy["script-src"]


@pytest.mark.parametrize("path", ["/api/login", "/api/register"])
async def test_api_answers_have_no_page_policy_but_the_harmless_headers(
    edge_url: str, path: str
) -> None:
    async with http_client(base_url=edge_url) as http:
        answer = await http.post(path, json={"username": unique_name(), "password": PASSWORD})
    assert answer.headers["content-type"] == "application/json"
    assert "content-security-policy" not in answer.headers
    assert_always(answer)


async def test_socketio_polling_answers_say_nosniff(edge_url: str) -> None:
    async with http_client(base_url=edge_url) as http:
        opened = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert opened.status_code == 200
    assert "content-security-policy" not in opened.headers
    assert_always(opened)
