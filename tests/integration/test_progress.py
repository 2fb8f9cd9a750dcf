"""Dashboard progress, topic and question pages, maintained day summaries, query counts."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import update

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import DailyActivity
from quizapp.models import Question
from quizapp.models import Quiz
from quizapp.models import TopicDay
from quizapp.models import User
from tests.integration.helpers import answer
from tests.integration.helpers import sync_test_bank
from tests.integration.test_query_plans import full_scans
from tests.integration.test_query_plans import recorded  # noqa: F401 - a fixture


@pytest.fixture
def learner(client, auth):
    sync_test_bank()
    auth.register()
    return client


def set_interview(client, days: int, goal: int = 20, target: int = 90, theme: str = "dark"):
    """Save settings with an interview ``days`` from today; return the response."""
    return client.post("/settings", data={
        "display_name": "Ada", "daily_goal": str(goal), "timezone": "UTC",
        "interview_date": (datetime.now(UTC).date() + timedelta(days=days)).isoformat(),
        "target_readiness": str(target), "target_retention": "0.9", "theme": theme})


def play_quiz(client, right=(True, True, False, True, False)) -> int:
    location = client.post("/quiz/start").headers["Location"]
    quiz_id = int(re.fullmatch(r"/quiz/(\d+)/q/1", location).group(1))
    for position, correct in enumerate(right, start=1):
        assert answer(client, quiz_id, position, correct=correct).status_code == 302
    return quiz_id


def test_answers_maintain_the_day_summaries(learner):
    play_quiz(learner)
    day = db.session.scalars(select(DailyActivity)).one()
    assert (day.answers, day.correct, day.new) == (5, 3, 5)
    assert day.duration_ms == sum(db.session.scalars(select(Attempt.duration_ms)))
    topics = db.session.scalars(select(TopicDay)).all()
    assert sum(t.answers for t in topics) == 5 and sum(t.correct for t in topics) == 3
    assert {t.rating for t in topics} != {1500.0}  # the rating after the day's answers


def test_a_new_learner_s_dashboard_explains_its_empty_parts(learner):
    html = learner.get("/").get_data(as_text=True)
    assert 'data-testid="charts-empty"' in html and 'role="img"' not in html
    assert 'data-testid="map-empty"' in html


def test_dashboard_shows_readiness_streak_map_and_charts(learner):
    play_quiz(learner)
    html = learner.get("/").get_data(as_text=True)
    overall = int(re.search(r'data-testid="readiness-overall">(\d+)<', html).group(1))
    assert 0 < overall <= 100
    assert re.search(r'data-testid="streak-current">1<', html)
    assert "No interview date set." in html
    assert 'href="/progress/topic/testing-basics"' in html and "seen" in html
    assert html.count('role="img"') == 3 and html.count("Show as a table") == 3  # one per chart
    assert "charts-empty" not in html and "map-empty" not in html
    assert 'data-drill="' in html  # weakest/strongest topics offer a drill
    headings = re.findall(r'<h3 class="map-domain">([^<]+?) <span', html)
    order = ["ML concepts", "Math &amp; statistics", "Coding", "ML system design"]
    assert headings and headings == [h for h in order if h in headings]  # one order everywhere


def test_one_right_answer_is_too_early_to_call_a_topic_weak(learner):
    play_quiz(learner, right=(True,))
    attempt = db.session.scalars(select(Attempt)).one()
    slug = db.session.get(Question, attempt.question_id).topic.slug
    html = learner.get("/").get_data(as_text=True)
    cell = re.search(r'<li class="topic-cell level-(\w+)">\s*<a class="topic-cell-title" '
                     rf'href="/progress/topic/{slug}">.*?</li>', html, re.S)
    assert cell.group(1) == "early"
    assert "Too early to tell" in cell.group(0) and "Skill \u2013 (1 of 3 answers)" in cell.group(0)
    assert "level-weak" not in html and "Weakest topics" not in html


def test_interview_date_gives_a_plan_and_status(learner):
    set_interview(learner, 10)
    html = learner.get("/").get_data(as_text=True)
    status = re.search(r'data-testid="plan-status">\s*<strong>([^<]+)</strong>', html).group(1)
    assert status == "Start today"  # no answers yet: starting, not behind
    assert re.search(r"the plan needs about \d+ new questions a day from now on", html)
    play_quiz(learner, right=(True,))
    html = learner.get("/").get_data(as_text=True)
    # A day-old account's pace is its one day, not a seventh of a week
    assert re.search(r"the plan needs about \d+ new questions a day; today you did about 1 a "
                     r"day", html)
    assert "(after the 1 new question you learned today)" in html
    db.session.execute(update(User).values(created_at=datetime.now(UTC) - timedelta(days=30)))
    html = learner.get("/").get_data(as_text=True)
    status = re.search(r'data-testid="plan-status">\s*<strong>([^<]+)</strong>', html).group(1)
    assert status.startswith("Behind")  # one new question this week: too few
    assert re.search(r"the plan needs about \d+ new questions a day; this week you did "
                     r"about \d+ a day", html)  # whole questions
    assert re.search(r'data-testid="plan-today">(\d+ reviews?(, \d+ new in [^,.]+)*\.|Nothing '
                     r"more today: today's share is done\.)", html)
    assert '<html lang="en" data-theme="dark">' in html
    plan = html.split("The plan for the next 7 days, per domain")[1].split("</table>")[0]
    assert plan.count("<tr><td>") == 7 and re.search(r"<td>\d+ \+ \d+ new</td>", plan)


def test_an_interview_today_is_not_reported_as_passed(learner):
    set_interview(learner, 0)
    html = learner.get("/").get_data(as_text=True)
    assert "Your interview is today." in html and "has passed" not in html


def test_topic_page_lists_states_and_misses(learner):
    play_quiz(learner, right=(False,) * 5)
    html = learner.get("/progress/topic/testing-basics").get_data(as_text=True)
    answered = int(re.search(r'data-testid="topic-answers">(\d+)<', html).group(1))
    basics = db.session.scalars(select(Question).join(Question.topic).where(
        Question.topic.has(slug="testing-basics"))).all()
    assert answered == len(basics)
    assert "Missed in the last 30 days" in html and "Replay these" in html
    assert re.search('>Dashboard</a> \u203a (ML concepts|Math &amp; statistics|Coding|ML system '
                     r'design)</p>', html)  # the domain's name, not its key
    states = re.findall(r'class="state state-(\w+)"', html)
    assert len(states) == len(basics) and "new" not in states  # all answered once
    assert learner.get("/progress/topic/no-such-topic").status_code == 404


def test_topic_page_shows_skill_in_the_dashboards_measure(learner):
    play_quiz(learner, right=(False,) * 5)
    html = learner.get("/progress/topic/testing-basics").get_data(as_text=True)
    answered = int(re.search(r'data-testid="topic-answers">(\d+)<', html).group(1))
    skill = re.search(r'data-testid="topic-skill">([^<]+)<', html).group(1)
    if answered < 3:
        assert skill == "\u2013" and "(shown after 3 answers)" in html
    else:
        assert re.fullmatch(r"\d+%", skill) and int(skill[:-1]) < 50  # all answers wrong
    rows = re.findall(r"<tr><td>\d\d \w+ \d{4}</td><td>(\d+)%</td><td>(\d+) \u00b1 (\d+)</td>",
                      html)
    assert len(rows) == 1 and 0 <= int(rows[0][0]) <= 100  # one study day, in per cent


def test_question_history_shows_each_attempt(learner):
    play_quiz(learner, right=(False,) * 5)
    attempt = db.session.scalars(select(Attempt)).first()
    html = learner.get(f"/progress/question/{attempt.question_id}").get_data(as_text=True)
    assert html.count("<tr>") == 2 and "Wrong" in html  # header + one attempt
    assert learner.get("/progress/question/999999").status_code == 404

    assert 'data-testid="history-answer"' in html  # a miss can be reviewed in full
    assert re.search(r"(The right answer|A model answer)</h2>", html)
    assert "<h3>Explanation</h3>" in html
    unseen = db.session.scalars(select(Question.id).where(
        Question.retired_at.is_(None), Question.id.not_in(select(Attempt.question_id)))).first()
    assert learner.get(f"/progress/question/{unseen}").status_code == 404  # no peeking


def _add_history(user_id: int, days: int, start: datetime) -> None:
    """Bulk-insert ``days`` days of answers (3 per day) and day summaries."""
    questions = db.session.scalars(select(Question)).all()
    for d in range(days):
        moment = start + timedelta(days=d)
        for i, q in enumerate(questions[:3]):
            db.session.add(Attempt(
                user_id=user_id, question_id=q.id, question_version=q.version,
                idempotency_key=f"h{d}-{i}", response="x", score=1.0, correct=True,
                duration_ms=30000, hints_used=0, rating=3, next_due=moment, created_at=moment))
        db.session.add(DailyActivity(user_id=user_id, day=moment.date(), answers=3, correct=3,
                                     new=0, duration_ms=90000))
        db.session.add(TopicDay(user_id=user_id, topic_id=questions[0].topic_id,
                                day=moment.date(), answers=3, correct=3, duration_ms=90000,
                                rating=1500 + d, deviation=100))
    db.session.flush()


def _statements(client, path: str) -> int:
    counter = {"n": 0}

    def hit(*_args) -> None:
        counter["n"] += 1

    engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", hit)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", hit)
    return counter["n"]


def test_query_count_does_not_grow_with_history(learner):
    play_quiz(learner)
    user = db.session.scalars(select(User)).one()
    paths = ("/", "/progress/topic/testing-basics")
    small = [_statements(learner, p) for p in paths]
    _add_history(user.id, 200, datetime.now(UTC) - timedelta(days=400))
    assert db.session.query(Card).count() >= 5
    large = [_statements(learner, p) for p in paths]
    assert small == large


def test_overdue_reviews_count_as_due_today(learner):
    play_quiz(learner)
    for card in db.session.scalars(select(Card)):
        card.due = datetime.now(UTC) - timedelta(days=3)
    db.session.flush()
    html = learner.get("/").get_data(as_text=True)
    assert "<td>5</td>" in html.split("Reviews due in the next 14 days")[1].split("</tr>")[1]


def test_topic_and_question_pages_use_indexes(learner, recorded):  # noqa: F811
    play_quiz(learner, right=(False,) * 5)
    question_id = db.session.scalars(select(Attempt.question_id)).first()
    recorded.clear()
    assert learner.get("/progress/topic/testing-basics").status_code == 200
    assert learner.get(f"/progress/question/{question_id}").status_code == 200
    problems = {s[:120]: found for s, p in recorded if (found := full_scans(s, p))}
    assert not problems and any(" attempt" in s for s, _ in recorded)


def test_settings_refuse_an_interview_more_than_a_year_away(learner):
    response = set_interview(learner, 400)
    assert response.status_code == 400
    assert "Pick a date within a year from today." in response.get_data(as_text=True)
    user = db.session.scalars(select(User)).one()
    assert (user.interview_date, user.theme, user.target_readiness) == (None, "system", 80)


def test_recent_quizzes_on_the_dashboard_load_no_items(learner):
    """The recent-quiz table counts items in its own query: no quiz's items are loaded."""
    quiz_id = play_quiz(learner)  # 5 answers, 2 wrong: asked again at the end
    items = len(db.session.get(Quiz, quiz_id).items)
    db.session.expunge_all()
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = learner.get("/").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert items == 7 and "Recent quizzes" in page and "<td>5 / 7</td>" in page
    item_loads = [s for s in statements if s.startswith("SELECT quiz_item.id")]
    assert item_loads == []


