"""SQLite write races end in a wait, not in "database is locked"; the render warm-up."""

from __future__ import annotations

import random

from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from quizapp import create_app
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models import QuizItem
from quizapp.rendering import render_markdown
from quizapp.services import accounts
from quizapp.services import answers
from quizapp.services import quizzes
from quizapp.services.bank_sync import sync_bank
from quizapp.services.warmup import warm_render_cache
from tests.conftest import NOW
from tests.conftest import TEST_BANK
from tests.conftest import make_config
from tests.integration.helpers import right_answer


def test_a_stale_reader_answers_after_a_concurrent_commit_on_the_first_try(tmp_path):
    """The unit ends the request's read snapshot and takes the write lock up front.

    Upgrading a snapshot older than another worker's commit would fail ('database is
    locked') and cost a back-off and a re-run; beginning IMMEDIATE writes at once.
    """
    app = create_app(make_config(f"sqlite:///{tmp_path}/race.db", {},
                                 STATIC_BUILD_DIR=str(tmp_path / "static")))
    begins: list[str] = []
    inserts: list[str] = []
    with app.app_context():
        db.create_all()
        sync_bank(load_bank(TEST_BANK), NOW)
        user = accounts.register_user("race@example.com", "a-long-passphrase-1", "R", NOW)
        quiz = quizzes.start_daily_review(user, NOW, random.Random(1))
        quiz_id = quiz.id
        db.session.commit()
        db.session.remove()
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, sql, *_: begins.append(sql) if sql.startswith("BEGIN")
                     else inserts.append(sql) if sql.startswith("INSERT INTO attempt")
                     else None)
        item = db.session.scalars(select(QuizItem).where(
            QuizItem.quiz_id == quiz_id, QuizItem.position == 1)).one()  # a read snapshot
        with db.engine.connect() as other:  # another worker commits a write meanwhile
            other.execute(text("UPDATE users SET display_name = 'Other'"))
            other.commit()
        answers.record_answer(item.quiz, item, MultiDict(right_answer(item.question)), "s" * 32,
                              0, NOW, random.Random(2), item.question.version, shown_at=NOW)
        db.session.remove()
        answered = db.session.scalar(select(QuizItem.attempt_id).where(
            QuizItem.quiz_id == quiz_id, QuizItem.position == 1))
        db.session.remove()
        db.engine.dispose()
    assert answered is not None
    assert begins[:3] == ["BEGIN", "BEGIN", "BEGIN IMMEDIATE"]  # the read, the other, the unit
    assert len(inserts) == 1  # written on the first try: no lost race, no re-run


def test_a_lost_race_is_counted_in_the_request_log(tmp_path):
    """A re-run unit of work shows as ``lock_retries`` on its request's log line."""
    import logging

    from sqlalchemy.exc import OperationalError

    from quizapp.database import retry_on_lock
    from quizapp.request_log import LOGGER

    app = create_app(make_config("sqlite://", {}, REQUEST_LOG="logfmt",
                                 STATIC_BUILD_DIR=str(tmp_path / "static")))
    calls: list[int] = []

    @retry_on_lock
    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("UPDATE x", {}, Exception("database is locked"))
        return "done"

    app.add_url_rule("/flaky", "flaky", flaky)
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    LOGGER.addHandler(handler)
    try:
        assert app.test_client().get("/flaky").get_data(as_text=True) == "done"
        app.test_client().get("/healthz")
    finally:
        LOGGER.removeHandler(handler)
    assert len(calls) == 2
    assert lines[0].endswith(" lock_retries=1") and "path=/flaky" in lines[0]
    assert "lock_retries" not in lines[1]


def test_warm_up_renders_the_bank_into_the_cache(ctx):
    sync_bank(load_bank(TEST_BANK), NOW)
    render_markdown.cache_clear()
    assert warm_render_cache() >= 5
    warmed = render_markdown.cache_info()
    assert warmed.currsize >= 10
    for body in db.session.scalars(select(Question.body_md)):
        render_markdown(body)
    after = render_markdown.cache_info()
    assert after.misses == warmed.misses and after.hits > warmed.hits  # all were cached


def test_two_first_answers_read_before_either_write_both_count(ctx):
    """Question stats are shared: answers that read the same (missing) row add up."""
    from quizapp.core.calibration import QuestionRecord
    from quizapp.core.calibration import record_attempt
    from quizapp.models import QuestionStats
    from quizapp.services import answer_rows

    sync_bank(load_bank(TEST_BANK), NOW)
    question = db.session.scalars(select(Question).order_by(Question.id)).first()
    ada = accounts.register_user("ada-race@example.com", "a-long-passphrase-1", "A", NOW)
    bob = accounts.register_user("bob-race@example.com", "a-long-passphrase-2", "B", NOW)
    db.session.flush()
    reads = [answer_rows.read_rows(user.id, question.id, question.topic_id, question.difficulty)
             for user in (ada, bob)]  # both see no stats row yet
    fresh = QuestionRecord.fresh(question.difficulty)
    assert all(r.question == fresh for r in reads)
    outcomes = [record_attempt(fresh, 1400.0, 1.0, True, 20.0),
                record_attempt(fresh, 1700.0, 0.0, True, 40.0)]
    for rows, after in zip(reads, outcomes, strict=True):
        answer_rows.STATEMENTS["stats"].run(
            answer_rows.stats_params(question.id, rows, after, NOW))
    stats = db.session.get(QuestionStats, question.id)
    db.session.refresh(stats)
    assert (stats.attempts, stats.first_attempts, stats.first_correct) == (2, 2, 1)
    assert stats.total_seconds == 60.0
    expected = fresh.rating + sum(a.rating - fresh.rating for a in outcomes)
    assert abs(stats.rating - expected) < 1e-9
