"""Drive the app like a learner would, in headless Chromium."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest

from quizapp.bank.loader import load_bank
from tests.conftest import TEST_BANK

pytestmark = pytest.mark.browser
BANK = {q.uid: q for q in load_bank(TEST_BANK).questions}
EMAILS = (f"learner{i}@example.com" for i in itertools.count())


def register(page, email=None, password="a-long-password"):
    """Sign up, then log in on the page sign-up leads to (email already filled in)."""
    email = email or next(EMAILS)
    page.goto("/auth/register")
    page.fill("#email", email)
    page.fill("#display_name", "Lin")
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(re.compile(r"/auth/login$"))
    assert page.input_value("#email") == email
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r"/$"))


def answer_current_question(page) -> str:
    """Answer the question on screen correctly, mostly with the keyboard; return its type."""
    article = page.locator("article.question")
    kind = article.get_attribute("data-question-type")
    question = BANK[article.get_attribute("data-question-uid")]
    if kind in ("mcq", "multi_select"):
        right = [i for i, c in enumerate(question.payload["choices"]) if c["correct"]]
        for index in right:
            key = page.locator(f"input[name=choice][value='{index}']").get_attribute("data-key")
            page.locator("body").press(key)
        page.locator("body").press("Enter")
    elif kind == "numeric":
        page.fill("#answer", "25%")
        page.press("#answer", "Enter")
    elif kind == "short_text":
        page.fill("#answer", "Soft-max")
        page.press("#answer", "Enter")
    else:
        page.fill("#answer", "Reusing data for selection makes estimates optimistic.")
        page.click("details.reveal summary")
        # each rubric point is one flex item beside its box: text and inline math in one
        # span (bare, each run of text and each KaTeX span became a column of its own)
        assert set(page.eval_on_selector_all(".rubric label", "labels => labels.map(l => "
                   "[...l.children].map(c => c.tagName + '.' + c.className).join(' '))")) == {
            "INPUT. SPAN.rubric-text"}
        page.check("input[name=rubric][value='0']")
        page.locator("body").press("3")
        page.click("text=Save my grade")
    page.wait_for_url(re.compile(r"/feedback$"))
    return kind


def question_type_on(page) -> str | None:
    return page.locator("article.question").get_attribute("data-question-type")


def answer_until(page, done) -> None:
    """Answer questions (and continue past feedback) until ``done()`` holds."""
    while not done():
        answer_current_question(page)
        page.locator("body").press("Enter")
        page.wait_for_load_state()


def test_register_review_every_type_and_see_the_summary(page):
    register(page)
    assert page.locator("h1").inner_text() == "Hello, Lin"
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
    seen = []
    for _ in range(5):
        assert page.locator(".progress-text").inner_text().startswith("Question")
        if page.locator("article.question").get_attribute("data-question-type") == "numeric":
            assert page.locator(".question-body .katex").count() > 0  # KaTeX typeset the math
        seen.append(answer_current_question(page))
        verdict = page.locator("[data-verdict]").get_attribute("data-verdict")
        assert verdict == "correct", (seen[-1], page.locator(".verdict").inner_text())
        assert page.locator(".explanation").is_visible()
        page.locator("body").press("Enter")
        page.wait_for_load_state()
    assert sorted(seen) == ["mcq", "multi_select", "numeric", "self_graded", "short_text"]
    assert page.url.endswith("/summary")
    assert page.locator("h1").inner_text() == "Quiz complete"
    assert page.locator("[data-testid=score]").inner_text() == "100%"
    assert page.locator("text=Testing basics").count() > 0


def test_invalid_answer_keeps_the_input_and_explains(page):
    register(page)
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
    answer_until(page, lambda: question_type_on(page) == "numeric")
    page.fill("#answer", "about a quarter")
    page.press("#answer", "Enter")
    page.wait_for_load_state()
    assert "is not a number" in page.locator("#answer-error").inner_text()
    assert page.input_value("#answer") == "about a quarter"


def test_registration_errors_are_shown_next_to_fields(page):
    page.goto("/auth/register")
    page.fill("#email", "not-an-email")
    page.fill("#display_name", "Lin")
    page.fill("#password", "short")
    page.fill("#confirm", "different")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state()
    assert "Invalid email address" in page.locator("#email-error").inner_text()
    assert "at least 8 characters" in page.locator("#password-error").inner_text()
    assert page.input_value("#display_name") == "Lin"


def test_logout_and_login_again(page):
    email = next(EMAILS)
    register(page, email)
    page.click("text=Log out")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/settings")
    page.wait_for_url(re.compile(r"/auth/login\?next=%2Fsettings$"))
    page.fill("#email", email)
    page.fill("#password", "a-long-password")
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r"/settings$"))
    assert page.locator("h1").inner_text() == "Settings"


def test_sign_up_takes_the_browsers_time_zone(browser, live_server):
    """Where a learner's day starts (streaks, 'today') follows their clock from the start."""
    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Kolkata")
    try:
        tab = context.new_page()
        register(tab)
        tab.goto("/settings")
        assert tab.locator("#timezone").input_value() in ("Asia/Kolkata", "Asia/Calcutta")
    finally:
        context.close()


