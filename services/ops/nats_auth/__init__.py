"""NATS authorization: each program's user and rights, the embedded server's credentials, bots.

roles        who may publish and subscribe what (the one definition)
conf         nats-server's authorization block, rendered from roles
credentials  the embedded server's generated passwords, kept 0600 in the data dir
embedded     finding, configuring and reloading the embedded nats-server
bots         ``chatbus bots add|list|remove``
"""
