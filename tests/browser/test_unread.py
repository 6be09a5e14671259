"""Unread counts grow for messages in chats that are not open and clear when the chat is opened."""

from playwright.sync_api import expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, OpenUser, unique_username

pytestmark = BROWSER_TEST_TIMEOUT


def test_unread_count_grows_in_a_closed_chat_and_clears_when_it_is_opened(
    open_user: OpenUser,
) -> None:
    alice = open_user("alice")
    bob = open_user("bob")
    ui.enter(alice)
    ui.enter(bob)
    here, there = unique_username("here"), unique_username("there")
    here_id = ui.create_chat(alice, here)
    there_id = ui.create_chat(alice, there)
    ui.join_chat(bob, there_id, there)
    ui.join_chat(bob, here_id, here)  # Bob now has `here` open

    ui.open_chat(alice, there_id, there)
    for n in range(1, 4):
        ui.send(alice, f"over there {n}")
        expect(ui.chat_item(bob.page, there_id)).to_have_attribute("data-unread", str(n))
    expect(ui.chat_item(bob.page, there_id)).to_contain_text("3")
    expect(bob.page).to_have_title("(3) chatbus")

    # A message in the open chat is read at once.
    ui.open_chat(alice, here_id, here)
    ui.send(alice, "right here")
    ui.expect_message(bob.page, "right here")
    expect(ui.chat_item(bob.page, here_id)).to_have_attribute("data-unread", "0")
    expect(ui.chat_item(bob.page, there_id)).to_have_attribute("data-unread", "3")
    bob.screenshot("unread")

    ui.open_chat(bob, there_id, there)
    ui.expect_stored_texts(bob.page, ["over there 1", "over there 2", "over there 3"])
    expect(ui.chat_item(bob.page, there_id)).to_have_attribute("data-unread", "0")
    expect(ui.chat_item(bob.page, here_id)).to_have_attribute("data-unread", "0")
    expect(bob.page).to_have_title("chatbus")

    # Read stays read across a reload, and new messages count from there.
    ui.open_chat(bob, here_id, here)
    ui.open_chat(alice, there_id, there)
    ui.send(alice, "over there 4")
    expect(ui.chat_item(bob.page, there_id)).to_have_attribute("data-unread", "1")
    bob.page.reload()
    ui.wait_until_connected(bob)
    expect(ui.chat_item(bob.page, there_id)).to_have_attribute("data-unread", "1")
    expect(ui.chat_item(bob.page, here_id)).to_have_attribute("data-unread", "0")
    expect(bob.page).to_have_title("(1) chatbus")