@contextlib.contextmanager
def daily_review_on_a_phone(browser, live_server, coarse: bool,
                            height: int = 844) -> Iterator[Any]:
    """A new learner's daily review on a 390 px screen (a touch one when ``coarse``), at its
    first question."""
    context = browser.new_context(base_url=live_server.url, has_touch=coarse,
                                  is_mobile=coarse, viewport={"width": 390, "height": height})
    try:
        tab = context.new_page()
        register(tab)
        tab.click("text=Start daily review")
        tab.wait_for_url(re.compile(r"/q/1$"))
        yield tab
    finally:
        context.close()


@contextlib.contextmanager
def question_on_a_phone(browser, live_server, coarse: bool, wanted: str) -> Iterator[Any]:
    """``daily_review_on_a_phone``, at its first question that has ``wanted`` (a CSS
    selector)."""
    with daily_review_on_a_phone(browser, live_server, coarse) as tab:
        while not tab.locator(wanted).count():
            answer_current_question(tab)
            tab.locator("body").press("Enter")
            tab.wait_for_url(re.compile(r"/q/\d+$"))
        yield tab


@pytest.mark.parametrize("coarse", [False, True])
def test_option_one_is_focused_for_keyboards_only(browser, live_server, coarse):
    """A touch screen shows neither the focus ring on option 1 (it looked picked) nor the
    number-key badges."""
    with question_on_a_phone(browser, live_server, coarse,
                             "fieldset.choices input[data-key='1']") as tab:
        focused = tab.evaluate("document.activeElement.dataset.key || ''")
        badge = tab.locator(".choice-key").first.is_visible()
    assert (focused, badge) == (("", False) if coarse else ("1", True))


@pytest.mark.parametrize("coarse", [False, True])
def test_the_answer_box_is_focused_for_keyboards_only(browser, live_server, coarse):
    """On a touch screen a focused box opens the on-screen keyboard over the question."""
    with question_on_a_phone(browser, live_server, coarse, "input#answer") as tab:
        focused = tab.evaluate("document.activeElement.id")
    assert focused == ("" if coarse else "answer")


@pytest.mark.parametrize("path", ["/settings", "/quiz/1", "/quiz/1/q/1", "/quiz/1/q/1/feedback",
                                  "/quiz/1/summary"])
def test_protected_pages_send_visitors_to_login(page, path):
    page.goto(path)
    assert "/auth/login?next=" in page.url
    assert page.locator("h1").inner_text() == "Log in"


def test_broken_math_in_an_answer_is_shown_as_text_without_csp_errors(page):
    register(page)
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
    answer_until(page, lambda: question_type_on(page) == "self_graded")
    page.fill("#answer", "Broken $\\frac{1}$ and bold $\\pmb{x}$ and fine $x^2$.")
    page.click("details.reveal summary")
    page.locator("body").press("1")
    page.click("text=Save my grade")
    page.wait_for_url(re.compile(r"/feedback$"))
    assert page.locator(".your-answer .math-error").count() == 1
    assert page.locator(".your-answer .katex").count() == 2


@pytest.mark.parametrize("coarse", [False, True])
def test_feedback_opens_at_its_verdict_with_continue_focused_for_keyboards(
        browser, live_server, coarse):
    """The Continue button sits at the page's end: focusing it must not scroll the verdict
    (at the top) out of view, and on a touch screen nothing is focused."""
    with daily_review_on_a_phone(browser, live_server, coarse, height=360) as tab:
        answer_current_question(tab)
        tab.wait_for_url(re.compile(r"/feedback$"))
        tab.wait_for_load_state("load")
        assert tab.evaluate("document.documentElement.scrollHeight") > 360  # it could scroll
        assert tab.evaluate("window.scrollY") == 0
        assert tab.locator(".verdict").is_visible()
        focused = tab.evaluate("document.activeElement === document.body ? '' : "
                               "document.activeElement.textContent.trim()")
        assert focused == ("" if coarse else "Continue")
