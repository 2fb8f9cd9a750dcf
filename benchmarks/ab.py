"""Two checkouts served side by side under the same load, measured in alternating windows.

load.py's CPU per answer moves 10-30 % between runs on a shared machine, more than most
changes it is asked to judge. This serves checkout A and checkout B at once (gunicorn, 2
sync workers each, a fresh database each with code questions retired unless --with-code,
``--env-a``/``--env-b`` for each side's environment), gives each 16 learners, and lets only
one side's learners run at a time: short windows, A B B A A B ...,
so drift in the machine's speed falls on both. It prints server CPU per answer (gunicorn's
user + system time; PostgreSQL's own is not counted) for every window and the median
ratio B / A.

    .venv/bin/python benchmarks/ab.py /tmp/old .                # B = this checkout
    .venv/bin/python benchmarks/ab.py /tmp/old . --db postgresql --rounds 8
    .venv/bin/python benchmarks/ab.py . . --with-code --env-b QUIZAPP_SANDBOX_SPARES=0
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import quizapp_env  # noqa: E402
from benchmarks.loadkit import alternate  # noqa: E402
from benchmarks.loadkit import client  # noqa: E402
from benchmarks.loadkit.database import fresh_database  # noqa: E402
from benchmarks.loadkit.server import Gunicorn  # noqa: E402

PASSWORD = "ab-test-passphrase-42"
# each checkout builds its own schema (the two may differ)
PREPARE = ("import sys; from benchmarks.loadkit.database import prepare; "
           "prepare(sys.argv[1], sandboxed=sys.argv[2] == 'code')")


def _sign_up(browser: client.Browser, index: int) -> None:
    client.sign_up_and_log_in(browser, f"ab{index}@example.com", PASSWORD)


def _side(tree: Path, url: str, stack: ExitStack, code: bool,
          env: dict[str, str]) -> alternate.Side:
    python = tree / ".venv" / "bin" / "python"
    subprocess.run([python, "-c", PREPARE, url, "code" if code else "-"],  # noqa: S603
                   cwd=tree, check=True)
    server = Gunicorn("wsgi:app", {**quizapp_env(url), **env}, root=tree)
    stack.callback(server.stop)
    return alternate.Side(str(tree), server, _sign_up, client.run_learner)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("a", type=Path, help="checkout A (the baseline)")
    parser.add_argument("b", type=Path, help="checkout B")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=12, help="A B pairs, in ABBA order")
    parser.add_argument("--seconds", type=float, default=5.0, help="per window")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--with-code", action="store_true",
                        help="keep the code and SQL questions (answers run in the sandbox)")
    for side in "ab":
        parser.add_argument(f"--env-{side}", action="append", default=[], metavar="NAME=VALUE",
                            help=f"an environment variable for checkout {side.upper()}'s server")
    args = parser.parse_args()
    envs = [dict(item.split("=", 1) for item in items) for items in (args.env_a, args.env_b)]
    with ExitStack() as stack:
        sides = [_side(tree.resolve(), stack.enter_context(fresh_database(args.db, name)),
                       stack, args.with_code, env)
                 for tree, name, env in ((args.a, "ab_a", envs[0]), (args.b, "ab_b", envs[1]))]
        for side in sides:
            side.server.wait_ready("/healthz", timeout=60)
        alternate.run(sides, args.clients, args.seconds, args.seconds * args.rounds,
                      args.rounds)
    figures = [side.per_window() for side in sides]
    for name, side, windows in zip("AB", sides, figures, strict=True):
        runs = " ".join(f"{x:.2f}" for x in windows)
        print(f"{name} {side.label}: {statistics.median(windows):.2f} ms/answer "
              f"(windows: {runs})")
    # a window where a side measured nothing (its server stalled, or no CPU tick fell in
    # it) has no ratio: it is left out and counted, not divided by
    pairs = [(a, b) for a, b in zip(*figures, strict=True) if a > 0 and b > 0]
    if not pairs:
        raise SystemExit("no window measured both sides: see the servers' logs")
    ratios = [b / a for a, b in pairs]
    skipped = len(figures[0]) - len(pairs)
    print(f"B / A server CPU per answer ({args.db}): median {statistics.median(ratios):.3f}, "
          f"range {min(ratios):.3f}-{max(ratios):.3f} over {len(ratios)} pairs"
          + (f" ({skipped} left out: a side measured nothing)" if skipped else ""))


if __name__ == "__main__":
    main()