def test_question_history_lists_the_newest_attempts_and_counts_the_rest(learner):
    """The page stays small however often a question was answered."""
    user_id = db.session.scalar(select(User.id))
    question = db.session.scalars(select(Question).where(Question.type == "mcq")).first()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(25):
        db.session.add(Attempt(
            user_id=user_id, question_id=question.id, question_version=question.version,
            idempotency_key=f"many-{n}", response=0, score=1.0, correct=True,
            duration_ms=1000 * (n + 1), hints_used=0, rating=3, next_due=start,
            created_at=start + timedelta(days=n)))
    db.session.flush()
    html = learner.get(f"/progress/question/{question.id}").get_data(as_text=True)
    assert html.count("<tr>") == 21  # header + the 20 newest
    assert "Your 20 latest of 25 attempts." in html
    assert "25 s" in html and ">1 s<" not in html  # the newest (25 s) shown, the oldest not


def test_a_plan_asking_more_than_the_daily_goal_says_so_on_the_start_card(learner):
    """One story on the dashboard: the start card no longer says 'done' while the plan
    wants more new questions today; the plan's numbers are whole questions."""
    set_interview(learner, 4, goal=1, target=90)
    html = learner.get("/").get_data(as_text=True)
    today = re.search(r'data-testid="plan-today">([^<]*)', html).group(1)
    planned = sum(int(n) for n in re.findall(r"(\d+) new in", today))
    assert planned > 1
    note = re.search(r'data-testid="plan-beyond-goal">Your interview plan asks for (\d+) new',
                     html)
    assert note and int(note.group(1)) == planned
    play_quiz(learner, right=(True,))  # the daily goal of one is done
    done = learner.get("/").get_data(as_text=True)
    assert "Your daily goal is done" in done and "more new question" in done
    assert "Keep going with new questions" in done


