"""Fill a synced database with a cohort: 10,000 learners, 2,000 questions, 5M attempts.

Every learner has ``cards`` questions with ``attempts / users / cards`` attempts each; the
card rows agree with their attempts (reps = number of attempts, last_review = the last
attempt's time, due = its next_due, lapses = the wrong answers after the first) and every
topic-skill row counts its topic's attempts. Summary tables (question stats, daily
activity) are rebuilt from the attempts with INSERT ... SELECT when the schema has them.
Bulk paths: COPY on PostgreSQL, executemany in one transaction on SQLite.

    .venv/bin/python -m benchmarks.loadkit.generate sqlite:////tmp/large.db
"""

# ruff: noqa: S608  (SQL built from constant table and column names only)
from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text

PASSWORD = "large-database-password"
NOW = datetime.now(UTC).replace(microsecond=0)
GAPS_DAYS = (1, 3, 7, 16, 35, 70, 120)
CHUNK_USERS = 250


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class Writer:
    """Append rows to tables over one raw DBAPI connection (COPY or executemany)."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw, self.dialect = raw, dialect

    def value(self, item: Any) -> Any:
        if self.dialect == "sqlite":
            if isinstance(item, datetime):
                return _sqlite_time(item)
            if isinstance(item, bool):
                return int(item)
        return item

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in columns)
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            with cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                               [tuple(self.value(v) for v in row) for row in rows])
        cursor.close()


def _add_questions(conn: Any, target: int) -> list[tuple[int, int]]:
    """Copy bank questions (new uids, same texts) up to ``target``; return (id, topic_id)."""
    from quizapp.models import Question

    table = Question.__table__
    rows = conn.execute(select(table).order_by(table.c.id)).mappings().all()
    copies, k = [], 0
    while len(rows) + len(copies) < target:
        original = dict(rows[k % len(rows)])
        original.pop("id")
        original["uid"] = f"{original['uid']}-copy{k}"[:100]
        original["source"] = "generated"
        copies.append(original)
        k += 1
    if copies:
        conn.execute(table.insert(), copies)
    return [tuple(r) for r in conn.execute(text("SELECT id, topic_id FROM question"))]


def _learner_rows(user_id: int, questions: list[tuple[int, int]], cards: int, per_card: int,
                  rng: random.Random) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Attempts, cards and topic skills of one learner, consistent with each other."""
    attempts, card_rows, topics = [], [], {}
    for question_id, topic_id in rng.sample(questions, cards):
        moment = NOW - timedelta(days=260 - rng.uniform(0, 60), seconds=rng.randrange(86400))
        wrong_after_first, first = 0, moment
        for k in range(per_card):
            correct = rng.random() < 0.72
            gap = timedelta(days=GAPS_DAYS[min(k, len(GAPS_DAYS) - 1)] * (1 if correct else 0.3))
            seconds = rng.randint(5, 240)
            attempts.append((
                user_id, question_id, 1, f"g{user_id}q{question_id}n{k}", "0",
                1.0 if correct else 0.0, correct, seconds * 1000, 0, 3 if correct else 1,
                k == 0, moment + gap, moment))
            wrong_after_first += int(k > 0 and not correct)
            skill = topics.setdefault(topic_id, [0, 0.0, moment])
            skill[0] += 1
            skill[1] += 1.0 if correct else 0.0
            skill[2] = max(skill[2], moment)
            last, due = moment, moment + gap
            moment = min(due, NOW - timedelta(minutes=1))
        card_rows.append((user_id, question_id, 2, None, 3.0 + 10 * rng.random(),
                          4.0 + 3 * rng.random(), due, last, per_card, wrong_after_first, first))
    skills = [(user_id, topic_id, 1500.0 + 400 * (right / n - 0.5), max(60.0, 350 / n ** 0.5),
               0.06, n, updated) for topic_id, (n, right, updated) in topics.items()]
    return attempts, card_rows, skills


ATTEMPT_COLUMNS = ("user_id", "question_id", "question_version", "idempotency_key", "response",
                   "score", "correct", "duration_ms", "hints_used", "rating", "was_new",
                   "next_due", "created_at")
CARD_COLUMNS = ("user_id", "question_id", "state", "step", "stability", "difficulty", "due",
                "last_review", "reps", "lapses", "created_at")
SKILL_COLUMNS = ("user_id", "topic_id", "rating", "deviation", "volatility", "n", "updated_at")


def _users(writer: Writer, users: int) -> None:
    digest = PasswordHasher().hash(PASSWORD)
    rows = [(f"learner{i}@large.example", digest, f"Learner {i}", "user", 20, "UTC",
             NOW - timedelta(days=300)) for i in range(users)]
    writer.write("users", ("email", "password_hash", "display_name", "role", "daily_goal",
                           "timezone", "created_at"), rows)


def _chunks(user_ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(user_ids), CHUNK_USERS):
        yield user_ids[start:start + CHUNK_USERS]


