"""The child side of the sandbox: runs one job read from stdin, inside the jail.

Standalone on purpose (stdlib, plus numpy for ``code`` jobs): it is executed as a script by
``python -I -B -S`` in an empty working directory and must not import the app. Each finished
test is written at once, as one line ``<marker><json>``, to the result file descriptor, so a
run killed half-way still reports the tests it finished. Learner output goes to a capped
buffer, never to the result channel.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import signal
import sys
import traceback
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

MESSAGE_CHARS = 1_000
OUTPUT_CHARS = 16_384
ROWS_SHOWN = 20
CELL_CHARS = 200
SQL_REL_TOL = 1e-9
_CHECKS: list[Any] = []  # the tests' helpers module (``checks.py``), imported by ``prepare``


class CappedText(io.TextIOBase):
    """A text sink that keeps the first ``limit`` characters and drops the rest."""

    def __init__(self, limit: int) -> None:
        self.limit, self.parts, self.size, self.dropped = limit, [], 0, False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        if len(text) > room:
            self.dropped = True
        return len(text)

    def value(self) -> str:
        return "".join(self.parts) + ("\n[output truncated]" if self.dropped else "")


class TestTimeout(BaseException):
    """A single test ran past its time budget."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise TestTimeout()


def _message(exc: BaseException, filename: str) -> str:
    """``Type: message`` plus the line in the learner's code or the test, when known."""
    if isinstance(exc, TestTimeout):
        return "Time limit exceeded (the test did not finish)."
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    if lines:
        where = "your code" if filename == "<your code>" else "the test"
        text += f" (line {lines[-1]} of {where})"
    return text[:MESSAGE_CHARS]


class Channel:
    """Writes marked result lines to the private result descriptor."""

    def __init__(self, fd: int, marker: str) -> None:
        self.fd, self.marker = fd, marker

    def send(self, record: dict[str, Any]) -> None:
        line = (self.marker + json.dumps(record, default=str) + "\n").encode()
        view = memoryview(line)
        while view:
            view = view[os.write(self.fd, view):]


def run_code(job: dict[str, Any], channel: Channel) -> str:
    """Run the learner's code once, then each test in a copy of its namespace; return what
    it printed (capped)."""
    out = CappedText(OUTPUT_CHARS)
    sys.stdout = sys.stderr = out
    per_test = float(job.get("test_seconds", 2))
    make_helpers = _CHECKS[0].helpers  # bound before the learner's code can change it
    namespace = make_helpers()
    if "numpy" in sys.modules:  # keep its functions before the learner's code runs
        _CHECKS[0].keep_numpy()
    try:
        signal.setitimer(signal.ITIMER_REAL, per_test)
        exec(compile(job["source"], "<your code>", "exec"), namespace)  # noqa: S102
        signal.setitimer(signal.ITIMER_REAL, 0)
        setup_error = None
    except BaseException as exc:  # anything the learner's code raises
        signal.setitimer(signal.ITIMER_REAL, 0)
        setup_error = _message(exc, "<your code>")
    for index, test in enumerate(job["tests"]):
        if setup_error is not None:
            channel.send({"test": index, "passed": False, "message": setup_error})
            continue
        # the helpers made anew: the learner's code may have replaced or changed its own
        scope = {**namespace, **make_helpers()}
        try:
            signal.setitimer(signal.ITIMER_REAL, per_test)
            exec(compile(test["code"], "<test>", "exec"), scope)  # noqa: S102
            signal.setitimer(signal.ITIMER_REAL, 0)
            channel.send({"test": index, "passed": True, "message": ""})
        except BaseException as exc:
            signal.setitimer(signal.ITIMER_REAL, 0)
            message = _message(exc, "<your code>")
            if "line" not in message[-30:]:
                message = _message(exc, "<test>")
            channel.send({"test": index, "passed": False, "message": message})
    return out.value()


_FIRST_WORD = re.compile(r"\A(?:\s|--[^\n]*\n?|/\*.*?\*/)*([A-Za-z]+)", re.S)


def _sqlite3() -> Any:
    """The sqlite3 module, imported on first use: code jobs never need it, and its import
    (datetime's with it) is about a quarter of a plain-Python run's start-up."""
    import sqlite3

    return sqlite3


