"""Messages render as Markdown: code, emphasis, lists, quotes and safe links, with HTML as text."""

from playwright.sync_api import expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, OpenUser

pytestmark = BROWSER_TEST_TIMEOUT

TEXT = "\n".join(
    [
        "**bold** and _italic_ and `inline <b>code</b>`",
        "",
        "- one",
        "- two",
        "",
        "> quoted",
        "",
        "```",
        "block <i>code</i>",
        "```",
        "",
        "[the docs](https://example.com/guide) and <div>not html</div>",
    ]
)


def test_markdown_formats_and_links_safely(open_user: OpenUser) -> None:
    alice, bob, _, _ = ui.two_users_in_a_room(open_user)
    ui.send(alice, TEXT)
    text = ui.message(bob.page, "bold").get_by_test_id("message-text")
    expect(text.locator("strong")).to_have_text("bold")
    expect(text.locator("em")).to_have_text("italic")
    expect(text.locator("p code")).to_have_text("inline <b>code</b>")
    expect(text.locator("ul > li")).to_have_text(["one", "two"])
    expect(text.locator("blockquote")).to_have_text("quoted")
    expect(text.locator("pre code")).to_have_text("block <i>code</i>")
    link = text.get_by_role("link", name="the docs")
    expect(link).to_have_attribute("href", "https://example.com/guide")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    # The link's text does not show its host: the badge does.
    expect(text.get_by_test_id("link-host")).to_have_text("example.com")
    expect(text).to_contain_text("<div>not html</div>")
    assert text.locator("b, i, div").count() == 0
    bob.screenshot("markdown")
