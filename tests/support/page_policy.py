"""Reading a Content-Security-Policy header."""


def directives(policy: str) -> dict[str, set[str]]:
    """Each directive of ``policy`` with its sources."""
    parsed: dict[str, set[str]] = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = set(sources)
    return parsed
