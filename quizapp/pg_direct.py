"""Prepared statements on PostgreSQL, run on psycopg's libpq connection directly.

psycopg's cursor drives every statement through Python generators (query conversion, its
prepared-statement manager, result bookkeeping): measured on this machine's PostgreSQL, a
one-row read cost 94 µs of the app's CPU through a ``RawCursor`` and 61 µs run as below, of
which 49 µs are libpq's and the kernel's own round trip. The answer loop runs six such
statements per answered question, so this is about 3 % of a served answer on PostgreSQL.

What is kept of psycopg: its adapters (a ``Transformer`` of the connection dumps the
parameters and loads the rows, as the cursor does, text results included), its error
classes (``errors.error_from_result``), its connection lock and its transaction rules
(outside autocommit mode a statement on an idle connection is preceded by the BEGIN
psycopg would send, so ``commit`` and ``rollback`` work as before). Each statement is
prepared on the server once per connection, under a name no other use of that connection
takes (``quizapp_N``). A connection whose client encoding is not UTF-8 is left to the cursor.

Served, a round trip costs more than its in-process ~50 µs: one more trivial statement per
request (three per answer) measured 10 % more server CPU per answer in a
``benchmarks/ab.py`` run (0.99-1.24 across its pairs), as the worker waits, the backend
runs and the two displace each other's caches on shared cores. So statements that follow
one another without needing each other's results go in one round trip (``execute_all``,
libpq's pipeline mode), with the BEGIN a transaction's first statement needs, and with the
COMMIT that ends a unit of work whose last statement they are (an answer: six round trips
to three, 0.94 and 0.97 of the server CPU in two ``ab.py`` runs).
"""

from __future__ import annotations

import contextlib
import select
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from psycopg import Connection
from psycopg import IsolationLevel
from psycopg import errors
from psycopg import pq
from psycopg.adapt import PyFormat
from psycopg.adapt import Transformer

STATE = "quizapp.pg_direct"  # pooled connection info: this connection's state (or None)
_AUTO = PyFormat.AUTO
_IDLE = pq.TransactionStatus.IDLE
_OK = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)
_SYNC = pq.ExecStatus.PIPELINE_SYNC
_NO_SUCH_STATEMENT = b"26000"  # invalid_sql_statement_name


@dataclass
class Direct:
    """One psycopg connection's adapters and the statements prepared on it."""

    connection: Connection[Any]
    transformer: Transformer
    names: dict[tuple[str, tuple[int, ...]], bytes] = field(default_factory=dict)
    made: int = 0  # statements prepared so far: names are never reused


def direct_for(info: dict[str, Any], connection: Connection[Any]) -> Direct | None:
    """The connection's state, made on first use; None: leave it to psycopg's cursor.

    ``info`` is the pool's for this DBAPI connection (cleared when the pool replaces it); a
    state of another connection is never used all the same."""
    if STATE in info:
        state = info[STATE]
        if state is None or state.connection is connection:
            return state
    usable = connection.pgconn.parameter_status(b"client_encoding") == b"UTF8"
    info[STATE] = state = Direct(connection, Transformer(connection)) if usable else None
    return state


class Result:
    """What ``Prepared`` reads of a cursor (rows, row count, column types) from a result."""

    __slots__ = ("_result", "_rows", "rowcount")

    def __init__(self, result: pq.abc.PGresult, rows: list[tuple[Any, ...]]) -> None:
        self._result, self._rows = result, rows
        count = result.command_tuples
        self.rowcount = -1 if count is None else count

    @property
    def description(self) -> list[tuple[None, int]]:
        """Each column's type, where a cursor's description has it (index 1)."""
        return [(None, self._result.ftype(i)) for i in range(self._result.nfields)]

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None


def execute(state: Direct, sql: str, args: tuple[Any, ...]) -> Result:
    """Run ``sql`` (numbered ``$n`` parameters) with ``args``; raise psycopg's errors."""
    connection = state.connection
    pgconn = connection.pgconn
    with connection.lock:
        if not connection.autocommit and pgconn.transaction_status == _IDLE:
            try:  # the transaction's BEGIN goes with it
                return _run_all(state, [(sql, args)], commit=False)[0]
            except Failed as failed:
                raise failed.error from None
        transformer = state.transformer
        values = transformer.dump_sequence(args, [_AUTO] * len(args))
        key = (sql, tuple(transformer.types))
        result = pgconn.exec_prepared(_name(state, key), values, transformer.formats, 0)
        if _statement_gone(result) and connection.autocommit:
            # dropped on the server (DEALLOCATE ALL, DISCARD ALL): nothing was done yet,
            # and outside a transaction the failure aborted nothing, so prepare it again
            state.names.clear()
            result = pgconn.exec_prepared(_name(state, key), values, transformer.formats, 0)
        _check(result, state)
        return _result(state, result)


