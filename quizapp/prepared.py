"""Prepared statements for the hot path: compiled by SQLAlchemy once, run on the DBAPI cursor.

The question loop runs about twenty small statements per answer. Measured on SQLite,
``Connection.execute`` spent 20-25 µs of CPU per statement on top of the driver's own work
(cache lookup, execution context, parameter and result objects, events), more than the
statement itself, and 30 % of the loop went to SQLAlchemy against 12 % to the database.

A ``Prepared`` statement is still written with SQLAlchemy Core and compiled by it (once per
dialect), with SQLAlchemy's own type processors for its parameters and result columns, and
it runs on the session's connection, inside the session's transaction. What it skips is the
per-call machinery. It keeps what matters of it: DBAPI errors are raised as SQLAlchemy's
exception classes (``IntegrityError``, ``OperationalError``...), a dropped connection is
invalidated so the pool replaces it, and ``before_cursor_execute`` listeners (the query-plan
and statement-count tests) still see every statement.

On PostgreSQL a statement skips psycopg's cursor too: ``pg_direct`` prepares it on the
server once per connection and runs it on libpq with psycopg's adapters (10-15 % less
server CPU per answer in two ``benchmarks/ab.py`` runs). The kept cursor below then serves
only the statement listeners and a connection whose encoding ``pg_direct`` leaves alone.

Statements with expanding (``IN``) or callable parameters are not supported: build those
per call with Core as usual.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from quizapp import pg_direct
from quizapp.db_session import connection as session_connection
from quizapp.db_session import own_connection
from quizapp.extensions import db

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Form:
    """A statement compiled for one dialect."""

    dialect: Dialect
    sql: str
    positional: bool
    names: tuple[str, ...]  # parameter names, in order when positional
    constants: dict[str, Any]  # parameters whose values are part of the statement
    binds: tuple[tuple[str, Processor], ...]  # parameters that need converting
    types: tuple[Any, ...]  # the result columns' types
    row: type[tuple] | None  # a named tuple of the result columns (None: no rows)
    direct: bool  # psycopg: run on libpq directly (``pg_direct``)
    # result columns that need converting, by column index: known once the driver has
    # described the columns (PostgreSQL's numeric processors depend on the wire type)
    results: list[tuple[tuple[int, Processor], ...]] = field(default_factory=list)

    def converters(self, cursor: Any) -> tuple[tuple[int, Processor], ...]:
        if not self.results:  # psycopg builds the description anew on every access
            found = []
            for index, (kind, described) in enumerate(zip(self.types, cursor.description,
                                                          strict=True)):
                process = kind.result_processor(self.dialect, described[1])
                if process is not None:
                    found.append((index, process))
            self.results.append(tuple(found))
        return self.results[0]


def _columns(statement: Any) -> list[Any]:
    """The result columns of a SELECT, or of an INSERT/UPDATE ... RETURNING."""
    if getattr(statement, "is_select", False):
        return list(statement.selected_columns)
    if getattr(statement, "is_dml", False):  # RETURNING columns (none without RETURNING)
        return list(statement.exported_columns)
    return []


_PYFORMAT = re.compile(r"%\(([^)]+)\)s|%%|%")


def numbered(sql: str, bind_of: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """A ``pyformat`` statement (``%(name)s``, ``%%``) in PostgreSQL's own ``$1`` form.

    psycopg parses a ``pyformat`` statement into ``$n`` placeholders on every execution,
    from a cache for short statements and anew for long ones (over 4 KB or 50 parameters,
    as an answer's single write is: 110 µs of CPU per answer). Numbered once here, a
    statement runs on a raw-query cursor, which sends it as it is. ``bind_of`` maps a name
    as written in the SQL to its bind parameter (SQLAlchemy escapes some names). Returns
    the statement and its parameters' names by number.
    """
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        if match.group(1) is None:
            raise ValueError(f"a bare % in a pyformat statement: {sql[:80]}")
        name = bind_of.get(match.group(1), match.group(1))
        return f"${numbers.setdefault(name, len(numbers) + 1)}"

    return _PYFORMAT.sub(number, sql), tuple(numbers)


def compile_for(statement: Executable, dialect: Dialect) -> _Form:
    compiled = statement.compile(dialect=dialect)
    positional = bool(compiled.positional)
    names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
    for name, param in compiled.binds.items():
        if param.expanding or param.callable is not None:
            raise ValueError(f"{name}: expanding and callable parameters are not supported")
    sql = str(compiled)
    if dialect.driver == "psycopg" and dialect.paramstyle == "pyformat":
        escaped = {shown: name for name, shown in (compiled.escaped_bind_names or {}).items()}
        sql, names = numbered(sql, escaped)
        positional = True
    constants: dict[str, Any] = {}
    binds: list[tuple[str, Processor]] = []
    for name in names:
        param = compiled.binds[name]
        if not param.required:
            constants[name] = param.value
        process = param.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binds.append((name, process))
    columns = _columns(statement)
    types = tuple(c.type.dialect_impl(dialect) for c in columns)
    row = collections.namedtuple("Row", [c.key for c in columns], rename=True) if columns else None
    return _Form(dialect, sql, positional, names, constants, tuple(binds), types, row,
                 direct=dialect.driver == "psycopg")


class Prepared:
    """A Core statement run on the DBAPI cursor of the session's connection.

    ``statement`` is the statement, or a function building it for a dialect's name (an
    upsert is written differently for SQLite and PostgreSQL).
    """

    __slots__ = ("_forms", "statement")

    def __init__(self, statement: Executable | Callable[[str], Executable]) -> None:
        self.statement = statement
        self._forms: dict[Dialect, _Form] = {}

    def _form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect)
        if form is None:
            statement = self.statement
            if not isinstance(statement, Executable):
                statement = statement(dialect.name)
            form = self._forms[dialect] = compile_for(statement, dialect)
        return form

    # Each method runs on ``connection``, by default the session's (in its transaction).

    def run(self, params: Mapping[str, Any], connection: Connection | None = None) -> int:
        """Execute; the number of rows changed (for writes)."""
        cursor, _ = self._execute(params, connection)
        return cursor.rowcount

    def all(self, params: Mapping[str, Any], connection: Connection | None = None) -> list[Any]:
        """Every result row, as named tuples with converted values."""
        cursor, form = self._execute(params, connection)
        return _rows(form, cursor, cursor.fetchall())

    def tuples(self, params: Mapping[str, Any],
               connection: Connection | None = None) -> list[tuple[Any, ...]]:
        """Every result row as a plain tuple (converted values, no names): for large results
        read by position, where building a named tuple per row shows."""
        cursor, form = self._execute(params, connection)
        return _values(form, cursor, cursor.fetchall())

    def first(self, params: Mapping[str, Any], connection: Connection | None = None) -> Any:
        """The first result row, or None."""
        cursor, form = self._execute(params, connection)
        row = cursor.fetchone()
        return None if row is None else _rows(form, cursor, [row])[0]

    def scalar(self, params: Mapping[str, Any], connection: Connection | None = None) -> Any:
        """The first column of the first row, or None."""
        row = self.first(params, connection)
        return None if row is None else row[0]

    def _execute(self, params: Mapping[str, Any],
                 connection: Connection | None) -> tuple[Any, _Form]:
        if connection is None:
            connection = session_connection(db.session())
        form = self._form(connection.dialect)
        args = _arguments(form, params)
        cursor = _cursor(connection)
        _announce(connection, cursor, form.sql, args)
        try:
            if form.direct and (direct := _direct(connection)):
                return pg_direct.execute(direct, form.sql, args), form
            cursor.execute(form.sql, args)
        except connection.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(connection, exc, cursor, form.sql, args) from exc
        return cursor, form


def run_together(calls: Sequence[tuple[Prepared, Mapping[str, Any]]],
                 connection: Connection | None = None, *,
                 commit: Session | None = None) -> list[list[Any]]:
    """Run ``calls`` (statements and their parameters) in order; each one's rows.

    None may need another's result. On PostgreSQL they reach the server in one round trip
    (``pg_direct.execute_all``), after the transaction's BEGIN when it is due. ``commit`` is
    the session whose unit of work they end: when its commit would COMMIT this connection's
    transaction and nothing else (``_commits_only``), the COMMIT goes with them, and the
    session's own commit then finds nothing to send. Elsewhere the statements run one by one
    and ``commit`` changes nothing: the caller still commits the session, either way. A
    failed statement raises as in ``Prepared``; those after it did not run.
    """
    if connection is None:
        connection = session_connection(db.session())
    forms = [(prepared._form(connection.dialect), params) for prepared, params in calls]
    direct = _direct(connection) if forms and forms[0][0].direct else None
    if direct is None:
        return [_all_rows(prepared._execute(params, connection)) for prepared, params in calls]
    statements = [(form.sql, _arguments(form, params)) for form, params in forms]
    cursor = _cursor(connection)
    for sql, args in statements:
        _announce(connection, cursor, sql, args)
    try:
        results = pg_direct.execute_all(
            direct, statements, commit is not None and _commits_only(commit, connection))
    except pg_direct.Failed as failed:
        sql, args = statements[failed.index] if failed.index < len(statements) else (
            "COMMIT", ())
        raise _wrapped(connection, failed.error, cursor, sql, args) from failed.error
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(connection, exc, cursor, statements[0][0], statements[0][1]) from exc
    return [_all_rows((result, form)) for result, (form, _) in zip(results, forms,
                                                                    strict=True)]


def _direct(connection: Connection) -> pg_direct.Direct | None:
    """``pg_direct``'s state for the connection (None: its cursor runs the statements)."""
    pooled = connection.connection
    return pg_direct.direct_for(pooled.info, pooled.dbapi_connection)


