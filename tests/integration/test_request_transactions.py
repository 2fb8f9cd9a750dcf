"""Requests read outside transactions; every write is a unit of work with its own.

These tests run an app of their own (not the rolled-back test transaction), on SQLite or,
in the PostgreSQL run, on a schema of their own, as a deployed app would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from quizapp.database import read_outside_transactions
from quizapp.database import retry_on_lock
from quizapp.db_session import RequestSession
from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Topic
from quizapp.models import User
from tests.integration.helpers import drop_own_app
from tests.integration.helpers import form_key
from tests.integration.helpers import form_shown
from tests.integration.helpers import form_version
from tests.integration.helpers import item_question
from tests.integration.helpers import make_own_app
from tests.integration.helpers import right_answer
from tests.integration.helpers import sync_test_bank


@pytest.fixture
def own_app(worker_id_safe: str, tmp_path) -> Iterator[Flask]:
    app = make_own_app(worker_id_safe, tmp_path, "_rt")
    with app.app_context():
        sync_test_bank()
        db.session.commit()
        db.session.remove()
    yield app
    drop_own_app(app, worker_id_safe, "_rt")


def _autocommit(options: dict) -> bool:
    return bool(options.get("quizapp_autocommit")) or options.get("isolation_level") == \
        "AUTOCOMMIT"


def _recorded(app: Flask, run) -> list[tuple[str, bool]]:
    """(statement, ran in autocommit mode) for each statement ``run`` sent."""
    seen: list[tuple[str, bool]] = []

    def record(conn, _cursor, statement, *_args):
        seen.append((" ".join(statement.split()), _autocommit(conn.get_execution_options())))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _learner_in_a_quiz(app: Flask, view_first: bool = True):
    client = app.test_client()
    client.post("/auth/register", data={"email": "rt@example.com", "display_name": "R",
                                        "password": "correct-horse", "confirm": "correct-horse"})
    client.post("/auth/login", data={"email": "rt@example.com", "password": "correct-horse"})
    location = client.post("/quiz/start").headers["Location"]
    quiz_id = int(re.fullmatch(r"/quiz/(\d+)/q/1", location).group(1))
    if view_first:
        client.get(location)  # shown: the next view of it writes nothing
    return client, quiz_id


def _right_answer_form(app: Flask, quiz_id: int, html: str) -> dict:
    """The right answer to the quiz's first question, as its page's form sends it."""
    with app.app_context():
        data = {"key": form_key(html), "version": form_version(html), "shown": form_shown(html),
                **right_answer(item_question(quiz_id, 1))}
        db.session.remove()
    return data


def test_a_page_reads_outside_any_transaction(own_app):
    client, quiz_id = _learner_in_a_quiz(own_app)
    seen = _recorded(own_app, lambda: client.get(f"/quiz/{quiz_id}/q/1"))
    assert seen, "the page read nothing"
    assert all(autocommit for _, autocommit in seen)
    assert not [s for s, _ in seen if s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


def _session_transactions(run) -> list[str]:
    """The session transactions (top level) begun while ``run`` ran: "unit" for a unit of
    work's, "reads" for one begun on a connection reading in autocommit mode."""
    begun: list[str] = []

    def created(session, transaction):
        if transaction.parent is None:
            begun.append("pending")

    def connected(session, transaction, connection):
        if transaction.parent is None and begun and begun[-1] == "pending":
            begun[-1] = "reads" if _autocommit(connection.get_execution_options()) else "unit"

    event.listen(RequestSession, "after_transaction_create", created)
    event.listen(RequestSession, "after_begin", connected)
    try:
        run()
    finally:
        event.remove(RequestSession, "after_transaction_create", created)
        event.remove(RequestSession, "after_begin", connected)
    return begun


def test_the_loops_pages_begin_no_session_transaction_and_the_answer_one(own_app):
    """A page's reads run on the session's own connection without any transaction of the
    session's; the answer begins one for its unit of work only, and the feedback page after
    it reads in autocommit mode again, on the same kept session."""
    client, quiz_id = _learner_in_a_quiz(own_app)
    html = []
    assert _session_transactions(
        lambda: html.append(client.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True))) == []
    data = _right_answer_form(own_app, quiz_id, html[0])
    reply = []
    assert _session_transactions(
        lambda: reply.append(client.post(f"/quiz/{quiz_id}/q/1", data=data))) == ["unit"]
    assert reply[0].status_code == 302
    seen = _recorded(own_app, lambda: client.get(reply[0].headers["Location"]))
    assert seen and all(autocommit for _, autocommit in seen)
    assert _session_transactions(lambda: client.get(reply[0].headers["Location"])) == []


def test_a_first_view_of_a_question_writes_nothing(own_app):
    """When it was shown travels in the answer form, signed: the page only reads."""
    client, quiz_id = _learner_in_a_quiz(own_app, view_first=False)
    pages = []
    seen = _recorded(own_app, lambda: pages.append(client.get(f"/quiz/{quiz_id}/q/1")))
    assert 'name="shown"' in pages[0].get_data(as_text=True)
    assert seen and all(autocommit for _, autocommit in seen)
    assert all(s.lstrip().startswith("SELECT") for s, _ in seen), [s[:60] for s, _ in seen]


