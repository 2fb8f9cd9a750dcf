"""Maintain the per-day summary rows in the answer transaction (no commit here)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from quizapp.core import skill as skill_model
from quizapp.extensions import db
from quizapp.models import DailyActivity
from quizapp.models import TopicDay
from quizapp.models import TopicSkill
from quizapp.models import User


def local_day(now: datetime, timezone: str) -> date:
    """The learner's calendar day at the instant ``now``."""
    return now.astimezone(ZoneInfo(timezone or "UTC")).date()


def record_activity(user_id: int, topic_id: int, correct: bool, was_new: bool,
                    duration_ms: int, now: datetime) -> None:
    """Add one answer to today's DailyActivity and TopicDay rows (atomic upserts).

    Called last in the answer transaction, after the skill row was updated and locked, so
    the TopicDay row records the rating after this answer.
    """
    row = db.session.execute(
        select(User.timezone, TopicSkill.rating, TopicSkill.deviation)
        .outerjoin(TopicSkill, and_(TopicSkill.user_id == User.id,
                                    TopicSkill.topic_id == topic_id))
        .where(User.id == user_id)
    ).one()
    day = local_day(now, row.timezone)
    rating = row.rating if row.rating is not None else skill_model.DEFAULT_RATING
    deviation = row.deviation if row.deviation is not None else skill_model.DEFAULT_DEVIATION
    right = 1 if correct else 0
    _upsert(DailyActivity, {"user_id": user_id, "day": day},
            {"answers": 1, "correct": right, "new": 1 if was_new else 0,
             "duration_ms": duration_ms}, {})
    _upsert(TopicDay, {"user_id": user_id, "topic_id": topic_id, "day": day},
            {"answers": 1, "correct": right, "duration_ms": duration_ms},
            {"rating": rating, "deviation": deviation})


def _upsert(model: Any, key: dict[str, Any], counters: dict[str, int],
            latest: dict[str, Any]) -> None:
    """INSERT the row, or add ``counters`` to it and overwrite ``latest`` on conflict."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**key, **counters, **latest)
    table = model.__table__
    updates = {name: table.c[name] + stmt.excluded[name] for name in counters}
    updates.update({name: stmt.excluded[name] for name in latest})
    db.session.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=updates))
