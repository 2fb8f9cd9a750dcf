"""The request's database session, found and asked for its connection without detours.

Every statement on the hot path needs the request's session and its connection. Through
Flask-SQLAlchemy that is ``db.session.connection()``: the scoped session looks the app
context up through a ``LocalProxy``, ``get_bind`` looks the app up through another to find
its engines, and SQLAlchemy walks its transaction bookkeeping to the connection it already
holds: about 3 % of the answer loop's CPU, measured in process (25 look-ups per answer).

Here the scope is the app context read from Flask's context variable, the default engine is
found without proxies, and ``connection`` remembers the connection a session's transaction
holds: while that transaction (or savepoint) is the session's current one and active, the
same connection is what ``Session.connection()`` would return.

A session also keeps one connection of its own (``own_connection``) for its whole life,
through every commit: Flask-SQLAlchemy's session returned its connection to the pool at each
commit and checked one out again for the next transaction, with the pool's reset and
SQLAlchemy's connection set-up each time. An answer paid that three times (the request's
reads, its unit of work, the next page's reads): about 0.1 ms of CPU per answer on SQLite.
Closing the session returns the connection to the pool.

Between units of work a request reads in autocommit mode (``database``), and those reads
need no transaction of the session's at all: ``connection`` hands them the session's own
connection while the session has none and that connection reads in autocommit mode. A
page's reads used to begin SQLAlchemy's transaction bookkeeping for nothing, and the
request's unit of work to commit it (about 4 % of a served worker's CPU in the answer loop).
"""

from __future__ import annotations

from typing import Any

from flask.globals import _cv_app
from flask_sqlalchemy.session import Session
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

_CONNECTION = "quizapp.connection"  # session.info: (transaction, its connection)
_OWN = "quizapp.own_connection"  # session.info: the connection the session keeps
# The execution option that keeps SQLAlchemy from emitting BEGIN on SQLite (``database``).
SQLITE_AUTOCOMMIT = "quizapp_autocommit"


def autocommit_options(options: Any) -> bool:
    """Whether a connection's execution options make it read outside transactions."""
    return bool(options.get(SQLITE_AUTOCOMMIT)) or options.get("isolation_level") == "AUTOCOMMIT"


def app_context_id() -> int:
    """The scope of ``db.session``: the current app context (as Flask-SQLAlchemy's)."""
    context = _cv_app.get(None)
    if context is None:
        raise RuntimeError("Working outside of application context: db.session needs one "
                           "(with app.app_context(): ...).")
    return id(context)


class RequestSession(Session):
    """Flask-SQLAlchemy's session with a fast path to the app's default engine, and a
    connection of its own to that engine."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None,
                 **kwargs: Any) -> Any:
        if bind is not None:
            return bind
        engine = None
        if mapper is None and clause is None:
            context = _cv_app.get(None)
            engines = None if context is None else self._db._app_engines.get(context.app)
            engine = None if not engines else engines.get(None)
        if engine is None:
            engine = super().get_bind(mapper=mapper, clause=clause, **kwargs)
        if not isinstance(engine, Engine):
            return engine
        own = self.info.get(_OWN)
        if own is None or own.closed or own.engine is not engine:
            if own is not None and not own.closed:
                own.close()
            try:
                own = self.info[_OWN] = engine.connect()
            except DBAPIError:  # the database is down: met where the session is used
                self.info.pop(_OWN, None)
                return engine
        return own  # invalidated, it reconnects once its transaction is rolled back

    def close(self) -> None:
        own = self.info.pop(_OWN, None)
        try:
            super().close()
        except BaseException:  # its connection broke: the pool must not get it back as is
            if own is not None and not own.closed:
                own.invalidate()
            raise
        finally:
            if own is not None and not own.closed:
                own.close()

    def invalidate(self) -> None:
        own = self.info.get(_OWN)
        if own is not None and not own.closed:
            own.invalidate()
        super().invalidate()
        self.close()


def own_connection(session: Any) -> Connection | None:
    """The connection ``session`` keeps, if it is a ``RequestSession`` holding one."""
    own = session.info.get(_OWN)
    return None if own is None or own.closed else own


def reading_connection(session: Any) -> Connection | None:
    """The session's own connection if it reads in autocommit mode outside any transaction
    (the session's or its own), else None."""
    own = session.info.get(_OWN)
    if (own is None or own._transaction is not None or own.closed or own.invalidated
            or not autocommit_options(own.get_execution_options())):
        return None
    return own


def connection(session: Any) -> Connection:
    """The connection ``session`` runs statements on: while it has no transaction and its
    own connection reads in autocommit mode, that connection (no transaction is begun);
    else ``session.connection()``, remembered for the life of the session's transaction."""
    transaction = session._transaction  # the innermost one, which connection() asks
    if transaction is None and (own := reading_connection(session)) is not None:
        return own
    known = session.info.get(_CONNECTION)
    if known is not None and known[0] is transaction and transaction.is_active:
        return known[1]
    found = session.connection()
    transaction = session._transaction  # connection() began one if there was none
    if transaction is not None:
        session.info[_CONNECTION] = (transaction, found)
    return found
