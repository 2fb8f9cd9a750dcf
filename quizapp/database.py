"""Engine set-up: SQLite pragmas (WAL, busy timeout, foreign keys) and proper transactions."""

from __future__ import annotations

import contextlib
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
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError

from quizapp.db_session import SQLITE_AUTOCOMMIT
from quizapp.db_session import autocommit_options
from quizapp.db_session import connection as session_connection
from quizapp.db_session import own_connection
from quizapp.db_session import reading_connection

SQLITE_BUSY_TIMEOUT_MS = 5000
# WAL pages a commit may leave before it copies them into the database file (SQLite's
# default is 1,000, about 55 answers here). An answer rewrites the same hot pages (index
# roots, the learner's rows), and a checkpoint copies each page once however often it
# changed: ten times rarer checkpoints cost 2 % less server CPU per answer (benchmarks/ab.py,
# 12 pairs), for a WAL of up to about 40 MB.
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000


# A pooled connection idle longer than this is pinged before use (a server restart or an
# idle timeout may have closed it); busier connections are not: a ping is a round trip,
# and on PostgreSQL a round trip costs the app as much CPU as a small query.
PING_AFTER_IDLE_SECONDS = 5.0


def configure_engine(engine: Engine) -> None:
    """Apply per-connection settings the database needs."""
    if engine.dialect.name != "sqlite":
        _ping_idle_connections(engine)
        if engine.dialect.driver == "psycopg":
            event.listen(engine, "connect", _psycopg_prepares_nothing)
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
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(SQLITE_AUTOCOMMIT):
            return  # a request's reads: each statement is its own transaction
        # A unit of work takes the write lock up front (waiting up to the busy timeout)
        # instead of failing when it upgrades from reading to writing.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _IN_UNIT.get() else "BEGIN")


def _psycopg_prepares_nothing(dbapi_connection: Any, _record: Any) -> None:
    """The hot path's statements are prepared by ``pg_direct``; psycopg's own preparing is
    off, because its rollback ends with DEALLOCATE ALL whenever it has prepared something,
    which would drop those too."""
    dbapi_connection.prepare_threshold = None


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
# Set while a unit of work runs: SQLite then begins IMMEDIATE, and nested units join it.
_IN_UNIT: ContextVar[bool] = ContextVar("in_unit_of_work", default=False)
# Set while ``read_outside_transactions`` takes up the request's session.
_READING: ContextVar[bool] = ContextVar("reading_outside_transactions", default=False)
P = ParamSpec("P")
R = TypeVar("R")


def _count_retry() -> None:
    """Tally a lost race on the request (the request log reports ``lock_retries``)."""
    from flask import g
    from flask import has_app_context

    if has_app_context():
        g.lock_retries = g.get("lock_retries", 0) + 1


def read_outside_transactions(sessions: Callable[[], Any]) -> None:
    """Start a request's session reading in autocommit mode: its reads need no transaction.

    A page reads the login, the quiz and a few rows; wrapping them in BEGIN ... ROLLBACK
    cost two round trips on PostgreSQL and SQLAlchemy's transaction bookkeeping on both
    databases. The session's own connection is switched to autocommit mode, and statements
    run on it without any transaction of the session's (``db_session.connection``); the
    ORM's reads autobegin one that emits no BEGIN. Every write goes through a unit of work
    (``retry_on_lock``), which begins a transaction of its own. A session bound to a
    connection (a test's outer transaction) is left as it is.

    ``sessions`` is the scoped session (``db.session``): a session kept from the thread's
    last request (``session_reuse``) is taken up still reading so, which only this call asks
    for (``reading_requested``); any other first use of it gets it in transaction mode.
    """
    token = _READING.set(True)
    try:
        session = sessions()
    finally:
        _READING.reset(token)
    if session.in_transaction():
        return
    session.get_bind()  # makes the session's own connection, unless the database is down
    use_autocommit(own_connection(session))  # none: a test's bound session, or no database


def reading_requested() -> bool:
    """Whether the session being made is for ``read_outside_transactions``."""
    return _READING.get()


