"""``python -m benchmarks.web_read_sync --url URL``: how soon reading a chat in one browser
clears its unread badge in the same user's other browser.

Against a running chatbus serving the built web client (``make run``, or ``chatbus up``),
in Debian's Chromium: a sender and two browser contexts of one reader (a phone and a
laptop, each its own socket). Each round the sender posts in a chat neither of the
reader's browsers has open; once both show it unread, the phone opens the chat, and the
laptop's badge is watched until it reads 0. The time is from the click on the phone to
the laptop's badge changing, both taken in the pages (one machine, one clock): the mark
(`reads:mark`), the server's `read` event and the laptop's render. Prints p50/p95/max ms.
"""

import argparse
import statistics
import sys
import uuid

import httpx
from playwright.sync_api import BrowserContext, Locator, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "benchmark password"
# In the laptop's page: the time the chat's badge first reads 0 after `__armed` is set.
WATCH_BADGE = """
(chatId) => {
  window.__cleared = null;
  const item = () => document.querySelector(`[data-testid="chat-item"][data-chat-id="${chatId}"]`);
  new MutationObserver(() => {
    if (window.__cleared === null && item()?.dataset.unread === "0") window.__cleared = Date.now();
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-unread"] });
}
"""
# In the phone's page: the time of the click that opens the chat.
WATCH_CLICK = """
(chatId) => {
  window.__clicked = null;
  document.addEventListener("click", (event) => {
    if (event.target.closest(`[data-chat-id="${chatId}"]`)) window.__clicked = Date.now();
  }, true);
}
"""


def log_in(context: BrowserContext, username: str) -> Page:
    page = context.new_page()
    page.goto("/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("chat-list")).to_be_visible()
    return page


def create_chat(page: Page, name: str) -> str:
    page.get_by_test_id("new-chat-name").fill(name)
    page.get_by_test_id("new-chat-submit").click()
    item = page.get_by_test_id("chat-item").filter(has_text=name)
    expect(item).to_have_count(1)
    return item.get_attribute("data-chat-id") or ""


def invite(page: Page, username: str) -> None:
    field = page.get_by_test_id("invite-username")
    field.fill(username)
    page.get_by_test_id("invite-submit").click()
    expect(page.locator(f'[data-testid="member-item"][data-username="{username}"]')).to_have_count(
        1
    )


def open_chat(page: Page, chat_id: str) -> None:
    page.locator(f'[data-testid="chat-item"][data-chat-id="{chat_id}"] button').first.click()


def badge(page: Page, chat_id: str) -> Locator:
    return page.locator(f'[data-testid="chat-item"][data-chat-id="{chat_id}"]')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:6]
    sender, reader = f"bench-send-{tag}", f"bench-read-{tag}"
    for username in (sender, reader):
        reply = httpx.post(
            f"{args.url}/api/register", json={"username": username, "password": PASSWORD}
        )
        reply.raise_for_status()

    samples: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
        )
        contexts = [
            browser.new_context(base_url=args.url, viewport={"width": 1280, "height": 800})
            for _ in range(3)
        ]
        poster = log_in(contexts[0], sender)
        quiet, busy = create_chat(poster, f"quiet-{tag}"), create_chat(poster, f"busy-{tag}")
        for chat_id in (quiet, busy):
            open_chat(poster, chat_id)
            invite(poster, reader)
        phone, laptop = log_in(contexts[1], reader), log_in(contexts[2], reader)
        phone.evaluate(WATCH_CLICK, busy)
        for n in range(args.rounds):
            for page in (phone, laptop):
                open_chat(page, quiet)
            poster.get_by_test_id("composer").fill(f"round {n}")
            poster.get_by_test_id("composer").press("Enter")
            for page in (phone, laptop):
                expect(badge(page, busy)).not_to_have_attribute("data-unread", "0")
            laptop.evaluate(WATCH_BADGE, busy)
            open_chat(phone, busy)
            expect(badge(laptop, busy)).to_have_attribute("data-unread", "0")
            samples.append(laptop.evaluate("window.__cleared") - phone.evaluate("window.__clicked"))
        browser.close()

    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(
        f"read on one browser -> badge cleared on the other, {len(samples)} rounds: "
        f"p50 {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms, max {samples[-1]:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
