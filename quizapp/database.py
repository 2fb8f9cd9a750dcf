"""Engine set-up: SQLite pragmas (WAL, busy timeout, foreign keys) and proper transactions."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from contextvars import Token
from typing import Any
from typing import ParamSpec
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError

SQLITE_BUSY_TIMEOUT_MS = 5000


# A pooled connection idle longer than this is pinged before use (a server restart or an
# idle timeout may have closed it); busier connections are not: a ping is a round trip,
# and on PostgreSQL a round trip costs the app as much CPU as a small query.
PING_AFTER_IDLE_SECONDS = 5.0


def configure_engine(engine: Engine) -> None:
    """Apply per-connection settings the database needs."""
    if engine.dialect.name != "sqlite":
        _ping_idle_connections(engine)
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
        # SAVEPOINTs and BEGIN behave as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A retried unit of work takes the write lock up front (waiting up to the busy
        # timeout) instead of failing again when it upgrades from reading to writing.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _WRITE_INTENT.get() else "BEGIN")


def _ping_idle_connections(engine: Engine) -> None:
    """SQLAlchemy's pessimistic disconnect handling, for connections that sat idle only.

    A dead connection raises ``DisconnectionError`` here, so the pool drops it and hands
    out a new one: the request never sees the stale connection.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"stale pooled connection: {exc}") from exc


def is_lock_conflict(error: OperationalError) -> bool:
    """True for SQLite's 'database is locked' (a writer won a race; retrying is safe)."""
    return "database is locked" in str(error.orig)


LOCK_RETRIES = 5
# Set while a unit of work is re-run after losing a race: SQLite then begins IMMEDIATE.
_WRITE_INTENT: ContextVar[bool] = ContextVar("sqlite_write_intent", default=False)
P = ParamSpec("P")
R = TypeVar("R")


def _count_retry() -> None:
    """Tally a lost race on the request (the request log reports ``lock_retries``)."""
    from flask import g
    from flask import has_app_context

    if has_app_context():
        g.lock_retries = g.get("lock_retries", 0) + 1


def _write_lock_first(db: Any) -> Token[bool] | None:
    """On SQLite, make the unit of work take the write lock when it begins.

    A transaction that has read can only become a writer if nobody committed since its
    snapshot; otherwise SQLite fails at once ('database is locked') and the whole unit must
    be re-run after a back-off. The request's earlier reads (the login, the quiz) are
    finished first, unless they left changes the unit must commit with its own; the unit
    then begins with BEGIN IMMEDIATE, which waits for the lock instead. Nested units and
    other databases (row locks) are left as they are.
    """
    if _WRITE_INTENT.get() or db.engine.dialect.name != "sqlite":
        return None
    session = db.session()  # the request's session (not the scoped proxy)
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return None
        session.commit()  # read-only: ends the snapshot, writes nothing
    return _WRITE_INTENT.set(True)


def retry_on_lock(service: Callable[P, R]) -> Callable[P, R]:
    """Re-run a whole unit of work when a concurrent writer won a race.

    Two races end this way: SQLite (WAL) cannot upgrade a reading transaction to a writer
    once another writer has committed ('database is locked'), and a concurrent insert took a
    unique key first (IntegrityError). Rolling back and starting again reads fresh data: the
    re-run sees the winner's rows. The decorated service must be safe to re-run (it re-reads
    what it needs); services that turn an IntegrityError into an answer catch it themselves.
    On SQLite the unit takes the write lock up front (``_write_lock_first``), so the first
    race is rare there: only a unit that inherits pending changes can still lose it.
    """

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        from quizapp.extensions import db

        token = _write_lock_first(db)
        try:
            for attempt in range(LOCK_RETRIES):
                try:
                    return service(*args, **kwargs)
                except (IntegrityError, OperationalError) as exc:
                    db.session.rollback()
                    lost_race = isinstance(exc, IntegrityError) or is_lock_conflict(exc)
                    if not lost_race or attempt == LOCK_RETRIES - 1:
                        raise
                    _count_retry()
                    if token is None and not isinstance(exc, IntegrityError):
                        token = _WRITE_INTENT.set(True)
                    time.sleep(0.02 * (attempt + 1) * (1 + random.random()))
            raise AssertionError("unreachable")
        finally:
            if token is not None:
                _WRITE_INTENT.reset(token)

    return run
