"""A quiz page's login check reads the page's quiz in the same statement."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlalchemy import update

from quizapp.core.clock import utcnow
from quizapp.extensions import db
from quizapp.models import LoginSession
from quizapp.services import quiz_pages
from tests.integration.helpers import form_key
from tests.integration.helpers import form_shown
from tests.integration.helpers import form_version
from tests.integration.helpers import item_question
from tests.integration.helpers import right_answer
from tests.integration.test_quiz_flow import learner  # noqa: F401  (fixture)
from tests.integration.test_quiz_flow import start


def _selects(run) -> list[str]:
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        result = run()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return seen, result


def test_each_loop_page_checks_the_login_and_reads_its_quiz_in_one_statement(learner):  # noqa: F811
    quiz_id = start(learner)
    page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)  # shown: now reads only
    form = {"key": form_key(page), "version": form_version(page), "shown": form_shown(page),
            "hints_used": "0",
            **right_answer(item_question(quiz_id, 1))}
    for run in (lambda: learner.get(f"/quiz/{quiz_id}/q/1"),
                lambda: learner.post(f"/quiz/{quiz_id}/q/1", data=form),
                lambda: learner.get(f"/quiz/{quiz_id}/q/1/feedback")):
        selects, response = _selects(run)
        assert response.status_code in (200, 302)
        logins = [s for s in selects if "login_session" in s]
        pages = [s for s in selects if "page_item" in s]
        assert len(logins) == 1 and logins == pages, selects
    assert selects == logins  # the feedback page's attempt came with it


def test_the_feedback_page_shows_the_attempt_read_with_the_login(learner, monkeypatch):  # noqa: F811
    from quizapp.services import reports

    quiz_id = start(learner)
    page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    learner.post(f"/quiz/{quiz_id}/q/1", data={
        "key": form_key(page), "version": form_version(page), "shown": form_shown(page),
        "hints_used": "0",
        **right_answer(item_question(quiz_id, 1))})
    taken = []
    real_take = quiz_pages.take_attempt
    monkeypatch.setattr(quiz_pages, "take_attempt",
                        lambda *args: taken.append(real_take(*args)) or taken[-1])
    monkeypatch.setattr(reports, "attempt_for", lambda *args: None)  # never read apart
    feedback = learner.get(f"/quiz/{quiz_id}/q/1/feedback")
    assert feedback.status_code == 200 and "Answered in" in feedback.get_data(as_text=True)
    read, attempt = taken[0]
    monkeypatch.undo()
    own = reports.attempt_for(attempt.user_id, attempt.id)
    assert read and tuple(attempt) == tuple(own) and attempt._fields == own._fields
    assert attempt.created_at.tzinfo is not None  # converted as the ORM converts it


def test_another_learners_quiz_is_not_found_through_the_combined_read(learner, auth):  # noqa: F811
    quiz_id = start(learner)
    learner.get(f"/quiz/{quiz_id}/q/1")
    auth.logout()
    auth.register(email="mallory@example.com", name="Mallory")
    assert learner.get(f"/quiz/{quiz_id}/q/1").status_code == 404
    assert learner.get(f"/quiz/{quiz_id}/q/1/feedback").status_code == 404
    assert learner.post(f"/quiz/{quiz_id}/q/1", data={"key": "c" * 32, "version": "1",
                                                     "hints_used": "0"}).status_code == 404
    assert learner.get(f"/quiz/{quiz_id + 1000}/q/1").status_code == 404  # no such quiz


def test_a_revoked_or_expired_login_is_refused_on_a_quiz_page(learner, auth):  # noqa: F811
    quiz_id = start(learner)
    page = f"/quiz/{quiz_id}/q/1"
    assert learner.get(page).status_code == 200
    db.session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    reply = learner.get(page)
    assert reply.status_code == 302 and "/auth/login" in reply.headers["Location"]
    auth.login()
    assert learner.get(page).status_code == 200
    db.session.execute(LoginSession.__table__.delete())  # "log out everywhere"
    db.session.commit()
    reply = learner.get(f"/quiz/{quiz_id}/q/1/feedback")
    assert reply.status_code == 302 and "/auth/login" in reply.headers["Location"]


def test_the_read_page_serves_only_the_quiz_position_and_learner_it_was_read_for(app):
    with app.test_request_context("/"):
        from flask import request

        request.environ["quizapp.quiz_page"] = 5, 2, 7, "the page"
        assert quiz_pages.take_page(8, 5, 2) == (False, None)  # another learner: not used
        request.environ["quizapp.quiz_page"] = 5, 2, 7, "the page"
        assert quiz_pages.take_page(7, 5, 3) == (False, None)  # another position
        request.environ["quizapp.quiz_page"] = 5, 2, 7, None
        assert quiz_pages.take_page(7, 5, 2) == (True, None)  # read: no such quiz of theirs
        assert quiz_pages.take_page(7, 5, 2) == (False, None)  # and only once