def test_a_past_interview_date_is_refused_but_a_stored_one_that_passed_is_kept(learner):
    response = set_interview(learner, -3)
    assert response.status_code == 400 and "That date has passed." in response.get_data(
        as_text=True)
    assert db.session.scalars(select(User)).one().interview_date is None
    assert set_interview(learner, 0).status_code == 302  # today is fine
    user = db.session.scalars(select(User)).one()
    user.interview_date = datetime.now(UTC).date() - timedelta(days=2)  # time went by
    db.session.commit()
    assert set_interview(learner, -2, goal=30).status_code == 302  # other settings still save
    db.session.expire_all()
    assert db.session.scalars(select(User)).one().daily_goal == 30


def test_the_map_and_readiness_count_the_learners_cards_per_topic_and_difficulty(learner):
    """Each cell's "seen" is the learner's cards in its topic, and readiness's unseen
    questions are the bank's by topic and difficulty less those cards."""
    from collections import Counter

    from quizapp.core import readiness as readiness_model
    from quizapp.services import progress

    play_quiz(learner)
    user = db.session.scalars(select(User)).one()
    cards = db.session.execute(select(Question.topic_id, Question.difficulty).join(
        Card, Card.question_id == Question.id).where(Card.user_id == user.id)).all()
    bank = Counter(tuple(row) for row in db.session.execute(
        select(Question.topic_id, Question.difficulty).where(Question.retired_at.is_(None))))
    seen = Counter(tuple(row) for row in cards)
    banks: list = []
    real = readiness_model.readiness
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readiness_model, "readiness",
                      lambda reviewed, topic_banks, skills: banks.extend(topic_banks) or real(
                          reviewed, topic_banks, skills))
        board = progress.dashboard(user, datetime.now(UTC))
    cells = [cell for cells in board.mastery_map.values() for cell in cells]
    assert len(cards) == 5 and sum(cell.seen for cell in cells) == 5
    for cell in cells:
        assert cell.seen == sum(n for (topic, _), n in seen.items() if topic == cell.topic_id)
        assert cell.total == sum(n for (topic, _), n in bank.items() if topic == cell.topic_id)
    assert {b.topic_id for b in banks} == {cell.topic_id for cell in cells}
    for topic_bank in banks:
        assert topic_bank.unseen_by_difficulty == {
            d: n - seen[t, d] for (t, d), n in bank.items() if t == topic_bank.topic_id}


