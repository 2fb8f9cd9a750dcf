"""Record one answer: grade, update memory and skill, insert the attempt, commit once."""

from __future__ import annotations

import random
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsrs import Rating
from fsrs import State
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.core import selection
from quizapp.core.grading_to_rating import Outcome
from quizapp.core.grading_to_rating import rating_for
from quizapp.core.practice import apply_answer
from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.grading.base import ResponseError
from quizapp.grading.registry import question_type
from quizapp.models import Attempt
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.services import answer_batch
from quizapp.services import answer_rows
from quizapp.services.activity import activity_params
from quizapp.services.quiz_view import ItemView
from quizapp.services.quiz_view import QuizView
from quizapp.services.quiz_view import parsed_payload
from quizapp.services.quizzes import is_open_item

MAX_SECONDS = 3600


@dataclass(frozen=True)
class AnswerResult:
    attempt_id: int
    quiz_id: int
    position: int
    repeated: bool


@retry_on_lock
def record_answer(
    quiz: Quiz | QuizView,
    item: QuizItem | ItemView,
    form: Mapping[str, Any],
    key: str,
    hints_used: int,
    now: datetime,
    rng: random.Random,
    shown_version: int,
    shown_at: datetime | None,
    read: Sequence[Any] | None = None,
) -> AnswerResult:
    """Grade ``form`` for ``item``; a repeated key or an answered item changes nothing.

    Only the question on screen can be answered: the quiz's first open item, after its
    page was shown (else ``OutOfTurn``). ``shown_at`` is when it was shown, from the stamp
    its page signed (None: no valid stamp, so not shown); the answer is timed from it.
    ``shown_version`` is the question version the learner saw; if the bank was edited
    since, the answer is refused (``ResponseError``) so it is never graded against text
    the learner did not read. ``read`` is what the answer page's login check read of the
    answer's rows (``quiz_pages.take_rows``, PostgreSQL), if it did.

    Raises ``grading.base.ResponseError`` (nothing written) when the response is unusable.
    Concurrent submits for one item serialise on the item's row lock (PostgreSQL) or the
    write lock (SQLite); a loser is re-run by ``retry_on_lock`` and finds the winner's
    attempt in its first check.
    """
    if item.attempt_id is not None:  # a double submit: the first one counted
        return AnswerResult(item.attempt_id, quiz.id, item.position, repeated=True)
    if shown_at is None or not is_open_item(quiz, item):
        raise OutOfTurn("Answer the questions in order, each after it is shown.")
    question = item.question
    if shown_version != question.version:
        raise ResponseError("This question was updated while you were answering. "
                            "Here is the new version; please answer it again.")
    kind = question_type(question.type)
    payload = parsed_payload(question)
    response = kind.parse_response(payload, form)
    grade = kind.grade(payload, response)
    seconds = _seconds(shown_at, now)
    rating = rating_for(Outcome(grade.score, seconds, question.expected_seconds,
                                hints_used, grade.self_grade))
    answer = _Answer(key, response, grade.score, grade.correct, seconds, hints_used, rating)
    quiz_id, position = quiz.id, item.position  # the commit expires the loaded rows
    try:
        attempt_id = _write(quiz, item, answer, now, rng, read)
        db.session.commit()
    except _AlreadyAnswered as exc:
        db.session.rollback()
        return AnswerResult(exc.attempt_id, quiz_id, position, repeated=True)
    except _KeyUsed:
        db.session.rollback()
        return _earlier_answer(quiz, key, position)
    except answer_rows.RowsGone:
        db.session.rollback()
        raise QuizGone() from None
    return AnswerResult(attempt_id, quiz_id, position, repeated=False)


class OutOfTurn(ResponseError):
    """The item is not the question on screen: not shown yet, or an earlier one is open."""


class QuizGone(LookupError):
    """The learner's account (with the quiz) was deleted while the answer was being graded
    (a code run takes seconds): nothing is written."""


class _KeyUsed(Exception):
    """This learner already sent an answer with this form key (to another item)."""


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


