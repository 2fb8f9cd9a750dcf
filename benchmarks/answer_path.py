"""Answer path and dashboard: time per request and SQL statements per request.

Baseline, measured in the same run: one bare INSERT of an attempt row plus COMMIT (the least
any recorded answer can cost). Prints ratios against it. Runs on a temporary SQLite file by
default; set BENCH_DATABASE_URL for PostgreSQL.

    .venv/bin/python benchmarks/answer_path.py [--answers 300]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event
from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quizapp import create_app  # noqa: E402
from quizapp.bank.loader import load_bank  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import Attempt  # noqa: E402
from quizapp.services import accounts  # noqa: E402
from quizapp.services import answers  # noqa: E402
from quizapp.services import quizzes  # noqa: E402
from quizapp.services import reports  # noqa: E402
from quizapp.services.bank_sync import sync_bank  # noqa: E402
from tests.integration.helpers import right_answer  # noqa: E402

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


class StatementCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._hit)

    def _hit(self, *args) -> None:
        self.count += 1


def baseline(user_id: int, question_id: int, n: int) -> list[float]:
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        db.session.add(Attempt(
            user_id=user_id, question_id=question_id, question_version=1,
            idempotency_key=f"base{i}", response=0, score=1.0, correct=True, duration_ms=1,
            hints_used=0, rating=3, was_new=False, next_due=START, created_at=START))
        db.session.commit()
        times.append(time.perf_counter() - t0)
    return times


def answer_many(user, n: int, counter: StatementCounter) -> tuple[list[float], list[int]]:
    rng = random.Random(1)
    times, statements, now = [], [], START
    while len(times) < n:
        quiz = quizzes.start_daily_review(user, now, rng, extra=True)
        if quiz is None:
            now += timedelta(days=1)
            continue
        for item in quiz.items:
            shown, now = now, now + timedelta(seconds=40)
            form = MultiDict(right_answer(item.question))
            before = counter.count
            t0 = time.perf_counter()
            answers.record_answer(quiz, item, form, f"{item.id:032x}", 0, now, rng,
                                  item.question.version, shown_at=shown)
            times.append(time.perf_counter() - t0)
            statements.append(counter.count - before)
        now += timedelta(hours=20)
    return times[:n], statements[:n]


def dashboard_cost(user, counter: StatementCounter, n: int = 50) -> tuple[list[float], int]:
    times = []
    before = counter.count
    for _ in range(n):
        t0 = time.perf_counter()
        reports.dashboard(user, START + timedelta(days=30), None)
        times.append(time.perf_counter() - t0)
    return times, (counter.count - before) // n


def ms(values: list[float]) -> str:
    return (f"median {statistics.median(values) * 1000:.2f} ms, "
            f"p95 {sorted(values)[int(len(values) * 0.95) - 1] * 1000:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.drop_all()
            db.create_all()
            report = sync_bank(load_bank(ROOT / "questions"), START)
            user = accounts.register_user("bench@example.com", "bench-password", "B", START)
            counter = StatementCounter(db.engine)
            answer_times, statements = answer_many(user, args.answers, counter)
            base = baseline(user.id, 1, args.answers)
            dash_times, dash_statements = dashboard_cost(user, counter)
            print(f"database: {db.engine.dialect.name}; bank: {len(report.added)} questions")
            print(f"baseline insert+commit: {ms(base)}")
            print(f"record_answer:          {ms(answer_times)}; "
                  f"{statistics.median(answer_times) / statistics.median(base):.1f}x baseline")
            print(f"statements per answer:  median {statistics.median(statements):.0f}, "
                  f"max {max(statements)} (constant: does not grow with history)")
            print(f"dashboard:              {ms(dash_times)}; {dash_statements} statements; "
                  f"{statistics.median(dash_times) / statistics.median(base):.1f}x baseline")
            db.drop_all()


if __name__ == "__main__":
    main()
