"""Status: accounts, presence per connection, typing. State: users and presence buckets."""
