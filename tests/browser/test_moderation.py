"""Chat settings and the members panel: the owner renames the chat and sets its topic, makes
a member an admin, and that admin removes another member after a confirmation."""

from playwright.sync_api import Locator, Page, expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, OpenUser, unique_username

pytestmark = BROWSER_TEST_TIMEOUT


def member(page: Page, username: str) -> Locator:
    return page.locator(f'[data-testid="member-item"][data-username="{username}"]')


def test_owner_renames_makes_an_admin_who_removes_a_member(open_user: OpenUser) -> None:
    alice, bob, chat_id, room = ui.two_users_in_a_room(open_user)
    carol = open_user("carol")
    ui.enter(carol)
    ui.join_chat(carol, chat_id, room)

    # Only the owner and admins may rename: Bob's settings offer mute alone.
    bob.page.get_by_test_id("settings-toggle").click()
    expect(bob.page.get_by_test_id("settings-name")).to_have_count(0)
    bob.page.get_by_test_id("settings-mute").check()
    bob.page.keyboard.press("Escape")
    expect(ui.chat_item(bob.page, chat_id)).to_have_class("chat-item current muted-chat")

    renamed = unique_username("renamed")
    alice.page.get_by_test_id("settings-toggle").click()
    alice.page.get_by_test_id("settings-name").fill(renamed)
    alice.page.get_by_test_id("settings-topic").fill("what we talk about")
    alice.page.get_by_test_id("settings-save").click()
    for user in (alice, bob, carol):
        expect(user.page.get_by_test_id("chat-title")).to_contain_text(renamed)
        expect(user.page.get_by_test_id("chat-topic")).to_have_text("what we talk about")

    # Members see no moderation buttons; the owner makes Bob an admin.
    expect(member(carol.page, bob.username).get_by_test_id("member-kick")).to_have_count(0)
    member(alice.page, bob.username).get_by_test_id("member-role").click()
    expect(member(alice.page, bob.username)).to_have_attribute("data-role", "admin")
    expect(member(alice.page, bob.username).get_by_test_id("member-role")).to_have_text(
        "Remove admin"
    )

    # Bob, an admin now (his next list says so), removes Carol after confirming.
    bob.page.reload()
    ui.wait_until_connected(bob)
    member(bob.page, carol.username).get_by_test_id("member-kick").click()
    bob.page.get_by_test_id("confirm-ok").click()
    expect(member(bob.page, carol.username)).to_have_count(0)
    expect(ui.chat_item(carol.page, chat_id)).to_have_count(0)
    expect(carol.page.get_by_test_id("notice")).to_contain_text(f"You were removed from {renamed}")
    alice.screenshot("moderation")
