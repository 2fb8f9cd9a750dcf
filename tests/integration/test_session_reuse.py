"""A clean session is kept for the thread's next request; anything else is closed as before.

An app of its own (not the rolled-back test transaction: that session is bound to a
connection and never kept), on SQLite or, in the PostgreSQL run, on a schema of its own.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp import session_reuse
from quizapp.database import autocommit_options
from quizapp.database import retry_on_lock
from quizapp.db_session import own_connection
from quizapp.extensions import db
from quizapp.models import Topic
from tests.integration.helpers import drop_own_app
from tests.integration.helpers import make_own_app

SEEN: list = []  # each request's session
LOADED: list = []  # objects loaded, held past their request (as a cache might hold them)


def _make_app(worker: str, tmp_path, suffix: str) -> Flask:
    app = make_own_app(worker, tmp_path, suffix)

    @app.get("/t/read")
    def read() -> str:
        SEEN.append(db.session())
        topic = db.session.scalars(select(Topic).order_by(Topic.id)).first()
        LOADED.append(topic)
        return str(db.session.scalar(select(func.count(Topic.id)))) + (
            f" {topic.title}" if topic else "")

    @app.get("/t/fail")
    def fail() -> str:
        SEEN.append(db.session())
        db.session.scalar(select(func.count(Topic.id)))
        raise RuntimeError("boom")

    @app.get("/t/leave-pending")
    def leave_pending() -> str:
        SEEN.append(db.session())
        db.session.add(Topic(slug="pending", domain="ml", title="Pending"))
        return "ok"

    @app.get("/t/write/<slug>")
    def write(slug: str) -> str:
        SEEN.append(db.session())
        db.session.scalar(select(func.count(Topic.id)))  # read first, then a unit of work
        _add_topic(slug)
        return "ok"

    return app


@retry_on_lock
def _add_topic(slug: str) -> None:
    db.session.add(Topic(slug=slug, domain="ml", title=slug.title()))
    db.session.commit()


@pytest.fixture
def own_app(worker_id_safe: str, tmp_path) -> Iterator[Flask]:
    SEEN.clear()
    LOADED.clear()
    app = _make_app(worker_id_safe, tmp_path, "_sr")
    yield app
    drop_own_app(app, worker_id_safe, "_sr")


def _commit_elsewhere(app: Flask, slug: str) -> None:
    """Another process's write: its own connection, straight on the engine."""
    with app.app_context():
        engine = db.engine
    with engine.begin() as connection:
        connection.execute(Topic.__table__.insert().values(slug=slug, domain="ml",
                                                           title=slug.title()))


def test_consecutive_requests_share_a_session_and_see_fresh_data(own_app):
    client = own_app.test_client()
    assert client.get("/t/read").text == "0"
    _commit_elsewhere(own_app, "first")  # committed between two requests of this thread
    assert client.get("/t/read").text == "1 First"
    _commit_elsewhere(own_app, "second")
    with own_app.app_context():
        engine = db.engine
    with engine.begin() as connection:  # the row loaded above changes elsewhere
        connection.execute(Topic.__table__.update().values(title="Renamed"))
    assert client.get("/t/read").text == "2 Renamed"  # not the loaded object's old title
    assert SEEN[0] is SEEN[1] is SEEN[2]  # kept, not rebuilt
    assert inspect(LOADED[1]).detached and LOADED[2] is not LOADED[1]


def test_a_unit_of_work_after_reads_still_commits_and_the_session_is_kept(own_app):
    client = own_app.test_client()
    assert client.get("/t/read").text == "0"
    assert client.get("/t/write/unit").text == "ok"
    assert client.get("/t/read").text == "1 Unit"
    assert SEEN[0] is SEEN[1] is SEEN[2]


