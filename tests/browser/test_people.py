"""Read state across one user's two browsers, notifications for mentions and DMs in a hidden
tab, the @ autocomplete, profiles and DMs, and the workspace admin view."""

from playwright.sync_api import expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, Chatbus, OpenUser, User, unique_username

pytestmark = BROWSER_TEST_TIMEOUT

# Records every Notification the page makes, and lets the test hide the tab: the page reads
# document.visibilityState, which a headless page always has "visible".
RECORD_NOTIFICATIONS = """
(() => {
  window.__notifications = [];
  window.__hidden = false;
  const Native = window.Notification;
  window.Notification = new Proxy(Native, {
    construct(target, args) {
      window.__notifications.push({ title: args[0], body: args[1] && args[1].body });
      document.documentElement.dataset.notifications = String(window.__notifications.length);
      return Reflect.construct(target, args);
    },
  });
  Object.defineProperty(document, "visibilityState", {
    get: () => (window.__hidden ? "hidden" : "visible"),
  });
  Object.defineProperty(document, "hidden", { get: () => window.__hidden });
})();
"""
HIDE = "window.__hidden = true; document.dispatchEvent(new Event('visibilitychange'));"


def second_browser(open_user: OpenUser, user: User) -> User:
    """The same user logged in again in a browser context of their own (another device)."""
    other = open_user("device")
    other.username = user.username
    ui.log_in(other)
    return other


def test_reading_a_chat_in_one_browser_clears_its_badge_in_the_other(open_user: OpenUser) -> None:
    alice, bob, here_id, here = ui.two_users_in_a_room(open_user)
    there = unique_username("there")
    there_id = ui.create_chat(alice, there)
    ui.join_chat(bob, there_id, there)
    ui.open_chat(bob, here_id, here)
    laptop = second_browser(open_user, bob)
    ui.open_chat(laptop, here_id, here)

    for n in (1, 2):
        ui.send(alice, f"over there {n}")
    for device in (bob, laptop):
        expect(ui.chat_item(device.page, there_id)).to_have_attribute("data-unread", "2")
    expect(laptop.page).to_have_title("(2) chatbus")

    ui.open_chat(bob, there_id, there)  # read on the phone ...
    expect(ui.chat_item(laptop.page, there_id)).to_have_attribute("data-unread", "0", timeout=1000)
    expect(laptop.page).to_have_title("chatbus", timeout=1000)  # ... cleared on the laptop

    # And the server keeps it: a reload of the laptop lists it read.
    laptop.page.reload()
    ui.wait_until_connected(laptop)
    expect(ui.chat_item(laptop.page, there_id)).to_have_attribute("data-unread", "0")
    laptop.screenshot("read-on-two-devices")


def test_a_mention_and_a_dm_raise_a_notification_in_a_hidden_tab(
    open_user: OpenUser, chatbus: Chatbus
) -> None:
    alice = open_user("alice")
    bob = open_user("bob")
    bob.context.grant_permissions(["notifications"], origin=chatbus.url)
    bob.page.add_init_script(RECORD_NOTIFICATIONS)
    bob.page.reload()
    ui.enter(alice)
    ui.enter(bob)
    room = unique_username("room")
    chat_id = ui.create_chat(alice, room)
    ui.join_chat(bob, chat_id, room)

    bob.page.evaluate(HIDE)
    ui.send(alice, f"hey @{bob.username}, look")
    expect(bob.page.locator("html")).to_have_attribute("data-notifications", "1")
    shown = bob.page.evaluate("window.__notifications[0]")
    assert alice.username in shown["title"] and room in shown["title"], shown
    assert "look" in shown["body"], shown
    expect(ui.chat_item(bob.page, chat_id)).to_have_attribute("data-mentions", "1")

    # A message without a mention raises none; a DM does.
    ui.send(alice, "no one named")
    ui.expect_message(alice.page, "no one named")
    alice.page.get_by_test_id("new-dm").click()
    alice.page.get_by_test_id("dm-search-input").fill(bob.username)
    alice.page.locator(
        f'[data-testid="user-result"][data-username="{bob.username}"] '
        '[data-testid="user-result-action"]'
    ).click()
    ui.send(alice, "just between us")
    expect(bob.page.locator("html")).to_have_attribute("data-notifications", "2")
    assert bob.page.evaluate("window.__notifications[1].body") == "just between us"
    assert bob.page.evaluate("window.__notifications.length") == 2