def _authorize(action: int, *args: Any) -> int:
    db = _sqlite3()
    denied = action in (db.SQLITE_ATTACH, db.SQLITE_DETACH, db.SQLITE_PRAGMA)
    return db.SQLITE_DENY if denied else db.SQLITE_OK


def _query(conn: sqlite3.Connection, sql: str,
           deadline: float) -> tuple[list[tuple], list[str]]:
    """The query's rows and its column names."""
    import time

    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    cursor = conn.execute(sql.strip().rstrip(";").strip() or "SELECT")
    rows = cursor.fetchmany(100_001)
    if len(rows) > 100_000:
        raise _sqlite3().DataError("the query returns more than 100,000 rows")
    return rows, [str(column[0]) for column in cursor.description or ()]


def sql_problem(query: str) -> str | None:
    """Why ``query`` is not one SELECT/WITH statement, or None."""
    match = _FIRST_WORD.match(query)
    if not match or match.group(1).upper() not in {"SELECT", "WITH", "VALUES"}:
        return "Write a single SELECT (or WITH ... SELECT) statement."
    # the closing ";" on a line of its own: a query may end in a "-- comment"
    if not _sqlite3().complete_statement(query.strip().rstrip(";") + "\n;"):
        return "The query is incomplete (check for an unclosed quote or parenthesis)."
    return None


def same_value(a: Any, b: Any) -> bool:
    """Equal, numbers within ``SQL_REL_TOL`` (also the feedback's marking of differences)."""
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return abs(a - b) <= SQL_REL_TOL * max(1.0, abs(a), abs(b))
    return a == b


def same_row(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))


def _key(row: tuple) -> tuple:
    return tuple((0, round(v, 6)) if isinstance(v, int | float) else
                 (1, "") if v is None else (2, repr(v)) for v in row)


def rows_match(got: list[tuple], want: list[tuple], ordered: bool) -> bool:
    """Same rows (as a multiset unless ``ordered``), values equal within tolerance."""
    if len(got) != len(want):
        return False
    if not ordered:
        got, want = sorted(got, key=_key), sorted(want, key=_key)
    return all(same_row(g, w) for g, w in zip(got, want, strict=True))


def _sql_case(job: dict[str, Any], seed: str, index: int) -> dict[str, Any]:
    import time

    budget = float(job.get("test_seconds", 2))
    record: dict[str, Any] = {"test": index, "passed": False, "message": ""}
    conn = _sqlite3().connect(":memory:")
    try:
        conn.executescript(job["schema"])
        conn.executescript(seed)
        want, want_cols = _query(conn, job["solution"], time.monotonic() + budget)
        conn.execute("PRAGMA query_only = ON")
        conn.set_authorizer(_authorize)
        problem = sql_problem(job["query"])
        if problem:
            record["message"] = problem
            return record
        try:
            got, got_cols = _query(conn, job["query"], time.monotonic() + budget)
        except _sqlite3().OperationalError as exc:
            text = str(exc)
            if text == "interrupted":
                text = "Time limit exceeded (the query did not finish)."
            record["message"] = text
            return record
        except (_sqlite3().Error, ValueError) as exc:
            record["message"] = str(exc).replace("You can only execute one statement at a "
                                                 "time.", "Write a single statement.")
            return record
        except MemoryError:  # e.g. randomblob(10**9): the run's memory limit, not a crash
            record["message"] = "The query needed more memory than a run may use."
            return record
        record["got"] = [[_cell(v) for v in r] for r in got[:ROWS_SHOWN]]
        record["got_rows"] = len(got)
        record["want"] = [[_cell(v) for v in r] for r in want[:ROWS_SHOWN]]
        record["want_rows"] = len(want)
        record["got_columns"] = [_cell(name) for name in got_cols]
        record["want_columns"] = [_cell(name) for name in want_cols]
        if len(got_cols) != len(want_cols):
            record["message"] = (f"The query returns {len(got_cols)} column"
                                 f"{'' if len(got_cols) == 1 else 's'}; {len(want_cols)} "
                                 "expected.")
        elif rows_match(got, want, bool(job.get("ordered"))):
            record["passed"] = True
        else:
            record["message"] = _row_difference(got, want, bool(job.get("ordered")))
    finally:
        conn.close()
    return record


