"""NATS URLs: no password shown, and the inbox prefix each program connects with."""

import pytest

from services.core.nats_urls import (
    inbox_prefix_for,
    url_user,
    with_credentials,
    without_credentials,
)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("nats://edge:s3cret-Pa_ss@nats-1:4222", "nats://nats-1:4222"),
        (
            "nats://ops:pw@127.0.0.1:4222,nats://ops:pw@[::1]:4223",
            "nats://127.0.0.1:4222,nats://[::1]:4223",
        ),
        ("tls://token@nats:4222", "tls://nats:4222"),
        ("nats://127.0.0.1:4222", "nats://127.0.0.1:4222"),
        (
            "cannot reach NATS at nats://a:b@h:1, nats://c:d@h:2 (is it up?)",
            "cannot reach NATS at nats://h:1, nats://h:2 (is it up?)",
        ),
        ("http://127.0.0.1:8222/varz", "http://127.0.0.1:8222/varz"),
    ],
)
def test_no_user_or_password_is_left_in_a_shown_url(shown: str, expected: str) -> None:
    assert without_credentials(shown) == expected


def test_the_user_of_a_url() -> None:
    assert url_user("nats://weatherbot:pw@127.0.0.1:4222") == "weatherbot"
    assert url_user("nats://we%2Dbot:pw@127.0.0.1:4222") == "we-bot"
    assert url_user("nats://127.0.0.1:4222") is None
    assert url_user("not a url") is None
    assert with_credentials("nats://127.0.0.1:4222", "ops", "pw") == "nats://ops:pw@127.0.0.1:4222"


def test_a_program_takes_replies_under_its_user_else_its_role() -> None:
    assert inbox_prefix_for(["nats://messages:pw@n1:4222"], "messages") == "_INBOX_messages"
    assert inbox_prefix_for(["nats://pingbot:pw@h:4222"], "admin") == "_INBOX_pingbot"
    assert inbox_prefix_for(["nats://127.0.0.1:4222"], "edge") == "_INBOX_edge"
    assert inbox_prefix_for(["nats://n1:4222", "nats://ops:pw@n2:4222"], "admin") == "_INBOX_ops"
    # A user name that cannot name an inbox: the role's prefix.
    assert inbox_prefix_for(["nats://my.bot:pw@h:4222"], "admin") == "_INBOX_admin"
