"""The rows one answer reads and writes, as a few prepared Core statements.

An answer reads the learner's card, topic skill and the question's stats in one statement,
and writes each back with one upsert. Per-learner rows (card, skill, day summaries) need no
row locks of their own: every answer of a learner first locks their one open quiz and the
item, so a learner's answers are serialised. Question stats are shared by every learner, so
they are written as increments (``attempts = attempts + 1``, ``rating = rating + delta``):
concurrent answers to one question add up instead of overwriting each other.

The statements are built and compiled once per dialect, with bind parameters, and run as
``prepared.Prepared`` statements: building a statement (and its cache key) cost more CPU than
running it, and this is the hottest write in the app.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Executable
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from quizapp.core import skill as skill_model
from quizapp.core.calibration import QuestionRecord
from quizapp.core.memory import MemoryState
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import DailyActivity
from quizapp.models import Question
from quizapp.models import QuestionStats
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models import TopicDay
from quizapp.models import TopicSkill
from quizapp.models import User
from quizapp.prepared import Prepared
from quizapp.prepared import run_together
from quizapp.services.quizzes import question_record

STATS_COUNTERS = ("rating", "attempts", "first_attempts", "first_correct", "total_seconds")
CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
               "lapses", "created_at")
SKILL_FIELDS = ("rating", "deviation", "volatility", "n", "updated_at")


@dataclass(frozen=True)
class AnswerRows:
    """What one answer starts from (fresh defaults where a row does not exist yet)."""

    memory: MemoryState
    reps: int
    lapses: int
    card_created: datetime | None
    skill: skill_model.Skill
    question: QuestionRecord
    timezone: str


def lock_and_read(item_id: int, user_id: int, question_id: int, topic_id: int,
                  difficulty: int) -> int | AnswerRows:
    """Lock the item and its quiz (PostgreSQL), then read the answer's rows: the item's
    attempt id if it was answered, else the rows (as ``read_rows``).

    The two go to PostgreSQL in one round trip, with the transaction's BEGIN
    (``prepared.run_together``): the read does not need the lock's result, and runs only
    once the lock is held, so it sees what a concurrent answer committed before.
    """
    locked, read = run_together([
        (STATEMENTS["lock_item"], {"item_id": item_id}),
        (STATEMENTS["read_rows"], {"user_id": user_id, "question_id": question_id,
                                   "topic_id": topic_id}),
    ])
    if locked and locked[0][0] is not None:
        return int(locked[0][0])
    if not read:
        raise RowsGone(f"no learner {user_id} or question {question_id}")
    return _answer_rows(read[0], difficulty)


def read_rows(user_id: int, question_id: int, topic_id: int,
              difficulty: int) -> AnswerRows:
    """Card, topic skill, question stats and the learner's timezone: one statement."""
    row = STATEMENTS["read_rows"].first({"user_id": user_id, "question_id": question_id,
                                         "topic_id": topic_id})
    if row is None:
        raise RowsGone(f"no learner {user_id} or question {question_id}")
    return _answer_rows(row, difficulty)


class RowsGone(LookupError):
    """The learner (or the question) no longer exists: deleted while the answer was graded."""


def _answer_rows(row: Any, difficulty: int) -> AnswerRows:
    """Card, topic skill, question stats and the learner's timezone, from one row."""
    memory = MemoryState() if row.state is None else MemoryState(
        row.state, row.step, row.stability, row.difficulty, row.due, row.last_review)
    skill = skill_model.Skill() if row.rating is None else skill_model.Skill(
        row.rating, row.deviation, row.volatility, row.n)
    question = question_record(
        row.q_rating, row.attempts, row.first_attempts, row.first_correct, row.total_seconds,
    ) or QuestionRecord.fresh(difficulty)
    return AnswerRows(memory, row.reps or 0, row.lapses or 0, row.created_at, skill, question,
                      row.timezone or "UTC")