def test_the_plan_offers_the_daily_goal_it_needs_in_one_click(learner):
    set_interview(learner, 4, goal=1, target=90)
    html = learner.get("/").get_data(as_text=True)
    needed = int(re.search(r"the plan needs about (\d+) new questions a day", html).group(1))
    offer = re.search(r'data-testid="raise-goal">.*?name="goal" value="(\d+)"', html, re.S)
    assert needed > 1 and int(offer.group(1)) == needed
    response = learner.post("/settings/daily-goal", data={"goal": str(needed)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert db.session.scalars(select(User)).one().daily_goal == needed
    html = learner.get("/").get_data(as_text=True)
    assert f"Your daily goal is now {needed} questions." in html and "raise-goal" not in html
    for bad in ("0", "201", "ten", ""):
        assert learner.post("/settings/daily-goal", data={"goal": bad}).status_code == 302
        assert db.session.scalars(select(User)).one().daily_goal == needed  # unchanged


def test_a_recent_quiz_with_no_answers_has_no_score(learner):
    quiz_id = int(learner.post("/quiz/start").headers["Location"].split("/")[2])
    learner.post(f"/practice/quiz/{quiz_id}/abandon", data={"next": "/"})
    page = learner.get("/").get_data(as_text=True)
    row = page.split("Recent quizzes", 1)[1].split("</tr>", 2)[1]
    assert "<td>0 / " in row and '<span class="muted" title="No answers">\u2013</span>' in row
    assert "0%" not in row
