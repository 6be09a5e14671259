"""A private chat is invisible to all but its members, whatever an outsider tries in the UI;
an invitee finds it in their sidebar at once, and it leaves the sidebar of one who leaves."""

from playwright.sync_api import expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, OpenUser, unique_username

pytestmark = BROWSER_TEST_TIMEOUT


def test_outsider_never_sees_a_private_chat_while_its_members_talk(open_user: OpenUser) -> None:
    alice = open_user("alice")
    bob = open_user("bob")
    carol = open_user("carol")
    for user in (alice, bob, carol):
        ui.enter(user)

    secret = unique_username("secret")
    chat_id = ui.create_chat(alice, secret, private=True)
    expect(alice.page.get_by_test_id("chat-member-count")).to_have_text("Private · 1 member")
    # Bob, connected, sees the chat appear in his sidebar as soon as he is invited.
    expect(ui.chat_item(bob.page, chat_id)).to_have_count(0)
    ui.invite(alice, bob.username)
    expect(ui.chat_item(bob.page, chat_id)).to_be_visible()
    expect(alice.page.get_by_test_id("chat-member-count")).to_have_text("Private · 2 members")
    ui.open_chat(bob, chat_id, secret)

    said = ["the plan is on", "keep it between us", "agreed"]
    # Each waits for the other's message before answering: the order is the conversation's.
    ui.send(alice, said[0])
    ui.expect_message(bob.page, said[0])
    ui.send(bob, said[1])
    ui.expect_message(alice.page, said[1])
    ui.send(alice, said[2])
    ui.expect_stored_texts(alice.page, said)
    ui.expect_stored_texts(bob.page, said)
    bob.screenshot("private-chat")

    # Carol was connected all along: the chat is not listed, not found and nothing of it shows.
    def carol_sees_nothing() -> None:
        expect(ui.chat_item(carol.page, chat_id)).to_have_count(0)
        expect(carol.page.get_by_test_id("chat-list")).not_to_contain_text(secret)
        expect(carol.page.get_by_test_id("message")).to_have_count(0)
        for text in said:
            expect(carol.page.locator("body")).not_to_contain_text(text)
        results = ui.browse(carol, secret)
        expect(results.get_by_test_id("browse-item")).to_have_count(0)
        expect(ui.browse_item(carol.page, chat_id)).to_have_count(0)

    # Her browse view is live: a public chat Alice creates now does show up in it.
    visible = unique_username("open")
    results = ui.browse(carol, visible)
    visible_id = ui.create_chat(alice, visible)
    expect(ui.browse_item(carol.page, visible_id)).to_be_visible()
    expect(results).not_to_contain_text(secret)
    carol_sees_nothing()

    # There is no way to name a chat by id in the UI; the closest thing, the open chat the
    # tab remembers across reloads, does not open someone else's private chat either.
    carol.page.evaluate("id => sessionStorage.setItem('chatbus.activeChat', id)", chat_id)
    carol.page.reload()
    ui.wait_until_connected(carol)
    expect(carol.page.get_by_test_id("no-chats")).to_be_visible()  # her list has arrived
    expect(carol.page.get_by_test_id("chat-title")).to_have_count(0)
    expect(carol.page.get_by_test_id("composer")).to_have_count(0)
    carol_sees_nothing()

    # Once Bob leaves, the chat is gone from his list too; Alice keeps talking unseen.
    bob.page.get_by_test_id("leave-chat").click()
    expect(ui.chat_item(bob.page, chat_id)).to_have_count(0)
    expect(bob.page.get_by_test_id("chat-title")).to_have_count(0)
    ui.open_chat(alice, chat_id, secret)
    expect(alice.page.get_by_test_id("chat-member-count")).to_have_text("Private · 1 member")
    ui.send(alice, "bob left")
    ui.expect_stored_texts(alice.page, [*said, "bob left"])
    expect(bob.page.locator("body")).not_to_contain_text("bob left")
    carol_sees_nothing()
