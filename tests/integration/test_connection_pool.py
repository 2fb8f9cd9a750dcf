"""Pooled PostgreSQL connections: pinged after sitting idle, never on the busy path."""

import os

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from quizapp import database

PG_URL = os.environ.get("POOL_TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def engine():
    engine = create_engine(PG_URL, pool_size=1, max_overflow=0)
    database.configure_engine(engine)
    yield engine
    engine.dispose()


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_killed_while_idle_is_replaced_unseen(engine, monkeypatch):
    first = _backend_pid(engine)
    admin = create_engine(PG_URL)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    admin.dispose()
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    second = _backend_pid(engine)  # the ping found it dead: a new connection, no error
    assert second != first


def test_a_busy_connection_is_not_pinged(engine, monkeypatch):
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(1) or real_ping(c))
    for _ in range(5):
        _backend_pid(engine)
    assert pings == []
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend_pid(engine)
    assert pings == [1]
