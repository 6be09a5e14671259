"""Names of the JetStream stream and key-value buckets that hold chatbus's state."""

MESSAGES_STREAM = "CHAT_MESSAGES"
CHATS_BUCKET = "chat_chats"
USERS_BUCKET = "chat_users"
PRESENCE_BUCKET = "chat_presence"
# Counts of failed logins and of registrations, per user and per client address.
THROTTLE_BUCKET = "chat_throttle"
# Each user's read marker in each chat: key <username>.<chat_id>.
READS_BUCKET = "chat_reads"
# Each user's mentions, one subject per user: chat.mentions.<username>.
MENTIONS_STREAM = "CHAT_MENTIONS"
# Who reacted to what: key <chat_id>.<seq>.<emoji as hex>.<username>.
REACTIONS_BUCKET = "chat_reactions"

# Headers on stored messages and on edge-forwarded commands.
MSG_ID_HEADER = "Nats-Msg-Id"
EXPECTED_LAST_SUBJECT_SEQ = "Nats-Expected-Last-Subject-Sequence"
EXPECTED_LAST_SUBJECT = "Nats-Expected-Last-Subject-Sequence-Subject"
# On every revision of a stored message but its first: the stream seq of that first one
# (the append), which tells a revision from a message and keeps the message's place in
# the stream after a rollup.
REVISION_OF_HEADER = "Chatbus-Revision-Of"
ROLLUP_HEADER = "Nats-Rollup"
ROLLUP_SUBJECT = "sub"
TTL_HEADER = "Nats-TTL"
EDGE_PROOF_HEADER = "Chatbus-Edge"
# The newest revision of the command's chat the edge has seen (see services/messages/members.py).
CHAT_REVISION_HEADER = "Chatbus-Chat-Revision"
# On a chat's ``updated`` event: who hears it besides its members (a public channel's
# creation or renaming is for everyone).
AUDIENCE_HEADER = "Chatbus-Audience"
EVERYONE = "everyone"
