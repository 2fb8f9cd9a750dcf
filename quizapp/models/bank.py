"""Topics and questions, as synced from the bank files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime


class Topic(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    domain: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"))


class Question(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    difficulty: Mapped[int]
    expected_seconds: Mapped[int]
    body_md: Mapped[str] = mapped_column(Text)
    explanation_md: Mapped[str] = mapped_column(Text)
    hint_md: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    source: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    topic: Mapped[Topic] = relationship(lazy="joined", innerjoin=True)

    # The live bank by topic and difficulty, answered from the index alone: the dashboard's
    # question counts and a quiz start's candidates read these columns of every live
    # question, and the rows themselves are wide (text, payload).
    __table_args__ = (Index("ix_question_live", "retired_at", "topic_id", "difficulty"),)
