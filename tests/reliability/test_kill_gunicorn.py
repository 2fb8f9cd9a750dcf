"""kill -9 a gunicorn worker, then the master, in the middle of a load run.

After a restart on the same database: every answer that got its success redirect is stored
exactly once, cards and skills agree with their attempts, no learner ever saw a server
error ("database is locked" included), and the app serves again with no manual repair.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import psycopg
import pytest

from benchmarks.loadkit.server import Gunicorn
from tests.reliability.harness import PG_URL
from tests.reliability.harness import Learner
from tests.reliability.harness import Outcome
from tests.reliability.harness import database
from tests.reliability.harness import inconsistencies
from tests.reliability.harness import prepare
from tests.reliability.harness import stored_keys

LEARNERS = 6


def _postgres_reachable() -> bool:
    try:
        psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def _server(url: str, log) -> Gunicorn:
    env = {"QUIZAPP_ENV": "production", "SECRET_KEY": "reliability-secret", "DATABASE_URL": url,
           "SESSION_COOKIE_SECURE": "0", "AUTH_RATE_LIMIT": "100000 per minute",
           "LOGIN_ACCOUNT_CLIENT_RATE_LIMIT": "100000 per minute", "REQUEST_LOG": "logfmt",
           "GUNICORN_TIMEOUT": "10", "GUNICORN_GRACEFUL_TIMEOUT": "2"}
    server = Gunicorn("wsgi:app", env, workers=2, log=log)
    server.wait_ready("/healthz")
    return server


def _confirmed_since(outcome: Outcome, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(outcome.confirmed) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(outcome.confirmed) >= count, (
        f"only {len(outcome.confirmed)} answers confirmed; last error: {outcome.last_error}")


def _kill_master(server: Gunicorn) -> None:
    workers = server.worker_pids()
    os.kill(server.pid, signal.SIGKILL)
    server.process.wait()
    deadline = time.monotonic() + 5  # orphaned workers notice their parent is gone
    while any(os.path.exists(f"/proc/{pid}") for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in workers:  # a worker stuck in a request is killed like the master was
        if os.path.exists(f"/proc/{pid}"):
            os.kill(pid, signal.SIGKILL)
    server.stop()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_answers_survive_kill_9_of_worker_and_master(kind, tmp_path):
    if kind == "postgresql" and not _postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    with database(kind, tmp_path) as url:
        prepare(url)
        server = _server(url, tmp_path / "first.log")
        outcome, stop, port = Outcome(), threading.Event(), [server.port]
        learners = [Learner(i, port, outcome, stop) for i in range(LEARNERS)]
        try:
            for learner in learners:
                learner.start()
            for learner in learners:
                assert learner.registered.wait(30), outcome.last_error
            _confirmed_since(outcome, 15, 20)
            os.kill(server.worker_pids()[0], signal.SIGKILL)  # the master forks a new one
            _confirmed_since(outcome, len(outcome.confirmed) + 15, 20)
            _kill_master(server)
            before_restart = len(outcome.confirmed)
            server = _server(url, tmp_path / "second.log")
            port[0] = server.port
            _confirmed_since(outcome, before_restart + 15, 20)
        finally:
            stop.set()
            for learner in learners:
                learner.join(15)
            server.stop()
        keys = stored_keys(url)
        missing = [k for k in outcome.confirmed if keys.get(k) != 1]
        assert not missing, f"confirmed answers not stored exactly once: {missing[:5]}"
        assert inconsistencies(url) == {}
        assert outcome.server_errors == []
        logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
        assert "database is locked" not in logs
        assert " status=5" not in logs
