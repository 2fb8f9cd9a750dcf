"""On a live server in Chromium: logged-out cookies stay dead, and an attack cannot lock out
the account's owner."""

from __future__ import annotations

import re

import pytest

from quizapp.extensions import limiter
from tests.functional.test_browser import EMAILS
from tests.functional.test_browser import register

pytestmark = pytest.mark.browser


def log_in(page, email: str, password: str = "a-long-password", remember: bool = False):
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    if remember:
        page.check("#remember")
    page.press("#password", "Enter")
    page.wait_for_load_state()


def is_logged_in(page) -> bool:
    page.goto("/")
    return page.locator("text=Log out").count() > 0


def test_replayed_cookies_open_nothing_after_logout(page, browser, live_server):
    email = next(EMAILS)
    register(page, email)
    page.click("text=Log out")
    log_in(page, email, remember=True)
    assert is_logged_in(page)
    stolen = page.context.cookies()
    assert {"session", "remember_token"} <= {c["name"] for c in stolen}
    page.click("text=Log out")
    page.wait_for_url(re.compile(r"/$"))
    for kept in ({"session"}, {"remember_token"}, {"session", "remember_token"}):
        thief = browser.new_context(base_url=live_server.url)
        thief.add_cookies([c for c in stolen if c["name"] in kept])
        tab = thief.new_page()
        assert not is_logged_in(tab), kept
        thief.close()


@pytest.fixture
def strict_login_limits(live_server):
    config = live_server.app.config
    saved = {k: config[k] for k in ("LOGIN_BACKOFF_FREE_FAILURES", "LOGIN_BACKOFF_MAX_SECONDS")}
    config.update(LOGIN_BACKOFF_FREE_FAILURES=3, LOGIN_BACKOFF_MAX_SECONDS=30)
    with live_server.app.app_context():
        limiter.reset()
    yield
    config.update(saved)
    with live_server.app.app_context():
        limiter.reset()


def test_an_attacker_is_slowed_but_the_owner_gets_in(page, browser, live_server,
                                                     strict_login_limits):
    email = next(EMAILS)
    register(page, email)  # the owner's own browser has logged in before
    page.click("text=Log out")
    attacker = browser.new_context(base_url=live_server.url).new_page()
    titles = []
    for n in range(8):  # the back-off doubles (1 s, 2 s, 4 s ...): soon a guess lands inside it
        log_in(attacker, email, password=f"guess-number-{n}")
        titles.append(attacker.locator("h1").inner_text())
        if titles[-1] == "Slow down":
            break
    assert titles[:3] == ["Log in"] * 3
    assert titles[-1] == "Slow down", titles
    assert "Try again in" in attacker.locator("main").inner_text()
    log_in(page, email)
    assert is_logged_in(page)
    attacker.context.close()
