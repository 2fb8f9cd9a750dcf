"""Run jobs: at most one per CPU at once, each in a fresh jail that was started ahead of it.

Starting a jail (bubblewrap, a Python interpreter, and numpy's import for most code
questions) is most of a run: about 70 ms of the 85 ms of a numpy submission here. So each
process keeps a *spare* jail of each kind it has used, started in the background right after
a run; the next run of that kind sends its job to the spare and waits only for the tests.
A spare runs no learner code until its job arrives, and serves one job only (then it is
killed and its work directory removed, as before), so runs share nothing. Spares are
started by one long-lived thread: bubblewrap's ``--die-with-parent`` ties a jail to the
thread that started it, so a spare started by a short-lived request thread would die with
that thread. ``QUIZAPP_SANDBOX_SPARES`` (default 1) is how many spares of each kind a
process keeps; 0 starts every jail when its job comes.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import re
import threading
import time
from typing import Any

from quizapp.sandbox import forkserver  # noqa: F401 - its exit handler runs after ours
from quizapp.sandbox import policy
from quizapp.sandbox import process
from quizapp.sandbox.process import Jail
from quizapp.sandbox.process import Limits
from quizapp.sandbox.process import RunResult

log = logging.getLogger(__name__)

# A job that names numpy (or the array helpers, which import it) gets a jail that imported
# numpy while it waited; any other job a plain one (numpy still imports on first use).
_USES_NUMPY = re.compile(r"\b(?:np|numpy)\b|\bassert_(?:close|shape|dtype)\b")


def kind_of(job: dict[str, Any]) -> str:
    """The spare a job wants: ``"numpy"`` or ``""`` (a plain interpreter)."""
    if job.get("kind") != "code":
        return ""
    texts = [str(job.get("source", "")), *(str(t.get("code", "")) for t in job.get("tests", ()))]
    return "numpy" if any(_USES_NUMPY.search(text) for text in texts) else ""


class Spares:
    """Jails started ahead of need, by kind; one thread starts them, any thread takes one."""

    def __init__(self, per_kind: int) -> None:
        self.per_kind = per_kind
        self._lock = threading.Lock()
        self._ready: dict[str, list[Jail]] = {}
        self._wanted: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._started = False  # whether this process's starting thread runs
        self._pending = 0  # wanted and not started (or skipped) yet
        os.register_at_fork(after_in_child=self._forget_after_fork)

    def take(self, kind: str) -> Jail | None:
        """A started jail of ``kind`` still waiting for its job, or None."""
        dead: list[Jail] = []
        with self._lock:
            jails = self._ready.get(kind, [])
            while jails:
                jail = jails.pop()
                if jail.usable():
                    break
                dead.append(jail)
            else:
                jail = None
        for gone in dead:
            process.close_jail(gone)
        return jail

    def want(self, kind: str) -> None:
        """Have a spare of ``kind`` started in the background (unless enough are waiting,
        or no run may start here)."""
        if self.per_kind <= 0 or policy.isolation_problem() is not None:
            return
        with self._lock:
            if not self._started:
                self._started = True
                threading.Thread(target=self._start_wanted, name="sandbox-spares",
                                 daemon=True).start()
            self._pending += 1
        self._wanted.put(kind)

    def ready(self, kinds: tuple[str, ...] = ("", "numpy"), timeout: float = 10.0) -> bool:
        """Start spares of ``kinds`` and wait until each has one (warm-up; tests)."""
        for kind in kinds:
            if self.waiting(kind) == 0:
                self.want(kind)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.waiting(kind) for kind in kinds):
                return True
            time.sleep(0.01)
        return False

    def discard(self, timeout: float = 5.0) -> None:
        """End every spare, those being started included (tests; at exit)."""
        deadline = time.monotonic() + timeout
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.01)
        with self._lock:
            jails = [jail for jails in self._ready.values() for jail in jails]
            self._ready.clear()
        for jail in jails:
            process.close_jail(jail)

    def waiting(self, kind: str) -> int:
        with self._lock:
            return sum(1 for jail in self._ready.get(kind, []) if jail.usable())

    def _start_wanted(self) -> None:
        process.remove_orphaned_workdirs()  # once per process, before its first spare
        while True:
            kind = self._wanted.get()
            jail = None
            try:
                if self.waiting(kind) < self.per_kind:
                    jail = process.start_jail(kind)
            except OSError as exc:  # a run then starts its own jail, as without spares
                log.warning("could not start a spare sandbox: %s", exc)
            with self._lock:
                if jail is not None:
                    self._ready.setdefault(kind, []).append(jail)
                self._pending -= 1

    def _forget_after_fork(self) -> None:
        """In a forked child: the parent's spares, thread and lock (which another thread may
        have held at the fork) are not the child's."""
        self._lock = threading.Lock()
        for jails in self._ready.values():
            for jail in jails:
                process.forget_jail(jail)
        self._ready = {}
        self._wanted = queue.SimpleQueue()
        self._started, self._pending = False, 0


