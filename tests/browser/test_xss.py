"""Message text is shown as Markdown and as text: no markup, URL scheme or template in it ever
runs, only formatting elements without attributes and http(s) or mailto links appear, and a
link whose text hides where it goes shows its real host."""

from playwright.sync_api import Page, expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, OpenUser, User, unique_username
from .xss_corpus import EXPECTED_LINKS, PAYLOADS, SHOWN

pytestmark = BROWSER_TEST_TIMEOUT

# Ends in a statement, not a function: page.evaluate would call a function it is given.
SENTINEL = """
window.__xss = 0;
window.alert = (...args) => { window.__xss = `alert(${args})`; };
void 0;
"""

# Every element inside a message's text, with its attributes.
ELEMENTS_IN_TEXT = """
(selector) => [...document.querySelectorAll(selector)].map((text) =>
  [...text.querySelectorAll("*")].map((el) => ({
    tag: el.tagName,
    attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
  })))
"""
# What Markdown may make inside a message, with no attribute (an ordered list its start).
FORMATTING = {"P", "STRONG", "EM", "S", "CODE", "PRE", "UL", "OL", "LI", "BLOCKQUOTE", "BR", "HR"}

# Any element anywhere carrying an inline event handler (React never sets one).
INLINE_HANDLERS = """
() => [...document.querySelectorAll("*")].flatMap((el) =>
  [...el.attributes].filter((a) => a.name.toLowerCase().startsWith("on"))
    .map((a) => `${el.tagName} ${a.name}`))
"""


def test_xss_corpus_is_displayed_as_literal_text_and_runs_nothing(open_user: OpenUser) -> None:
    assert len(PAYLOADS) >= 50
    alice = open_user("alice")
    bob = open_user("bob")
    for user in (alice, bob):
        user.page.add_init_script(SENTINEL)
        user.page.evaluate(SENTINEL)
        ui.enter(user)

    # The chat's name is a payload too.
    name = '<img src=x onerror="window.__xss=1">' + unique_username("")
    chat_id = ui.create_chat(alice, name)
    ui.join_chat(bob, chat_id, name)

    for payload in PAYLOADS:
        ui.send(alice, payload)
    shown = [SHOWN.get(payload, payload) for payload in PAYLOADS]
    for user in (alice, bob):
        ui.expect_stored_texts(user.page, shown)
        assert_nothing_ran(user, name)
    bob.screenshot("xss-corpus")

    # The same holds for messages loaded from history after a reload (the newest page).
    bob.page.reload()
    ui.wait_until_connected(bob)
    expect(bob.page.get_by_test_id("chat-title")).to_contain_text(name)
    expect(bob.page.locator(ui.STORED).last.locator(ui.MESSAGE_TEXT)).to_have_text(shown[-1])
    reloaded = ui.stored_texts(bob.page)
    assert reloaded == shown[-len(reloaded) :]
    assert_nothing_ran(bob, name)


def test_a_link_that_hides_its_host_shows_the_real_one(open_user: OpenUser) -> None:
    alice, bob, _, _ = ui.two_users_in_a_room(open_user)
    deceptive = "your statement: https://bank.example@evil.example/login"
    honest = "docs at https://example.com/guide"
    look_alike = "pay at https://p\u0430ypal.com/"  # a Cyrillic "а"
    for text in (deceptive, honest, look_alike):
        ui.send(alice, text)
    page = bob.page
    for text in (deceptive, honest, look_alike):
        ui.expect_message(page, text)
    message = page.locator(ui.STORED).filter(has_text="your statement")
    expect(message.get_by_test_id("link-host")).to_have_text("evil.example")
    expect(message.get_by_test_id("link-host")).to_be_visible()
    expect(message.get_by_role("link")).to_have_attribute(
        "href", "https://bank.example@evil.example/login"
    )
    # The badge sits right after the link it explains.
    assert message.locator("a + [data-testid=link-host]").count() == 1
    expect(
        page.locator(ui.STORED).filter(has_text="docs at").get_by_test_id("link-host")
    ).to_have_count(0)
    expect(
        page.locator(ui.STORED).filter(has_text="pay at").get_by_test_id("link-host")
    ).to_have_text("xn--pypal-4ve.com")
    bob.screenshot("link-host")


def assert_nothing_ran(user: User, chat_name: str) -> None:
    page = user.page
    assert page.evaluate("window.__xss") == 0, f"{user.username}: a payload ran"
    assert page.evaluate(INLINE_HANDLERS) == [], f"{user.username}: inline handlers in the DOM"
    expect(page.get_by_test_id("chat-title")).to_contain_text(chat_name)
    expect(ui.chat_item(page, page_chat_id(page))).to_contain_text(chat_name)

    elements = page.evaluate(ELEMENTS_IN_TEXT, f"{ui.STORED} {ui.MESSAGE_TEXT}")
    texts = PAYLOADS[-len(elements) :]
    for text, inside in zip(texts, elements, strict=True):
        hrefs = []
        for element in inside:
            attrs = element["attrs"]
            if element["tag"] == "SPAN":  # the host badge after a link, text only
                assert set(attrs) <= {"class", "data-testid", "title"}, (text, attrs)
                assert attrs.get("data-testid") == "link-host", (text, attrs)
                continue
            if element["tag"] in FORMATTING:
                assert set(attrs) <= {"start"}, (text, element)
                continue
            assert element["tag"] == "A", (text, element)
            assert set(attrs) <= {"href", "target", "rel"}, (text, attrs)
            href = attrs.get("href", "")
            assert href.startswith(("http://", "https://", "mailto:")), (text, attrs)
            assert attrs.get("target") == "_blank", (text, attrs)
            assert "noopener" in attrs.get("rel", "").split(), (text, attrs)
            hrefs.append(attrs["href"])
        if not any(scheme in text for scheme in ("http://", "https://", "mailto:")):
            assert hrefs == [], text
        if text in EXPECTED_LINKS:
            assert hrefs == EXPECTED_LINKS[text], text


def page_chat_id(page: Page) -> str:
    current = page.locator('[data-testid="chat-item"] [aria-current="page"]').locator("..")
    chat_id = current.get_attribute("data-chat-id")
    assert chat_id
    return chat_id
