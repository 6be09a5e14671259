"""Public chats are found in "Browse chats": searched by name, paged, joined from there; the
sidebar holds the user's own chats only."""

from typing import Any

from playwright.sync_api import expect

from services.contracts import CREATE_CHAT
from tests.support.nats_programs import NatsUser

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, Chatbus, OpenUser, unique_username
from .on_nats import as_nats_user

pytestmark = BROWSER_TEST_TIMEOUT

BROWSE_PAGE = 50  # the client's page (web/src/client/chats.ts)
CHANNELS = BROWSE_PAGE + 5


def test_new_user_is_offered_browse_and_joins_general_with_the_keyboard(
    open_user: OpenUser,
) -> None:
    newcomer = open_user("new")
    ui.enter(newcomer)
    page = newcomer.page
    # In no chat yet: an empty sidebar that says so, and a welcome that offers to browse.
    expect(page.get_by_test_id("no-chats")).to_be_visible()
    expect(page.get_by_test_id("chat-item")).to_have_count(0)
    expect(ui.chat_item(page, "general")).to_have_count(0)
    newcomer.screenshot("first-run")
    welcome = page.get_by_test_id("welcome-browse")
    welcome.focus()
    page.keyboard.press("Enter")

    # The search box has the focus: typing searches.
    search = page.get_by_test_id("browse-search")
    expect(search).to_be_focused()
    page.keyboard.type("GENER")
    ui.browse_results(page, "GENER")
    general = ui.browse_item(page, "general")
    expect(general).to_contain_text("general")
    newcomer.screenshot("browse")
    # Tab reaches the row's Join button; Enter joins and opens the chat, ready to type.
    join = general.get_by_test_id("browse-join")
    for _ in range(10):
        if join.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(join).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("chat-title")).to_contain_text("general")
    expect(page.get_by_test_id("composer")).to_be_focused()
    expect(ui.chat_item(page, "general")).to_be_visible()
    expect(page.get_by_test_id("no-chats")).to_have_count(0)

    # Back in browse, general is marked as joined and opens instead.
    results = ui.browse(newcomer, "general")
    expect(ui.browse_item(page, "general").get_by_test_id("browse-joined")).to_be_visible()
    expect(results.get_by_test_id("browse-join")).to_have_count(0)
    ui.browse_item(page, "general").get_by_test_id("browse-open").click()
    expect(page.get_by_test_id("chat-title")).to_contain_text("general")

    # Escape clears the search box first, then closes the view, back to the open chat.
    ui.browse(newcomer, "gen")
    page.keyboard.press("Escape")
    expect(search).to_have_value("")
    expect(page.get_by_test_id("browse-view")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("browse-view")).to_have_count(0)
    expect(page.get_by_test_id("chat-title")).to_contain_text("general")
    expect(page.get_by_test_id("composer")).to_be_focused()


def test_browse_pages_searches_and_joins_showing_topic_and_member_count(
    open_user: OpenUser, chatbus: Chatbus
) -> None:
    reader = open_user("reader")
    ui.enter(reader)
    page = reader.page
    prefix = unique_username("bc")
    owner = unique_username("bot")
    chatbus.register(owner)

    async def create_channels(me: NatsUser) -> list[dict[str, Any]]:
        return [
            await me.ok(CREATE_CHAT, {"name": f"{prefix}-{n:02d}", "topic": f"all about {n}"})
            for n in range(CHANNELS)
        ]

    channels = as_nats_user(chatbus.nats_url, owner, create_channels)
    names = [chat["name"] for chat in channels]

    results = ui.browse(reader, prefix.upper())  # ignoring case
    rows = results.get_by_test_id("browse-item")
    expect(rows).to_have_count(BROWSE_PAGE)
    assert rows.locator(".browse-name").all_text_contents() == [
        f"#{name}" for name in names[:BROWSE_PAGE]
    ]
    page.get_by_test_id("browse-more").click()
    expect(rows).to_have_count(CHANNELS)
    # The focus moves on to the first chat of the new page.
    expect(rows.nth(BROWSE_PAGE).get_by_test_id("browse-join")).to_be_focused()
    assert rows.locator(".browse-name").all_text_contents() == [f"#{name}" for name in names]
    expect(page.get_by_test_id("browse-more")).to_have_count(0)
    # None of them is in the reader's sidebar: browsing is not joining.
    expect(page.get_by_test_id("chat-item")).to_have_count(0)

    # A narrower search; the row shows the chat's topic and member count.
    wanted = channels[-2]
    results = ui.browse(reader, wanted["name"])
    row = ui.browse_item(page, wanted["id"])
    expect(results.get_by_test_id("browse-item")).to_have_count(1)
    expect(row).to_contain_text(f"all about {CHANNELS - 2}")
    expect(row.get_by_test_id("browse-member-count")).to_have_text("1 member")

    row.get_by_test_id("browse-join").click()
    expect(page.get_by_test_id("chat-title")).to_contain_text(wanted["name"])
    expect(page.get_by_test_id("chat-member-count")).to_have_text("Public · 2 members")
    expect(page.get_by_test_id("chat-item")).to_have_count(1)
    ui.browse(reader, wanted["name"])
    expect(row.get_by_test_id("browse-member-count")).to_have_text("2 members")
    expect(row.get_by_test_id("browse-joined")).to_be_visible()

    # Nothing matches: the view says so.
    ui.browse(reader, f"{prefix}-nothing")
    expect(page.get_by_test_id("browse-status")).to_contain_text("No public chats match")


def test_a_public_chat_created_while_browsing_shows_up_there_and_not_in_the_sidebar(
    open_user: OpenUser,
) -> None:
    alice = open_user("alice")
    carol = open_user("carol")
    ui.enter(alice)
    ui.enter(carol)
    name = unique_username("fresh")
    results = ui.browse(carol, name)
    expect(results.get_by_test_id("browse-item")).to_have_count(0)

    chat_id = ui.create_chat(alice, name)
    expect(ui.browse_item(carol.page, chat_id)).to_be_visible()
    expect(ui.chat_item(carol.page, chat_id)).to_have_count(0)
    ui.browse_item(carol.page, chat_id).get_by_test_id("browse-join").click()
    expect(ui.chat_item(carol.page, chat_id)).to_be_visible()
    # Alice's count follows Carol's join.
    expect(alice.page.get_by_test_id("chat-member-count")).to_have_text("Public · 2 members")
