"""Start quizzes and read a learner's quiz state."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsrs import State
from sqlalchemy import JSON
from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from quizapp.core import selection
from quizapp.core.calibration import QuestionRecord
from quizapp.core.calibration import calibrated_rating
from quizapp.core.memory import MemoryState
from quizapp.core.memory import retrievability
from quizapp.core.skill import Skill
from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.models import Card
from quizapp.models import DailyActivity
from quizapp.models import Question
from quizapp.models import QuestionStats
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models import TopicSkill
from quizapp.models.user import Profile
from quizapp.prepared import Prepared
from quizapp.prepared import run_together
from quizapp.services.activity import local_day
from quizapp.services.quiz_view import ItemView
from quizapp.services.quiz_view import QuizView
from quizapp.services.quiz_view import load_quiz_page
from quizapp.services.quiz_view import load_quiz_view


class QuizNotFound(LookupError):
    """No such quiz for this learner (or no such item in it)."""


@dataclass(frozen=True)
class DailyPlan:
    due: list[selection.DueCard]
    new: list[selection.Candidate]
    new_budget: int


def new_introduced_today(user: Profile, now: datetime) -> int:
    """How many never-seen questions the learner answered on their local day.

    Read from the day's summary row (one primary-key row, written with every answer), not
    by counting the day's attempts."""
    row = _TODAY.first({"user_id": user.id, "day": local_day(now, user.timezone)})
    return row.new if row is not None else 0


_TODAY = Prepared(select(DailyActivity.new).where(
    DailyActivity.user_id == bindparam("user_id"), DailyActivity.day == bindparam("day")))


def due_cards(user_id: int, now: datetime) -> list[selection.DueCard]:
    """Cards due at ``now`` (uses the (user_id, due) index) with their recall probability.

    Reads the memory columns, not ORM ``Card`` objects: a learner back after a break has
    hundreds due, and building those objects was most of a quiz start.
    """
    review = State.Review.value
    return [
        selection.DueCard(question_id, topic_id,
                          retrievability(MemoryState(*memory), now),
                          learning=memory[0] != review)
        for question_id, topic_id, *memory in _DUE_CARDS.tuples({"user_id": user_id,
                                                                 "now": now})
    ]


_DUE_CARDS = Prepared(
    select(Card.question_id, Question.topic_id, Card.state, Card.step, Card.stability,
           Card.difficulty, Card.due, Card.last_review)
    .join(Question, Question.id == Card.question_id)
    .where(Card.user_id == bindparam("user_id"),
           Card.due <= bindparam("now"),
           Question.retired_at.is_(None)))


def new_candidates(user_id: int) -> list[selection.Candidate]:
    """Live questions the learner has no card for yet, with their calibrated ratings.

    Plain columns from a prepared statement: a bank's worth of rows through the ORM's result
    machinery cost most of a quiz start (2,000 questions: about a third of it).
    """
    return [
        selection.Candidate(qid, topic_id, difficulty,
                            calibrated_rating(difficulty, rating, first_attempts))
        for qid, topic_id, difficulty, rating, first_attempts in _NEW_CANDIDATES.tuples(
            {"user_id": user_id})
    ]


_NEW_CANDIDATES = Prepared(
    select(Question.id, Question.topic_id, Question.difficulty, QuestionStats.rating,
           QuestionStats.first_attempts)
    .outerjoin(QuestionStats, QuestionStats.question_id == Question.id)
    .where(Question.retired_at.is_(None), Question.id.not_in(
        select(Card.question_id).where(Card.user_id == bindparam("user_id")))))


def question_record(rating: float | None, attempts: int, first_attempts: int,
                    first_correct: int, total_seconds: float) -> QuestionRecord | None:
    """The pure view of a question's stats columns (None when nobody answered yet)."""
    if rating is None:
        return None
    return QuestionRecord(rating, attempts, first_attempts, first_correct, total_seconds)


