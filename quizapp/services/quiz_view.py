"""A quiz and its items as plain objects, read in one statement, for the question loop.

Every page of the loop (question, answer, feedback) needs the quiz's items to know which one
is open and how far the learner got. Loading them as ORM objects cost more CPU than the rest
of the page; these views hold the same fields, and an item's question is loaded (through the
session's identity map) only when it is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models.quiz import MODES


@dataclass(eq=False, slots=True)
class ItemView:
    id: int
    position: int
    question_id: int
    kind: str
    shown_at: datetime | None
    attempt_id: int | None
    extra: dict[str, Any] | None
    loaded_question: Question | None = field(default=None, repr=False)

    @property
    def question(self) -> Question:
        """The item's question, loaded on first use (the session only keeps it weakly)."""
        if self.loaded_question is None:
            self.loaded_question = db.session.get(Question, self.question_id)
            assert self.loaded_question is not None  # a foreign key: never dangling
        return self.loaded_question


@dataclass(eq=False, slots=True)
class QuizView:
    id: int
    user_id: int
    mode: str
    seed: int
    created_at: datetime
    finished_at: datetime | None
    deadline: datetime | None
    items: list[ItemView] = field(default_factory=list)

    @property
    def mode_label(self) -> str:
        return MODES.get(self.mode, self.mode.title())


_QUIZ_AND_ITEMS = (  # built once: building a statement costs more CPU than running it
    select(Quiz.id, Quiz.user_id, Quiz.mode, Quiz.seed, Quiz.created_at, Quiz.finished_at,
           Quiz.deadline, QuizItem.id.label("item_id"), QuizItem.position,
           QuizItem.question_id, QuizItem.kind, QuizItem.shown_at, QuizItem.attempt_id,
           QuizItem.extra)
    .join(QuizItem, QuizItem.quiz_id == Quiz.id)
    .where(Quiz.id == bindparam("quiz_id"), Quiz.user_id == bindparam("user_id"))
    .order_by(QuizItem.position)
)


def load_quiz_view(user_id: int, quiz_id: int) -> QuizView | None:
    """The learner's own quiz with its items in order; None if there is no such quiz."""
    rows = db.session.connection().execute(
        _QUIZ_AND_ITEMS, {"quiz_id": quiz_id, "user_id": user_id}).all()
    if not rows:
        return None
    first = rows[0]
    quiz = QuizView(first.id, first.user_id, first.mode, first.seed, first.created_at,
                    first.finished_at, first.deadline)
    quiz.items = [ItemView(r.item_id, r.position, r.question_id, r.kind, r.shown_at,
                           r.attempt_id, r.extra) for r in rows]
    return quiz
