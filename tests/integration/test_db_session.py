"""The request's session is scoped, bound and asked for its connection as Flask-SQLAlchemy's.

Two apps of their own (SQLite files, or schemas of their own in the PostgreSQL run): the
fast default bind must pick the current app's engine, and the remembered connection must be
exactly the one ``Session.connection()`` returns, through commits, rollbacks and savepoints.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask import request
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import PendingRollbackError

from quizapp import db_session
from quizapp.database import autocommit_options
from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.models import Topic
from tests.integration.helpers import drop_own_app
from tests.integration.helpers import make_own_app


@pytest.fixture
def apps(worker_id_safe, tmp_path) -> Iterator[tuple[Flask, Flask]]:
    first = make_own_app(worker_id_safe, tmp_path, "_dba")
    second = make_own_app(worker_id_safe, tmp_path, "_dbb")
    try:
        yield first, second
    finally:
        drop_own_app(first, worker_id_safe, "_dba")
        drop_own_app(second, worker_id_safe, "_dbb")


def test_the_scope_is_the_app_context_and_needs_one(apps):
    first, _ = apps
    with pytest.raises(RuntimeError, match="application context"):
        db_session.app_context_id()
    with first.app_context() as outer:
        assert db_session.app_context_id() == id(outer)
        session = db.session()
        assert db.session() is session
        with first.app_context() as inner:
            assert db_session.app_context_id() == id(inner)
            assert db.session() is not session  # a nested context has a session of its own
        assert db.session() is session


def test_each_app_reads_its_own_database(apps):
    first, second = apps
    with first.app_context():
        db.session.add(Topic(slug="only-in-first", domain="ml", title="First"))
        db.session.commit()
        first_engine = db.engine
    with second.app_context():
        assert db.session().get_bind().engine is db.engine is not first_engine
        assert db.session.scalar(select(func.count(Topic.id))) == 0
        connection = db_session.connection(db.session())
        assert connection.engine is db.engine
    with first.app_context():
        own = db.session().get_bind()
        assert own.engine is first_engine and own is db_session.own_connection(db.session())
        assert db.session.scalar(select(func.count(Topic.id))) == 1
        # a mapper still goes through Flask-SQLAlchemy's bind-key lookup, to the same one
        assert db.session().get_bind(mapper=Topic) is own


def test_the_remembered_connection_is_the_sessions_own(apps):
    first, _ = apps
    with first.app_context():
        session = db.session()
        begun = db_session.connection(session)
        assert begun is session.connection()
        assert db_session.connection(session) is begun  # the same transaction: remembered
        session.commit()
        after_commit = db_session.connection(session)
        assert after_commit is session.connection() and session.in_transaction()
        session.rollback()
        after_rollback = db_session.connection(session)
        assert after_rollback is session.connection()
        savepoint = session.begin_nested()
        assert db_session.connection(session) is session.connection()
        savepoint.rollback()
        assert db_session.connection(session) is session.connection()
        session.close()
        assert not session.in_transaction()
        fresh = db_session.connection(session)  # begins a new transaction, as connection() does
        assert session.in_transaction() and fresh is session.connection()
        assert not fresh.closed and fresh.scalar(select(func.count(Topic.id))) == 0


def test_a_failed_transaction_is_not_served_from_memory(apps):
    first, _ = apps
    with first.app_context():
        session = db.session()
        connection = db_session.connection(session)
        session.add(Topic(slug="twin", domain="ml", title="Twin"))
        session.flush()
        session.add(Topic(slug="twin", domain="ml", title="Twin again"))
        with pytest.raises(IntegrityError):
            session.flush()
        assert not session.get_transaction().is_active
        with pytest.raises(PendingRollbackError):
            db_session.connection(session)  # as session.connection() refuses it
        session.rollback()
        again = db_session.connection(session)
        assert again is session.connection()
        assert again.scalar(select(func.count(Topic.id))) == 0
        assert connection.closed or connection is again


def _checkouts(app: Flask) -> list[int]:
    """A list that grows by one at every pool checkout of ``app``'s engine."""
    seen: list[int] = []
    with app.app_context():
        event.listen(db.engine, "checkout", lambda *_: seen.append(1))
    return seen


def test_a_session_keeps_its_connection_through_commits_and_returns_it_at_close(apps):
    first, _ = apps
    checkouts = _checkouts(first)
    with first.app_context():
        session = db.session()
        dbapi = db_session.connection(session).connection.dbapi_connection
        session.add(Topic(slug="kept", domain="ml", title="Kept"))
        session.commit()
        session.rollback()
        assert db_session.connection(session).connection.dbapi_connection is dbapi
        assert len(checkouts) == 1
        pool = db.engine.pool
        session.close()
        assert db_session.own_connection(session) is None
        assert pool.checkedout() == 0  # back in the pool
        assert db.session.scalar(select(func.count(Topic.id))) == 1  # a new one, checked out
        assert len(checkouts) == 2


def test_reads_unit_and_reads_again_share_one_checkout_and_keep_their_modes(apps):
    """A page's reads in autocommit mode, a unit of work in a transaction of its own, the
    next page's reads in autocommit mode again: one connection, checked out once."""
    first, _ = apps

    @first.get("/t/page")
    def page() -> str:
        connection = db_session.connection(db.session())
        return "auto" if autocommit_options(connection.get_execution_options()) else "tx"

    @first.post("/t/unit")
    def unit() -> str:
        _write_then(fail=request.args.get("fail") == "1")
        return "ok"

    checkouts = _checkouts(first)
    client = first.test_client()
    assert client.get("/t/page").text == "auto"
    assert client.post("/t/unit").text == "ok"
    assert client.get("/t/page").text == "auto"
    first.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.post("/t/unit?fail=1").status_code == 500
    with first.app_context():  # the failed unit rolled back: its topic is not there
        assert db.session.scalars(select(Topic.slug).order_by(Topic.slug)).all() == ["t1"]
    assert len(checkouts) == 2  # once for the four requests, once for the check above


@retry_on_lock
def _write_then(fail: bool) -> None:
    session = db.session()
    assert not autocommit_options(db_session.connection(session).get_execution_options())
    count = session.scalar(select(func.count(Topic.id)))
    session.add(Topic(slug=f"t{count + 1}", domain="ml", title="T"))
    session.flush()
    if fail:
        raise RuntimeError("after the flush, before the commit")
    session.commit()
