"""An answer's writes (one statement on PostgreSQL, one each on SQLite) and their failures."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import DailyActivity
from quizapp.models import QuizItem
from quizapp.models import TopicDay
from quizapp.models import TopicSkill
from quizapp.services import accounts
from quizapp.services import answer_batch
from quizapp.services import answer_rows
from quizapp.services import answers
from quizapp.services import quizzes
from tests.conftest import NOW
from tests.integration.helpers import right_answer
from tests.integration.helpers import sync_test_bank


def _writes(user, quiz, item, key: str) -> answer_batch.AnswerWrites:
    question = item.question
    row = {"user_id": user.id, "day": NOW.date(), "answers": 1, "correct": 1, "new": 1,
           "duration_ms": 20_000}
    return answer_batch.AnswerWrites(
        card={"user_id": user.id, "question_id": question.id, "state": 1, "step": 0,
              "stability": 1.0, "difficulty": 5.0, "due": NOW + timedelta(days=1),
              "last_review": NOW, "reps": 1, "lapses": 0, "created_at": NOW},
        skill={"user_id": user.id, "topic_id": question.topic_id, "rating": 0.1,
               "deviation": 1.0, "volatility": 0.06, "n": 1, "updated_at": NOW},
        stats={"question_id": question.id, "updated_at": NOW, "rating": 0.0, "attempts": 1,
               "first_attempts": 1, "first_correct": 1, "total_seconds": 20.0,
               "d_rating": 0.0, "d_attempts": 1, "d_first_attempts": 1, "d_first_correct": 1,
               "d_total_seconds": 20.0},
        day=row, topic_day={**row, "topic_id": question.topic_id, "rating": 0.1,
                            "deviation": 1.0},
        attempt={"user_id": user.id, "question_id": question.id,
                 "question_version": question.version, "quiz_id": quiz.id,
                 "idempotency_key": key, "response": "x", "score": 1.0, "correct": True,
                 "duration_ms": 20_000, "hints_used": 0, "rating": 3, "was_new": True,
                 "next_due": NOW + timedelta(days=1), "created_at": NOW},
        item_id=item.id, quiz_id=quiz.id, now=NOW, again=None)


@pytest.fixture
def started(ctx, rng):
    sync_test_bank()
    user = accounts.register_user("batch@example.com", "long-password-42", "B", NOW, 2)
    return user, quizzes.start_daily_review(user, NOW, rng)


def _counts(user_id: int) -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count(Attempt.id)).where(Attempt.user_id == user_id)),
            db.session.scalar(select(func.count()).select_from(DailyActivity)),
            db.session.scalar(select(func.count()).select_from(TopicDay)))


def test_the_writes_link_the_attempt_and_end_the_quiz_only_after_its_last_item(started):
    user, quiz = started
    first, second = quiz.items
    first_attempt = answer_batch.run(_writes(user, quiz, first, "a" * 32))
    assert db.session.scalar(select(QuizItem.attempt_id).where(
        QuizItem.id == first.id)) == first_attempt
    db.session.expire_all()
    assert quiz.finished_at is None  # the second item is still open
    again = {"quiz_id": quiz.id, "question_id": second.question_id, "position": 3,
             "kind": "again"}
    answer_batch.run(dataclasses.replace(_writes(user, quiz, second, "b" * 32), again=again))
    db.session.expire_all()
    assert quiz.finished_at is None and len(quiz.items) == 3  # the re-ask keeps it open
    answer_batch.run(_writes(user, quiz, quiz.items[2], "c" * 32))
    db.session.expire_all()
    assert quiz.finished_at == NOW
    topics = len({item.question.topic_id for item in quiz.items})
    assert _counts(user.id) == (3, 1, topics)  # the day rows added up, not duplicated
    assert db.session.scalar(select(DailyActivity.answers)) == 3


def test_only_a_reused_form_key_counts_as_one(started):
    user, quiz = started
    first, second = quiz.items
    answer_batch.run(_writes(user, quiz, first, "k" * 32))
    before = _counts(user.id)
    with pytest.raises(IntegrityError) as reused, db.session.begin_nested():
        answer_batch.run(_writes(user, quiz, second, "k" * 32))
    assert answers._key_used(reused.value)
    broken = _writes(user, quiz, second, "m" * 32)
    broken.card["question_id"] = 10**9  # no such question: a foreign key refuses the card
    with pytest.raises(IntegrityError) as other, db.session.begin_nested():
        answer_batch.run(broken)
    assert not answers._key_used(other.value)
    assert _counts(user.id) == before  # nothing of either failed answer was kept


def test_a_reused_key_on_another_item_records_nothing_for_it(started, rng):
    _, quiz = started
    first, second = quiz.items
    form = MultiDict(right_answer(first.question))
    done = answers.record_answer(quiz, first, form, "r" * 32, 0, NOW + timedelta(seconds=9),
                                 rng, first.question.version, shown_at=NOW)
    again = answers.record_answer(quiz, second, MultiDict(right_answer(second.question)),
                                  "r" * 32, 0, NOW + timedelta(seconds=30), rng,
                                  second.question.version, shown_at=NOW)
    assert again.repeated and again.attempt_id == done.attempt_id and again.position == 1
    assert db.session.scalar(select(QuizItem.attempt_id).where(QuizItem.id == second.id)) is None


def _read(user, item) -> tuple:
    """The answer's rows as the answer page's login check reads them (PostgreSQL)."""
    question = item.question
    return tuple(answer_rows.STATEMENTS["read_rows"].first(
        {"user_id": user.id, "question_id": question.id, "topic_id": question.topic_id}))


@pytest.fixture
def guarded(monkeypatch) -> list[str]:
    """How each of ``answer_batch.run_guarded``'s runs ended (PostgreSQL only runs it)."""
    outcomes: list[str] = []
    real = answer_batch.run_guarded

    def spy(writes: answer_batch.AnswerWrites) -> int:
        try:
            attempt_id = real(writes)
        except answer_batch.ItemTaken:
            outcomes.append("taken")
            raise
        outcomes.append("written")
        return attempt_id

    monkeypatch.setattr(answer_batch, "run_guarded", spy)
    return outcomes


