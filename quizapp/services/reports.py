"""Read models for the feedback, summary and dashboard pages (fixed number of queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import Question
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models import Topic
from quizapp.models.quiz import mode_label
from quizapp.models.user import Profile
from quizapp.prepared import Prepared
from quizapp.services.quiz_view import QuizView
from quizapp.services.quiz_view import TopicView

WENT_WELL = 0.75
WENT_BADLY = 0.5


@dataclass(frozen=True)
class TopicResult:
    title: str
    domain: str
    answered: int
    score: float


@dataclass(frozen=True)
class QuizSummary:
    quiz: Quiz | QuizView
    answered: int
    total: int
    correct: int
    score: float
    duration_ms: int
    went_well: list[TopicResult]
    went_badly: list[TopicResult]
    in_between: list[TopicResult]
    due_within_day: int
    next_due: datetime | None
    rows: list[tuple[QuizItem, Attempt | None]]


def attempt_for(user_id: int, attempt_id: int) -> Any:
    """The learner's own attempt, as a row (its columns as attributes) for the feedback page."""
    return _ATTEMPT_FOR.first({"attempt_id": attempt_id, "user_id": user_id})


_ATTEMPT_FOR = Prepared(  # every feedback page runs it
    select(*Attempt.__table__.columns)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
)


def quiz_summary(quiz: Quiz | QuizView, now: datetime) -> QuizSummary:
    """Score, time, topic breakdown and upcoming reviews for one quiz."""
    attempts = {a.id: a for a in db.session.scalars(
        select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.user_id == quiz.user_id))}
    rows = [(item, attempts.get(item.attempt_id or -1)) for item in quiz.items]
    done = [a for _, a in rows if a is not None]
    by_topic: dict[int, list[float]] = {}
    topics: dict[int, Topic | TopicView] = {}
    for item, attempt in rows:
        if attempt is not None:
            by_topic.setdefault(item.question.topic_id, []).append(attempt.score)
            topics[item.question.topic_id] = item.question.topic
    results = sorted(
        (TopicResult(topics[t].title, topics[t].domain, len(s), sum(s) / len(s))
         for t, s in by_topic.items()),
        key=lambda r: (-r.score, r.title),
    )
    upcoming = _upcoming(quiz.user_id, now)
    return QuizSummary(
        quiz=quiz, answered=len(done), total=len(rows),
        correct=sum(1 for a in done if a.correct),
        score=(sum(a.score for a in done) / len(done)) if done else 0.0,
        duration_ms=sum(a.duration_ms for a in done),
        went_well=[r for r in results if r.score >= WENT_WELL],
        went_badly=[r for r in results if r.score < WENT_BADLY],
        in_between=[r for r in results if WENT_BADLY <= r.score < WENT_WELL],
        due_within_day=upcoming["due_within_day"], next_due=upcoming["next_due"], rows=rows,
    )


def _upcoming(user_id: int, now: datetime) -> dict[str, Any]:
    within_day = _DUE_BY.scalar({"user_id": user_id, "by": now + timedelta(days=1)})
    return {"due_within_day": within_day or 0, "next_due": _next_due(user_id, now)}


def _next_due(user_id: int, now: datetime) -> datetime | None:
    """When the learner's next live card falls due (after ``now``)."""
    return _NEXT_DUE.scalar({"user_id": user_id, "now": now})


# The home page's statements are built and compiled once (``Prepared``): building them per
# request (SQLAlchemy's operator and coercion machinery) cost about a sixth of the page's CPU,
# and running them through the ORM session another 50-100 µs each.
_LIVE = Question.retired_at.is_(None)
_NEXT_DUE = Prepared(select(func.min(Card.due)).join(Question, Question.id == Card.question_id)
                     .where(Card.user_id == bindparam("user_id"), _LIVE,
                            Card.due > bindparam("now")))
_DUE_BY = Prepared(select(func.count(Card.id)).join(Question, Question.id == Card.question_id)
                   .where(Card.user_id == bindparam("user_id"), _LIVE,
                          Card.due <= bindparam("by")))


@dataclass(frozen=True)
class Dashboard:
    """The home page's review counts (today's and the bank's are in ``progress.Board``)."""

    due_now: int
    next_due: datetime | None
    unfinished: Quiz | None
    recent: list[tuple[RecentQuiz, int, float, int]]


def dashboard(user: Profile, now: datetime, unfinished: Quiz | None) -> Dashboard:
    """Review counts for the home page."""
    due_now = _DUE_BY.scalar({"user_id": user.id, "by": now}) or 0
    return Dashboard(due_now=due_now, next_due=_next_due(user.id, now), unfinished=unfinished,
                     recent=recent_quiz_scores(user.id, 5))


class RecentQuiz(NamedTuple):
    """What a list of recent quizzes shows of each (plain columns, not ORM objects)."""

    id: int
    mode: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def mode_label(self) -> str:
        return mode_label(self.mode)


def recent_quiz_scores(user_id: int, limit: int, finished_mocks: bool = False
                       ) -> list[tuple[RecentQuiz, int, float, int]]:
    """The learner's latest quizzes (or finished mock interviews): answers, mean score, items.

    The item count comes with them, so a page listing the quizzes never loads their items.

    Attempts are reached through the items by primary key: the plan does not depend on what
    the planner's statistics say of ``attempt.quiz_id`` (SQLite scanned 5M attempts when
    ANALYZE had seen only NULLs there).
    """
    stmt = _RECENT_MOCKS if finished_mocks else _RECENT_QUIZZES
    params = {"user_id": user_id, "limit": limit}
    recent = []
    for *columns, count, avg, items in stmt.tuples(params):
        quiz = RecentQuiz(*columns)
        recent.append((quiz, count, _score(quiz, count, float(avg), items), items))
    return recent


def _score(quiz: RecentQuiz, answered: int, mean: float, items: int) -> float:
    """The mean score of the answers; a mock interview's counts each unanswered question as
    0, as its report does (``mode_reports.mock_report``)."""
    if quiz.mode == "mock" and items:
        return mean * answered / items
    return mean


def _recent_scores(*conditions: Any) -> Any:
    recent = (select(Quiz.id).where(Quiz.user_id == bindparam("user_id"), *conditions)
              .order_by(Quiz.created_at.desc()).limit(bindparam("limit")).subquery())
    return Prepared(
        select(Quiz.id, Quiz.mode, Quiz.created_at, Quiz.finished_at, func.count(Attempt.id),
               func.coalesce(func.avg(Attempt.score), 0.0), func.count(QuizItem.id))
        .join(recent, recent.c.id == Quiz.id)
        .outerjoin(QuizItem, QuizItem.quiz_id == Quiz.id)
        .outerjoin(Attempt, Attempt.id == QuizItem.attempt_id)
        .group_by(Quiz.id, Quiz.mode, Quiz.created_at, Quiz.finished_at)
        .order_by(Quiz.created_at.desc()))


_RECENT_QUIZZES = _recent_scores()
_RECENT_MOCKS = _recent_scores(Quiz.mode == "mock", Quiz.finished_at.is_not(None))
