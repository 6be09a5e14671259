"""The web client under its Content-Security-Policy in Chromium: the app and /docs work with
no violation, injected inline script does not run, and no other site can frame the app.

Chromium reports each violation as a `securitypolicyviolation` event (recorded by an init
script) and a console error (which fails any browser test, see conftest.py).
"""

from playwright.sync_api import Browser, expect

from . import ui
from .conftest import BROWSER_TEST_TIMEOUT, Chatbus, OpenUser, unique_username

pytestmark = BROWSER_TEST_TIMEOUT

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} ${event.blockedURI || "inline"}`);
});
"""
# What an attacker's markup would do, were it ever put into the page.
INJECT_SCRIPT = """
() => {
  window.__injected = 0;
  const script = document.createElement("script");
  script.textContent = "window.__injected = 1";
  document.body.append(script);
  const handler = document.createElement("img");
  handler.setAttribute("onerror", "window.__injected = 2");
  handler.src = "data:,not an image";
  document.body.append(handler);
}
"""
CSP_REFUSAL = "Content Security Policy"


def test_the_app_works_under_its_policy_and_injected_script_does_not_run(
    open_user: OpenUser,
) -> None:
    alice = open_user("alice")
    alice.context.add_init_script(RECORD_VIOLATIONS)
    response = alice.page.reload()
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    ui.enter(alice)
    ui.create_chat(alice, unique_username("policy"))
    ui.send(alice, "under the policy https://example.com/")
    ui.expect_message(alice.page, "under the policy")
    # The app itself, logged in and chatting over socket.io, broke no rule of its policy.
    assert alice.page.evaluate("window.__violations") == []

    alice.tolerated.add(CSP_REFUSAL)  # Chromium's own console line for what follows
    alice.page.evaluate(INJECT_SCRIPT)
    alice.page.wait_for_function("window.__violations.length >= 2")
    assert alice.page.evaluate("window.__injected") == 0
    violations = alice.page.evaluate("window.__violations")
    assert sorted(violations) == ["script-src-attr inline", "script-src-elem inline"], violations


def test_another_site_cannot_frame_the_app(chatbus: Chatbus, browser: Browser) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        with page.expect_console_message(lambda m: "frame" in m.text.lower()) as refusal:
            page.set_content(f'<iframe src="{chatbus.url}/" width="400" height="300"></iframe>')
        assert "frame-ancestors 'none'" in refusal.value.text, refusal.value.text
        # The frame holds an error page, never the app's login form.
        expect(page.frame_locator("iframe").get_by_test_id("login-username")).to_have_count(0)
    finally:
        context.close()


def test_the_docs_page_renders_under_its_policy_with_no_violation(
    chatbus: Chatbus, browser: Browser
) -> None:
    context = browser.new_context(base_url=chatbus.url)
    try:
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        response = page.goto("/docs")
        assert response is not None
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        expect(page.locator("#operations h3").first).to_be_visible()
        assert page.evaluate("window.__violations") == []
        assert errors == []
    finally:
        context.close()
