"""Read models for the topic page and the question history page (fixed query counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from fsrs import State
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from quizapp.core import skill as skill_model
from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import Question
from quizapp.models import Topic
from quizapp.models import TopicDay
from quizapp.models import TopicSkill
from quizapp.services import quizzes

MASTERED_STABILITY = 21.0  # days: a card that holds three weeks at 90 % recall
MISSED_DAYS = 30  # "missed" means answered wrong within this many days


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    state: str  # new | learning | due | review | mastered
    due_in_days: int | None

    @property
    def label(self) -> str:
        if self.state in ("new", "learning"):
            return self.state.title()
        if self.state == "due":
            return "Due now"
        when = f"due in {self.due_in_days} day{'s' if self.due_in_days != 1 else ''}"
        return f"Mastered, {when}" if self.state == "mastered" else when.capitalize()


@dataclass(frozen=True)
class TopicPage:
    topic: Topic
    answers: int
    correct: int
    total_ms: int
    seen: int
    skill: skill_model.Skill | None
    history: list[tuple[date, float, float]]  # day, rating, deviation at the day's end
    rows: list[QuestionRow]
    missed: list[Question]

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None

    @property
    def mean_ms(self) -> float | None:
        return self.total_ms / self.answers if self.answers else None

    @property
    def mastery(self) -> float | None:
        """The dashboard's skill measure; None while it is too early to tell."""
        if self.skill is None or skill_model.too_early(self.skill):
            return None
        return skill_model.mastery(self.skill)

    @property
    def history_points(self) -> list[tuple[str, float | None]]:
        """The last 60 study days' end-of-day skill (the dashboard's %), labelled for a chart."""
        return [(day.strftime("%d %b"), round(skill, 1))
                for day, skill, _, _ in reversed(self.history_rows)]

    @property
    def history_rows(self) -> list[tuple[date, float, float, float]]:
        """The chart's days, newest first: day, skill %, rating, deviation."""
        return [(day, 100 * _mastery(rating, deviation), rating, deviation)
                for day, rating, deviation in reversed(self.history[-60:])]


def _mastery(rating: float, deviation: float) -> float:
    return skill_model.mastery(skill_model.Skill(rating=rating, deviation=deviation))


def topic_page(user_id: int, slug: str, now: datetime) -> TopicPage | None:
    """Stats, skill history, every live question's state and the recent misses of a topic."""
    topic = db.session.scalars(select(Topic).where(Topic.slug == slug)).first()
    if topic is None:
        return None
    days = db.session.execute(
        select(TopicDay.day, TopicDay.answers, TopicDay.correct, TopicDay.duration_ms,
               TopicDay.rating, TopicDay.deviation)
        .where(TopicDay.user_id == user_id, TopicDay.topic_id == topic.id)
        .order_by(TopicDay.day)).all()
    pairs = db.session.execute(
        select(Question, Card).outerjoin(Card, and_(Card.question_id == Question.id,
                                                    Card.user_id == user_id))
        .where(Question.topic_id == topic.id, Question.retired_at.is_(None))
        .order_by(Question.difficulty, Question.uid)).all()
    skill_row = db.session.scalars(select(TopicSkill).where(
        TopicSkill.user_id == user_id, TopicSkill.topic_id == topic.id)).first()
    missed = (select(Attempt.question_id).join(Question, Question.id == Attempt.question_id)
              .where(Attempt.user_id == user_id,
                     Attempt.created_at >= now - timedelta(days=MISSED_DAYS),
                     Attempt.correct.is_(False), Question.topic_id == topic.id)
              .group_by(Attempt.question_id))
    if running := quizzes.running_mock_ids(user_id, now):  # no verdicts until a mock ends
        missed = missed.where(or_(Attempt.quiz_id.is_(None), Attempt.quiz_id.not_in(running)))
    missed_ids = set(db.session.scalars(missed))
    skill = None
    if skill_row is not None and skill_row.n:
        skill = skill_model.Skill(skill_row.rating, skill_row.deviation, skill_row.volatility,
                                  skill_row.n)
    return TopicPage(
        topic=topic, answers=sum(d.answers for d in days), correct=sum(d.correct for d in days),
        total_ms=sum(d.duration_ms for d in days),
        seen=sum(1 for _, card in pairs if card is not None and card.last_review is not None),
        skill=skill, history=[(d.day, d.rating, d.deviation) for d in days],
        rows=[question_state(q, card, now) for q, card in pairs],
        missed=[q for q, _ in pairs if q.id in missed_ids],
    )


def question_state(question: Question, card: Card | None, now: datetime) -> QuestionRow:
    """New, learning, due now, due in N days, or mastered (stability >= 21 days)."""
    if card is None or card.last_review is None:
        return QuestionRow(question, "new", None)
    if card.state in (State.Learning.value, State.Relearning.value):
        return QuestionRow(question, "learning", None)
    if card.due <= now:
        return QuestionRow(question, "due", 0)
    days = max(1, round((card.due - now).total_seconds() / 86400))
    mastered = (card.stability or 0) >= MASTERED_STABILITY
    return QuestionRow(question, "mastered" if mastered else "review", days)


HISTORY_ATTEMPTS = 20  # the newest attempts a question's history page lists


@dataclass(frozen=True)
class QuestionHistory:
    question: Question
    attempts: list[Attempt]  # the newest HISTORY_ATTEMPTS, newest first
    row: QuestionRow
    total: int = 0  # every attempt of the learner at the question
    hidden: frozenset[int] = frozenset()  # attempts in a mock interview still running


def question_history(user_id: int, question_id: int, now: datetime) -> QuestionHistory | None:
    """The learner's newest attempts at one question, newest first, with how many there are
    in all. An attempt in a mock interview that is still running is marked hidden: the mock
    shows no verdicts until it ends."""
    pair = db.session.execute(
        select(Question, Card).outerjoin(Card, and_(Card.question_id == Question.id,
                                                    Card.user_id == user_id))
        .where(Question.id == question_id)).first()
    if pair is None:
        return None
    mine = and_(Attempt.user_id == user_id, Attempt.question_id == question_id)
    attempts = list(db.session.scalars(
        select(Attempt).where(mine)
        .order_by(Attempt.created_at.desc(), Attempt.id.desc()).limit(HISTORY_ATTEMPTS)))
    total = len(attempts)  # counted only when the page is full: there may be more
    if total == HISTORY_ATTEMPTS:
        total = db.session.scalar(select(func.count()).select_from(Attempt).where(mine)) or 0
    running = quizzes.running_mock_ids(user_id, now) if attempts else set()
    hidden = frozenset(a.id for a in attempts if a.quiz_id in running)
    return QuestionHistory(pair[0], attempts, question_state(pair[0], pair[1], now), total,
                           hidden)
