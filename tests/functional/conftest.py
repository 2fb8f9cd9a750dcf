"""A live server on a migrated file database, and headless Debian Chromium via Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from quizapp import create_app
from quizapp.bank.loader import Bank
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.services.bank_sync import sync_bank
from tests.conftest import NOW
from tests.conftest import TEST_BANK
from tests.conftest import database_url
from tests.conftest import drop_schema
from tests.conftest import make_config

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: object


class _ClosedResponses:
    """Close every response, also when the browser hangs up mid-transfer.

    PEP 3333 has the server call a response's ``close()``; werkzeug's development server
    skips it when the client drops the connection while it writes (gunicorn does not). A
    static file's handle was then left to the garbage collector, and its ResourceWarning
    failed whichever test was running. Here the response is closed when the server lets go
    of it.
    """

    def __init__(self, app: object) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: object) -> _Closing:
        return _Closing(self.app(environ, start_response))  # type: ignore[operator]


class _Closing:
    def __init__(self, response: object) -> None:
        self.response = response
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)  # type: ignore[call-overload]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if hasattr(self.response, "close"):
                self.response.close()

    def __del__(self) -> None:
        self.close()


@contextmanager
def serve_bank(bank: Bank, tmp_path_factory, worker: str, suffix: str) -> Iterator[LiveServer]:
    """Serve the app on a migrated database holding ``bank``, in a background thread."""
    url, options = database_url(worker, suffix)
    if url == "sqlite://":
        url = f"sqlite:///{tmp_path_factory.mktemp(suffix.strip('_')) / 'live.db'}"
    app = create_app(make_config(url, options, WTF_CSRF_ENABLED=True, TESTING=False))
    with app.app_context():
        upgrade()
        sync_bank(bank, NOW)
    server = make_server("127.0.0.1", 0, _ClosedResponses(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()
        drop_schema(worker, suffix)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, worker_id_safe) -> Iterator[LiveServer]:
    with serve_bank(load_bank(TEST_BANK), tmp_path_factory, worker_id_safe, "_live") as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context; fails the test on script errors, CSP violations, broken assets.

    Pages answered with 4xx on purpose (a form re-rendered with errors) are not failures;
    any 5xx, failed sub-resource (script, style, font, image) or console error is.
    """
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response) -> None:
        document = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not document):
            errors.append(f"{response.status} {response.url}")

    tab.on("console", on_console)
    tab.on("response", on_response)
    def on_failed(request) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # aborted by a navigation: harmless
            errors.append(f"failed {request.url}: {request.failure}")

    tab.on("requestfailed", on_failed)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture
def audited(browser, live_server):
    """A page whose context may inject axe (CSP bypassed for the auditor only), an
    ``audit(label)`` that records serious and critical violations, and their list."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    axe = Axe()
    problems: list[str] = []

    def audit(label: str) -> None:
        # A click may return once its navigation commits; axe needs the loaded document.
        page.wait_for_load_state("load")
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{label}: {violation['id']} ({violation['impact']}): "
                                f"{violation['help']} {targets}")

    yield page, audit, problems
    context.close()
