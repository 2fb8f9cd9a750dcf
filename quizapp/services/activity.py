"""The per-day summary rows an answer adds to (written in its transaction: answer_batch)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from quizapp.core.skill import Skill


def local_day(now: datetime, timezone: str) -> date:
    """The learner's calendar day at the instant ``now``."""
    return now.astimezone(ZoneInfo(timezone or "UTC")).date()


def activity_params(user_id: int, timezone: str, topic_id: int, skill: Skill, correct: bool,
                    was_new: bool, duration_ms: int,
                    now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """One answer's additions to today's DailyActivity and TopicDay rows (the ``day`` and
    ``topic_day`` upserts' parameters).

    ``skill`` is the topic's rating after this answer: the TopicDay row keeps the day's last.
    """
    day = local_day(now, timezone)
    right = 1 if correct else 0
    return ({"user_id": user_id, "day": day, "answers": 1, "correct": right,
             "new": 1 if was_new else 0, "duration_ms": duration_ms},
            {"user_id": user_id, "topic_id": topic_id, "day": day, "answers": 1,
             "correct": right, "duration_ms": duration_ms, "rating": skill.rating,
             "deviation": skill.deviation})