class Cleaner:
    """Ends finished runs in the background: a run that sent its final record has nothing
    more to say, and killing it, waiting for its namespace to go, sweeping its uid and
    removing its directory took 1-2 ms a request need not wait for (more under load)."""

    def __init__(self) -> None:
        self._done = threading.Condition()
        self._queue: queue.SimpleQueue[Jail] = queue.SimpleQueue()
        self._pending = 0
        self._started = False
        os.register_at_fork(after_in_child=self._forget_after_fork)

    def end(self, jail: Jail) -> None:
        """End ``jail`` soon (``process.close_jail``); it holds its uid until then."""
        with self._done:
            self._pending += 1
            if not self._started:
                self._started = True
                threading.Thread(target=self._run, name="sandbox-cleaner", daemon=True).start()
        self._queue.put(jail)

    def wait(self, timeout: float = 10.0) -> bool:
        """Until every run handed over has ended (tests; at exit)."""
        with self._done:
            return self._done.wait_for(lambda: self._pending == 0, timeout)

    def _run(self) -> None:
        while True:
            jail = self._queue.get()
            try:
                process.close_jail(jail)
            except OSError as exc:  # its uid stays claimed; its directory is an orphan's
                log.warning("could not end a sandbox run: %s", exc)
            with self._done:
                self._pending -= 1
                self._done.notify_all()

    def _forget_after_fork(self) -> None:
        """In a forked child: the runs queued are the parent's to end."""
        self._done = threading.Condition()
        while not self._queue.empty():
            process.forget_jail(self._queue.get())
        self._pending, self._started = 0, False


def _slots() -> queue.Queue[int]:
    slots: queue.Queue[int] = queue.Queue()
    for index in range(max(1, os.cpu_count() or 1)):
        slots.put(index)
    return slots


# The concurrency bound (per process): one slot per CPU. Each run, when the app runs as root,
# also gets a uid of its own (``uids.claim_uid``), unique across processes.
_SLOTS = _slots()
SPARES = Spares(int(os.environ.get("QUIZAPP_SANDBOX_SPARES", "1") or 0))
CLEANER = Cleaner()


@atexit.register
def _end_spares() -> None:
    """At exit: no more spares (a run's end wants one), then end those waiting and the
    finished runs; the fork servers end after this (``forkserver`` registered its handler
    first)."""
    SPARES.per_kind = 0
    SPARES.discard()
    CLEANER.wait()


def concurrency() -> int:
    """How many runs may execute at once."""
    return _SLOTS.maxsize or max(1, os.cpu_count() or 1)


def run_job(job: dict[str, Any], limits: Limits) -> RunResult:
    """Run ``job`` (see ``runner.py``) in a fresh jail; block while all slots are busy.
    Raises ``policy.SandboxUnavailable`` (an ``OSError``) where runs must be isolated and
    cannot be."""
    policy.check()
    kind = kind_of(job)
    slot = _SLOTS.get()
    try:
        jail = SPARES.take(kind) or process.start_jail(kind)
        return process.run_in(jail, job, limits, end=CLEANER.end)
    finally:
        _SLOTS.put(slot)
        SPARES.want(kind)
