"""A dropped connection loses nothing and doubles nothing, in either direction."""

from playwright.sync_api import expect

from . import ui
from .conftest import ABORTED, BROWSER_TEST_TIMEOUT, OpenUser

pytestmark = BROWSER_TEST_TIMEOUT

WHILE_AWAY = 6
SENT_WHILE_CUT = 3


def test_cut_and_restored_socket_leaves_every_message_once_in_seq_order(
    open_user: OpenUser,
) -> None:
    alice, bob, _chat_id, room = ui.two_users_in_a_room(open_user)
    ui.send(alice, "before the cut")
    ui.expect_message(bob.page, "before the cut")
    ui.send(bob, "me too")
    ui.expect_stored_texts(bob.page, ["before the cut", "me too"])

    bob.cut_network()
    expect(bob.page.get_by_test_id("connection-banner")).to_be_visible()

    from_alice = [f"alice while bob is away {n}" for n in range(WHILE_AWAY)]
    for text in from_alice:
        ui.send(alice, text)
    from_bob = [f"bob while cut off {n}" for n in range(SENT_WHILE_CUT)]
    for text in from_bob:
        ui.send(bob, text)
    # Bob's messages wait, shown as pending; Alice's cannot reach him: the cut is real.
    expect(bob.page.locator(ui.PENDING)).to_have_count(SENT_WHILE_CUT)
    expect(bob.page.locator(ui.PENDING).locator(ui.MESSAGE_TEXT)).to_have_text(from_bob)
    ui.expect_stored_texts(alice.page, ["before the cut", "me too", *from_alice])
    assert ui.stored_texts(bob.page) == ["before the cut", "me too"]
    bob.screenshot("disconnected-banner")

    bob.restore_network()
    expect(bob.page.get_by_test_id("connection-banner")).to_have_count(0)
    bob.network_is_back()

    everything = ["before the cut", "me too", *from_alice, *from_bob]
    for user in (bob, alice):
        ui.expect_stored_texts(user.page, everything)
        assert ui.stored_seqs(user.page) == list(range(1, len(everything) + 1)), user.username
    # Nothing more turns up once the dust settles: one more message lands right after.
    ui.send(alice, "welcome back")
    ui.expect_stored_texts(bob.page, [*everything, "welcome back"])
    assert ui.stored_seqs(bob.page) == list(range(1, len(everything) + 2))


def test_message_sent_while_cut_off_goes_out_once_even_after_a_reload(
    open_user: OpenUser,
) -> None:
    alice, bob, _chat_id, room = ui.two_users_in_a_room(open_user)
    ui.send(bob, "hello")
    ui.expect_stored_texts(alice.page, ["hello"])

    bob.block_socketio()
    expect(bob.page.get_by_test_id("connection-banner")).to_be_visible()
    ui.send(bob, "written offline")
    expect(bob.page.locator(ui.PENDING)).to_have_count(1)
    ui.send(alice, "meanwhile")
    ui.expect_message(alice.page, "meanwhile")

    # Bob reloads the tab while still cut off, then the connection comes back.
    bob.page.reload()
    expect(bob.page.get_by_test_id("connection-banner")).to_be_visible()
    expect(bob.page.get_by_test_id("logout")).to_be_visible()  # still logged in
    bob.unblock_socketio()
    ui.wait_until_connected(bob)
    bob.tolerated.discard(ABORTED)

    expect(bob.page.get_by_test_id("chat-title")).to_contain_text(room)
    for user in (alice, bob):
        ui.expect_stored_texts(user.page, ["hello", "meanwhile", "written offline"])
        assert ui.stored_seqs(user.page) == [1, 2, 3]
