"""Two checkouts served side by side under the same load, measured in alternating windows.

load.py's CPU per answer moves 10-30 % between runs on a shared machine, more than most
changes it is asked to judge. This serves checkout A and checkout B at once (gunicorn, 2
sync workers each, a fresh database each with code questions retired), gives each 16
learners, and lets only one side's learners run at a time: short windows, A B B A A B ...,
so drift in the machine's speed falls on both. It prints server CPU per answer (gunicorn's
user + system time; PostgreSQL's own is not counted) for every window and the median
ratio B / A.

    .venv/bin/python benchmarks/ab.py /tmp/old .                # B = this checkout
    .venv/bin/python benchmarks/ab.py /tmp/old . --db postgresql --rounds 8
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.loadkit import client  # noqa: E402
from benchmarks.loadkit.database import fresh_database  # noqa: E402
from benchmarks.loadkit.server import children  # noqa: E402
from benchmarks.loadkit.server import cpu_seconds  # noqa: E402
from benchmarks.loadkit.server import free_port  # noqa: E402

PASSWORD = "ab-test-passphrase-42"
PREPARE = ("import sys; from benchmarks.loadkit.database import prepare; "
           "prepare(sys.argv[1], sandboxed=False)")


class Side:
    """One checkout served by gunicorn on a database of its own."""

    def __init__(self, tree: Path, url: str) -> None:
        self.tree, self.port = tree, free_port()
        python = tree / ".venv" / "bin" / "python"
        subprocess.run([python, "-c", PREPARE, url], cwd=tree, check=True)  # noqa: S603
        env = {**os.environ, "QUIZAPP_ENV": "production", "SECRET_KEY": "ab-secret",
               "DATABASE_URL": url, "SESSION_COOKIE_SECURE": "0", "REQUEST_LOG": "logfmt",
               "AUTH_RATE_LIMIT": "100000 per minute", "GUNICORN_WORKERS": "2",
               "LOGIN_ACCOUNT_CLIENT_RATE_LIMIT": "100000 per minute",
               "GUNICORN_BIND": f"127.0.0.1:{self.port}", "PYTHONPATH": str(tree)}
        self.process = subprocess.Popen(  # noqa: S603  (our own gunicorn, fixed argv)
            [python.with_name("gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=tree,
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ready(self) -> None:
        deadline = time.monotonic() + 60
        while len(children(self.process.pid)) < 2 or not _healthy(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.tree} did not start")
            time.sleep(0.2)

    def cpu(self) -> float:
        pid = self.process.pid
        return cpu_seconds(pid, reaped=True) + sum(cpu_seconds(p) for p in children(pid))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _healthy(port: int) -> bool:
    try:
        return client.Browser("127.0.0.1", port, timeout=2).get("/healthz").status == 200
    except OSError:
        return False


def _learner(port: int, index: int, go, stop, answers, ready) -> None:
    """Sign up, then answer while this side's ``go`` is set, counting answers."""
    browser = client.Browser("127.0.0.1", port)
    client.sign_up_and_log_in(browser, f"ab{index}@example.com", PASSWORD)
    ready.release()
    path = client.start_quiz(browser)
    while not stop.is_set():
        if not go.wait(timeout=1.0):
            continue
        path, page = browser.follow(path)
        if "/summary" in path or page.status != 200 or "/feedback" in path:
            path = client.start_quiz(browser)
            continue
        action, fields = client.answer_fields(page.body)
        reply = browser.post(action, fields)
        feedback = browser.get(reply.location)
        with answers.get_lock():
            answers.value += 1
        link = client.CONTINUE.search(feedback.body)
        path = link.group(1).replace("&amp;", "&") if link else "/"
        if path == "/" or "/summary" in path:
            path = client.start_quiz(browser)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("a", type=Path, help="checkout A (the baseline)")
    parser.add_argument("b", type=Path, help="checkout B")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=12, help="A B pairs, in ABBA order")
    parser.add_argument("--seconds", type=float, default=5.0, help="per window")
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    with fresh_database(args.db, "ab_a") as url_a, fresh_database(args.db, "ab_b") as url_b:
        sides = [Side(args.a.resolve(), url_a), Side(args.b.resolve(), url_b)]
        try:
            measure(sides, args)
        finally:
            for side in sides:
                side.stop()


def measure(sides: list[Side], args: argparse.Namespace) -> None:
    for side in sides:
        side.ready()
    ctx = multiprocessing.get_context("fork")
    stop, ready = ctx.Event(), ctx.Semaphore(0)
    go = [ctx.Event(), ctx.Event()]
    counters = [ctx.Value("l", 0), ctx.Value("l", 0)]
    procs = [ctx.Process(target=_learner, args=(side.port, i, go[s], stop, counters[s], ready))
             for s, side in enumerate(sides) for i in range(args.clients)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.acquire(timeout=180)
    figures: list[list[float]] = [[], []]
    order = [s for r in range(args.rounds) for s in ((0, 1) if r % 2 == 0 else (1, 0))]
    for s in [0, 1, *order]:  # the first two windows warm both sides up, unmeasured
        go[1 - s].clear()
        go[s].set()
        time.sleep(1.0)  # the other side's last requests drain
        cpu, done = sides[s].cpu(), counters[s].value
        time.sleep(args.seconds)
        figures[s].append((sides[s].cpu() - cpu) * 1000 / max(1, counters[s].value - done))
    stop.set()
    go[0].set()
    go[1].set()
    for proc in procs:
        proc.join(timeout=30)
    for s, name in enumerate("AB"):
        runs = " ".join(f"{x:.2f}" for x in figures[s][1:])
        print(f"{name} {sides[s].tree}: {statistics.median(figures[s][1:]):.2f} ms/answer "
              f"(windows: {runs})")
    ratios = [b / a for a, b in zip(figures[0][1:], figures[1][1:], strict=True)]
    print(f"B / A server CPU per answer ({args.db}): median {statistics.median(ratios):.3f}, "
          f"range {min(ratios):.3f}-{max(ratios):.3f} over {len(ratios)} pairs")


if __name__ == "__main__":
    main()
