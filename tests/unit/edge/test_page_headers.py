"""The page policy written for a request's host and scheme."""

from services.edge.page_headers import APP_CONTENT_SECURITY_POLICY, app_policy
from tests.support.page_policy import directives


def test_a_page_served_over_https_lets_socketio_use_wss() -> None:

    policy = directives(app_policy("chat.example.com", secure=True))
    assert policy["connect-src"] == {"'self'", "wss://chat.example.com"}
    # A Host that is no host name is never written into the policy.
    injected = directives(app_policy("x; script-src *", secure=False))
    assert injected["connect-src"] == {"'self'"} and injected["script-src"] == {"'self'"}
    assert len(injected) == len(APP_CONTENT_SECURITY_POLICY) + 1
