"""Load benchmark: gunicorn (2 sync workers) under 16 learners, against a bare-Flask floor.

Each learner registers through the HTML forms, logs in, and loops GET question -> POST answer
-> GET feedback on a fresh database holding the full bank. The floor is a bare Flask app
answering 3 x GET /hello per "answer" with the same gunicorn settings, measured in the same
run: every server runs at once, each with its own 16 learners, and they take turns in short
windows (floor, SQLite, PostgreSQL, then the reverse, ...; ``loadkit/alternate.py``), so the
machine's drift falls on all of them. Server CPU is the gunicorn master's and workers' user
+ system time from /proc over a server's windows (the load clients' own CPU is excluded; so
is PostgreSQL's).

    .venv/bin/python benchmarks/load.py                      # SQLite and PostgreSQL
    .venv/bin/python benchmarks/load.py --db sqlite --seconds 30
    .venv/bin/python benchmarks/load.py --large              # on the 10k-learner database
    .venv/bin/python benchmarks/load.py --skeleton           # and the stack's skeleton apps

Goals (issue 12): >= 0.25x the floor (about 8 ms server CPU per answer), answer POST
p99 < 50 ms at 16 clients, worker RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.loadkit import alternate  # noqa: E402
from benchmarks.loadkit import client  # noqa: E402
from benchmarks.loadkit.database import fresh_database  # noqa: E402
from benchmarks.loadkit.database import prepare  # noqa: E402
from benchmarks.loadkit.server import Gunicorn  # noqa: E402

PASSWORD = "load-test-passphrase-42"


@dataclass
class Figures:
    label: str
    cpu_ms: float
    answers: int
    seconds: float
    p50_ms: float
    p99_ms: float
    rss_mb: list[float]
    errors: list[str]
    locked: int = 0
    code_answers: int = 0
    code_p50_ms: float = float("nan")
    code_p99_ms: float = float("nan")
    machine_ms: float = float("nan")  # every process's CPU per answer, clients included

    @property
    def per_second(self) -> float:
        return self.answers / self.seconds


def _log_in(existing: bool) -> Callable[[client.Browser, int], None]:
    """How learner ``index`` logs in: a generated one with 500 answers of history on the
    large database (through the form), else a new one signing up first."""

    def log_in(browser: client.Browser, index: int) -> None:
        if existing:
            from benchmarks.loadkit.generate import PASSWORD as LARGE_PASSWORD

            client.log_in(browser, f"learner{index * 7}@large.example", LARGE_PASSWORD)
        else:
            client.sign_up_and_log_in(browser, f"learner{index}@example.com", PASSWORD)

    return log_in


def _no_log_in(_browser: client.Browser, _index: int) -> None:
    """The floor's learners need no account."""


def _skeleton_log_in(browser: client.Browser, index: int) -> None:
    """The skeleton's learners are logged in by a link (no password hashing to wait for)."""
    if browser.get(f"/login/{index + 1}").status != 302:
        raise client.LoadError("the skeleton app did not log the learner in")


def figures(side: alternate.Side, log: Path | None = None) -> Figures:
    """A side's figures over its measured windows."""
    stats = side.stats
    answers = sum(r.answers for r in stats)
    latencies = sorted(x for r in stats for x in r.post_seconds)
    code = sorted(x for r in stats for x in r.code_seconds)
    locked = log.read_text(errors="replace").count("database is locked") if log else 0
    return Figures(
        label=side.label, cpu_ms=side.cpu_seconds * 1000 / max(answers, 1),
        answers=answers, seconds=side.window_seconds,
        p50_ms=_quantile(latencies, 0.50) * 1000, p99_ms=_quantile(latencies, 0.99) * 1000,
        rss_mb=side.server.worker_rss_mb(), errors=[e for r in stats for e in r.errors],
        locked=locked, code_answers=len(code),
        code_p50_ms=_quantile(code, 0.50) * 1000, code_p99_ms=_quantile(code, 0.99) * 1000,
        machine_ms=side.busy_seconds * 1000 / max(answers, 1),
    )


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def quizapp_env(url: str) -> dict[str, str]:
    return {"QUIZAPP_ENV": "production", "SECRET_KEY": "load-benchmark-secret",
            "DATABASE_URL": url, "SESSION_COOKIE_SECURE": "0", "REQUEST_LOG": "logfmt",
            "AUTH_RATE_LIMIT": "100000 per minute",
            "LOGIN_ACCOUNT_CLIENT_RATE_LIMIT": "100000 per minute"}