def _announce(connection: Connection, cursor: Any, sql: str, args: Any) -> None:
    """Tell the ``before_cursor_execute`` listeners (query-plan and statement-count tests)."""
    if connection.dispatch.before_cursor_execute:
        connection.dispatch.before_cursor_execute(connection, cursor, sql, args, None, False)


def _all_rows(executed: tuple[Any, _Form]) -> list[Any]:
    cursor, form = executed
    return [] if form.row is None else _rows(form, cursor, cursor.fetchall())


def _commits_only(session: Session, connection: Connection) -> bool:
    """Whether ``session.commit()`` would COMMIT ``connection``'s transaction and do
    nothing else on the database: the session owns that connection (a test's session
    bound to an outer transaction does not), no savepoint is open, nothing is pending to
    flush and no listener runs before the commit."""
    return (own_connection(session) is connection and session.in_transaction()
            and not session.in_nested_transaction() and not connection.in_nested_transaction()
            and not (session.new or session.dirty or session.deleted)
            and not session.dispatch.before_commit)


_CURSOR = "quizapp.cursor"  # pooled connection info: the cursor reused on it (psycopg)


def _cursor(connection: Connection) -> Any:
    """A cursor on the connection's DBAPI connection.

    psycopg builds a cursor's adaptation context anew for every cursor, about 15 µs of CPU
    (a third of a small query's client-side cost), so one cursor is kept per psycopg
    connection: each statement here reads its rows before the next one runs, and the
    driver holds a query's whole result client-side. It is a raw-query cursor: statements
    come numbered (``numbered``). sqlite3 cursors are cheap, and one left with unread rows
    would keep its read snapshot open: those are made per statement.
    """
    pooled = connection.connection
    if connection.dialect.driver != "psycopg":
        return pooled.dbapi_connection.cursor()
    cursor = pooled.info.get(_CURSOR)
    if cursor is None:  # the info dict lives as long as the DBAPI connection
        from psycopg import RawCursor

        cursor = pooled.info[_CURSOR] = RawCursor(pooled.dbapi_connection)
    return cursor


