"""On a phone-sized screen the chat list and the conversation take turns, and sending works."""

from playwright.sync_api import expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, PHONE, OpenUser, unique_username

pytestmark = BROWSER_TEST_TIMEOUT

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_phone_user_moves_between_chat_list_and_conversation_and_sends(
    open_user: OpenUser,
) -> None:
    alice = open_user("alice")
    phone = open_user("pat", viewport=PHONE)
    page = phone.page
    expect(page.get_by_test_id("login-username")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    phone.screenshot("phone-login")
    ui.enter(alice)
    ui.enter(phone)

    room = unique_username("room")
    chat_id = ui.create_chat(alice, room)
    ui.send(alice, "hi from a big screen")

    # The list first (empty: the phone user is in no chat yet), the conversation hidden.
    expect(page.get_by_test_id("no-chats")).to_be_visible()
    expect(page.get_by_test_id("message-list")).not_to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    phone.screenshot("phone-chat-list")

    # Browsing takes the whole screen, like a conversation.
    ui.browse(phone, room)
    expect(page.get_by_test_id("chat-list")).not_to_be_visible()
    expect(ui.browse_item(page, chat_id)).to_be_in_viewport()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    phone.screenshot("phone-browse")
    ui.join_chat(phone, chat_id, room)
    expect(page.get_by_test_id("chat-list")).not_to_be_visible()
    item = ui.chat_item(page, chat_id)
    ui.expect_message(page, "hi from a big screen")
    ui.send(phone, "hi from a phone")
    ui.expect_stored_texts(page, ["hi from a big screen", "hi from a phone"])
    ui.expect_stored_texts(alice.page, ["hi from a big screen", "hi from a phone"])
    expect(page.get_by_test_id("composer")).to_be_in_viewport()
    expect(page.get_by_test_id("send")).to_be_in_viewport()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    phone.screenshot("phone-conversation")

    # Back to the list, where a new message in the chat shows as unread, and in again.
    page.get_by_test_id("back-to-chats").click()
    expect(item).to_be_visible()
    expect(page.get_by_test_id("message-list")).not_to_be_visible()
    ui.send(alice, "did you get this?")
    expect(item).to_have_attribute("data-unread", "1")
    ui.open_chat(phone, chat_id, room)
    expect(page.get_by_test_id("chat-list")).not_to_be_visible()
    ui.expect_message(page, "did you get this?")
    ui.send(phone, "yes")
    ui.expect_message(alice.page, "yes")
    expect(item).to_have_attribute("data-unread", "0")
