"""What a person does in the web client, step by step, through its data-testid hooks."""

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

import httpx
from playwright.sync_api import Locator, Page, expect

from services.core.settings import Settings
from services.ops.workspace_admins import set_role
from tests.support.clients import PASSWORD

from .conftest import OpenUser, User, unique_username

# Selectors shared by the tests.
STORED = '[data-testid="message"]:not([data-pending])'
PENDING = '[data-testid="message"][data-pending]'
MESSAGE_TEXT = '[data-testid="message-text"]'


def register(user: User) -> None:
    """Create the account with the form; the app then asks to log in."""
    page = user.page
    page.get_by_test_id("register-username").fill(user.username)
    page.get_by_test_id("register-password").fill(PASSWORD)
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-success")).to_contain_text(user.username)


def log_in(user: User) -> None:
    """Log in with the form and wait until the chat screen is connected."""
    page = user.page
    page.get_by_test_id("login-username").fill(user.username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    wait_until_connected(user)


def wait_until_connected(user: User) -> None:
    """The chat screen is up, the socket connected and the user listed as present."""
    page = user.page
    expect(page.get_by_test_id("chat-list")).to_be_visible()
    expect(page.get_by_test_id("connection-banner")).to_have_count(0)
    expect(presence_item(page, user.username)).to_have_count(1)


def sign_up(user: User) -> None:
    register(user)
    log_in(user)


def enter(user: User) -> None:
    """Register over HTTP (the form has its own test) and log in with the form."""
    reply = httpx.post(
        f"{user.origin}/api/register", json={"username": user.username, "password": PASSWORD}
    )
    assert reply.status_code == 201, reply.text
    log_in(user)


def chat_item(page: Page, chat_id: str) -> Locator:
    return page.locator(f'[data-testid="chat-item"][data-chat-id="{chat_id}"]')


def presence_item(page: Page, username: str) -> Locator:
    return page.locator(f'[data-testid="presence-item"][data-username="{username}"]')


def create_chat(user: User, name: str, private: bool = False) -> str:
    """Create a chat with the sidebar form; the app opens it. Returns its id."""
    page = user.page
    page.get_by_test_id("new-chat-name").fill(name)
    if private:
        page.get_by_test_id("new-chat-private").check()
    page.get_by_test_id("new-chat-submit").click()
    expect(page.get_by_test_id("chat-title")).to_contain_text(name)
    item = page.get_by_test_id("chat-item").filter(has_text=name)
    expect(item).to_have_count(1)
    chat_id = item.get_attribute("data-chat-id")
    assert chat_id, "a chat item without data-chat-id"
    return chat_id


def browse_item(page: Page, chat_id: str) -> Locator:
    return page.locator(f'[data-testid="browse-item"][data-chat-id="{chat_id}"]')


def browse(user: User, query: str) -> Locator:
    """Open "Browse chats" from the sidebar (the search box takes the focus), search for
    ``query`` and wait for its first page; the list of results."""
    page = user.page
    search = page.get_by_test_id("browse-search")
    if not page.get_by_test_id("browse-view").is_visible():
        page.get_by_test_id("browse-chats").click()
        expect(search).to_be_focused()
    search.fill(query)
    return browse_results(page, query)


def browse_results(page: Page, query: str) -> Locator:
    """The browse view's list once the first page for ``query`` has arrived."""
    results = page.get_by_test_id("browse-list")
    expect(results).to_have_attribute("data-query", query)
    expect(results).to_have_attribute("data-loaded", "true")
    return results


def join_chat(user: User, chat_id: str, name: str) -> None:
    """Find a public chat in "Browse chats" by its name and join it; the app opens it."""
    page = user.page
    browse(user, name)
    browse_item(page, chat_id).get_by_test_id("browse-join").click()
    expect(page.get_by_test_id("chat-title")).to_contain_text(name)
    expect(page.get_by_test_id("composer")).to_be_visible()
    expect(chat_item(page, chat_id)).to_have_count(1)  # in the sidebar (hidden on a phone)


def open_chat(user: User, chat_id: str, name: str) -> None:
    page = user.page
    chat_item(page, chat_id).get_by_role("button").first.click()
    expect(page.get_by_test_id("chat-title")).to_contain_text(name)


def two_users_in_a_room(open_user: OpenUser) -> tuple[User, User, str, str]:
    """Alice and Bob open the app and enter; Alice creates a public room and Bob joins it,
    so both have it open. Returns (alice, bob, chat_id, room)."""
    alice = open_user("alice")
    bob = open_user("bob")
    enter(alice)
    enter(bob)
    room = unique_username("room")
    chat_id = create_chat(alice, room)
    join_chat(bob, chat_id, room)
    return alice, bob, chat_id, room


def invite(user: User, username: str) -> None:
    """Invite someone into the open chat from its members panel."""
    page = user.page
    field = page.get_by_test_id("invite-username")
    if not field.is_visible():
        page.get_by_test_id("members-toggle").click()
    field.fill(username)
    page.get_by_test_id("invite-submit").click()
    expect(page.locator(f'[data-testid="member-item"][data-username="{username}"]')).to_have_count(
        1
    )


def send(user: User, text: str) -> None:
    """Type into the composer and press Enter."""
    composer = user.page.get_by_test_id("composer")
    composer.fill(text)
    composer.press("Enter")
    expect(composer).to_have_value("")


def stored_texts(page: Page) -> list[str]:
    """The texts of the open chat's stored (acknowledged) messages, in screen order."""
    return page.locator(f"{STORED} {MESSAGE_TEXT}").all_text_contents()


def stored_seqs(page: Page) -> list[int]:
    seqs = page.eval_on_selector_all(STORED, "els => els.map(e => e.dataset.seq)")
    return [int(seq) for seq in seqs]


def expect_message(page: Page, text: str) -> None:
    """A stored message with exactly this text is on screen (once)."""
    expect(
        page.locator(STORED).filter(has=page.locator(MESSAGE_TEXT, has_text=text))
    ).to_have_count(1)


def expect_stored_texts(page: Page, texts: list[str]) -> None:
    """The open chat shows exactly these stored messages, character for character, in this
    order, and nothing pending."""
    try:
        expect(page.locator(PENDING)).to_have_count(0)
        expect(page.locator(STORED)).to_have_count(len(texts))
    except AssertionError as error:
        shown = list(zip(stored_seqs(page), stored_texts(page), strict=True))
        pending = page.locator(f"{PENDING} {MESSAGE_TEXT}").all_text_contents()
        raise AssertionError(f"{error}\nstored (seq, text): {shown}\npending: {pending}") from None
    assert stored_texts(page) == texts


def in_list(page: Page) -> Locator:
    """The open chat's own message list (the thread panel holds messages too)."""
    return page.get_by_test_id("message-list")


def message(scope: Page | Locator, text: str) -> Locator:
    """The stored message whose text contains ``text``, in the chat's list or ``scope``."""
    where = in_list(scope) if isinstance(scope, Page) else scope
    return where.locator(STORED).filter(has=where.page.locator(MESSAGE_TEXT, has_text=text))


def act_on(item: Locator, action: str) -> None:
    """Hover a message to show its actions and press one (``reply``, ``react``, ``edit``,
    ``pin``, ``delete``)."""
    item.hover()
    item.get_by_test_id(f"action-{action}").click()


def grant_workspace_admin(nats_url: str, username: str) -> None:
    """``chatbus admin grant USERNAME`` against the suite's server, as its admin NATS user;
    in a thread and event loop of its own (Playwright's sync API owns this thread's loop)."""
    settings = Settings(nats_url=nats_url)
    with ThreadPoolExecutor(1) as pool:
        run = set_role(settings, username, "admin", io.StringIO())
        pool.submit(asyncio.run, run).result(timeout=15)