def report(floor: Figures, rows: list[Figures]) -> None:
    print(f"\n{'setup':<44} {'CPU/answer':>11} {'vs floor':>9} {'answers/s':>10} "
          f"{'POST p50/p99':>16} {'RSS/worker':>14} errors")
    for row in [floor, *rows]:
        ratio = floor.cpu_ms / row.cpu_ms if row.cpu_ms else float("nan")
        rss = "/".join(f"{x:.0f}" for x in row.rss_mb) + " MB"
        latency = "-" if row is floor else f"{row.p50_ms:.1f}/{row.p99_ms:.1f} ms"
        print(f"{row.label:<44} {row.cpu_ms:>8.2f} ms {ratio:>8.2f}x {row.per_second:>10.1f} "
              f"{latency:>16} {rss:>14} {len(row.errors)}"
              + (f" ({row.locked} 'database is locked' in the log)" if row.locked else ""))
    for row in [floor, *rows]:
        print(f"  {row.label}: the whole machine (clients, database and jails included) spent "
              f"{row.machine_ms:.2f} ms CPU per answer")
    for row in rows:
        if row.label.startswith("stack skeleton"):
            continue
        share = row.code_answers / max(row.answers, 1)
        print(f"  {row.label}: {row.code_answers} code answers ({share:.0%}) ran in the "
              f"sandbox, POST p50/p99 {row.code_p50_ms:.0f}/{row.code_p99_ms:.0f} ms (not in "
              "the POST column; the jailed processes' CPU is not in CPU/answer)")
        for error in sorted(set(row.errors))[:5]:
            print(f"  {row.label}: {error}")
    print("goals: >= 0.25x the floor, POST p99 < 50 ms, RSS < 150 MB per worker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (more than 1: gthread workers)")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="measured time per server, in --rounds windows")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--large", action="store_true",
                        help="10,000 learners, 2,000 questions, 5M attempts before the run")
    parser.add_argument("--attempts", type=int, default=5_000_000, help="with --large")
    parser.add_argument("--without-code", action="store_true",
                        help="retire the code and SQL questions (no sandbox runs)")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this folder")
    parser.add_argument("--skeleton", action="store_true",
                        help="also measure loadkit/skeleton_app.py: the least an app on the "
                             "same stack does per loop (one read per page, one INSERT)")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    with tempfile.TemporaryDirectory(prefix="quizapp-load-") as tmp, ExitStack() as stack:
        logs = args.logs or Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        floor = Gunicorn("benchmarks.loadkit.floor_app:app", {}, workers=args.workers,
                         threads=args.threads)
        stack.callback(floor.stop)
        sides = [alternate.Side("bare Flask, 3 x GET /hello", floor, _no_log_in,
                                client.run_floor)]
        skeletons = [("ORM", "orm"), ("raw SQL", "raw")] if args.skeleton else []
        for name, store in skeletons:
            folder = Path(tmp) / f"skeleton-{store}"
            folder.mkdir()
            skeleton = Gunicorn("benchmarks.loadkit.skeleton_app:app",
                                {"SKELETON_DIR": str(folder), "SKELETON_STORE": store},
                                workers=args.workers, threads=args.threads)
            stack.callback(skeleton.stop)
            sides.append(alternate.Side(f"stack skeleton, {name} (SQLite)", skeleton,
                                        _skeleton_log_in, client.run_learner))
        for kind in kinds:
            url = stack.enter_context(fresh_database(kind, "large" if args.large else "load"))
            questions = prepare(url, sandboxed=not args.without_code)
            label = f"quizapp on {kind} ({questions} questions)"
            if args.large:
                from benchmarks.loadkit.generate import generate

                started = time.monotonic()
                counts = generate(url, attempts=args.attempts)
                print(f"{kind}: generated {counts} in {time.monotonic() - started:.0f} s")
                label = f"quizapp on {kind}, large db, old learners"
            server = Gunicorn("wsgi:app", quizapp_env(url), workers=args.workers,
                              threads=args.threads, log=logs / f"{kind}.log")
            stack.callback(server.stop)
            sides.append(alternate.Side(label, server, _log_in(args.large), client.run_learner))
        for side in sides:
            side.server.wait_ready("/healthz")
        alternate.run(sides, args.clients, args.warmup, args.seconds, args.rounds)
        apps = sides[1 + len(skeletons):]
        rows = [figures(side) for side in sides[1:1 + len(skeletons)]] + [
            figures(side, logs / f"{kind}.log") for side, kind in zip(apps, kinds, strict=True)]
        report(figures(sides[0]), rows)
    kind = "sync" if args.threads == 1 else f"gthread ({args.threads} threads each)"
    print(f"({args.clients} clients per server, {args.workers} {kind} workers; each server "
          f"measured {args.seconds:.0f} s in {args.rounds} windows alternating with the "
          f"others', after {args.warmup:.0f} s warm-up; PostgreSQL's own CPU not counted; "
          f"Python {platform.python_version()} at {os.path.realpath(sys.executable)})")


if __name__ == "__main__":
    main()
