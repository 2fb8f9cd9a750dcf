"""Record one answer: grade, update memory and skill, insert the attempt, commit once."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsrs import Rating
from fsrs import State
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.core import selection
from quizapp.core import skill as skill_model
from quizapp.core.calibration import QuestionRecord
from quizapp.core.clock import as_utc
from quizapp.core.grading_to_rating import Outcome
from quizapp.core.grading_to_rating import rating_for
from quizapp.core.memory import MemoryState
from quizapp.core.practice import apply_answer
from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.grading.base import ResponseError
from quizapp.grading.registry import question_type
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import QuestionStats
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models import TopicSkill
from quizapp.services.activity import record_activity
from quizapp.services.quizzes import memory_of
from quizapp.services.quizzes import next_unanswered
from quizapp.services.quizzes import question_record

MAX_SECONDS = 3600


@dataclass(frozen=True)
class AnswerResult:
    attempt_id: int
    quiz_id: int
    position: int
    repeated: bool


@retry_on_lock
def record_answer(
    quiz: Quiz,
    item: QuizItem,
    form: Mapping[str, Any],
    key: str,
    hints_used: int,
    now: datetime,
    rng: random.Random,
    shown_version: int,
) -> AnswerResult:
    """Grade ``form`` for ``item``; a repeated key or an answered item changes nothing.

    Only the question on screen can be answered: the quiz's first open item, after its
    page was shown (else ``OutOfTurn``). ``shown_version`` is the question version the
    learner saw; if the bank was edited since, the answer is refused (``ResponseError``) so
    it is never graded against text the learner did not read.

    Raises ``grading.base.ResponseError`` (nothing written) when the response is unusable.
    Concurrent submits for one item serialise on the item's row lock (PostgreSQL) or the
    write lock (SQLite); a loser is re-run by ``retry_on_lock`` and finds the winner's
    attempt in its first check.
    """
    if (done := _existing(quiz, item, key)) is not None:
        return done
    if item.shown_at is None or next_unanswered(quiz) is not item:
        raise OutOfTurn("Answer the questions in order, each after it is shown.")
    question = item.question
    if shown_version != question.version:
        raise ResponseError("This question was updated while you were answering. "
                            "Here is the new version; please answer it again.")
    kind = question_type(question.type)
    payload = kind.load(question.payload)
    response = kind.parse_response(payload, form)
    grade = kind.grade(payload, response)
    seconds = _seconds(item, now, question.expected_seconds)
    rating = rating_for(Outcome(grade.score, seconds, question.expected_seconds,
                                hints_used, grade.self_grade))
    answer = _Answer(key, response, grade.score, grade.correct, seconds, hints_used, rating)
    try:
        attempt_id = _write(quiz, item, answer, now, rng)
        db.session.commit()
    except _AlreadyAnswered as exc:
        db.session.rollback()
        return AnswerResult(exc.attempt_id, quiz.id, item.position, repeated=True)
    return AnswerResult(attempt_id, quiz.id, item.position, repeated=False)


class OutOfTurn(ResponseError):
    """The item is not the question on screen: not shown yet, or an earlier one is open."""


class _AlreadyAnswered(Exception):
    """A concurrent submit answered the item first."""

    def __init__(self, attempt_id: int) -> None:
        super().__init__(attempt_id)
        self.attempt_id = attempt_id


@dataclass(frozen=True)
class _Answer:
    key: str
    response: Any
    score: float
    correct: bool
    seconds: float
    hints_used: int
    rating: Rating


def _write(quiz: Quiz, item: QuizItem, answer: _Answer, now: datetime,
           rng: random.Random) -> int:
    """Update card, skill and question stats, insert the attempt, link it (no commit);
    a miss in a daily review is asked once more at its end (``selection.reask``).

    Rows are locked in a fixed order (quiz, item, card, skill, question stats) so
    concurrent answers serialise; the quiz lock makes "was this the last open item?" exact.
    The new states come from ``core.practice.apply_answer``, as in the simulator.
    """
    db.session.execute(select(Quiz.id).where(Quiz.id == quiz.id).with_for_update())
    answered = db.session.scalar(
        select(QuizItem.attempt_id).where(QuizItem.id == item.id).with_for_update())
    if answered is not None:
        raise _AlreadyAnswered(answered)
    question = item.question
    card = _card_for(quiz.user_id, question.id, now)
    skill = _skill_row(quiz.user_id, question.topic_id, now)
    stats = _stats_row(question.id, question.difficulty, now)
    before = memory_of(card)
    effects = apply_answer(
        before, skill_model.Skill(skill.rating, skill.deviation, skill.volatility, skill.n),
        question_record(stats), question.difficulty, answer.rating, answer.score,
        answer.seconds, now, rng)
    was_new = effects.was_new
    _store_card(card, before, effects.memory, answer.rating, now)
    skill.rating, skill.deviation = effects.skill.rating, effects.skill.deviation
    skill.volatility, skill.n, skill.updated_at = effects.skill.volatility, effects.skill.n, now
    _store_stats(stats, effects.question, now)
    if selection.reask(quiz.mode, answer.score, question.id, [i.question_id for i in quiz.items]):
        quiz.items.append(QuizItem(position=max(i.position for i in quiz.items) + 1,
                                   question_id=question.id, kind="again"))
    attempt = Attempt(
        user_id=quiz.user_id, question_id=question.id, question_version=question.version,
        quiz_id=quiz.id, idempotency_key=answer.key, response=answer.response,
        score=answer.score, correct=answer.correct, duration_ms=int(answer.seconds * 1000),
        hints_used=answer.hints_used, rating=int(answer.rating), was_new=was_new,
        next_due=card.due, created_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    item.attempt_id = attempt.id
    db.session.flush()
    still_open = db.session.scalar(select(func.count(QuizItem.id)).where(
        QuizItem.quiz_id == quiz.id, QuizItem.attempt_id.is_(None)))
    if not still_open:
        quiz.finished_at = now
    record_activity(quiz.user_id, question.topic_id, answer.correct, was_new,
                    attempt.duration_ms, now)
    return attempt.id


def _existing(quiz: Quiz, item: QuizItem, key: str) -> AnswerResult | None:
    stmt = select(Attempt.id, Attempt.quiz_id).where(
        Attempt.user_id == quiz.user_id, Attempt.idempotency_key == key
    )
    row = db.session.execute(stmt).first()
    if row is not None:
        if row.quiz_id != quiz.id:
            raise ResponseError("This form was already used. Reload the question and answer again.")
        position = next((i.position for i in quiz.items if i.attempt_id == row.id),
                        item.position)
        return AnswerResult(row.id, quiz.id, position, repeated=True)
    if item.attempt_id is not None:
        return AnswerResult(item.attempt_id, quiz.id, item.position, repeated=True)
    return None


def _seconds(item: QuizItem, now: datetime, expected: int) -> float:
    if item.shown_at is None:
        return float(expected)
    elapsed = (now - as_utc(item.shown_at)).total_seconds()
    return min(max(elapsed, 0.0), MAX_SECONDS)


def _card_for(user_id: int, question_id: int, now: datetime) -> Card:
    card = db.session.scalars(
        select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
        .with_for_update()
    ).first()
    if card is None:
        fresh = MemoryState()
        card = Card(user_id=user_id, question_id=question_id, state=fresh.state,
                    step=fresh.step, due=now, reps=0, lapses=0, created_at=now)
        db.session.add(card)
    return card


def _store_card(card: Card, before: MemoryState, after: MemoryState, rating: Rating,
                now: datetime) -> None:
    if before.state == State.Review.value and rating == Rating.Again:
        card.lapses = (card.lapses or 0) + 1
    card.state, card.step = after.state, after.step
    card.stability, card.difficulty = after.stability, after.difficulty
    card.due = after.due or now
    card.last_review = after.last_review
    card.reps = (card.reps or 0) + 1


def _skill_row(user_id: int, topic_id: int, now: datetime) -> TopicSkill:
    row = db.session.scalars(
        select(TopicSkill).where(TopicSkill.user_id == user_id, TopicSkill.topic_id == topic_id)
        .with_for_update()
    ).first()
    if row is None:
        default = skill_model.Skill()
        row = TopicSkill(user_id=user_id, topic_id=topic_id, rating=default.rating,
                         deviation=default.deviation, volatility=default.volatility, n=0,
                         updated_at=now)
        db.session.add(row)
    return row


def _stats_row(question_id: int, difficulty: int, now: datetime) -> QuestionStats:
    """The question's stats row, locked; created (in a savepoint) on its first attempt.

    Rows are shared by every learner: a concurrent first insert wins, we lock theirs.
    """
    stmt = select(QuestionStats).where(QuestionStats.question_id == question_id)
    row = db.session.scalars(stmt.with_for_update()).first()
    if row is not None:
        return row
    fresh = QuestionRecord.fresh(difficulty)
    try:
        with db.session.begin_nested():
            row = QuestionStats(question_id=question_id, rating=fresh.rating, attempts=0,
                                first_attempts=0, first_correct=0, total_seconds=0.0,
                                updated_at=now)
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalars(stmt.with_for_update()).one()
    return row


def _store_stats(row: QuestionStats, record: QuestionRecord, now: datetime) -> None:
    row.rating, row.attempts = record.rating, record.attempts
    row.first_attempts, row.first_correct = record.first_attempts, record.first_correct
    row.total_seconds, row.updated_at = record.total_seconds, now