def use_autocommit(connection: Connection | None) -> None:
    """Put a session's own connection in autocommit mode, unless it is in a transaction,
    invalidated (the view meets the error itself) or already reading so."""
    if (connection is None or connection.in_transaction() or connection.invalidated
            or autocommit_options(connection.get_execution_options())):
        return
    options = ({SQLITE_AUTOCOMMIT: True} if connection.dialect.name == "sqlite"
               else {"isolation_level": "AUTOCOMMIT"})
    # A broken connection refuses: the request's first statement meets (and reports) it.
    with contextlib.suppress(DBAPIError, connection.dialect.loaded_dbapi.Error):
        connection.execution_options(**options)


def _in_autocommit(session: Any) -> bool:
    return autocommit_options(session_connection(session).get_execution_options())


def _begin_unit(db: Any) -> tuple[Token[bool], bool] | None:
    """Make the unit of work run in a transaction of its own, begun at its first statement.

    The request's reads are finished first: in autocommit mode they hold nothing, and on
    SQLite a transaction that has read can only become a writer if nobody committed since
    its snapshot (otherwise it fails at once, 'database is locked', and the unit is re-run
    after a back-off). On SQLite the unit then begins with BEGIN IMMEDIATE, which waits for
    the write lock instead. A PostgreSQL transaction the caller holds is joined (row locks
    need no such care), as is a unit already running (nested units join the outer one).
    Returns the unit's token, and whether the request was reading in autocommit mode (it
    goes back to that after the unit, ``_end_unit``).
    """
    if _IN_UNIT.get():
        return None
    session = db.session()  # the request's session (not the scoped proxy)
    if session.in_transaction():
        pending = bool(session.new or session.dirty or session.deleted)
        autocommit = _in_autocommit(session)
        if pending and autocommit:
            raise RuntimeError("changes were made outside a unit of work; they would be "
                               "written one statement at a time")
        if not pending and (autocommit or db.engine.dialect.name == "sqlite"):
            session.commit()  # read-only: ends the snapshot, writes nothing
    reading = reading_connection(session) is not None
    use_transactions(own_connection(session))
    return _IN_UNIT.set(True), reading


def _end_unit(db: Any, began: tuple[Token[bool], bool]) -> None:
    """The unit is over: a request that was reading in autocommit mode reads so again (if
    the unit ended its transaction; one left open is the caller's, or the teardown's)."""
    token, reading = began
    _IN_UNIT.reset(token)
    session = db.session()
    if reading and not session.in_transaction():
        use_autocommit(own_connection(session))


def use_transactions(connection: Any) -> None:
    """Take a session's own connection out of autocommit mode for a unit of work.

    Its execution options outlive each transaction (a connection from the pool started
    with the defaults); a connection inside a transaction is left as it is.
    """
    if connection is None or connection.in_transaction():
        return
    options = connection.get_execution_options()
    if options.get(SQLITE_AUTOCOMMIT):
        connection.execution_options(**{SQLITE_AUTOCOMMIT: False})
    elif options.get("isolation_level") == "AUTOCOMMIT":
        connection.execution_options(isolation_level=connection.default_isolation_level)


def retry_on_lock(service: Callable[P, R]) -> Callable[P, R]:
    """Re-run a whole unit of work when a concurrent writer won a race.

    Two races end this way: SQLite (WAL) cannot upgrade a reading transaction to a writer
    once another writer has committed ('database is locked'), and a concurrent insert took a
    unique key first (IntegrityError). Rolling back and starting again reads fresh data: the
    re-run sees the winner's rows. The decorated service must be safe to re-run (it re-reads
    what it needs); services that turn an IntegrityError into an answer catch it themselves.
    The unit begins a transaction of its own (``_begin_unit``); on SQLite it takes the write
    lock up front, so the first race is rare there: only a unit that inherits pending
    changes can still lose it.
    """

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        from quizapp.extensions import db

        began = _begin_unit(db)
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
                    time.sleep(0.02 * (attempt + 1) * (1 + random.random()))
            raise AssertionError("unreachable")
        finally:
            if began is not None:
                _end_unit(db, began)

    return run
