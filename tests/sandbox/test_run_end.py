"""A run's end: the app stops reading at the final record and ends the run in the
background; a run that did not finish is ended before its result returns."""

from __future__ import annotations

import threading

from quizapp.sandbox import Limits
from quizapp.sandbox import process
from quizapp.sandbox.pool import CLEANER
from tests.sandbox.conftest import run_code
from tests.sandbox.conftest import verdicts


def _closing_threads(monkeypatch) -> list[str]:
    names: list[str] = []
    close = process.close_jail

    def recording(jail):
        names.append(threading.current_thread().name)
        close(jail)

    monkeypatch.setattr(process, "close_jail", recording)
    return names


def test_a_finished_run_ends_in_the_background(monkeypatch):
    closers = _closing_threads(monkeypatch)
    assert verdicts(run_code("x = 1", tests=["assert x == 1"])) == [(True, "")]
    assert CLEANER.wait()
    assert closers == ["sandbox-cleaner"]


def test_a_run_that_did_not_finish_is_ended_at_once(monkeypatch):
    closers = _closing_threads(monkeypatch)
    result = run_code("import os\nos._exit(3)\n", tests=["pass"])
    assert result.status == "crashed" and result.returncode not in (None, 0)
    assert closers == [threading.current_thread().name]
    result = run_code("import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, "
                      "[signal.SIGALRM])\ntime.sleep(10**6)\n",
                      limits=Limits(cpu_seconds=1, wall_seconds=1.5))
    assert result.status == "timeout"
    assert closers[-1] == threading.current_thread().name


def test_reading_stops_at_the_final_record():
    """The app does not wait for the runner's exit once the final record came: here code
    that sends one early (through the runner's own channel) and sleeps on is cut short,
    and its tests count as not run."""
    code = ("import sys, time\nsys._getframe(1).f_locals['channel'].send({'output': 'x'})\n"
            "time.sleep(5)\n")
    result = run_code(code, tests=["pass"], limits=Limits(cpu_seconds=1, wall_seconds=4))
    assert result.status == "ok" and result.seconds < 1, result
    [(passed, message)] = verdicts(result)
    assert (passed, message) == (False, "Not run.")