def card_params(user_id: int, question_id: int, rows: AnswerRows, after: MemoryState,
                lapsed: bool, now: datetime) -> dict[str, Any]:
    """The card's row after this answer (the ``card`` upsert's parameters)."""
    return {
        "user_id": user_id, "question_id": question_id, "state": after.state,
        "step": after.step, "stability": after.stability, "difficulty": after.difficulty,
        "due": after.due or now, "last_review": after.last_review, "reps": rows.reps + 1,
        "lapses": rows.lapses + (1 if lapsed else 0), "created_at": rows.card_created or now,
    }


def skill_params(user_id: int, topic_id: int, after: skill_model.Skill,
                 now: datetime) -> dict[str, Any]:
    """The topic skill's row after this answer (the ``skill`` upsert's parameters)."""
    return {"user_id": user_id, "topic_id": topic_id, "rating": after.rating,
            "deviation": after.deviation, "volatility": after.volatility, "n": after.n,
            "updated_at": now}


def stats_params(question_id: int, rows: AnswerRows, after: QuestionRecord,
                 now: datetime) -> dict[str, Any]:
    """The question's stats: the row for its first answer, and this answer's change.

    The change is added, never overwritten: a concurrent answer by another learner (or a
    concurrent first insert) keeps its own contribution.
    """
    before = rows.question
    params: dict[str, Any] = {"question_id": question_id, "updated_at": now}
    for name in STATS_COUNTERS:
        params[name] = getattr(after, name)
        params[f"d_{name}"] = getattr(after, name) - getattr(before, name)
    return params


