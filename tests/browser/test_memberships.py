"""Who is in a chat, as the web client shows it: the members panel pages a large chat and
follows joins and leaves; the sidebar follows the user's own joins and leaves from elsewhere."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from services.contracts import CREATE_CHAT, LEAVE_CHAT
from tests.support.nats_programs import NatsUser

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, Chatbus, OpenUser, unique_username
from .on_nats import as_nats_user

pytestmark = BROWSER_TEST_TIMEOUT

MEMBERS_PAGE = 50  # the client's page (web/src/client/chats.ts)


def member_items(page: Page) -> Locator:
    return page.get_by_test_id("members-panel").get_by_test_id("member-item")


def member_names(page: Page) -> list[str]:
    names = member_items(page).evaluate_all("items => items.map(i => i.dataset.username)")
    return [str(name) for name in names]


@pytest.fixture
def crowd(chatbus: Chatbus) -> list[str]:
    """More registered users than one page of members holds, by username.

    A fixture, so that their password hashes do not count against the test's own time.
    """
    prefix = unique_username("m")
    names = [f"{prefix}-{n:02d}" for n in range(MEMBERS_PAGE + 3)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(chatbus.register, names))
    return names


def test_members_panel_pages_a_large_chat_shows_roles_and_follows_joins_and_leaves(
    open_user: OpenUser, chatbus: Chatbus, crowd: list[str]
) -> None:
    owner = open_user("owner")
    ui.enter(owner)
    page = owner.page
    invited = crowd
    room = unique_username("crowd")

    async def create(me: NatsUser) -> dict[str, Any]:
        return dict(await me.ok(CREATE_CHAT, {"name": room, "members": invited}))

    # Made on NATS: the owner's open page learns of it from the member event alone.
    chat = as_nats_user(chatbus.nats_url, owner.username, create)
    expect(ui.chat_item(page, chat["id"])).to_be_visible()
    ui.open_chat(owner, chat["id"], room)
    everyone = sorted([*invited, owner.username])
    expect(page.get_by_test_id("chat-member-count")).to_have_text(
        f"Public · {len(everyone)} members"
    )

    # The first page, then the rest on "Show more", by username.
    expect(member_items(page)).to_have_count(MEMBERS_PAGE)
    assert member_names(page) == everyone[:MEMBERS_PAGE]
    page.get_by_test_id("members-more").click()
    expect(member_items(page)).to_have_count(len(everyone))
    assert member_names(page) == everyone
    expect(page.get_by_test_id("members-more")).to_have_count(0)
    me = member_items(page).and_(page.locator(f'[data-username="{owner.username}"]'))
    expect(me).to_have_attribute("data-role", "owner")
    expect(me).to_contain_text("owner")
    owner.screenshot("members-panel")

    # Someone leaves on NATS: gone from the panel, and the count follows.
    async def leave(me: NatsUser) -> None:
        await me.ok(LEAVE_CHAT, {"chat_id": chat["id"]})

    as_nats_user(chatbus.nats_url, invited[0], leave)
    expect(member_items(page)).to_have_count(len(everyone) - 1)
    assert invited[0] not in member_names(page)
    expect(page.get_by_test_id("chat-member-count")).to_have_text(
        f"Public · {len(everyone) - 1} members"
    )

    # Someone joins from the browse view: in the panel, in its place by name.
    joiner = open_user("joiner")
    ui.enter(joiner)
    ui.join_chat(joiner, chat["id"], room)
    expect(member_items(page)).to_have_count(len(everyone))
    assert member_names(page) == sorted([*everyone[1:], joiner.username])
    expect(page.get_by_test_id("chat-member-count")).to_have_text(
        f"Public · {len(everyone)} members"
    )
    expect(joiner.page.get_by_test_id("chat-member-count")).to_have_text(
        f"Public · {len(everyone)} members"
    )


def test_a_chat_joined_or_left_in_another_tab_follows_in_this_one(open_user: OpenUser) -> None:
    bob = open_user("bob")
    alice = open_user("alice")
    ui.enter(bob)
    ui.enter(alice)
    room = unique_username("tabs")
    chat_id = ui.create_chat(bob, room)

    # A second tab of Alice's, logged in there too (a session is per tab).
    second = alice.context.new_page()
    alice.watch(second)  # its problems count as the first tab's
    second.goto("/")
    other_tab = replace(alice, page=second)
    ui.log_in(other_tab)

    ui.join_chat(other_tab, chat_id, room)
    expect(ui.chat_item(alice.page, chat_id)).to_be_visible()
    ui.open_chat(alice, chat_id, room)
    ui.send(alice, "from the first tab")
    ui.expect_message(second, "from the first tab")

    other_tab.page.get_by_test_id("leave-chat").click()
    expect(ui.chat_item(second, chat_id)).to_have_count(0)
    expect(ui.chat_item(alice.page, chat_id)).to_have_count(0)
    expect(alice.page.get_by_test_id("chat-title")).to_have_count(0)
    expect(alice.page.get_by_test_id("composer")).to_have_count(0)
    expect(bob.page.get_by_test_id("chat-member-count")).to_have_text("Public · 1 member")
