"""Per-day summaries of a learner's answers, maintained in the answer transaction.

They let the dashboard and topic pages read a few hundred summary rows instead of the whole
answer history: one row per (learner, local day) and one per (learner, topic, local day).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from quizapp.extensions import db


class DailyActivity(db.Model):
    """Answers on one local day (the learner's time zone at answer time)."""

    __tablename__ = "daily_activity"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    answers: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    duration_ms: Mapped[int] = mapped_column(db.BigInteger, default=0)


class TopicDay(db.Model):
    """Answers in one topic on one local day, and the topic rating after the last of them."""

    __tablename__ = "topic_day"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"),
                                          primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    answers: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    duration_ms: Mapped[int] = mapped_column(db.BigInteger, default=0)
    rating: Mapped[float]
    deviation: Mapped[float]