def _insert_for(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _upsert(dialect: str, model: Any, key: Sequence[str], overwrite: Sequence[str],
            add: Sequence[str] = (), prefix: str = "") -> Executable:
    """INSERT every column from bind parameters of the same name (after ``prefix``); on
    conflict overwrite ``overwrite`` and add the new row's ``add`` columns to the stored ones."""
    table = model.__table__
    stmt = _insert_for(dialect)(table).values(
        {name: bindparam(prefix + name) for name in (*key, *overwrite, *add)})
    updates: dict[str, Any] = {name: stmt.excluded[name] for name in overwrite}
    updates.update({name: table.c[name] + stmt.excluded[name] for name in add})
    return stmt.on_conflict_do_update(index_elements=list(key), set_=updates)


def _stats_upsert(dialect: str, prefix: str = "") -> Executable:
    table = QuestionStats.__table__
    stmt = _insert_for(dialect)(table).values(
        {name: bindparam(prefix + name)
         for name in ("question_id", "updated_at", *STATS_COUNTERS)})
    updates: dict[str, Any] = {name: table.c[name] + bindparam(f"{prefix}d_{name}")
                               for name in STATS_COUNTERS}
    updates["updated_at"] = stmt.excluded.updated_at
    return stmt.on_conflict_do_update(index_elements=["question_id"], set_=updates)


# What an answer reads besides its page: the card, the topic skill, the question's stats and
# the learner's time zone, outer-joined (``_read_rows``, or the answer page's login check:
# ``quiz_pages``), in this order.
READ_COLUMNS = (Card.state, Card.step, Card.stability, Card.difficulty, Card.due,
                Card.last_review, Card.reps, Card.lapses, Card.created_at,
                TopicSkill.rating, TopicSkill.deviation, TopicSkill.volatility, TopicSkill.n,
                QuestionStats.rating.label("q_rating"), QuestionStats.attempts,
                QuestionStats.first_attempts, QuestionStats.first_correct,
                QuestionStats.total_seconds, User.timezone)
ReadRow = collections.namedtuple(  # type: ignore[misc]
    "ReadRow", [column.key for column in READ_COLUMNS])


def join_read_columns(statement: Any, user_id: Any, question_id: Any, topic_id: Any) -> Any:
    """``statement`` (which selects from ``User``) with ``READ_COLUMNS`` added: the learner
    ``user_id``'s rows for question ``question_id`` of topic ``topic_id``."""
    return (statement.add_columns(*READ_COLUMNS)
            .outerjoin(Card, and_(Card.user_id == user_id, Card.question_id == question_id))
            .outerjoin(TopicSkill, and_(TopicSkill.user_id == user_id,
                                        TopicSkill.topic_id == topic_id))
            .outerjoin(QuestionStats, QuestionStats.question_id == question_id))


def rows_from(values: Sequence[Any], difficulty: int) -> AnswerRows:
    """The ``AnswerRows`` in ``READ_COLUMNS``' values (read with the answer page)."""
    return _answer_rows(ReadRow._make(values), difficulty)


def _read_rows() -> Executable:
    question_id = bindparam("question_id")
    base = select().select_from(User).join(Question, Question.id == question_id)
    return join_read_columns(base, User.id, Question.id, bindparam("topic_id")).where(
        User.id == bindparam("user_id"))


ATTEMPT_COLUMNS = ("user_id", "question_id", "question_version", "quiz_id", "idempotency_key",
                   "response", "score", "correct", "duration_ms", "hints_used", "rating",
                   "was_new", "next_due", "created_at")
# An answer's writes, in the order they run one by one (``answer_batch``).
WRITES = ("card", "skill", "stats", "again", "attempt", "link", "finish", "day", "topic_day")


def write_statement(dialect: str, name: str, prefix: str = "") -> Executable:
    """One of an answer's writes, its bind parameters named ``prefix`` + column."""
    def p(param: str) -> Any:
        return bindparam(prefix + param)

    if name == "card":
        return _upsert(dialect, Card, ("user_id", "question_id"), CARD_FIELDS, prefix=prefix)
    if name == "skill":
        return _upsert(dialect, TopicSkill, ("user_id", "topic_id"), SKILL_FIELDS, prefix=prefix)
    if name == "stats":
        return _stats_upsert(dialect, prefix)
    if name == "attempt":
        return insert(Attempt).values({c: p(c) for c in ATTEMPT_COLUMNS}).returning(Attempt.id)
    if name == "again":
        return insert(QuizItem).values({c: p(c) for c in ("quiz_id", "position", "question_id",
                                                          "kind")})
    if name == "link":
        return update(QuizItem).where(QuizItem.id == p("item_id")).values(
            attempt_id=p("new_attempt_id"))
    if name == "finish":  # the quiz's last open item was just answered (not yet linked)
        other_open = select(QuizItem.id).where(
            QuizItem.quiz_id == p("quiz_id"), QuizItem.attempt_id.is_(None),
            QuizItem.id != p("item_id")).exists()
        return update(Quiz).where(Quiz.id == p("quiz_id"), ~other_open).values(
            finished_at=p("now"))
    if name == "day":
        return _upsert(dialect, DailyActivity, ("user_id", "day"), (),
                       ("answers", "correct", "new", "duration_ms"), prefix)
    if name == "topic_day":
        return _upsert(dialect, TopicDay, ("user_id", "topic_id", "day"),
                       ("rating", "deviation"), ("answers", "correct", "duration_ms"), prefix)
    raise KeyError(name)


@functools.cache  # every name's Prepared builds from it: built once per dialect
def _statements(dialect: str) -> dict[str, Executable]:
    return {
        "lock_item": select(QuizItem.attempt_id).join(Quiz, Quiz.id == QuizItem.quiz_id)
        .where(QuizItem.id == bindparam("item_id")).with_for_update(),
        "read_rows": _read_rows(),
        **{name: write_statement(dialect, name) for name in WRITES},
    }


def _one(name: str) -> Callable[[str], Executable]:
    return lambda dialect: _statements(dialect)[name]


# The statements, compiled for each dialect the first time they run there.
STATEMENTS: dict[str, Prepared] = {
    name: Prepared(_one(name))
    for name in ("lock_item", "read_rows", "card", "skill", "stats", "attempt", "again", "link",
                 "finish", "day", "topic_day")
}
