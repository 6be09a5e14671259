"""A bot's messages, sent straight on NATS, reach the browser live, and a long history
pages in as the reader scrolls up, each message once, in seq order."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import nats
from playwright.sync_api import expect

from services.contracts import JOIN_CHAT, SEND_MESSAGE
from tests.support.nats_programs import NatsUser

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, Chatbus, OpenUser, unique_username

pytestmark = BROWSER_TEST_TIMEOUT

HISTORY = 130  # more than two of the client's 50-message pages


async def bot_posts(nats_url: str, bot: str, chat_id: str, texts: list[str]) -> None:
    nc = await nats.connect(nats_url)
    try:
        me = NatsUser(nc, bot)
        await me.ok(JOIN_CHAT, {"chat_id": chat_id})
        for text in texts:
            await me.ok(SEND_MESSAGE, {"chat_id": chat_id, "text": text})
    finally:
        await nc.drain()


def run_bot(nats_url: str, bot: str, chat_id: str, texts: list[str]) -> None:
    """In its own thread and event loop: Playwright's sync API owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bot_posts(nats_url, bot, chat_id, texts)).result(timeout=15)


def test_bot_messages_arrive_live_and_history_pages_in_without_gaps_or_doubles(
    open_user: OpenUser, chatbus: Chatbus
) -> None:
    owner = open_user("owner")
    late = open_user("late")
    ui.enter(owner)
    ui.enter(late)
    room = unique_username("history")
    chat_id = ui.create_chat(owner, room)
    bot = unique_username("bot")
    chatbus.register(bot)

    texts = [f"bot line {n}" for n in range(1, HISTORY + 1)]
    run_bot(chatbus.nats_url, bot, chat_id, texts)
    # Live, in the open chat: all of them, marked as from a bot.
    ui.expect_stored_texts(owner.page, texts)
    assert ui.stored_seqs(owner.page) == list(range(1, HISTORY + 1))
    expect(owner.page.locator(ui.STORED).first.locator(".via")).to_have_text("bot")

    # A newcomer gets the newest page, then older ones while scrolling up.
    ui.join_chat(late, chat_id, room)
    page = late.page
    expect(page.locator(ui.STORED).last.locator(ui.MESSAGE_TEXT)).to_have_text(texts[-1])
    assert len(ui.stored_seqs(page)) < HISTORY
    beginning = page.get_by_text("This is the beginning of the chat.")
    for _ in range(HISTORY // 50 + 2):
        if beginning.is_visible():
            break
        shown = page.locator(ui.STORED).count()
        page.locator(ui.STORED).first.scroll_into_view_if_needed()
        page.mouse.wheel(0, -5000)
        page.wait_for_function(
            "([selector, shown]) => document.querySelectorAll(selector).length > shown",
            arg=[ui.STORED, shown],
        )
    expect(beginning).to_be_visible()
    ui.expect_stored_texts(page, texts)
    assert ui.stored_seqs(page) == list(range(1, HISTORY + 1))
