"""Two people register, log in, open a chat and talk: the whole everyday path in a real browser."""

from playwright.sync_api import expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, OpenUser, unique_username

pytestmark = BROWSER_TEST_TIMEOUT


def test_two_users_register_talk_both_ways_see_presence_and_typing_and_log_out(
    open_user: OpenUser,
) -> None:
    alice = open_user("alice")
    bob = open_user("bob")
    expect(alice.page.get_by_test_id("login-username")).to_be_visible()
    alice.screenshot("login")

    ui.sign_up(alice)
    ui.sign_up(bob)

    room = unique_username("room")
    chat_id = ui.create_chat(alice, room)
    ui.join_chat(bob, chat_id, room)

    ui.send(alice, "hello from alice")
    ui.expect_message(bob.page, "hello from alice")

    # Shift+Enter is a new line inside the message; Enter sends.
    composer = bob.page.get_by_test_id("composer")
    composer.press_sequentially("first line")
    composer.press("Shift+Enter")
    composer.press_sequentially("second line")
    expect(composer).to_have_value("first line\nsecond line")
    # Bob's keystrokes told Alice he is typing.
    expect(alice.page.get_by_test_id("typing")).to_have_text(f"{bob.username} is typing…")
    composer.press("Enter")
    expect(composer).to_have_value("")
    ui.expect_stored_texts(alice.page, ["hello from alice", "first line\nsecond line"])
    ui.expect_stored_texts(bob.page, ["hello from alice", "first line\nsecond line"])
    # The message ends the typing notice.
    expect(alice.page.get_by_test_id("typing")).to_have_count(0)
    # The send button sends too.
    bob.page.get_by_test_id("composer").fill("by button")
    bob.page.get_by_test_id("send").click()
    ui.expect_message(alice.page, "by button")
    assert ui.stored_seqs(alice.page) == [1, 2, 3]

    # Each sees the other in the presence list, with a status dot.
    for me, other in ((alice, bob), (bob, alice)):
        person = ui.presence_item(me.page, other.username)
        expect(person).to_have_attribute("data-status", "online")
        expect(person.locator(".dot")).to_be_visible()
    bob.page.get_by_test_id("status-select").select_option("away")
    expect(ui.presence_item(alice.page, bob.username)).to_have_attribute("data-status", "away")
    alice.screenshot("chat-list-and-conversation")

    # A reload keeps the session and the open chat.
    alice.page.reload()
    ui.wait_until_connected(alice)
    expect(alice.page.get_by_test_id("chat-title")).to_contain_text(room)
    ui.expect_stored_texts(alice.page, ["hello from alice", "first line\nsecond line", "by button"])

    # Logging out returns to the login screen, for good, and Alice goes offline for Bob.
    alice.page.get_by_test_id("logout").click()
    expect(alice.page.get_by_test_id("login-username")).to_be_visible()
    expect(alice.page.get_by_test_id("chat-list")).to_have_count(0)
    expect(ui.presence_item(bob.page, alice.username)).to_have_count(0)
    alice.page.reload()
    expect(alice.page.get_by_test_id("login-username")).to_be_visible()
    expect(alice.page.get_by_test_id("chat-list")).to_have_count(0)


def test_wrong_password_is_refused_on_the_login_screen(open_user: OpenUser) -> None:
    carol = open_user("carol")
    ui.register(carol)
    # Chromium itself logs the refused request; the page must show why.
    carol.tolerated.add("status of 401 (Unauthorized)")
    page = carol.page
    page.get_by_test_id("login-username").fill(carol.username)
    page.get_by_test_id("login-password").fill("not the password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.get_by_test_id("chat-list")).to_have_count(0)


def test_taken_username_is_refused_on_the_register_form(open_user: OpenUser) -> None:
    dave = open_user("dave")
    ui.register(dave)
    dave.tolerated.add("status of 409 (Conflict)")
    page = dave.page
    page.get_by_test_id("register-username").fill(dave.username)
    page.get_by_test_id("register-password").fill("another good password")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-error")).to_be_visible()
    # The first account still works.
    ui.log_in(dave)


def test_longest_message_is_sent_whole_and_a_longer_one_is_kept_back_with_a_notice(
    open_user: OpenUser,
) -> None:
    erin = open_user("erin")
    ui.enter(erin)
    ui.create_chat(erin, unique_username("long"))
    longest = "x" * 3999 + "!"
    ui.send(erin, longest)
    ui.expect_stored_texts(erin.page, [longest])

    composer = erin.page.get_by_test_id("composer")
    composer.fill(longest + "?")
    composer.press("Enter")
    expect(erin.page.get_by_test_id("notice")).to_contain_text("4000")
    expect(composer).to_have_value(longest + "?")
    ui.expect_stored_texts(erin.page, [longest])
