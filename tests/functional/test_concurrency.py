"""Simultaneous submits of one answer (double click, two tabs) record exactly one attempt."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlencode

from sqlalchemy import func
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import Quiz
from quizapp.models import TopicSkill
from tests.functional.test_browser import BANK
from tests.functional.test_browser import answer_until
from tests.functional.test_browser import register
from tests.integration.helpers import right_answer


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url: str, body: bytes, cookie: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def _form(page, uid: str | None = None) -> dict:
    """A right answer to ``uid`` (default: the question on screen) with a fresh key."""
    uid = uid or page.locator("article.question").get_attribute("data-question-uid")
    return {"csrf_token": page.input_value("input[name=csrf_token]"),
            "key": uuid.uuid4().hex, "hints_used": "0", **right_answer(BANK[uid]),
            "version": page.input_value("input[name=version]"),
            "shown": page.input_value("input[name=shown]")}


def _cookie(context) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())


def test_parallel_submits_of_one_answer_record_one_attempt(page, live_server):
    register(page)
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
    url = page.url
    body = urlencode(_form(page), doseq=True).encode()
    cookie = _cookie(page.context)
    barrier = threading.Barrier(6)
    results: list[tuple[int, str]] = []

    def submit() -> None:
        barrier.wait()
        results.append(_post(url, body, cookie))

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in results] == [302] * 6, results
    assert {location for _, location in results} == {url.removeprefix(live_server.url)
                                                    + "/feedback"}
    with live_server.app.app_context():
        key = re.search(r"key=([0-9a-f]{32})", body.decode()).group(1)
        count = db.session.scalar(select(func.count()).select_from(Attempt)
                                  .where(Attempt.idempotency_key == key))
        assert count == 1
        user_id = db.session.scalar(select(Attempt.user_id).where(
            Attempt.idempotency_key == key))
        assert db.session.scalar(select(func.count()).select_from(Card).where(
            Card.user_id == user_id)) == 1
        db.session.remove()


def test_two_tabs_submitting_one_item_at_once_record_one_review(page, live_server):
    """Different keys (two tabs), same item: one attempt, one FSRS review, one skill update."""
    register(page)
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
    url = page.url
    first = _form(page)
    page.reload()
    second = _form(page)
    assert first["key"] != second["key"]
    cookie = _cookie(page.context)
    bodies = [urlencode(form, doseq=True).encode() for form in (first, second)] * 4
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[int, str]] = []

    def submit(body: bytes) -> None:
        barrier.wait()
        results.append(_post(url, body, cookie))

    threads = [threading.Thread(target=submit, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in results] == [302] * len(bodies), results
    with live_server.app.app_context():
        keys = (first["key"], second["key"])
        attempts = db.session.scalars(select(Attempt).where(
            Attempt.idempotency_key.in_(keys))).all()
        assert len(attempts) == 1
        card = db.session.scalars(select(Card).where(
            Card.user_id == attempts[0].user_id)).one()
        assert card.reps == 1
        skill_n = db.session.scalar(select(TopicSkill.n).where(
            TopicSkill.user_id == attempts[0].user_id))
        assert skill_n == 1
        db.session.remove()


def _burst(requests: list[tuple[str, bytes]], cookie: str) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(requests))
    results: list[tuple[int, str]] = []

    def send(url: str, body: bytes) -> None:
        barrier.wait()
        results.append(_post(url, body, cookie))

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_burst_at_the_last_two_items_grades_only_the_open_one(page, live_server):
    """Item 5 was never shown while item 4 is open: only item 4 is graded, then the quiz
    finishes when item 5 is answered in turn."""
    register(page)
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
    quiz_url = page.url.rsplit("/q/", 1)[0]
    answer_until(page, lambda: "/q/4" in page.url)  # answer items 1-3 normally
    cookie = _cookie(page.context)
    quiz_id = int(quiz_url.rsplit("/", 1)[1])
    with live_server.app.app_context():
        uids = {item.position: item.question.uid
                for item in db.session.get(Quiz, quiz_id).items}
        db.session.remove()
    page.goto(f"{quiz_url}/q/4")
    forms = [(f"{quiz_url}/q/{position}",
              urlencode(_form(page, uids[position]), doseq=True).encode())
             for position in (4, 5)]
    results = sorted(_burst(forms, cookie))
    assert results == [(302, f"{quiz_url[len(live_server.url):]}/q/4/feedback"),
                       (303, quiz_url[len(live_server.url):])], results
    page.goto(quiz_url)
    assert page.url.endswith("/q/5")
    answer_until(page, lambda: page.url.endswith("/summary"))
    assert page.locator("h1").inner_text() == "Quiz complete"


def test_simultaneous_registrations_all_succeed(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/auth/register")
    csrf = page.input_value("input[name=csrf_token]")
    cookie = _cookie(context)
    stamp = threading.get_ident()
    requests = [(f"{live_server.url}/auth/register", urlencode({
        "csrf_token": csrf, "email": f"burst{stamp}-{i}@example.com", "display_name": "B",
        "password": "a-long-password", "confirm": "a-long-password"}).encode())
        for i in range(4)]
    assert [status for status, _ in _burst(requests, cookie)] == [302] * 4
    context.close()


def test_double_start_makes_one_quiz(page, live_server):
    register(page)
    csrf = page.locator("form[action='/quiz/start'] input[name=csrf_token]").input_value()
    cookie = _cookie(page.context)
    body = urlencode({"csrf_token": csrf}).encode()
    results = _burst([(f"{live_server.url}/quiz/start", body)] * 4, cookie)
    assert [status for status, _ in results] == [302] * 4, results
    assert len({location.split("/")[2] for _, location in results}) == 1, results
