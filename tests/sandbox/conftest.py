"""Attack tests: every test must leave no process behind and the app still answering."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from quizapp.grading.code import results_from
from quizapp.sandbox import Limits
from quizapp.sandbox import RunResult
from quizapp.sandbox import forkserver
from quizapp.sandbox import process
from quizapp.sandbox import run_job
from quizapp.sandbox import uids
from quizapp.sandbox.pool import CLEANER
from quizapp.sandbox.pool import SPARES

ATTACK_LIMITS = Limits(cpu_seconds=1, wall_seconds=3, memory_mb=64)


def sandbox_processes(wanted: set[int]) -> list[psutil.Process]:
    """Processes running under one of ``wanted`` (the sandbox uids this test's runs used)."""
    found = []
    for proc in psutil.process_iter(["uids"]):
        owner = proc.info.get("uids")
        if owner and owner.real in wanted:
            found.append(proc)
    return found


def run_code(source: str, tests: list[str] | None = None,
             limits: Limits = ATTACK_LIMITS) -> RunResult:
    """Run ``source`` and ``tests`` (code strings) as a code job."""
    cases = [{"name": f"t{i}", "code": code} for i, code in enumerate(tests or ["pass"])]
    result = run_job({"kind": "code", "source": source, "tests": cases,
                      "test_seconds": limits.cpu_seconds}, limits)
    result.sent_tests = len(cases)  # type: ignore[attr-defined]
    return result


def verdicts(result: RunResult) -> list[tuple[bool, str]]:
    """(passed, message) per test as the learner sees it (tests never reached fail)."""
    count = getattr(result, "sent_tests", 0) or len([r for r in result.records if "test" in r])
    return [(r["passed"], r["message"])
            for r in results_from(result, [f"t{i}" for i in range(count)], visible=count)]


def fork_server_processes() -> set[int]:
    """The fork servers' own processes: bubblewrap outside, and pids 1 (bubblewrap's init)
    and 2 (the zygote) of the server's PID namespace. A run (pid 1 of a namespace nested
    one level deeper) is none of these."""
    pids: set[int] = set()
    for server in forkserver._SERVERS.values():
        if server._proc is None or server._proc.poll() is not None:
            continue
        pids.add(server._proc.pid)
        for child in psutil.Process(server._proc.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error, OSError):
                status = Path(f"/proc/{child.pid}/status").read_text()
                nspid = next(line.split()[1:] for line in status.splitlines()
                             if line.startswith("NSpid:"))
                if nspid[1:] in (["1"], ["2"]):
                    pids.add(child.pid)
    return pids


@contextlib.contextmanager
def unclaimed(wanted: set[int]) -> Iterator[set[int]]:
    """The uids of ``wanted`` that no process holds (their lock taken meanwhile)."""
    held: dict[int, int] = {}
    try:
        for uid in wanted:
            if (fd := uids.lock_uid(uid)) is not None:
                held[uid] = fd
        yield set(held)
    finally:
        for fd in held.values():
            os.close(fd)


@pytest.fixture()
def used_jails(monkeypatch) -> list[process.Jail]:
    """The jails runs went to, in order."""
    jails: list[process.Jail] = []
    run_in = process.run_in

    def recording(jail, job, limits, **options):
        jails.append(jail)
        return run_in(jail, job, limits, **options)

    monkeypatch.setattr(process, "run_in", recording)
    return jails


@pytest.fixture()
def fresh_jails() -> bool:
    """Whether the test's runs start a fresh jail each instead of going to the fork server
    (``test_attacks.py`` runs every attack both ways)."""
    return False


@pytest.fixture(autouse=True)
def nothing_left_behind(client, monkeypatch, fresh_jails) -> Iterator[None]:
    """Runs go to spares started before the test; after it (spares ended): no child of
    this process and no sandbox-uid process is left, and the app answers."""
    if fresh_jails:
        SPARES.discard()
        monkeypatch.setattr(forkserver, "try_start", lambda kind, uid, lock: None)
    used: set[int] = set()
    claim = uids.claim_uid

    def recording_claim() -> tuple[int, int]:
        uid, fd = claim()
        used.add(uid)
        return uid, fd

    monkeypatch.setattr(uids, "claim_uid", recording_claim)
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    assert SPARES.ready()  # so the test's runs go to spares, as in production
    yield
    SPARES.discard()  # and the spares started after its runs
    assert CLEANER.wait()  # the finished runs ended in the background
    deadline = time.monotonic() + 3
    while True:
        servers = fork_server_processes()  # long-lived; what runs in them is checked
        extra = [p for p in me.children(recursive=True) if p.pid not in before | servers]
        with unclaimed(used) as free:  # a uid another process's run or spare holds now
            jailed = sandbox_processes(free)  # is not a leftover of this test
        if (not extra and not jailed) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not extra, f"children left behind: {[p.pid for p in extra]}"
    assert not jailed, f"sandbox processes left behind: {[p.pid for p in jailed]}"
    assert client.get("/auth/login").status_code == 200
