"""What the edge knows of memberships: each chat's newest revision, news applied newest first."""

from services.edge.memberships import ChatMemberships


def test_the_edge_keeps_the_newest_revision_from_events_lists_and_replies() -> None:
    memberships = ChatMemberships()
    assert memberships.newest_revision("lunch") == 0
    memberships.learn("lunch", "alice", 4, True)
    memberships.note_revision("lunch", 7)  # bob's leave, its event not yet here
    assert memberships.newest_revision("lunch") == 7
    memberships.learn("lunch", "bob", 5, True)  # an older event changes nothing
    assert memberships.newest_revision("lunch") == 7
    memberships.note_revision("lunch", 6)  # an older reply neither
    assert memberships.newest_revision("lunch") == 7
    memberships.learn("lunch", "bob", 8, False)
    assert memberships.newest_revision("lunch") == 8


def test_the_edge_applies_a_users_membership_news_newest_first() -> None:
    memberships = ChatMemberships()
    assert memberships.learn("lunch", "bob", 5, True) is True
    assert memberships.learn("lunch", "bob", 4, False) is True  # older: bob stays
    assert memberships.learn("lunch", "bob", 6, False) is False
    assert memberships.learn("lunch", "bob", 5, True) is False  # a list older than the leave
    memberships.forget_user("bob")
    assert not memberships.knows("bob") and not memberships.is_member("lunch", "bob")