def _summaries(conn: Any, dialect: str, tables: set[str]) -> None:
    """Rebuild per-question and per-day summary rows from the attempts."""
    day = "date(created_at)" if dialect == "sqlite" else "(created_at AT TIME ZONE 'UTC')::date"
    true = "1" if dialect == "sqlite" else "true"
    if "question_stats" in tables:
        from quizapp.core.calibration import QuestionRecord

        stats = conn.execute(text(
            f"SELECT a.question_id, count(*), sum(CASE WHEN a.was_new = {true} THEN 1 ELSE 0 "
            f"END), sum(CASE WHEN a.was_new = {true} AND a.correct = {true} THEN 1 ELSE 0 END), "
            "sum(a.duration_ms) / 1000.0, q.difficulty FROM attempt a JOIN question q "
            "ON q.id = a.question_id GROUP BY a.question_id, q.difficulty")).all()
        conn.execute(text("DELETE FROM question_stats"))
        conn.execute(text(
            "INSERT INTO question_stats (question_id, attempts, first_attempts, first_correct, "
            "total_seconds, rating, updated_at) VALUES (:q, :n, :f, :fc, :s, :r, :u)"),
            [{"q": q, "n": n, "f": f, "fc": fc, "s": float(s), "u": NOW,
              "r": QuestionRecord.fresh(d).rating} for q, n, f, fc, s, d in stats])
    if "daily_activity" in tables:
        conn.execute(text(
            f"INSERT INTO daily_activity (user_id, day, answers, correct, new, duration_ms) "
            f"SELECT user_id, {day}, count(*), sum(CASE WHEN correct = {true} THEN 1 ELSE 0 "
            f"END), sum(CASE WHEN was_new = {true} THEN 1 ELSE 0 END), sum(duration_ms) "
            f"FROM attempt GROUP BY user_id, {day}"))
    if "topic_day" in tables:
        a_day = day.replace("created_at", "a.created_at")
        conn.execute(text(
            "INSERT INTO topic_day (user_id, topic_id, day, answers, correct, duration_ms, "
            f"rating, deviation) SELECT a.user_id, q.topic_id, {a_day}, count(*), "
            f"sum(CASE WHEN a.correct = {true} THEN 1 ELSE 0 END), sum(a.duration_ms), "
            "1500.0, 350.0 FROM attempt a JOIN question q ON q.id = a.question_id "
            f"GROUP BY a.user_id, q.topic_id, {a_day}"))


def generate(url: str, users: int = 10_000, questions: int = 2_000,
             attempts: int = 5_000_000, cards: int = 100, seed: int = 7) -> dict[str, int]:
    """Fill ``url`` (schema created, bank synced) and return the row counts."""
    engine = create_engine(url)
    dialect = engine.dialect.name
    per_card = max(1, attempts // (users * cards))
    rng = random.Random(seed)
    with engine.begin() as conn:
        bank = _add_questions(conn, questions)
        writer = Writer(conn.connection.dbapi_connection, dialect)
        _users(writer, users)
        user_ids = [r[0] for r in conn.execute(
            text("SELECT id FROM users WHERE email LIKE '%@large.example' ORDER BY id"))]
        for chunk in _chunks(user_ids):
            batch: tuple[list, list, list] = ([], [], [])
            for user_id in chunk:
                for rows, out in zip(_learner_rows(user_id, bank, cards, per_card, rng), batch,
                                     strict=True):
                    out.extend(rows)
            writer.write("attempt", ATTEMPT_COLUMNS, batch[0])
            writer.write("card", CARD_COLUMNS, batch[1])
            writer.write("topic_skill", SKILL_COLUMNS, batch[2])
        _summaries(conn, dialect, set(inspect(conn).get_table_names()))
    with engine.connect() as conn:
        if dialect == "postgresql":
            # As after any bulk load: VACUUM sets the rows' hint bits and the visibility
            # map now; left to autovacuum (the inserts are far past its threshold), the
            # vacuum of 5 M attempts, 1 M cards and the skills would run within a minute,
            # in the measured windows. Only the tables the load filled: an empty table
            # analyzed as empty (quizzes, quiz items, logins) makes the learners' first
            # plans scan it, and the workers keep those plans while it fills (the quiz
            # page's read touched 115-136 buffers instead of 23), where a table never
            # analyzed is planned as a fresh deployment's is. The checkpoint writes the
            # load's dirty pages before the learners come.
            auto = conn.execution_options(isolation_level="AUTOCOMMIT")
            filled = ", ".join(f'"{name}"' for name in _filled(auto))
            auto.execute(text(f"VACUUM (ANALYZE) {filled}"))
            auto.execute(text("CHECKPOINT"))
        else:  # the same tables (SQLite's planner reads their statistics as it prepares)
            for name in _filled(conn):
                conn.execute(text(f'ANALYZE "{name}"'))
            conn.commit()
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                  for t in ("users", "question", "attempt", "card", "topic_skill")}
    engine.dispose()
    return counts


def _filled(conn: Any) -> list[str]:
    """The tables that hold rows."""
    return [name for name in inspect(conn).get_table_names()
            if conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")')).scalar()]


if __name__ == "__main__":
    started = time.monotonic()
    print(generate(sys.argv[1], attempts=int(sys.argv[2]) if len(sys.argv) > 2 else 5_000_000))
    print(f"{time.monotonic() - started:.0f} s")