@pytest.mark.parametrize("context", ["app", "request"])
def test_a_context_other_than_a_request_s_reads_writes_in_a_transaction(own_app, context):
    """Only a request's reads (``read_outside_transactions``) take the kept session up in
    autocommit mode. Taken up otherwise (an app context: a CLI command, a job, a test; a
    request context that did not run the hook: a test's, or an error page before it), it
    writes in a transaction: a commit that fails leaves nothing behind."""
    client = own_app.test_client()
    assert client.get("/t/read").text == "0"  # ORM reads leave an autocommit transaction
    entered = (own_app.app_context() if context == "app"
               else own_app.test_request_context("/t/read"))
    with entered:
        assert db.session() is SEEN[0]  # the kept session
        db.session.add(Topic(slug="twice", domain="ml", title="First"))
        db.session.add(Topic(slug="twice", domain="ml", title="Second"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(func.count(Topic.id))) == 0
    assert client.get("/t/read").text == "0"  # and requests read as before


def test_consecutive_requests_switch_the_kept_connection_s_mode_only_for_writes(own_app):
    """The kept session stays reading in autocommit mode between requests: a page switches
    nothing, a unit of work switches to a transaction and back."""
    client = own_app.test_client()
    assert client.get("/t/read").text == "0"
    with own_app.app_context():
        engine = db.engine
    switched: list[bool] = []  # each switch: to autocommit mode or not

    def record(_connection, options) -> None:
        switched.append(autocommit_options(options))

    event.listen(engine, "set_connection_execution_options", record)
    try:
        assert client.get("/t/read").text == "0"
        assert client.get("/t/read").text == "0"
        assert switched == []
        assert client.get("/t/write/unit").text == "ok"
        assert switched == [False, True]
        assert client.get("/t/read").text == "1 Unit"
        assert switched == [False, True]
    finally:
        event.remove(engine, "set_connection_execution_options", record)
    assert SEEN[0] is SEEN[1] is SEEN[2] is SEEN[3] is SEEN[4]


def test_a_failed_request_closes_its_session(own_app):
    own_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = own_app.test_client()
    client.get("/t/read")
    assert client.get("/t/fail").status_code == 500
    client.get("/t/read")
    assert SEEN[0] is SEEN[1]
    assert SEEN[2] is not SEEN[1]


def test_pending_changes_are_never_carried_into_the_next_request(own_app):
    client = own_app.test_client()
    client.get("/t/read")
    assert client.get("/t/leave-pending").text == "ok"
    assert client.get("/t/read").text == "0"  # the pending topic was dropped, not flushed
    assert SEEN[2] is not SEEN[1]


def test_an_idle_session_is_closed_and_its_connection_counts_as_idle(own_app, monkeypatch):
    client = own_app.test_client()
    client.get("/t/read")
    _, session, kept_since = session_reuse.kept()
    connection_info = own_connection(session).connection.info
    clock = [kept_since + session_reuse.PING_AFTER_IDLE_SECONDS + 1]
    monkeypatch.setattr(session_reuse.time, "monotonic", lambda: clock[0])
    closed: list = []
    real_close = session_reuse._close
    monkeypatch.setattr(session_reuse, "_close",
                        lambda session, since: (closed.append(since),
                                                real_close(session, since)))
    assert client.get("/t/read").text == "0"
    assert SEEN[1] is not SEEN[0]
    assert closed == [kept_since]
    assert connection_info.get("idle_since") == kept_since  # the pool pings it when reused


def test_another_app_on_the_thread_gets_its_own_session(own_app, worker_id_safe, tmp_path):
    other = _make_app(worker_id_safe, tmp_path, "_sr2")
    try:
        _commit_elsewhere(other, "other")
        assert own_app.test_client().get("/t/read").text == "0"
        assert other.test_client().get("/t/read").text == "1 Other"
        assert own_app.test_client().get("/t/read").text == "0"
        assert SEEN[1] is not SEEN[0]
        assert SEEN[2] is not SEEN[1] and SEEN[2] is not SEEN[0]
    finally:
        drop_own_app(other, worker_id_safe, "_sr2")


def test_a_forked_child_forgets_the_kept_session(own_app):
    own_app.test_client().get("/t/read")
    assert session_reuse.kept() is not None
    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only if nothing was inherited
        os._exit(0 if session_reuse.kept() is None else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert session_reuse.kept()[1] is SEEN[0]  # the parent keeps its own


def test_a_session_that_lived_through_an_engine_disposal_is_not_kept(own_app):
    client = own_app.test_client()
    assert client.get("/t/read").text == "0"
    with own_app.app_context():
        assert db.session() is SEEN[0]  # adopted by this context
        db.engine.dispose()  # e.g. before forking workers
    assert session_reuse.kept() is None
    _commit_elsewhere(own_app, "after")
    assert client.get("/t/read").text == "1 After"
    assert SEEN[1] is not SEEN[0]


def test_a_kept_session_whose_connection_broke_is_dropped_quietly(own_app, worker_id_safe,
                                                                    tmp_path):
    own_app.test_client().get("/t/read")
    connection = own_connection(session_reuse.kept()[1])
    connection.connection.dbapi_connection.close()  # the server went away, say
    other = _make_app(worker_id_safe, tmp_path, "_sr3")
    try:
        assert other.test_client().get("/t/read").text == "0"  # closing the old one: no error
        assert connection.closed or connection.invalidated
        with own_app.app_context():
            assert db.engine.pool.checkedout() == 0
        assert own_app.test_client().get("/t/read").text == "0"  # not handed out again
    finally:
        drop_own_app(other, worker_id_safe, "_sr3")


def test_a_thread_s_kept_session_is_closed_when_the_thread_ends(own_app):
    """A server that starts a thread per request: nothing stays checked out of the pool."""
    with own_app.app_context():
        pool = db.engine.pool
    worker = threading.Thread(target=lambda: own_app.test_client().get("/t/read"))
    worker.start()
    worker.join()
    assert pool.checkedout() == 1  # kept by the thread's slot until the thread is gone
    del worker
    gc.collect()
    assert pool.checkedout() == 0
