"""Daily review over several days, driven through the services with explicit times."""

import random
from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from quizapp.extensions import db
from quizapp.models import Card
from quizapp.models import User
from quizapp.services import accounts
from quizapp.services import answers
from quizapp.services import progress
from quizapp.services import quizzes
from quizapp.services import reports
from tests.conftest import NOW
from tests.integration.helpers import right_answer
from tests.integration.helpers import sync_test_bank
from tests.integration.helpers import wrong_answer


def make_user(goal: int = 20, timezone: str = "UTC") -> User:
    user = accounts.register_user("sam@example.com", "long-password", "Sam", NOW, goal)
    user.timezone = timezone
    db.session.commit()
    return user


def play(user, now, rng, correct=lambda q: True, extra=False):
    """Start a daily review at ``now`` and answer every item 30 s apart (including misses
    asked again at the end, which ``record_answer`` appends)."""
    quiz = quizzes.start_daily_review(user, now, rng, extra=extra)
    if quiz is None:
        return None
    moment = now
    while (item := quizzes.next_unanswered(quiz)) is not None:
        shown, moment = moment, moment + timedelta(seconds=30)
        form = right_answer(item.question) if correct(item.question) else wrong_answer(
            item.question)
        answers.record_answer(quiz, item, MultiDict(form), f"{item.id:032x}", 0, moment, rng,
                              item.question.version, shown_at=shown)
    return quiz


def test_next_day_brings_back_the_due_reviews(ctx, rng):
    sync_test_bank()
    user = make_user()
    first = play(user, NOW, rng, correct=lambda q: q.uid != "t.mcq")
    # The miss is asked once more at the end of the same quiz (issue 9: "again").
    assert [i.kind for i in first.items][-1] == "again"
    assert {i.kind for i in first.items[:-1]} == {"new"}
    tomorrow = NOW + timedelta(days=1, hours=1)
    due_ids = set(db.session.scalars(select(Card.question_id).where(Card.due <= tomorrow)))
    assert due_ids  # the missed question at least is due again
    second = quizzes.start_daily_review(user, tomorrow, rng)
    assert {i.question_id for i in second.items} == due_ids
    assert {i.kind for i in second.items} == {"review"}
    missed = next(i for i in second.items if i.question.uid == "t.mcq")
    assert missed.position == 1 or len(second.items) > 1


def test_new_question_budget_is_per_local_day(ctx, rng):
    sync_test_bank()
    user = make_user(goal=3)
    first = play(user, NOW, rng)
    assert len(first.items) == 3
    assert quizzes.new_introduced_today(user, NOW + timedelta(minutes=30)) == 3
    # No learning steps (docs/adaptivity.md): nothing answered this morning is due today.
    moment = NOW + timedelta(hours=2)
    assert quizzes.start_daily_review(user, moment, rng) is None  # budget spent, none due
    extra = quizzes.start_daily_review(user, moment, rng, extra=True)
    assert extra is not None and [i.kind for i in extra.items] == ["new", "new"]


def test_day_boundary_follows_the_learners_time_zone(ctx, rng):
    sync_test_bank()
    user = make_user(goal=2, timezone="America/New_York")  # NOW is 04:00 in New York
    play(user, NOW, rng)
    assert quizzes.new_introduced_today(user, NOW + timedelta(hours=19)) == 2  # 23:00 NY
    assert quizzes.new_introduced_today(user, NOW + timedelta(hours=21)) == 0  # next NY day


def test_retired_questions_are_not_served(ctx, rng):
    sync_test_bank()
    user = make_user()
    play(user, NOW, rng)
    from quizapp.models import Question

    for question in db.session.scalars(select(Question)):
        question.retired_at = NOW
    db.session.commit()
    assert quizzes.start_daily_review(user, NOW + timedelta(days=30), rng) is None