def test_an_answer_is_written_in_one_transaction_of_its_own(own_app):
    client, quiz_id = _learner_in_a_quiz(own_app)
    html = client.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    data = _right_answer_form(own_app, quiz_id, html)
    seen = _recorded(own_app, lambda: client.post(f"/quiz/{quiz_id}/q/1", data=data))
    writes = [(s, autocommit) for s, autocommit in seen
              if s.startswith(("INSERT", "UPDATE", "BEGIN", "WITH"))]
    assert writes and not [s for s, autocommit in writes if autocommit]
    if own_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert [s for s, _ in seen if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE"]
    else:  # the answer's writes go as one statement (answer_batch)
        assert [s[:4] for s, _ in writes] == ["WITH"]
    with own_app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1


def test_a_unit_that_fails_in_a_request_writes_nothing(own_app):
    @retry_on_lock
    def add_two_topics_then_fail() -> None:
        db.session.add(Topic(slug="rt-one", domain="ml", title="One"))
        db.session.flush()
        db.session.add(Topic(slug="rt-two", domain="ml", title="Two"))
        db.session.flush()
        raise ValueError("the unit fails after writing")

    with own_app.test_request_context("/"):
        read_outside_transactions(db.session)
        db.session.scalar(select(func.count(Topic.id)))  # the request has read already
        with pytest.raises(ValueError, match="after writing"):
            add_two_topics_then_fail()
        db.session.rollback()
    with own_app.app_context():
        assert db.session.scalars(select(Topic.slug).where(Topic.slug.like("rt-%"))).all() == []


def test_changes_made_outside_a_unit_are_refused_not_written_piecemeal(own_app):
    @retry_on_lock
    def unit() -> None:
        db.session.commit()

    with own_app.test_request_context("/"):
        read_outside_transactions(db.session)
        db.session.scalar(select(func.count(Topic.id)))
        db.session.add(Topic(slug="rt-stray", domain="ml", title="Stray"))
        with pytest.raises(RuntimeError, match="outside a unit of work"):
            unit()
        db.session.rollback()
    with own_app.app_context():
        assert db.session.scalar(select(Topic.id).where(Topic.slug == "rt-stray")) is None


def test_settings_and_plan_are_saved_together(own_app):
    """The settings form sets the plan and the profile in one unit of work."""
    client, _ = _learner_in_a_quiz(own_app)
    response = client.post("/settings", data={
        "display_name": "Rita", "daily_goal": "25", "timezone": "Europe/Berlin",
        "focus": "weak", "interview_date": "2027-03-01", "target_readiness": "85",
        "target_retention": "0.9", "theme": "dark"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with own_app.app_context():
        user = db.session.scalars(select(User)).one()
        assert (user.display_name, user.daily_goal, user.theme, user.target_readiness,
                str(user.interview_date)) == ("Rita", 25, "dark", 85, "2027-03-01")


def test_a_learners_loop_ends_every_transaction_without_a_rollback(own_app):
    """Quiz start, every question answered, the summary and the home page: each request's
    transactions end in a commit (or in autocommit reads). A rollback at a request's end
    means it read in a transaction it then threw away, and on PostgreSQL it also makes
    psycopg forget the connection's prepared statements."""
    from tests.integration.helpers import answer

    in_request = [""]  # the request being served, while the test client serves one
    rollbacks: list[str] = []

    class Watched:
        def __init__(self, client):
            self.client = client

        def __getattr__(self, method):
            def call(path, *args, **kwargs):
                in_request[0] = f"{method.upper()} {path}"
                try:
                    return getattr(self.client, method)(path, *args, **kwargs)
                finally:
                    in_request[0] = ""
            return call

    def record(_conn):
        if in_request[0]:  # the requests', not this test's own look-ups
            rollbacks.append(in_request[0])

    with own_app.app_context():
        engine = db.engine
    event.listen(engine, "rollback", record)
    try:
        client = Watched(own_app.test_client())
        client.post("/auth/register", data={"email": "rb@example.com", "display_name": "R",
                                            "password": "correct-horse",
                                            "confirm": "correct-horse"})
        client.post("/auth/login", data={"email": "rb@example.com", "password": "correct-horse"})
        assert client.get("/").status_code == 200
        location = client.post("/quiz/start").headers["Location"]
        quiz_id = int(re.fullmatch(r"/quiz/(\d+)/q/1", location).group(1))
        position = 1
        while True:
            with own_app.app_context():
                reply = answer(client, quiz_id, position)
                db.session.remove()
            assert reply.status_code == 302, reply.status_code
            assert client.get(reply.headers["Location"]).status_code == 200
            if client.get(f"/quiz/{quiz_id}").headers["Location"].endswith("/summary"):
                break
            position += 1
        assert client.get(f"/quiz/{quiz_id}/summary").status_code == 200
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "rollback", record)
    assert position >= 3
    assert rollbacks == []


def test_an_account_deleted_while_its_answer_is_graded_gets_a_404(own_app, monkeypatch):
    """A code answer takes seconds to grade; the account may be deleted on another device
    meanwhile. The answer is dropped whole: a 404, as for any quiz that is not there."""
    from quizapp.services import answers

    client, quiz_id = _learner_in_a_quiz(own_app)
    html = client.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    data = _right_answer_form(own_app, quiz_id, html)
    rating_for = answers.rating_for

    def delete_the_account_meanwhile(*args, **kwargs):
        deleting = own_app.test_client()  # the other device
        deleting.post("/auth/login", data={"email": "rt@example.com",
                                           "password": "correct-horse"})
        deleting.post("/account/delete", data={"password": "correct-horse", "confirm": "y"})
        return rating_for(*args, **kwargs)

    monkeypatch.setattr(answers, "rating_for", delete_the_account_meanwhile)
    assert client.post(f"/quiz/{quiz_id}/q/1", data=data).status_code == 404
    with own_app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0  # the deletion went ahead
        assert db.session.scalar(select(func.count(Attempt.id))) == 0