def skills_for(user_id: int) -> dict[int, Skill]:
    return {topic_id: Skill(*values) for topic_id, *values in _SKILLS.tuples({"user_id": user_id})}


_SKILLS = Prepared(select(TopicSkill.topic_id, TopicSkill.rating, TopicSkill.deviation,
                          TopicSkill.volatility, TopicSkill.n)
                   .where(TopicSkill.user_id == bindparam("user_id")))


def memory_of(card: Card) -> MemoryState:
    return MemoryState(card.state, card.step, card.stability, card.difficulty, card.due,
                       card.last_review)


def daily_plan(user: Profile, now: datetime) -> DailyPlan:
    budget = max(0, user.daily_goal - new_introduced_today(user, now))
    return DailyPlan(due_cards(user.id, now), new_candidates(user.id), budget)


def daily_request(user: Profile, now: datetime, extra: bool = False) -> selection.DailyRequest:
    """Load what ``selection.daily_quiz`` chooses from (the simulator builds the same)."""
    plan = daily_plan(user, now)
    budget = user.daily_goal if extra else plan.new_budget
    return selection.DailyRequest(plan.due, plan.new, skills_for(user.id), user.daily_goal,
                                  budget, user.focus or "balanced")


@retry_on_lock
def start_daily_review(user: Profile, now: datetime, rng: random.Random,
                       extra: bool = False) -> Quiz | None:
    """Create a daily review: load rows, let ``selection.daily_quiz`` choose, store it.

    ``extra`` ignores today's new-question budget (the learner asked to keep going).
    Returns None when there is nothing to practise.
    """
    picks = selection.daily_quiz(daily_request(user, now, extra), rng)
    if not picks:
        return None
    quiz = Quiz(user_id=user.id, mode="daily", seed=rng.randrange(2**31), created_at=now)
    items = [{"position": i, "question_id": p.question_id, "kind": p.kind}
             for i, p in enumerate(picks, start=1)]
    if not commit_new_quiz(quiz, items):
        return unfinished_quiz(user.id)
    return quiz


def commit_new_quiz(quiz: Quiz, items: list[dict[str, Any]]) -> bool:
    """Insert a quiz and its items (position, question_id, kind, extra) and commit; False if
    a concurrent start opened one first. ``quiz`` then belongs to the session, as loaded.

    Plain statements: the ORM's flush of the one new row and its bulk insert of the items
    were a third of a quiz start (1.2 ms of 4). On PostgreSQL the items go to the server
    with the COMMIT, in one round trip."""
    try:
        quiz_id = _INSERT_QUIZ.scalar({column: getattr(quiz, column) for column in (
            "user_id", "mode", "topic_filter", "seed", "created_at", "deadline")})
        params: dict[str, Any] = {"quiz_id": quiz_id}
        for n, item in enumerate(items):
            params.update({f"{key}_{n}": item.get(key) for key in _ITEM_COLUMNS})
        if items:
            run_together([(_insert_items(len(items)), params)], commit=db.session())
    except IntegrityError:  # one open quiz per learner (partial unique index)
        db.session.rollback()
        return False
    quiz.id = quiz_id
    make_transient_to_detached(quiz)  # the row it now is: attributes not set load from it
    db.session.add(quiz)  # within the unit's transaction: no transaction is left open
    commit_keeping_loaded()
    return True


_INSERT_QUIZ = Prepared(insert(Quiz).values(
    user_id=bindparam("user_id"), mode=bindparam("mode"), seed=bindparam("seed"),
    created_at=bindparam("created_at"), deadline=bindparam("deadline"),
    topic_filter=bindparam("topic_filter", type_=JSON(none_as_null=True)),
).returning(Quiz.id))
_ITEM_COLUMNS = ("position", "question_id", "kind", "extra")


