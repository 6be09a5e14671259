"""``chatbus bench``: chatbus against a plain python-socketio server, in the same run.

Read in this order: ``baseline`` (the server chatbus is compared with),
``wire`` (a lean socket.io client for the load generator), ``generator`` (one
load-generating process), ``systems`` (starting the systems under test),
``seeding`` (users, chats and stored history written straight to NATS),
``workloads`` (what is measured), ``runner`` (A/B alternation), ``report``
(the table and the JSON).
"""
