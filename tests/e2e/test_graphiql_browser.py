"""GraphiQL in a real browser: Debian's ``chromium`` driven by selenium through ``chromium-driver``, against a
real ``lensgraph serve --demo``.

The page must work with no internet: the browser resolves no name but 127.0.0.1 and the test checks, from
Chrome's network log, that nothing was requested anywhere else. Then, as a signed-in demo user (the bearer
token typed into GraphiQL's headers editor), it runs a query and a subscription and reads their results from
the result pane. One browser session serves the whole module. Without chromium, chromedriver or selenium the
tests are skipped with a reason naming what is missing (``scripts/test`` installs them when it runs as root).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from .test_subscriptions import API_KEY_CREATED, PHOTOGRAPHER, create_api_key, login

if TYPE_CHECKING:
    from .conftest import Server

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - reported as a skip below
    webdriver = None  # type: ignore[assignment]

TIMEOUT = 20.0
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
NEEDED = {"chromium": CHROMIUM, "chromedriver (Debian's chromium-driver)": CHROMEDRIVER, "selenium": webdriver}
MISSING = [name for name, found in NEEDED.items() if not found]
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"the GraphiQL browser test needs {', '.join(MISSING)}: not installed"
)

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
# The headers tab is the one shown first (graphiql-init.js); the variables editor is then the hidden one.
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT_PANE = ".graphiql-response .CodeMirror"
VIEWER = "{ viewer { email user { username } } }"
NOTIFICATIONS = "subscription { notificationReceived { id eventType } }"


@dataclass
class NetworkLog:
    """Every URL the page asked for (requests and WebSockets), from Chrome's performance log."""

    browser: Any
    urls: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)

    def collect(self) -> None:
        for entry in self.browser.get_log("performance"):  # each call drains the log
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.urls.append(message["params"]["request"]["url"])
            elif message["method"] == "Network.webSocketCreated":
                self.sockets.append(message["params"]["url"])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chrome's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
        "--disable-background-networking",
        # No internet for this page: any name but 127.0.0.1 fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # Explicit paths: selenium never looks for (or downloads) a driver itself.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def graphiql(browser: Any, server: Server) -> NetworkLog:
    """The GraphiQL page, loaded and ready, with its network log so far."""
    browser.get_log("performance")
    browser.get_log("browser")
    browser.get(f"{server.base_url}/graphql")
    WebDriverWait(browser, TIMEOUT).until(
        lambda page: page.find_elements(By.CSS_SELECTOR, QUERY_EDITOR), message="GraphiQL's editor never appeared"
    )
    network = NetworkLog(browser)
    network.collect()
    return network


def set_query(browser: Any, document: str) -> None:
    """Puts ``document`` in the query editor and waits until GraphiQL has parsed it (it does so after a pause,
    and it sends subscriptions over the socket only once it knows the operation is one)."""
    browser.execute_script(f"document.querySelector('{QUERY_EDITOR}').CodeMirror.setValue(arguments[0])", document)
    WebDriverWait(browser, TIMEOUT).until(
        lambda page: page.execute_script(
            f"const ast = document.querySelector('{QUERY_EDITOR}').CodeMirror.documentAST;"
            "return ast !== null && ast.loc.source.body === arguments[0]",
            document,
        )
    )


def set_headers(browser: Any, headers: dict[str, str]) -> None:
    browser.execute_script(
        f"document.querySelector('{HEADERS_EDITOR}').CodeMirror.setValue(arguments[0])", json.dumps(headers)
    )


def run(browser: Any) -> None:
    browser.execute_script(f"document.querySelector('{RESULT_PANE}').CodeMirror.setValue('')")
    browser.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()


def result(browser: Any, within: float = TIMEOUT) -> dict[str, Any]:
    shown = WebDriverWait(browser, within).until(
        lambda page: page.execute_script(f"return document.querySelector('{RESULT_PANE}').CodeMirror.getValue()")
    )
    return dict(json.loads(shown))


def assert_page_is_clean(browser: Any, network: NetworkLog, server: Server) -> None:
    """Nothing asked of another host, and no error in the console (a refused script or style would be one)."""
    network.collect()
    elsewhere = [url for url in network.urls if not url.startswith((f"{server.base_url}/", "data:"))]
    assert elsewhere == []
    assert [socket for socket in network.sockets if socket != server.ws_url] == []
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


async def test_graphiql_runs_a_query_with_a_bearer_token_offline(browser: Any, graphiql: NetworkLog, server: Server):
    assert f"{server.base_url}/graphql" in graphiql.urls
    assert any("/graphiql/" in url and url.endswith("/graphiql.min.js") for url in graphiql.urls)
    assert browser.find_elements(By.CSS_SELECTOR, 'button[aria-label="Show GraphiQL Explorer"]')
    signed_in = await login(server, PHOTOGRAPHER)

    set_query(browser, VIEWER)
    set_headers(browser, {"Authorization": f"Bearer {signed_in.access_token}"})
    run(browser)

    shown = result(browser)
    assert shown["data"] == {"viewer": {"email": PHOTOGRAPHER, "user": {"username": "ansel"}}}
    assert "errors" not in shown and "cost" in shown["extensions"]
    assert_page_is_clean(browser, graphiql, server)


async def test_graphiql_shows_a_subscription_event_over_the_websocket(
    browser: Any, graphiql: NetworkLog, server: Server
):
    signed_in = await login(server, PHOTOGRAPHER)
    set_query(browser, NOTIFICATIONS)
    set_headers(browser, {"Authorization": f"Bearer {signed_in.access_token}"})
    run(browser)

    # The pubsub does not replay: until the server has registered the subscription, an event is missed, so
    # create keys (each notifies its creator) until one shows.
    deadline = time.monotonic() + TIMEOUT
    while True:
        await create_api_key(server, signed_in.access_token)
        try:
            pushed = result(browser, within=1.0)
            break
        except TimeoutException:
            assert time.monotonic() < deadline, "no notification reached the page"

    assert "errors" not in pushed, pushed
    notification = pushed["data"]["notificationReceived"]
    assert notification["eventType"] == API_KEY_CREATED and notification["id"]
    graphiql.collect()
    assert graphiql.sockets == [server.ws_url]
    assert_page_is_clean(browser, graphiql, server)
