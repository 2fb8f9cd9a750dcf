"""Dashboard and topic page with a long history: time per request and SQL statements.

Builds a learner with 100,000 attempts over 2 years on 2,000 questions (bulk inserts, with
the day summaries the answer path maintains) and an interview in 60 days, then requests
the dashboard, a topic page and, as a baseline, the settings page (a simple logged-in page)
through the test client.
Runs on a temporary SQLite file, then on PostgreSQL when reachable (BENCH_PG_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/test, in its own schema). The last line gives
the SQLite medians.

    .venv/bin/python benchmarks/dashboard.py [--attempts 100000] [--repeat 15]
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

from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quizapp import create_app  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import Attempt  # noqa: E402
from quizapp.models import Card  # noqa: E402
from quizapp.models import DailyActivity  # noqa: E402
from quizapp.models import Question  # noqa: E402
from quizapp.models import Topic  # noqa: E402
from quizapp.models import TopicDay  # noqa: E402
from quizapp.models import TopicSkill  # noqa: E402
from quizapp.services import accounts  # noqa: E402
from quizapp.services import bank_sync  # noqa: E402
from tests.conftest import make_config  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
DOMAINS = ("ml", "math", "coding", "design")
TOPICS = 40
QUESTIONS = 2000
DAYS = 730
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_dashboard"


def build(attempts: int, rng: random.Random) -> int:
    """Insert the bank and one learner's history; return the learner's id."""
    user = accounts.register_user("bench@example.com", "a-long-password", "Bench", NOW)
    user.interview_date = (NOW + timedelta(days=60)).date()  # the dashboard plans 60 days
    user_id = user.id
    start = NOW - timedelta(days=DAYS)
    db.session.execute(insert(Topic), [
        {"id": t + 1, "slug": f"topic-{t + 1}", "domain": DOMAINS[t % 4],
         "title": f"Topic {t + 1}", "description": ""} for t in range(TOPICS)])
    db.session.execute(insert(Question), [
        {"id": q + 1, "uid": f"q-{q + 1}", "topic_id": q % TOPICS + 1, "type": "mcq",
         "difficulty": q % 5 + 1, "expected_seconds": 60, "body_md": f"Question {q + 1}?",
         "explanation_md": "Because.", "hint_md": None,
         "payload": {"choices": [{"text": "a", "correct": True}, {"text": "b"}]},
         "tags": [], "content_hash": f"{q:064x}", "version": 1, "source": "bench.yaml",
         "created_at": start, "updated_at": start, "retired_at": None}
        for q in range(QUESTIONS)])
    rows, daily, topic_days = [], {}, {}
    for i in range(attempts):
        moment = start + timedelta(seconds=int(i * DAYS * 86400 / attempts))
        question = rng.randrange(QUESTIONS) + 1
        right = rng.random() < 0.75
        rows.append({
            "user_id": user_id, "question_id": question, "question_version": 1,
            "quiz_id": None, "idempotency_key": f"k{i}", "response": 0,
            "score": 1.0 if right else 0.0, "correct": right, "duration_ms": 30000,
            "hints_used": 0, "confidence": None, "rating": 3 if right else 1,
            "was_new": False, "next_due": moment, "created_at": moment})
        day = moment.date()
        d = daily.setdefault(day, [0, 0, 0])
        d[0], d[1], d[2] = d[0] + 1, d[1] + right, d[2] + 30000
        t = topic_days.setdefault(((question - 1) % TOPICS + 1, day), [0, 0, 0])
        t[0], t[1], t[2] = t[0] + 1, t[1] + right, t[2] + 30000
        if len(rows) == 10000:
            db.session.execute(insert(Attempt), rows)
            rows = []
    if rows:
        db.session.execute(insert(Attempt), rows)
    _summaries(user_id, daily, topic_days, rng)
    db.session.commit()
    bank_sync.refresh_statistics()  # as a bank sync leaves the question table
    return user_id


def _summaries(user_id: int, daily: dict, topic_days: dict, rng: random.Random) -> None:
    db.session.execute(insert(DailyActivity), [
        {"user_id": user_id, "day": day, "answers": a, "correct": c, "new": 3,
         "duration_ms": ms} for day, (a, c, ms) in daily.items()])
    db.session.execute(insert(TopicDay), [
        {"user_id": user_id, "topic_id": tid, "day": day, "answers": a, "correct": c,
         "duration_ms": ms, "rating": 1400 + rng.random() * 300, "deviation": 60.0}
        for (tid, day), (a, c, ms) in topic_days.items()])
    db.session.execute(insert(Card), [
        {"user_id": user_id, "question_id": q + 1, "state": 2, "step": None,
         "stability": rng.uniform(2, 200), "difficulty": 5.0,
         "due": NOW + timedelta(days=rng.uniform(-3, 60)),
         "last_review": NOW - timedelta(days=rng.uniform(0, 30)), "reps": 10, "lapses": 1,
         "created_at": NOW - timedelta(days=DAYS)} for q in range(QUESTIONS)])
    db.session.execute(insert(TopicSkill), [
        {"user_id": user_id, "topic_id": t + 1, "rating": 1350 + 10 * t, "deviation": 60.0,
         "volatility": 0.06, "n": 2500, "updated_at": NOW} for t in range(TOPICS)])


def measure(client, path: str, repeat: int, engine) -> tuple[float, int]:
    """Median milliseconds and statements per request for ``path``."""
    counter = {"n": 0}

    def hit(*_args: object) -> None:
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", hit)
    times, statements = [], []
    for _ in range(repeat):
        before = counter["n"]
        t0 = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        statements.append(counter["n"] - before)
        assert response.status_code == 200, (path, response.status_code)
    event.remove(engine, "before_cursor_execute", hit)
    return statistics.median(times), max(statements)


def run(url: str, options: dict, label: str, args: argparse.Namespace) -> dict[str, float]:
    app = create_app(make_config(url, options, TESTING=False))
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        build(args.attempts, random.Random(7))
        print(f"[{label}] built {args.attempts} attempts, {QUESTIONS} questions in "
              f"{time.perf_counter() - t0:.1f} s")
        client = app.test_client()
        client.post("/auth/login", data={"email": "bench@example.com",
                                         "password": "a-long-password"})
        results = {}
        for name, path in (("baseline (settings page)", "/settings"), ("dashboard", "/"),
                           ("topic page", "/progress/topic/topic-1")):
            client.get(path)  # warm caches
            ms, statements = measure(client, path, args.repeat, db.engine)
            results[name] = ms
            ratio = ms / results["baseline (settings page)"]
            print(f"[{label}] {name:26s} {ms:7.1f} ms  {statements:3d} statements  "
                  f"x{ratio:.1f} baseline")
        breakdown(label, args.repeat)
        db.session.remove()
        db.engine.dispose()
    return results


def breakdown(label: str, repeat: int) -> None:
    """Median time of each read model the dashboard calls, to show where the time goes."""
    from quizapp.core.clock import utcnow
    from quizapp.models import User
    from quizapp.services import mode_reports
    from quizapp.services import progress
    from quizapp.services import quizzes
    from quizapp.services import reports
    from quizapp.services import topic_pages

    user = db.session.scalars(select(User)).one()
    now = utcnow()
    parts = {
        "progress.dashboard": lambda: progress.dashboard(user, now),
        "reports.dashboard": lambda: reports.dashboard(user, now,
                                                       quizzes.unfinished_quiz(user.id)),
        "mode_reports.practice_card": lambda: mode_reports.practice_card(user, now),
        "topic_pages.topic_page": lambda: topic_pages.topic_page(user.id, "topic-1", now),
    }
    for name, call in parts.items():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1000)
        print(f"[{label}]   of which {name:28s} {statistics.median(times):7.1f} ms")


def postgres_options() -> dict | None:
    try:
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        admin.dispose()
    except Exception as exc:  # any connection problem means "skip PostgreSQL"
        print(f"[postgres] not reachable ({type(exc).__name__}); skipped")
        return None
    return {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}


def drop_postgres_schema() -> None:
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if (options := postgres_options()) is not None:
        try:
            run(PG_URL, options, "postgres", args)
        finally:
            drop_postgres_schema()
    with tempfile.TemporaryDirectory() as tmp:
        results = run(f"sqlite:///{tmp}/bench.db", {}, "sqlite", args)
    print(f"dashboard: {results['dashboard']:.1f} ms, topic page: {results['topic page']:.1f} ms")


if __name__ == "__main__":
    main()
