"""Real-browser fixtures: the app served on a loopback port, a headless Chromium, and a page
that may reach nothing but that server.

Chromium comes from Debian (`apt-get install chromium fonts-dejavu-core`); Playwright's own
browser download (`playwright install`) is never used. `make test` installs it when missing;
without it these tests fail with a message saying how to install it.

Every test gets a fresh database (tests/conftest.py's `app` fixture) and its own server on a
free port. Every page refuses requests to other hosts and records them: a page that tries to
load anything from outside (a CDN, a web font, an analytics script) fails its test.
"""

import os
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from ..conftest import PASSWORD, code_for

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Playwright's default of 30 s would let one stuck wait eat the whole suite's budget.
TIMEOUT_MS = 5_000


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app, on a fresh database, served over HTTP on 127.0.0.1 and a free port."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium fonts-dejavu-core")
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


class PageWatch:
    """What a page did that a visitor would not want: outside requests, console errors."""

    def __init__(self):
        self.outside_requests: list[str] = []
        self.console_errors: list[str] = []

    def route(self, route):
        url = route.request.url
        host = urlsplit(url).hostname
        if host in LOOPBACK_HOSTS:
            route.continue_()
        else:
            self.outside_requests.append(url)
            route.abort()

    def console(self, message):
        if message.type == "error":
            location = message.location or {}
            self.console_errors.append(f"{message.text} ({location.get('url', '')})")

    def page_error(self, error):
        self.console_errors.append(f"uncaught: {error}")


@pytest.fixture
def watch():
    return PageWatch()


@pytest.fixture
def page(browser, live_server, watch):
    """A fresh browser tab (own cookies) on the live server, in Swedish, the default."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="sv-SE",
        timezone_id="UTC",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.route("**/*", watch.route)
    page = context.new_page()
    page.on("console", watch.console)
    page.on("pageerror", watch.page_error)
    yield page
    context.close()
    assert not watch.outside_requests, (
        "the page tried to reach hosts other than the local server: "
        + ", ".join(watch.outside_requests)
    )


def sign_in(page, email="official@example.org", password=PASSWORD):
    """Sign in through the login form, as a person would; lands on the desk."""
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith(("/desk/", "/login/code")))
    if page.url.endswith("/login/code"):  # two-step sign-in
        page.locator("#code").fill(code_for(email))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url("**/desk/")
