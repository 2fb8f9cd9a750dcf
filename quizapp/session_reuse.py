"""A worker thread's database session, kept from one request to the next.

Flask-SQLAlchemy opens a session per app context and closes it at the end: every request
built a session, began SQLAlchemy's transaction bookkeeping, checked a connection out of the
pool and set it to read outside transactions (``database.read_outside_transactions``), then
undid all of it. Counted with callgrind, that cycle cost about 0.4 M instructions per
request, more than the whole of a bare Flask request, a fifth of a question page.

Here a session that ends its app context clean (nothing pending, no unit of work's
transaction open: at most the autocommit reading state, which holds no locks or snapshot)
has its objects detached (``expunge_all``, as closing would) and is kept for the thread's
next app context of the same app, with the connection it keeps (``db_session``: one per
session, through its commits). It is kept reading in autocommit mode, as the next request's
reads want it (``database.read_outside_transactions``, which alone takes it up so): switching
the connection to transaction mode at every teardown and back at the next request had cost
about 25 µs of CPU per request. Any other first use of a kept session (a CLI command, a job,
a test's context) ends the reads' autocommit transaction and gets it in transaction mode, as
a fresh session from the pool would be. Anything else is closed as before:
a failed request, pending changes, a transaction, an invalidated connection, a session bound
to a connection (a test's), another app, or a session idle longer than
``database.PING_AFTER_IDLE_SECONDS`` (closed, and its connection pinged before its next use,
as the pool does for idle connections: a database restart in the meantime is not met by a
request).

One session at most is kept per thread. When the thread ends (a server that starts a thread
per request) its kept session is closed, and a forked child forgets its parent's (it must
not use, or close, a connection it shares with the parent).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from quizapp import request_state
from quizapp.database import PING_AFTER_IDLE_SECONDS
from quizapp.database import autocommit_options
from quizapp.database import reading_requested
from quizapp.database import use_transactions
from quizapp.db_session import own_connection

Entry = tuple[Flask, Any, float]  # app, the session (with its own connection), kept since


class _Slot:
    """A thread's kept session, if any."""

    __slots__ = ("__weakref__", "entry")

    def __init__(self) -> None:
        self.entry: Entry | None = None

    def take(self) -> Entry | None:
        entry, self.entry = self.entry, None
        return entry


_local = threading.local()
_SLOTS: weakref.WeakSet[_Slot] = weakref.WeakSet()  # every thread's, for a forked child


def _slot() -> _Slot:
    """This thread's slot; its kept session is closed when the thread ends."""
    slot = getattr(_local, "slot", None)
    if slot is None:
        slot = _local.slot = _Slot()
        _SLOTS.add(slot)
        weakref.finalize(threading.current_thread(), _close_entry, slot)
    return slot


def kept() -> Entry | None:
    """This thread's kept session entry (for tests and diagnostics)."""
    return _slot().entry


def _close_entry(slot: _Slot) -> None:
    if (entry := slot.take()) is not None:
        _close(*entry[1:])


def _forget_after_fork() -> None:
    for slot in list(_SLOTS):
        slot.entry = None


os.register_at_fork(after_in_child=_forget_after_fork)


def init_session_reuse(app: Flask, db: SQLAlchemy) -> None:
    """Keep clean sessions between ``app``'s app contexts (replaces Flask-SQLAlchemy's
    close-at-teardown for this app)."""
    teardowns = app.teardown_appcontext_funcs
    teardowns[:] = [_teardown if _is_sqlalchemy_teardown(f, db) else f for f in teardowns]
    registry = db.session.registry
    if getattr(registry.createfunc, "__name__", "") != "_adopt_or_create":
        registry.createfunc = _adopter(registry.createfunc)
    app.extensions[_DISPOSALS] = [0]
    with app.app_context():
        event.listen(db.engine, "engine_disposed", lambda _engine: _disposed(app))


# How often the app's engine was disposed: a session that lived through a disposal may hold
# a connection its new pool does not know (or one the disposal closed): it is not kept.
_DISPOSALS = "quizapp.engine_disposals"