def _cell(value: Any) -> Any:
    """A value safe to show and to store as JSON: short text, finite numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        value = f"<{len(value)} bytes>"
    if isinstance(value, str) and len(value) > CELL_CHARS:
        return value[:CELL_CHARS] + "…"
    return value


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _row_difference(got: list[tuple], want: list[tuple], ordered: bool) -> str:
    if len(got) != len(want):
        return f"The query returns {_rows(len(got))}; {len(want)} expected."
    if ordered and rows_match(got, want, ordered=False):
        return "The rows are right but in the wrong order."
    return "Some values differ from the expected result."


def run_sql(job: dict[str, Any], channel: Channel) -> str:
    """One test per data set: fresh in-memory database, learner's query vs the reference."""
    for index, seed in enumerate(job["seeds"]):
        try:
            record = _sql_case(job, seed, index)
        except _sqlite3().Error as exc:
            record = {"test": index, "passed": False,
                      "message": f"The question's own schema or data failed: {exc}"}
        channel.send(record)
    return ""


def apply_limits(limits: dict[str, int]) -> None:
    """Set hard rlimits before any untrusted code runs (the learner cannot raise them).

    The CPU limit counts from the interpreter's start: what the start-up already spent
    (a spare's numpy import) is added to the job's limit."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(usage.ru_utime + usage.ru_stime)
    cpu = limits["cpu"] + 1 + spent  # one second for start-up and the helpers
    address = limits["address_mb"] * 1024 * 1024
    for which, value in ((resource.RLIMIT_CPU, (cpu, cpu + 1)),
                         (resource.RLIMIT_AS, (address, address)),
                         (resource.RLIMIT_NPROC, (limits["processes"],) * 2),
                         (resource.RLIMIT_FSIZE, (limits["file_bytes"],) * 2),
                         (resource.RLIMIT_NOFILE, (limits["open_files"],) * 2),
                         (resource.RLIMIT_CORE, (0, 0))):
        resource.setrlimit(which, value)


def options(argv: list[str]) -> dict[str, Any]:
    """``--result-fd=N``, ``--path=DIR`` (repeated: where numpy is), ``--preload=numpy``."""
    found: dict[str, Any] = {"paths": [], "preload": "", "result_fd": -1}
    for arg in argv:
        name, _, value = arg.partition("=")
        if name == "--path":
            found["paths"].append(value)
        elif name == "--preload":
            found["preload"] = value
        elif name == "--result-fd":
            found["result_fd"] = int(value)
    return found


def prepare(found: dict[str, Any]) -> None:
    """Start up before the job: the timer's handler, numpy's directory (the interpreter
    starts with -S: the app's .pth hooks cost ~20 ms per run) and numpy when asked."""
    signal.signal(signal.SIGALRM, _on_alarm)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import checks  # beside this file (in a jail: /sandbox): the tests' helpers
    import syscall_filter  # noqa: F401 - beside this file (in a jail: /sandbox); serve uses it

    _CHECKS[:] = [sys.modules.pop("checks")]  # not importable by name from learner code

    sys.path.remove(here)
    sys.path.extend(path for path in found["paths"] if path not in sys.path)
    if found["preload"] == "numpy":  # and what numpy imports only when first used
        checks.keep_numpy()
        import numpy.random  # noqa: F401


def serve(result_fd: int) -> None:
    """Read the job from stdin, limit this process, run it, end without a shutdown."""
    job = json.loads(sys.stdin.read())
    apply_limits(job.pop("limits"))
    sys.modules["syscall_filter"].install()  # before any learner code; OSError ends the run
    sys.stdin = io.StringIO("")
    channel = Channel(result_fd, job.pop("marker"))
    channel.send({"started": True})
    output = run_sql(job, channel) if job["kind"] == "sql" else run_code(job, channel)
    for stream in (sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()
    # The final record, after every write to stdout and stderr: the app stops reading the
    # run once it comes, and ends the run.
    channel.send({"output": output})
    os.close(channel.fd)
    # No interpreter shutdown: tearing down numpy's modules took ~10 ms the parent waited
    # for (it reads until the child's pipes close), and the learner's atexit hooks do not run.
    os._exit(0)


def main() -> None:
    """Start up (numpy too when asked), wait for the job on stdin, limit this process, run."""
    found = options(sys.argv[1:])
    prepare(found)
    serve(found["result_fd"])


if __name__ == "__main__":
    main()