@functools.lru_cache(maxsize=64)
def _insert_items(count: int) -> Prepared:
    """One INSERT of ``count`` items (a None extra is SQL NULL, not JSON null)."""
    return Prepared(insert(QuizItem).values([
        {"quiz_id": bindparam("quiz_id"), "position": bindparam(f"position_{n}"),
         "question_id": bindparam(f"question_id_{n}"), "kind": bindparam(f"kind_{n}"),
         "extra": bindparam(f"extra_{n}", type_=JSON(none_as_null=True))}
        for n in range(count)]))


def commit_keeping_loaded() -> None:
    """Commit without expiring the objects the session holds.

    For a caller that goes on with what it has just written (a new quiz's id for the
    redirect to its first question): after an expiring commit, that read began a
    transaction just to load the row back, and the request ended by rolling it back. On
    PostgreSQL a ROLLBACK also makes psycopg forget every prepared statement of the
    connection, so the hot path's statements were parsed and planned anew for a while.
    """
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def get_quiz(user_id: int, quiz_id: int) -> Quiz:
    """The learner's own quiz, or ``QuizNotFound`` (never another learner's)."""
    quiz = db.session.scalars(_QUIZ, {"quiz_id": quiz_id, "user_id": user_id}).first()
    if quiz is None:
        raise QuizNotFound(quiz_id)
    return quiz


def get_quiz_view(user_id: int, quiz_id: int, position: int | None = None) -> QuizView:
    """The learner's own quiz as a ``QuizView`` (one statement), or ``QuizNotFound``.

    With ``position``, read for a page: that item and the quiz's counts, not every item.
    """
    if position is None:
        quiz = load_quiz_view(user_id, quiz_id)
    else:
        quiz = load_quiz_page(user_id, quiz_id, position)
    if quiz is None:
        raise QuizNotFound(quiz_id)
    return quiz


_QUIZ = select(Quiz).where(Quiz.id == bindparam("quiz_id"), Quiz.user_id == bindparam("user_id"))


def get_item(quiz: Quiz | QuizView, position: int) -> QuizItem | ItemView:
    if isinstance(quiz, QuizView) and (page_item := quiz.page_item) is not None and (
            page_item.position == position):
        return page_item
    for item in quiz.items:
        if item.position == position:
            return item
    raise QuizNotFound(position)


def next_unanswered(quiz: Quiz | QuizView) -> QuizItem | ItemView | None:
    return next((item for item in quiz.items if item.attempt_id is None), None)


def is_open_item(quiz: Quiz | QuizView, item: QuizItem | ItemView) -> bool:
    """Whether ``item`` is the question on screen: unanswered and the first open."""
    return item.attempt_id is None and quiz.first_open == item.position


def unfinished_quiz(user_id: int) -> Quiz | None:
    """The learner's open quiz that still has a question to answer, if any.

    The home page and every quiz start ask, and there is usually none: the ORM's query
    cost 0.4 ms to say so. Its id is read with a plain statement, and the quiz loaded
    through the ORM only when there is one."""
    quiz_id = _UNFINISHED_ID.scalar({"user_id": user_id})
    return None if quiz_id is None else db.session.get(Quiz, quiz_id)


_UNFINISHED_ID = Prepared(
    select(Quiz.id)
    .where(Quiz.user_id == bindparam("user_id"), Quiz.finished_at.is_(None),
           select(QuizItem.id).where(QuizItem.quiz_id == Quiz.id,
                                     QuizItem.attempt_id.is_(None)).exists())
    .order_by(Quiz.created_at.desc())
    .limit(1)
)


def running_mock_ids(user_id: int, now: datetime) -> set[int]:
    """The learner's mock interviews still running (not finished, time not up): their
    attempts show no verdict anywhere until the mock ends."""
    return set(db.session.scalars(select(Quiz.id).where(
        Quiz.user_id == user_id, Quiz.mode == "mock", Quiz.finished_at.is_(None),
        or_(Quiz.deadline.is_(None), Quiz.deadline > now))))