def _arguments(form: _Form, params: Mapping[str, Any]) -> Any:
    values = {**form.constants, **params} if form.constants else dict(params)
    for name, process in form.binds:
        values[name] = process(values[name])
    if form.positional:
        return tuple(values[name] for name in form.names)
    return values


def _rows(form: _Form, cursor: Any, rows: list[Any]) -> list[Any]:
    make = form.row
    assert make is not None, "the statement returns no rows"
    return [make._make(row) for row in _values(form, cursor, rows)]


def _values(form: _Form, cursor: Any, rows: list[Any]) -> list[Any]:
    """The rows with their columns converted (the driver's own rows when none need it)."""
    converters = form.converters(cursor)
    if not converters:
        return rows
    return [_converted(row, converters) for row in rows]


def _converted(row: Any, converters: tuple[tuple[int, Processor], ...]) -> tuple[Any, ...]:
    values = list(row)
    for index, process in converters:
        values[index] = process(values[index])
    return tuple(values)


def _wrapped(connection: Connection, exc: Exception, cursor: Any, sql: str,
             args: Any) -> DBAPIError:
    """The DBAPI error as SQLAlchemy raises it; a dropped connection is invalidated."""
    dialect = connection.dialect
    dropped = dialect.is_disconnect(exc, connection.connection.dbapi_connection, cursor)
    if dropped:
        connection.invalidate(exc)
    return DBAPIError.instance(sql, args, exc, dialect.loaded_dbapi.Error,
                               connection_invalidated=dropped, dialect=dialect)
