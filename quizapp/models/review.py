"""A learner's memory of each question (FSRS card), their attempts, and topic skills."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime


class Card(db.Model):
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_card_user_question"),
        Index("ix_card_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    state: Mapped[int]
    step: Mapped[int | None]
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due: Mapped[datetime] = mapped_column(UTCDateTime())
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reps: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attempt(db.Model):
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_attempt_user_key"),
        Index("ix_attempt_user_created", "user_id", "created_at"),
        Index("ix_attempt_user_question", "user_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             index=True)
    question_version: Mapped[int]
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id", ondelete="SET NULL"),
                                                index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    response: Mapped[Any] = mapped_column(JSON)
    score: Mapped[float]
    correct: Mapped[bool]
    duration_ms: Mapped[int]
    hints_used: Mapped[int] = mapped_column(default=0)
    confidence: Mapped[int | None]
    rating: Mapped[int]
    was_new: Mapped[bool] = mapped_column(default=False)
    next_due: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuestionStats(db.Model):
    """Every learner's attempts at one question: calibrated rating and item statistics."""

    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    first_attempts: Mapped[int] = mapped_column(default=0)
    first_correct: Mapped[int] = mapped_column(default=0)
    total_seconds: Mapped[float] = mapped_column(default=0.0)
    rating: Mapped[float]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TopicSkill(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "topic_id", name="uq_topicskill_user_topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    rating: Mapped[float]
    deviation: Mapped[float]
    volatility: Mapped[float]
    n: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