def _disposals() -> int:
    return request_state.app().extensions.get(_DISPOSALS, [0])[0]


def _disposed(app: Flask) -> None:
    """The app's engine was disposed: close this thread's kept session of it."""
    app.extensions[_DISPOSALS][0] += 1
    slot = _slot()
    if slot.entry is not None and slot.entry[0] is app:
        _, session, since = slot.take()
        if (own := own_connection(session)) is not None:
            own.invalidate()  # its pool is gone: close it, do not return it there
        _close(session, since)


def _is_sqlalchemy_teardown(func: Any, db: SQLAlchemy) -> bool:
    return getattr(func, "__func__", None) is SQLAlchemy._teardown_session and (
        getattr(func, "__self__", None) is db)


def _adopter(create: Any) -> Any:
    def _adopt_or_create() -> Any:
        """The thread's kept session if it belongs to this app and is fresh; else a new one."""
        entry = _slot().take()
        if entry is not None:
            app, session, since = entry
            if app is request_state.app() and (
                    time.monotonic() - since < PING_AFTER_IDLE_SECONDS) and (
                    reading_requested() or _out_of_reading(session)):
                return session
            _close(session, since)
        session = create()
        session.info[_DISPOSALS] = _disposals()
        return session

    return _adopt_or_create


def _out_of_reading(session: Any) -> bool:
    """Ready a kept session for a use other than a request's reads (a CLI command, a job, a
    test's ``app.app_context()``): the autocommit transaction a request's ORM reads left
    open is ended (it wrote nothing; a kept session has nothing pending) and its connection
    is back in transaction mode, so the context's writes are transactions, as on a session
    fresh from the pool. False when its connection broke meanwhile (the caller closes it
    and makes a new one)."""
    try:
        if session.in_transaction():
            session.commit()
        use_transactions(own_connection(session))
    except SQLAlchemyError:
        return False
    return True


def _teardown(_error: BaseException | None) -> None:
    from quizapp.extensions import db

    scoped = db.session
    if not scoped.registry.has():
        return
    session = scoped.registry()
    made_at = session.info.get(_DISPOSALS)  # None: not made here (a test's own session)
    if made_at is not None and made_at != _disposals():  # its connection's pool is gone
        if (own := own_connection(session)) is not None:
            own.invalidate()  # closed now, not left to the old pool
        scoped.remove()
        return
    if _error is not None or made_at is None or not _keepable(session):
        scoped.remove()
        return
    if len(session.identity_map):  # nothing pending (``_keepable``): only loaded objects
        session.expunge_all()
    scoped.registry.clear()  # forget it in this context, without closing it
    slot = _slot()
    if (earlier := slot.take()) is not None:  # nested app contexts: keep the last one only
        _close(*earlier[1:])
    slot.entry = (request_state.app(), session, time.monotonic())


def _keepable(session: Any) -> bool:
    """Whether the session is clean, bound to an engine, and either outside a transaction
    or reading in autocommit mode on a live connection. Its own connection (``db_session``)
    is kept with it."""
    bind = session.bind  # None: the app's engine; a connection: a test's transaction
    if (bind is not None and not isinstance(bind, Engine)) or (
            session.new or session.dirty or session.deleted):
        return False
    transaction = session.get_transaction()
    if transaction is None:  # it read on its own connection, if at all (db_session)
        own = own_connection(session)
        return own is None or not own.invalidated
    if transaction.nested:
        return False
    connection = session.connection()
    return not connection.invalidated and autocommit_options(
        connection.get_execution_options())


def _close(session: Any, idle_since: float) -> None:
    """Close a kept session; its connection counts as idle since it was kept (the pool
    pings it before its next use if that was long ago)."""
    connection = own_connection(session)
    try:
        info = None if connection is None or connection.invalidated else (
            connection.connection.info)
        session.close()
    except SQLAlchemyError:  # its connection broke meanwhile: drop it, the pool replaces it
        if connection is not None and not connection.closed:
            connection.invalidate()
        session.close()
        return
    if info is not None:
        info["idle_since"] = idle_since
