"""/docs: the AsyncAPI document rendered in Chromium, with nothing loaded from another host."""

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from services.contracts import COMMANDS, SEND_MESSAGE, SERVER_EVENTS, subjects

from .conftest import DESKTOP, Chatbus, User

# The viewer puts each operation's channel address last in its heading ("REPLY <address>").
OPERATION_HEADINGS = "#operations h3"
SEND_SUBJECT = SEND_MESSAGE.subscription  # chat.cmd.{username}.messages.send
# How a try-it control would be labelled (buttons named after models, like SendMessage, expand).
TRY_IT = re.compile(r"^\s*(try( it)?( out)?|publish|send( message)?|execute)\s*$", re.I)


@pytest.fixture
def reader(chatbus: Chatbus, browser: Browser) -> Iterator[User]:
    """Someone reading the API docs, watched like every chat user (console, requests)."""
    context = browser.new_context(base_url=chatbus.url, viewport=DESKTOP)
    page = context.new_page()
    user = User("docs-reader", context, page, chatbus.url)
    user.watch(page)
    yield user
    context.close()
    failures = list(user.problems)
    failures += [f"request to another host: {url}" for url in user.foreign_requests()]
    if failures:
        pytest.fail("the docs page misbehaved:\n" + "\n".join(failures), pytrace=False)


def operation_addresses(page: Page) -> set[str]:
    """The channel address of every operation the viewer rendered."""
    return {heading.split()[-1] for heading in page.locator(OPERATION_HEADINGS).all_inner_texts()}


def test_docs_page_lists_every_nats_subject_and_socketio_event(reader: User) -> None:
    page = reader.page
    started = time.monotonic()
    page.goto("/docs")
    expect(page).to_have_title(re.compile(r"^chatbus \S+ API \(AsyncAPI\)$"))
    send = page.locator(OPERATION_HEADINGS, has_text=SEND_SUBJECT)
    expect(send).to_have_count(1)  # rendered: the viewer replaced the loading text
    print(f"/docs rendered in {time.monotonic() - started:.2f} s")
    expect(page.locator("#asyncapi")).not_to_contain_text("could not be shown")
    expect(page.locator("#servers")).to_contain_text("nats://127.0.0.1:4222")
    expect(page.locator("#servers")).to_contain_text("ws://127.0.0.1:8000/socket.io/")

    shown = operation_addresses(page)
    nats_subjects = {command.subscription for command in COMMANDS} | {
        subjects.room_event_pattern(event.room_event) for event in SERVER_EVENTS if event.room_event
    }
    socketio_events = {command.event for command in COMMANDS} | {e.name for e in SERVER_EVENTS}
    assert nats_subjects - shown == set(), "NATS subjects missing from /docs"
    assert socketio_events - shown == set(), "socket.io events missing from /docs"
    assert {SEND_SUBJECT, "messages:send"} <= shown

    back = page.get_by_role("link", name="Back to the chat")
    expect(back).to_have_attribute("href", "/")
    reader.screenshot("docs-page")


def test_docs_page_has_no_try_it_or_publish_control(reader: User) -> None:
    page = reader.page
    page.goto("/docs")
    expect(page.locator(OPERATION_HEADINGS, has_text=SEND_SUBJECT)).to_have_count(1)
    # The viewer only displays: no form, and no button that sends anything anywhere.
    expect(page.locator("form")).to_have_count(0)
    expect(page.get_by_role("button", name=TRY_IT)).to_have_count(0)
    requests_after_render = len(reader.requests)
    for button in page.locator("#asyncapi button").all()[:10]:
        if button.is_visible():
            button.click()
    assert reader.requests[requests_after_render:] == []