class Failed(Exception):
    """Statement ``index`` of ``execute_all`` failed with psycopg's ``error`` (the index
    is the number of statements for their COMMIT); none after it ran."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index, self.error = index, error


def execute_all(state: Direct, statements: Sequence[tuple[str, tuple[Any, ...]]],
                commit: bool = False) -> list[Result]:
    """Run ``statements`` in order, in one round trip: after the transaction's BEGIN when
    it is due, and with ``commit`` followed by its COMMIT (the connection is then idle, and
    psycopg's ``commit`` sends nothing). Raises ``Failed`` for the first that failed."""
    with state.connection.lock:
        return _run_all(state, statements, commit)


def _run_all(state: Direct, statements: Sequence[tuple[str, tuple[Any, ...]]],
             commit: bool) -> list[Result]:
    connection = state.connection
    transformer = state.transformer
    sends = []
    for sql, args in statements:  # prepared first (once per connection): not pipelined
        values = transformer.dump_sequence(args, [_AUTO] * len(args))
        formats = list(transformer.formats)
        sends.append((_name(state, (sql, tuple(transformer.types))), values, formats))
    in_transactions = not connection.autocommit
    begin = (_begin(connection) if in_transactions
             and connection.pgconn.transaction_status == _IDLE else None)
    results = _pipeline(connection.pgconn, begin, sends, commit and in_transactions)
    if begin is not None:
        _checked(results.pop(0), state, 0)
    for index, result in enumerate(results):  # the statements', then the COMMIT's
        _checked(result, state, index)
    return [_result(state, result) for result in results[:len(sends)]]


def _pipeline(pgconn: Any, begin: bytes | None, sends: list[tuple[bytes, Any, list[Any]]],
              commit: bool) -> list[pq.abc.PGresult]:
    """Send the commands in pipeline mode, then read one result per command. A command
    after a failed one is not run (its result says PIPELINE_ABORTED)."""
    pgconn.enter_pipeline_mode()
    try:
        if begin is not None:
            pgconn.send_query_params(begin, None)
        for name, values, formats in sends:
            pgconn.send_query_prepared(name, values, formats, 0)
        if commit:
            pgconn.send_query_params(b"COMMIT", None)
        pgconn.pipeline_sync()
        _flush(pgconn)
        results = []
        while (result := _next_result(pgconn)).status != _SYNC:
            results.append(result)
    except BaseException:
        _leave_pipeline(pgconn)
        raise
    pgconn.exit_pipeline_mode()
    return results


def _flush(pgconn: Any) -> None:
    """Send what libpq holds (psycopg's connections are non-blocking), reading meanwhile
    if the server is busy sending (as libpq's documentation asks)."""
    while pgconn.flush():
        if _wait(pgconn.socket, select.POLLIN | select.POLLOUT) & select.POLLIN:
            pgconn.consume_input()


def _next_result(pgconn: Any) -> pq.abc.PGresult:
    """The next command's result (libpq ends each command's results with None).

    psycopg's ``get_result`` holds the GIL while libpq waits for the server, which would
    stop every other thread of the process for the round trip: the wait for the data is
    done here first, without the GIL (``_wait``)."""
    for _ in range(2):
        while pgconn.is_busy():
            _wait(pgconn.socket, select.POLLIN)
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is not None:
            return result
    # two Nones in a row: nothing more is coming, the connection failed
    raise errors.OperationalError(
        pgconn.get_error_message() or "the connection ended during a pipeline")


def _wait(fd: int, events: int) -> int:
    """Until ``fd`` is ready for ``events`` (or failed); the events that happened."""
    poller = select.poll()
    poller.register(fd, events)
    return poller.poll()[0][1]


def _leave_pipeline(pgconn: Any) -> None:
    """After an interruption: have the server answer what was sent, read it and leave
    pipeline mode; a connection that cannot is closed (the pool then replaces it)."""
    try:
        if pgconn.pipeline_status != pq.PipelineStatus.OFF:
            pgconn.pipeline_sync()  # (a second sync point is harmless)
            _flush(pgconn)
        while pgconn.pipeline_status != pq.PipelineStatus.OFF:
            with contextlib.suppress(errors.OperationalError):
                pgconn.exit_pipeline_mode()  # refused while results are pending
                break
            _next_result(pgconn)
    except Exception:  # already failing: leave a closed connection
        pgconn.finish()


def _result(state: Direct, result: pq.abc.PGresult) -> Result:
    rows: list[tuple[Any, ...]] = []
    if result.status == pq.ExecStatus.TUPLES_OK and result.ntuples:
        transformer = state.transformer
        transformer.set_pgresult(result)
        rows = transformer.load_rows(0, result.ntuples, tuple)
    return Result(result, rows)


def _checked(result: pq.abc.PGresult, state: Direct, index: int) -> pq.abc.PGresult:
    try:
        return _check(result, state)
    except errors.Error as exc:
        raise Failed(index, exc) from None


def _name(state: Direct, key: tuple[str, tuple[int, ...]]) -> bytes:
    """The name the statement is prepared under on this connection (prepared now if new)."""
    name = state.names.get(key)
    if name is None:
        name = f"quizapp_{state.made}".encode()
        state.made += 1
        _check(state.connection.pgconn.prepare(name, key[0].encode(), key[1]), state)
        state.names[key] = name
    return name


def _statement_gone(result: pq.abc.PGresult) -> bool:
    return result.status == pq.ExecStatus.FATAL_ERROR and result.error_field(
        pq.DiagnosticField.SQLSTATE) == _NO_SUCH_STATEMENT


def _begin(connection: Connection[Any]) -> bytes:
    """The BEGIN psycopg sends for the connection's isolation level and access mode."""
    parts = [b"BEGIN"]
    if (level := connection.isolation_level) is not None:
        parts += [b"ISOLATION LEVEL", IsolationLevel(level).name.replace("_", " ").encode()]
    if (read_only := connection.read_only) is not None:
        parts.append(b"READ ONLY" if read_only else b"READ WRITE")
    if (deferrable := connection.deferrable) is not None:
        parts.append(b"DEFERRABLE" if deferrable else b"NOT DEFERRABLE")
    return b" ".join(parts)


def _check(result: pq.abc.PGresult, state: Direct) -> pq.abc.PGresult:
    """The result, or its error raised as psycopg raises it (libpq failing to send at all
    is raised by psycopg's ``PGconn`` already). Statements the server no longer has (in a
    transaction, where the failure cannot be retried) are prepared again next time; after
    any other error they are still there."""
    if result.status not in _OK:
        if _statement_gone(result):
            state.names.clear()
        raise errors.error_from_result(result)
    return result
