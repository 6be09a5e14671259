"""The users copy's search index: prefixes of usernames and display names, ignoring case,
following every change the copy takes in."""

from typing import Any, cast

from nats.js.kv import KeyValue

from services.contracts import utc_now
from services.status.user_index import UsersCopy
from services.storage.account_records import AccountRecord


def write(copy: UsersCopy, revision: int, username: str, display_name: str = "") -> None:
    record = AccountRecord(username=username, created_at=utc_now(), display_name=display_name)
    copy.apply(username, record.model_dump_json().encode(), revision)


def names(found: list[Any]) -> list[str]:
    return [user.username for user in found]


def test_finds_by_username_or_display_name_prefix_ignoring_case() -> None:
    copy = UsersCopy(cast(KeyValue, None))  # apply() never touches the bucket
    write(copy, 1, "alice", "Zoë Alpha")
    write(copy, 2, "albert")
    write(copy, 3, "bob", "Alan Smithee")
    assert names(copy.search("AL", 10)) == ["bob", "albert", "alice"]
    assert names(copy.search("zoË", 10)) == ["alice"]
    assert names(copy.search("al", 2)) == ["bob", "albert"]
    assert copy.search("nobody", 10) == []


def test_a_change_replaces_the_old_names_and_a_user_matching_twice_comes_once() -> None:
    copy = UsersCopy(cast(KeyValue, None))
    write(copy, 1, "carol", "Carol C")
    assert names(copy.search("car", 10)) == ["carol"]
    write(copy, 2, "carol", "Dee")
    assert copy.search("carol c", 10) == []
    assert names(copy.search("dee", 10)) == ["carol"]
    copy.apply("carol", None, 3)
    assert copy.search("carol", 10) == [] and copy.search("dee", 10) == []
