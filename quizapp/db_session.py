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
"""

from __future__ import annotations

from typing import Any

from flask.globals import _cv_app
from flask_sqlalchemy.session import Session
from sqlalchemy.engine import Connection

_CONNECTION = "quizapp.connection"  # session.info: (transaction, its connection)


def app_context_id() -> int:
    """The scope of ``db.session``: the current app context (as Flask-SQLAlchemy's)."""
    context = _cv_app.get(None)
    if context is None:
        raise RuntimeError("Working outside of application context: db.session needs one "
                           "(with app.app_context(): ...).")
    return id(context)


class RequestSession(Session):
    """Flask-SQLAlchemy's session with a fast path to the app's default engine."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None,
                 **kwargs: Any) -> Any:
        if bind is None and mapper is None and clause is None:
            context = _cv_app.get(None)
            engines = None if context is None else self._db._app_engines.get(context.app)
            if engines is not None and None in engines:
                return engines[None]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def connection(session: Any) -> Connection:
    """``session.connection()``, remembered for the life of the session's transaction."""
    transaction = session._transaction  # the innermost one, which connection() asks
    known = session.info.get(_CONNECTION)
    if known is not None and known[0] is transaction and transaction.is_active:
        return known[1]
    found = session.connection()
    transaction = session._transaction  # connection() began one if there was none
    if transaction is not None:
        session.info[_CONNECTION] = (transaction, found)
    return found
