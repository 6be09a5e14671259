"""The login throttle's keys: one per host, one per IPv6 /64."""

from services.status.login_throttle import address_token


def test_addresses_become_bucket_keys_per_host_or_ipv6_network() -> None:
    assert address_token("203.0.113.7") == "203.0.113.7"
    assert address_token("::ffff:203.0.113.7") == "203.0.113.7"
    assert address_token("2001:db8::1") == address_token("2001:db8::ffff:1") == "2001-db8--_64"
    assert address_token("not an address").startswith("=")
