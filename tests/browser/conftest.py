"""Browser-test fixtures: `chatbus up` as the README starts it, one Chromium, a context per user.

Every page a test opens is watched: a console error, an uncaught exception, a dialog
(`alert`, `confirm`, `prompt`) or a request to any origin but the edge's fails the test.
"""

import re
import signal
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Error,
    Page,
    Request,
    Route,
    ViewportSize,
    WebSocket,
    WebSocketRoute,
    expect,
    sync_playwright,
)

from services.core.settings import Settings
from services.ops.embedded_nats import free_port
from services.ops.nats_auth.embedded import embedded_url
from tests.support.chatbus_up import CHATBUS_UP, chatbus_up_env
from tests.support.clients import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
WEB_INDEX = ROOT / "web" / "dist" / "index.html"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHATBUS_LOG = ROOT / "test-output" / "browser-chatbus-up.log"

# Debian's Chromium: Playwright's own browser download is not reachable from here or CI.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
UP_WITHIN_SECONDS = 60
STOP_WITHIN_SECONDS = 15
EXPECT_TIMEOUT_MS = 10_000
# A test's own steps, not the fixtures it waits for: the first test in the package would
# otherwise also pay for starting `chatbus up` and Chromium (8.5 s here, more on a busy machine).
# Those bound their own waits (UP_WITHIN_SECONDS, Playwright's launch and navigation timeouts).
BROWSER_TEST_TIMEOUT = pytest.mark.timeout(20, func_only=True)
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 375, "height": 812}

# Chromium's own console lines for a request that failed while the test had cut the network.
NETWORK_CUT_MARKERS = ("net::ERR_INTERNET_DISCONNECTED", "net::ERR_NETWORK_CHANGED")
# ... and for a request the test refused (route.abort()).
ABORTED = "net::ERR_FAILED"
SOCKETIO = re.compile(r"/socket\.io/")

# Keeps track of every WebSocket the page opens, so a test can close them like a dropped
# connection would (context.set_offline blocks new connections but leaves open ones open).
TRACK_WEBSOCKETS = """
(() => {
  const Native = window.WebSocket;
  const open = new Set();
  class TrackedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      this.__upgraded = false;
      open.add(this);
      this.addEventListener("close", () => open.delete(this));
    }
    send(data) {
      // engine.io's upgrade packet: from now on this socket alone carries the session.
      if (data === "5") this.__upgraded = true;
      super.send(data);
    }
  }
  window.WebSocket = TrackedWebSocket;
  // Sockets that carry the session: open, and either upgraded from polling or never polled.
  window.__testOpenSockets = () => [...open].filter((socket) =>
    socket.readyState === Native.OPEN && (socket.__upgraded || !socket.url.includes("sid="))
  ).length;
  window.__testDropSockets = () => {
    const count = open.size;
    for (const socket of open) socket.close();
    return count;
  };
})();
"""

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@dataclass
class Chatbus:
    """A running `chatbus up` and what it printed."""

    url: str
    nats_url: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def log_tail(self, count: int = 40) -> str:
        return "".join(self.lines[-count:])

    def register(self, username: str, password: str = PASSWORD) -> None:
        """Register through the HTTP API (faster than the form, for users a test only needs)."""
        reply = httpx.post(
            f"{self.url}/api/register", json={"username": username, "password": password}
        )
        assert reply.status_code == 201, reply.text


