"""Message actions between two users, live on both sides: reply in a thread, react with the
emoji picker, edit (the Up arrow), pin, delete with a confirmation."""

from playwright.sync_api import expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, OpenUser

pytestmark = BROWSER_TEST_TIMEOUT


def test_a_reply_in_a_thread_shows_in_the_panel_and_counts_on_the_root(open_user: OpenUser) -> None:
    alice, bob, _, _ = ui.two_users_in_a_room(open_user)
    ui.send(alice, "the root")
    root = ui.message(bob.page, "the root")
    expect(root).to_have_count(1)

    ui.act_on(root, "reply")
    panel = bob.page.get_by_test_id("thread-panel")
    composer = panel.get_by_test_id("thread-composer")
    expect(composer).to_be_focused()
    composer.fill("a reply")
    composer.press("Enter")
    expect(ui.message(panel, "a reply")).to_have_count(1)

    # Alice sees the count on the root, not the reply in the chat; the panel shows it.
    summary = ui.message(alice.page, "the root").get_by_test_id("thread-summary")
    expect(summary).to_have_text("1 reply")
    expect(ui.message(alice.page, "a reply")).to_have_count(0)
    summary.click()
    alice_panel = alice.page.get_by_test_id("thread-panel")
    expect(ui.message(alice_panel, "a reply")).to_have_count(1)

    # A second reply from Alice arrives live in Bob's open panel and on his root.
    alice_panel.get_by_test_id("thread-composer").fill("another reply")
    alice_panel.get_by_test_id("thread-composer").press("Enter")
    expect(ui.message(panel, "another reply")).to_have_count(1)
    expect(root.get_by_test_id("thread-summary")).to_have_text("2 replies")
    bob.screenshot("thread-panel")


def test_reactions_toggle_and_count_live_with_the_users_own_highlighted(
    open_user: OpenUser,
) -> None:
    alice, bob, _, _ = ui.two_users_in_a_room(open_user)
    ui.send(alice, "react to me")
    mine = ui.message(bob.page, "react to me")
    ui.act_on(mine, "react")
    picker = bob.page.get_by_test_id("emoji-picker")
    picker.get_by_test_id("emoji-search").fill("thumbs up")
    picker.locator('[data-testid="emoji-option"][aria-label="Thumbs up"]').click()
    expect(picker).to_have_count(0)

    on_bob = mine.get_by_test_id("reaction")
    on_alice = ui.message(alice.page, "react to me").get_by_test_id("reaction")
    expect(on_bob).to_contain_text("\U0001f44d")
    expect(on_bob).to_have_attribute("data-count", "1")
    expect(on_bob).to_have_attribute("aria-pressed", "true")
    expect(on_alice).to_have_attribute("data-count", "1")
    expect(on_alice).to_have_attribute("aria-pressed", "false")

    on_alice.click()  # Alice adds hers by clicking the reaction
    expect(on_bob).to_have_attribute("data-count", "2")
    expect(on_alice).to_have_attribute("aria-pressed", "true")
    on_bob.click()  # and Bob takes his back
    expect(on_alice).to_have_attribute("data-count", "1")
    expect(on_bob).to_have_attribute("aria-pressed", "false")
    alice.screenshot("reactions")


def test_edit_with_the_up_arrow_pin_and_delete_show_on_both_sides(open_user: OpenUser) -> None:
    alice, bob, _, _ = ui.two_users_in_a_room(open_user)
    ui.send(alice, "keep me")
    ui.send(alice, "a typo hree")
    expect(ui.message(bob.page, "a typo hree")).to_have_count(1)

    # The Up arrow in the empty composer edits the last own message.
    alice.page.get_by_test_id("composer").press("ArrowUp")
    box = alice.page.get_by_test_id("edit-input")
    expect(box).to_have_value("a typo hree")
    box.fill("no typo here")
    box.press("Enter")
    for user in (alice, bob):
        edited = ui.message(user.page, "no typo here")
        expect(edited).to_have_count(1)
        expect(edited.get_by_test_id("edited")).to_have_text("(edited)")

    # Bob pins Alice's first message; both see it pinned and listed.
    ui.act_on(ui.message(bob.page, "keep me"), "pin")
    for user in (alice, bob):
        expect(ui.message(user.page, "keep me")).to_have_attribute("data-pinned", "true")
        expect(user.page.get_by_test_id("pinned-toggle")).to_have_attribute("data-count", "1")
    alice.page.get_by_test_id("pinned-toggle").click()
    expect(alice.page.get_by_test_id("pinned-item")).to_contain_text("keep me")
    alice.page.keyboard.press("Escape")

    # Bob may not delete Alice's message; Alice deletes it after confirming.
    expect(ui.message(bob.page, "no typo here").get_by_test_id("action-delete")).to_have_count(0)
    edited = ui.message(alice.page, "no typo here")
    seq = edited.get_attribute("data-seq")
    ui.act_on(edited, "delete")
    alice.page.get_by_test_id("confirm-ok").click()
    for user in (alice, bob):
        gone = ui.in_list(user.page).locator(f'[data-testid="message"][data-seq="{seq}"]')
        expect(gone).to_have_attribute("data-deleted", "true")
        expect(gone.get_by_test_id("message-text")).to_have_text("message deleted")
    bob.screenshot("edited-pinned-deleted")
