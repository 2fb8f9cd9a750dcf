"""A quiz session and its ordered items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from quizapp.extensions import db
from quizapp.models.bank import Question
from quizapp.models.types import UTCDateTime

MODES = {
    "daily": "Daily review",
    "weak": "Weak areas",
    "drill": "Topic drill",
    "replay": "Replay misses",
    "mock": "Mock interview",
}


def mode_label(mode: str) -> str:
    """How a quiz mode is named to the learner (an unknown mode by its own name)."""
    return MODES.get(mode, mode.title())


class Quiz(db.Model):
    __table_args__ = (
        Index("ix_quiz_user_created", "user_id", "created_at"),
        # At most one open quiz per learner (a double click on "start" cannot make two).
        Index("uq_quiz_user_open", "user_id", unique=True,
              sqlite_where=text("finished_at IS NULL"),
              postgresql_where=text("finished_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(32))
    topic_filter: Mapped[list[int] | None] = mapped_column(JSON)
    seed: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Timed quizzes (mock interview) end here, whatever the learner does.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())

    items: Mapped[list[QuizItem]] = relationship(
        back_populates="quiz", order_by="QuizItem.position", cascade="all, delete-orphan"
    )

    @property
    def mode_label(self) -> str:
        return mode_label(self.mode)

    # The progress a ``QuizView`` reads with its page (services/quiz_view.py), derived here
    # from the loaded items, so the services treat either kind of quiz alike.
    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.attempt_id is not None)

    @property
    def first_open(self) -> int | None:
        """The position of the first unanswered item (None: all answered)."""
        return next((item.position for item in self.items if item.attempt_id is None), None)

    @property
    def last_position(self) -> int:
        return max((item.position for item in self.items), default=0)


class QuizItem(db.Model):
    __table_args__ = (UniqueConstraint("quiz_id", "position", name="uq_quizitem_quiz_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id", ondelete="SET NULL"))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    quiz: Mapped[Quiz] = relationship(back_populates="items")
    question: Mapped[Question] = relationship(lazy="joined", innerjoin=True)

    @property
    def asked_again(self) -> bool:
        """A miss asked once more in the same quiz (a review's "again" item, or a replay's
        re-queued one)."""
        return self.kind == "again" or bool(self.extra and self.extra.get("again"))