def test_summary_reports_topics_and_upcoming_reviews(ctx, rng):
    sync_test_bank()
    user = make_user()
    quiz = play(user, NOW, rng, correct=lambda q: q.topic.slug == "testing-basics")
    summary = reports.quiz_summary(quiz, NOW + timedelta(minutes=5))
    # The two misses were asked again at the end (and missed again): 7 answers.
    assert summary.answered == 7 and summary.correct == 3
    assert [t.title for t in summary.went_well] == ["Testing basics"]
    assert [t.title for t in summary.went_badly] == ["Testing math"]
    assert summary.duration_ms == 7 * 30_000
    assert summary.next_due is not None and summary.due_within_day >= 2


def test_dashboard_counts(ctx, rng):
    sync_test_bank()
    user = make_user(goal=3)
    play(user, NOW, rng)
    later = NOW + timedelta(minutes=10)
    board = reports.dashboard(user, later, None)
    assert board.due_now == 0 and board.next_due is not None
    assert len(board.recent) == 1 and board.recent[0][1] == 3
    counts = progress.dashboard(user, later)
    assert counts.new_today == 3 and counts.answered_today == 3
    assert counts.new_available == 2
    assert quizzes.new_introduced_today(user, later) == 3


def test_todays_counts_come_from_the_learners_local_day(ctx, rng):
    """Answered and new today, on the dashboard and in the daily budget, count the answers
    of the learner's local day, not the last 24 hours."""
    sync_test_bank()
    user = make_user(goal=2, timezone="America/New_York")  # NOW is 04:00 in New York
    play(user, NOW, rng)
    evening = NOW + timedelta(hours=19)  # 23:00 in New York: the same day
    counts = progress.dashboard(user, evening)
    assert (counts.answered_today, counts.new_today) == (2, 2)
    next_morning = NOW + timedelta(hours=21)  # 01:00 the next day in New York
    counts = progress.dashboard(user, next_morning)
    assert (counts.answered_today, counts.new_today, counts.total_answers) == (0, 0, 2)
    assert quizzes.new_introduced_today(user, next_morning) == 0


def test_many_days_of_practice_keep_intervals_growing(ctx):
    sync_test_bank()
    user = make_user()
    rng = random.Random(5)
    day = NOW
    for _ in range(20):
        play(user, day, rng)
        day += timedelta(days=1)
    cards = db.session.scalars(select(Card)).all()
    assert len(cards) == 5
    assert all(card.due - card.last_review > timedelta(days=3) for card in cards)


def test_a_started_quiz_is_stored_as_the_orm_would_and_belongs_to_the_session(ctx, rng):
    """``commit_new_quiz`` writes plain statements: the rows are the ORM's (unset JSON is
    SQL NULL, a list or an extra is JSON), and the quiz it returns is a loaded one."""
    from sqlalchemy import text

    from quizapp.models import Topic
    from quizapp.services import modes

    sync_test_bank()
    user = make_user()
    daily = quizzes.start_daily_review(user, NOW, rng)
    assert daily in db.session and daily.id is not None and daily.finished_at is None
    stored = db.session.execute(text(
        "SELECT mode, seed, topic_filter IS NULL, deadline IS NULL, finished_at IS NULL "
        "FROM quiz WHERE id = :id"), {"id": daily.id}).one()
    assert tuple(stored) == ("daily", daily.seed, True, True, True)
    rows = db.session.execute(text(
        "SELECT position, question_id, kind, extra IS NULL FROM quiz_item "
        "WHERE quiz_id = :id ORDER BY position"), {"id": daily.id}).all()
    assert [tuple(r) for r in rows] == [
        (i.position, i.question_id, i.kind, True) for i in daily.items]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    modes.abandon(user.id, daily.id, NOW)
    topic_ids = sorted(db.session.scalars(select(Topic.id)))[:1]
    drill = modes.start_drill(user, topic_ids, 3, NOW + timedelta(minutes=1), rng)
    assert db.session.execute(text("SELECT topic_filter FROM quiz WHERE id = :id"),
                              {"id": drill.id}).scalar() is not None
    db.session.expire(drill)
    assert drill.topic_filter == topic_ids and drill.mode == "drill"
    assert drill.items and {i.question.topic_id for i in drill.items} <= set(topic_ids)
