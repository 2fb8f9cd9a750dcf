"""Every practice mode starts from the dashboard in one click; the new pages pass axe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quizapp.core.clock import utcnow
from tests.functional.test_browser import BANK
from tests.functional.test_browser import answer_current_question
from tests.functional.test_browser import register

pytestmark = pytest.mark.browser


@pytest.fixture
def later(monkeypatch):
    """Move the live server's clock (it is a thread of this process) ahead by ``days``."""
    offset = {"days": 0}

    def shifted():
        return utcnow() + timedelta(days=offset["days"])

    for module in ("quiz", "practice"):  # the dashboard keeps the real clock
        monkeypatch.setattr(f"quizapp.blueprints.{module}.utcnow", shifted)
    return offset


def answer_wrong_or_right(page, missed: set[str]) -> None:
    """Miss a multiple-choice question the first time; answer anything else right."""
    article = page.locator("article.question")
    uid = article.get_attribute("data-question-uid")
    if article.get_attribute("data-question-type") != "mcq" or uid in missed:
        answer_current_question(page)
        return
    missed.add(uid)
    wrong = next(i for i, c in enumerate(BANK[uid].payload["choices"]) if not c["correct"])
    page.check(f"input[name=choice][value='{wrong}']")
    page.click("text=Submit answer")
    page.wait_for_url(re.compile(r"/feedback$"))


def play_daily_review(page) -> None:
    """A daily review with one miss, answered to the end (re-asked items included)."""
    page.goto("/")
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/q/1$"))
    missed: set[str] = set()
    for _ in range(20):
        answer_wrong_or_right(page, missed)
        page.locator("body").press("Enter")
        page.wait_for_load_state()
        if page.url.endswith("/summary"):
            break
    assert page.url.endswith("/summary") and missed


def stop_quiz(page) -> None:
    """Stop the quiz on screen: the page asks first; declined, nothing happens."""
    asked: list[str] = []

    def decline(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.click(".stop-form button")
    page.wait_for_timeout(200)
    assert asked and re.search(r"/q/\d+$", page.url)  # asked, and still on the question
    assert page.locator(".stop-form button").is_enabled()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".stop-form button")
    page.wait_for_url(re.compile(r"/(summary|report)$"))


def test_each_mode_starts_from_the_dashboard_in_one_click(page, later):
    register(page)
    play_daily_review(page)
    later["days"] = 2  # questions answered in the last day are left out of weak areas
    page.goto("/")
    page.click("[data-mode=weak]")
    page.wait_for_url(re.compile(r"/q/1$"))
    assert "right; skill" in page.locator("[data-testid=reason]").inner_text()
    stop_quiz(page)

    page.goto("/")
    page.click("[data-mode=replay]")
    page.wait_for_url(re.compile(r"/q/1$"))
    assert page.locator("article.question").get_attribute("data-question-type") == "mcq"
    stop_quiz(page)

    page.goto("/")
    page.click("[data-mode=mock]")
    page.wait_for_url(re.compile(r"/q/1$"))
    timer = page.locator("[data-timer-text]")
    first = timer.inner_text()
    assert re.fullmatch(r"(30:00|29:5\d)", first)
    page.wait_for_function(
        "t => document.querySelector('[data-timer-text]').textContent !== t", arg=first)
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 320})  # a phone, the question scrolled
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("window.scrollY > 0")
    box = timer.bounding_box()
    assert box is not None and 0 <= box["y"] < 320  # the clock stays in sight
    page.set_viewport_size(size)
    stop_quiz(page)
    assert page.locator("h1").inner_text() == "Mock interview report"

    page.goto("/")
    page.click("[data-mode=drill]")
    page.wait_for_url(re.compile(r"/practice/drill$"))
    page.check("input[data-domain=math]")  # the script ticks the domain's topics
    assert page.locator("input[data-parent=math]").evaluate_all(
        "boxes => boxes.every(b => b.checked)")
    page.click("button:has-text('Start drill'), input[value='Start drill']")
    page.wait_for_url(re.compile(r"/q/1$"))
    assert page.locator(".quiz-meta .pill").first.inner_text() == "Topic drill"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_mode_pages_pass_axe(audited, scheme, later):
    page, audit, problems = audited
    page.emulate_media(color_scheme=scheme)
    register(page)
    play_daily_review(page)
    later["days"] = 2
    page.goto("/")
    audit("dashboard with the Practise card")
    page.goto("/practice/")
    audit("mode picker")
    page.goto("/practice/drill")
    audit("drill tree")
    page.click("button:has-text('Start drill'), input[value='Start drill']")
    page.wait_for_load_state()
    audit("drill tree with an error")
    page.goto("/")
    page.click("[data-mode=weak]")
    page.wait_for_url(re.compile(r"/q/1$"))
    audit("weak-areas question")
    page.goto("/")
    page.click("[data-mode=mock]")
    page.wait_for_load_state()
    audit("open-quiz choice")
    page.click("button:has-text('Abandon it')")
    page.wait_for_url(re.compile(r"/practice/$"))
    page.click("input[value='Start mock interview']")
    page.wait_for_url(re.compile(r"/q/1$"))
    audit("mock question with timer")
    stop_quiz(page)
    audit("mock report")
    assert not problems, "\n".join(problems)


def _fill_without_sending(page) -> None:
    """Put the right answer on screen (a self-graded one graded 3/3) without sending it."""
    article = page.locator("article.question")
    kind = article.get_attribute("data-question-type")
    question = BANK[article.get_attribute("data-question-uid")]
    if kind in ("mcq", "multi_select"):
        for index, choice in enumerate(question.payload["choices"]):
            if choice["correct"]:
                page.check(f"input[name=choice][value='{index}']")
    elif kind in ("numeric", "short_text"):
        page.fill("#answer", "25%" if kind == "numeric" else "Soft-max")
    else:
        page.fill("#answer", "Reusing data for selection makes estimates optimistic.")
        page.click("details.reveal summary")
        page.check("input[name=self_grade][value='3']")


def test_the_answer_on_screen_is_sent_when_the_mock_s_time_runs_out(page, later):
    page.clock.install()
    register(page)
    page.click("[data-mode=mock]")
    page.wait_for_url(re.compile(r"/q/1$"))
    _fill_without_sending(page)
    page.clock.fast_forward("25:00")
    assert page.locator("[data-timer-notice]").inner_text() == "5 minutes left."
    later["days"] = (30 * 60 + 5) / 86400  # the server's clock: 5 s past the end
    page.clock.fast_forward("05:10")
    page.wait_for_url(re.compile(r"/report$"))
    assert page.locator("h1").inner_text() == "Mock interview report"
    links = page.locator("[data-testid=item-feedback]")
    assert links.count() == 1 and links.first.get_attribute("href").endswith("/q/1/feedback")


def test_an_empty_answer_is_not_sent_when_the_mock_s_time_runs_out(page, later):
    page.clock.install()
    register(page)
    page.click("[data-mode=mock]")
    page.wait_for_url(re.compile(r"/q/1$"))
    later["days"] = (30 * 60 + 5) / 86400
    page.clock.fast_forward("30:10")
    page.wait_for_url(re.compile(r"/report$"), timeout=15_000)  # the reload shows it
    assert page.locator("[data-testid=item-feedback]").count() == 0