def test_rows_read_with_the_page_are_written_as_the_locked_read_would(started, rng, guarded):
    user, quiz = started
    first, second = quiz.items
    for item, key, when in ((first, "p" * 32, 9), (second, "q" * 32, 40)):
        done = answers.record_answer(quiz, item, MultiDict(right_answer(item.question)), key,
                                     0, NOW + timedelta(seconds=when), rng,
                                     item.question.version, shown_at=NOW,
                                     read=_read(user, item))
        assert not done.repeated
    assert guarded == (["written"] * 2 if answer_batch.guards_writes() else [])
    db.session.expire_all()
    assert [item.attempt_id is not None for item in quiz.items] == [True, True]
    assert quiz.finished_at is not None  # the last item's answer ended the quiz
    reps = db.session.scalars(select(Card.reps).where(Card.user_id == user.id)).all()
    assert sorted(reps) == [1, 1]
    assert db.session.scalar(select(TopicSkill.n).where(
        TopicSkill.user_id == user.id, TopicSkill.topic_id == first.question.topic_id)) == (
        2 if first.question.topic_id == second.question.topic_id else 1)


def test_an_item_answered_after_its_rows_were_read_is_answered_once(started, rng, guarded):
    """Two forms for one item (two tabs): the second read its rows before the first was
    written; it finds the item answered (its guarded writes are undone) and counts once."""
    user, quiz = started
    first = quiz.items[0]
    stale = _read(user, first)
    form = MultiDict(right_answer(first.question))
    done = answers.record_answer(quiz, first, form, "s" * 32, 0, NOW + timedelta(seconds=9),
                                 rng, first.question.version, shown_at=NOW, read=stale)
    db.session.expire_all()
    before = _counts(user.id)
    view = quizzes.get_quiz_view(user.id, quiz.id, 1)  # the page as the second tab read it
    view.page_item = opened = view.page_item._replace(attempt_id=None)
    view.first_open = 1
    again = answers.record_answer(view, opened, form, "t" * 32, 0,
                                  NOW + timedelta(seconds=12), rng, first.question.version,
                                  shown_at=NOW, read=stale)
    assert again.repeated and again.attempt_id == done.attempt_id
    assert guarded == (["written", "taken"] if answer_batch.guards_writes() else [])
    db.session.expire_all()
    assert _counts(user.id) == before
    assert db.session.scalar(select(Card.reps).where(
        Card.user_id == user.id, Card.question_id == first.question_id)) == 1
