"""The request's session is scoped, bound and asked for its connection as Flask-SQLAlchemy's.

Two apps of their own (SQLite files, or schemas of their own in the PostgreSQL run): the
fast default bind must pick the current app's engine, and the remembered connection must be
exactly the one ``Session.connection()`` returns, through commits, rollbacks and savepoints.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import PendingRollbackError

from quizapp import create_app
from quizapp import db_session
from quizapp.extensions import db
from quizapp.models import Topic
from tests.conftest import database_url
from tests.conftest import drop_schema
from tests.conftest import make_config


def _make_app(worker: str, tmp_path, suffix: str) -> Flask:
    url, options = database_url(worker, suffix)
    if url == "sqlite://":
        url = f"sqlite:///{tmp_path}/db_session{suffix}.db"
    app = create_app(make_config(url, options, STATIC_BUILD_DIR=str(tmp_path / "s" / suffix)))
    with app.app_context():
        db.create_all()
    return app


def _drop(app: Flask, worker: str, suffix: str) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    drop_schema(worker, suffix)


@pytest.fixture
def apps(worker_id_safe, tmp_path) -> Iterator[tuple[Flask, Flask]]:
    first = _make_app(worker_id_safe, tmp_path, "_dba")
    second = _make_app(worker_id_safe, tmp_path, "_dbb")
    try:
        yield first, second
    finally:
        _drop(first, worker_id_safe, "_dba")
        _drop(second, worker_id_safe, "_dbb")


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
        assert db.session().get_bind() is db.engine is not first_engine
        assert db.session.scalar(select(func.count(Topic.id))) == 0
        connection = db_session.connection(db.session())
        assert connection.engine is db.engine
    with first.app_context():
        assert db.session().get_bind() is first_engine
        assert db.session.scalar(select(func.count(Topic.id))) == 1
        # a mapper still goes through Flask-SQLAlchemy's bind-key lookup
        assert db.session().get_bind(mapper=Topic) is first_engine


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