def test_at_opens_member_autocomplete_driven_by_the_keyboard(open_user: OpenUser) -> None:
    alice, bob, _, _ = ui.two_users_in_a_room(open_user)
    composer = alice.page.get_by_test_id("composer")
    composer.press_sequentially(f"hi @{bob.username[:4]}")
    menu = alice.page.get_by_test_id("mention-menu")
    option = menu.locator(f'[data-testid="mention-option"][data-username="{bob.username}"]')
    expect(option).to_have_count(1)
    composer.press("Escape")
    expect(menu).to_have_count(0)

    composer.press("Backspace")
    expect(option).to_have_count(1)
    index = menu.get_by_test_id("mention-option").evaluate_all(
        f"(els) => els.findIndex((el) => el.dataset.username === {bob.username!r})"
    )
    for _ in range(index):
        composer.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    composer.press("Tab")
    expect(composer).to_have_value(f"hi @{bob.username} ")
    expect(menu).to_have_count(0)
    composer.press_sequentially("welcome")
    composer.press("Enter")
    mention = ui.message(bob.page, "welcome").get_by_test_id("mention")
    expect(mention).to_have_text(f"@{bob.username}")


def test_a_display_name_shows_on_messages_and_its_card_opens_a_dm(open_user: OpenUser) -> None:
    alice, bob, _, _ = ui.two_users_in_a_room(open_user)
    alice.page.get_by_test_id("current-user").click()
    alice.page.get_by_test_id("profile-edit").click()
    alice.page.get_by_test_id("profile-display-name").fill("Alice Liddell")
    alice.page.get_by_test_id("profile-about-input").fill("Down the rabbit hole.")
    alice.page.get_by_test_id("profile-save").click()
    expect(alice.page.get_by_test_id("profile-about")).to_have_text("Down the rabbit hole.")
    alice.page.keyboard.press("Escape")
    expect(alice.page.get_by_test_id("current-user")).to_have_text("Alice Liddell")
    ui.send(alice, "curiouser and curiouser")

    name = ui.message(bob.page, "curiouser").get_by_test_id("user-name")
    expect(name).to_have_text("Alice Liddell")
    expect(name).to_have_attribute("title", f"@{alice.username}")
    name.click()
    card = bob.page.get_by_test_id("profile-card")
    expect(card.get_by_test_id("profile-username")).to_contain_text(f"@{alice.username}")
    expect(card.get_by_test_id("profile-about")).to_have_text("Down the rabbit hole.")
    card.get_by_test_id("profile-message").click()

    dm = bob.page.get_by_test_id("dm-list").get_by_test_id("chat-item")
    expect(dm).to_have_count(1)
    expect(dm).to_contain_text("Alice Liddell")
    expect(bob.page.get_by_test_id("chat-title")).to_contain_text("Alice Liddell")
    ui.send(bob, "hello Alice")
    alice_dm = alice.page.get_by_test_id("dm-list").get_by_test_id("chat-item")
    expect(alice_dm).to_have_attribute("data-unread", "1")
    alice_dm.get_by_role("button").click()
    ui.expect_message(alice.page, "hello Alice")
    bob.screenshot("dm-and-profile")


def test_a_workspace_admin_deactivates_and_reactivates_a_user(
    open_user: OpenUser, chatbus: Chatbus
) -> None:
    admin = open_user("admin")
    target = open_user("target")
    chatbus.register(admin.username)
    ui.grant_workspace_admin(chatbus.nats_url, admin.username)
    ui.log_in(admin)
    ui.enter(target)

    admin.page.get_by_test_id("admin-open").click()
    view = admin.page.get_by_test_id("admin-view")
    view.get_by_test_id("admin-search-input").fill(target.username)
    row = view.locator(f'[data-testid="user-result"][data-username="{target.username}"]')
    expect(row.get_by_test_id("user-result-action")).to_have_text("Deactivate")
    row.get_by_test_id("user-result-action").click()
    admin.page.get_by_test_id("confirm-ok").click()
    expect(view.get_by_test_id("admin-status")).to_have_text(f"{target.username} is deactivated.")
    # Their socket is closed and their token refused: the page is back at the login form.
    expect(target.page.get_by_test_id("login-username")).to_be_visible()

    expect(row.get_by_test_id("user-result-action")).to_have_text("Reactivate")
    row.get_by_test_id("user-result-action").click()
    expect(view.get_by_test_id("admin-status")).to_have_text(f"{target.username} is active again.")
    ui.log_in(target)
    admin.screenshot("admin-view")