def _write(quiz: Quiz | QuizView, item: QuizItem | ItemView, answer: _Answer, now: datetime,
           rng: random.Random, read: Sequence[Any] | None = None) -> int:
    """Update card, skill and question stats, insert the attempt, link it (no commit;
    ``answer_batch`` sends the writes as one statement on PostgreSQL); a miss in a daily
    review is asked once more at its end (``selection.reask``).

    The first statement locks the quiz and the item (PostgreSQL; SQLite has one writer):
    concurrent answers of one learner serialise there, which makes the learner's own rows
    safe to read and overwrite and "was this the last open item?" exact. The new states come
    from ``core.practice.apply_answer``, as in the simulator.

    With the rows already ``read`` (PostgreSQL), the lock and the writes go together, guarded
    by the item (``answer_batch.run_guarded``); if another answer took the item meanwhile,
    that is undone and the answer runs the locked way, which finds it answered.
    """
    question = item.question
    try:
        if read is not None and answer_batch.guards_writes():
            rows = answer_rows.rows_from(read, question.difficulty)
            try:
                return answer_batch.run_guarded(_writes(quiz, item, answer, now, rng, rows))
            except answer_batch.ItemTaken:
                db.session.rollback()
        locked = answer_rows.lock_and_read(item.id, quiz.user_id, question.id,
                                           question.topic_id, question.difficulty)
        if isinstance(locked, int):  # the item's attempt: a concurrent submit answered it
            raise _AlreadyAnswered(locked)
        return answer_batch.run(_writes(quiz, item, answer, now, rng, locked),
                                then_commit=True)  # committed at once
    except IntegrityError as exc:
        if _key_used(exc):  # (user, key) is unique: this form was sent before
            raise _KeyUsed() from None
        raise  # another race: retry_on_lock re-runs the answer


def _writes(quiz: Quiz | QuizView, item: QuizItem | ItemView, answer: _Answer, now: datetime,
            rng: random.Random, rows: answer_rows.AnswerRows) -> answer_batch.AnswerWrites:
    """The rows the answer writes, from the rows it starts from."""
    question = item.question
    user_id, quiz_id, item_id = quiz.user_id, quiz.id, item.id
    effects = apply_answer(rows.memory, rows.skill, rows.question, question.difficulty,
                           answer.rating, answer.score, answer.seconds, now, rng)
    lapsed = rows.memory.state == State.Review.value and answer.rating == Rating.Again
    again = None
    if selection.reask(quiz.mode, answer.score, _times_asked(quiz, item)):
        again = {"quiz_id": quiz_id, "question_id": question.id,
                 "position": quiz.last_position + 1, "kind": "again"}
    duration_ms = int(answer.seconds * 1000)
    day, topic_day = activity_params(user_id, rows.timezone, question.topic_id, effects.skill,
                                     answer.correct, effects.was_new, duration_ms, now)
    return answer_batch.AnswerWrites(
        card=answer_rows.card_params(user_id, question.id, rows, effects.memory, lapsed, now),
        skill=answer_rows.skill_params(user_id, question.topic_id, effects.skill, now),
        stats=answer_rows.stats_params(question.id, rows, effects.question, now),
        day=day, topic_day=topic_day,
        attempt={"user_id": user_id, "question_id": question.id,
                 "question_version": question.version, "quiz_id": quiz_id,
                 "idempotency_key": answer.key, "response": answer.response,
                 "score": answer.score, "correct": answer.correct, "duration_ms": duration_ms,
                 "hints_used": answer.hints_used, "rating": int(answer.rating),
                 "was_new": effects.was_new, "next_due": effects.memory.due or now,
                 "created_at": now},
        item_id=item_id, quiz_id=quiz_id, now=now, again=again)


def _key_used(error: IntegrityError) -> bool:
    """Whether the attempt's (user, idempotency key) constraint refused the insert."""
    text = str(error.orig)  # PostgreSQL names the constraint, SQLite its columns
    return "uq_attempt_user_key" in text or "attempt.idempotency_key" in text


def _times_asked(quiz: Quiz | QuizView, item: QuizItem | ItemView) -> int:
    """How many of the quiz's items ask the item's question (the item included)."""
    if isinstance(quiz, QuizView) and quiz.page_item is item:
        return quiz.page_asks
    return sum(1 for i in quiz.items if i.question_id == item.question_id)


def _earlier_answer(quiz: Quiz | QuizView, key: str, position: int) -> AnswerResult:
    """The answer a reused form key recorded: in this quiz, where it went; else an error."""
    row = db.session.execute(select(Attempt.id, Attempt.quiz_id).where(
        Attempt.user_id == quiz.user_id, Attempt.idempotency_key == key)).one()
    if row.quiz_id != quiz.id:
        raise ResponseError("This form was already used. Reload the question and answer again.")
    earlier = next((i.position for i in quiz.items if i.attempt_id == row.id), position)
    return AnswerResult(row.id, quiz.id, earlier, repeated=True)


def _seconds(shown_at: datetime, now: datetime) -> float:
    elapsed = (now - shown_at).total_seconds()
    return min(max(elapsed, 0.0), MAX_SECONDS)