@pytest.fixture(scope="package")
def chatbus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chatbus]:
    """`python -m services.ops.cli up` on free ports with a fresh data dir, serving web/dist."""
    if not WEB_INDEX.exists():
        pytest.fail(
            f"{WEB_INDEX.relative_to(ROOT)} is missing: build the web client first "
            "(`make test` builds it before running pytest)",
            pytrace=False,
        )
    workdir = tmp_path_factory.mktemp("chatbus-up")
    port = free_port()
    nats_port = free_port()
    # The suite registers more users from 127.0.0.1 than one address may in ten minutes.
    env = chatbus_up_env(port, nats_port, workdir / "var", registrations_per_address="1000")
    process = subprocess.Popen(
        CHATBUS_UP,
        cwd=ROOT,
        env=env,
        text=True,
        errors="replace",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    running = Chatbus(f"http://127.0.0.1:{port}", f"nats://127.0.0.1:{nats_port}", process)
    is_up = threading.Event()

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.lines.append(line)
            if f"chatbus is up: {running.url}" in line:
                is_up.set()
        is_up.set()  # it ended: stop waiting

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    try:
        is_up.wait(UP_WITHIN_SECONDS)
        if process.poll() is not None or not any("chatbus is up" in x for x in running.lines):
            pytest.fail(f"chatbus up did not come up:\n{running.log_tail()}", pytrace=False)
        # Programs on NATS (the tests' bots and set-up steps) need credentials: the admin's.
        up_settings = Settings(data_dir=workdir / "var", nats_port=nats_port)
        running.nats_url = embedded_url(up_settings, "admin")
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_WITHIN_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(5)
        CHATBUS_LOG.parent.mkdir(parents=True, exist_ok=True)
        CHATBUS_LOG.write_text("".join(running.lines))
    if any("Traceback" in line for line in running.lines):
        pytest.fail(f"chatbus logged a traceback; see {CHATBUS_LOG}", pytrace=False)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole browser suite."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(`apt-get install chromium`; .ci/run installs it)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def unique_username(prefix: str) -> str:
    """A valid username (`^[a-z0-9][a-z0-9_-]{1,31}$`) no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class User:
    """One person at one browser: a fresh context, its page, and everything the page did."""

    username: str
    context: BrowserContext
    page: Page
    origin: str
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    # Console errors a test expects, by a piece of their text (Chromium's own lines).
    tolerated: set[str] = field(default_factory=set)
    socketio_blocked: bool = False

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on("dialog", self._on_dialog)
        page.on("request", self._on_request)
        page.on("websocket", self._on_websocket)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if any(mark in message.text for mark in self.tolerated):
            return
        where = message.location.get("url", "")
        self.problems.append(f"console error: {message.text} (at {where})")

    def _on_dialog(self, dialog: Dialog) -> None:
        self.problems.append(f"dialog {dialog.type}: {dialog.message!r}")
        dialog.dismiss()

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _on_websocket(self, socket: WebSocket) -> None:
        self.requests.append(socket.url)

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the edge (data: and blob: URLs reach no host)."""
        host = self.origin.split("://", 1)[1]
        allowed = (f"http://{host}/", f"ws://{host}/", "data:", "blob:")
        return [url for url in self.requests if not url.startswith(allowed)]

    def cut_network(self) -> None:
        """Drop the page's connection and keep it down until `restore_network`.

        Offline emulation makes new requests and WebSockets fail; this Chromium also closes
        the open WebSocket, and any socket still open is closed by hand. Waits for
        socket.io's upgrade from polling to a WebSocket first: a long-poll already in
        flight could still deliver.
        """
        self.page.wait_for_function("window.__testOpenSockets() > 0")
        self.tolerated.update(NETWORK_CUT_MARKERS)
        self.context.set_offline(True)
        self.page.evaluate("window.__testDropSockets()")
        assert self.page.evaluate("window.__testOpenSockets()") == 0

    def restore_network(self) -> None:
        """Let the page connect again; its own reconnection logic has to notice."""
        self.context.set_offline(False)

    def network_is_back(self) -> None:
        """From here on, failed requests are the page's problem again."""
        self.tolerated.difference_update(NETWORK_CUT_MARKERS)

    def block_socketio(self) -> None:
        """Refuse every socket.io request and WebSocket while pages still load: the page
        stays cut off across reloads until `unblock_socketio`."""
        self.socketio_blocked = True
        self.tolerated.add(ABORTED)
        self.page.wait_for_function("window.__testOpenSockets() > 0")
        self.context.route(SOCKETIO, self._refuse_request)
        self.context.route_web_socket(SOCKETIO, self._route_websocket)
        self.page.evaluate("window.__testDropSockets()")

    def unblock_socketio(self) -> None:
        self.socketio_blocked = False
        self.context.unroute(SOCKETIO, self._refuse_request)

    def _refuse_request(self, route: Route) -> None:
        route.abort()

    def _route_websocket(self, socket: WebSocketRoute) -> None:
        if self.socketio_blocked:
            socket.close()
        else:
            socket.connect_to_server()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=path)
        return path


OpenUser = Callable[..., User]


@pytest.fixture
def open_user(chatbus: Chatbus, browser: Browser) -> Iterator[OpenUser]:
    """Opens the app for a new user in a fresh browser context; checks every page at the end."""
    opened: list[User] = []

    def open_one(prefix: str = "user", viewport: ViewportSize = DESKTOP) -> User:
        context = browser.new_context(base_url=chatbus.url, viewport=viewport)
        context.add_init_script(TRACK_WEBSOCKETS)
        page = context.new_page()
        user = User(unique_username(prefix), context, page, chatbus.url)
        user.watch(page)
        opened.append(user)
        page.goto("/")
        return user

    yield open_one

    failures = []
    for user in opened:
        try:
            user.context.close()
        except Error:
            pass
        failures += [f"{user.username}: {problem}" for problem in user.problems]
        failures += [
            f"{user.username}: request to another host: {url}" for url in user.foreign_requests()
        ]
    if failures:
        pytest.fail("the page misbehaved:\n" + "\n".join(failures), pytrace=False)
