"""Practice modes end to end: start from a form, answer, and each mode's own behaviour."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from quizapp.core import modes as policy
from quizapp.core.clock import utcnow
from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import Quiz
from quizapp.models import Topic
from quizapp.models import TopicSkill
from quizapp.services import modes
from tests.integration.helpers import answer
from tests.integration.helpers import form_key
from tests.integration.helpers import form_shown
from tests.integration.helpers import form_version
from tests.integration.helpers import item_question
from tests.integration.helpers import right_answer
from tests.integration.helpers import wrong_answer
from tests.integration.modes_helpers import Clock
from tests.integration.modes_helpers import location_quiz
from tests.integration.modes_helpers import sync_modes_bank

ALL_DOMAINS = ["ml", "math", "coding", "design"]


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(utcnow().replace(microsecond=0))
    for module in ("quiz", "practice", "main", "progress"):
        monkeypatch.setattr(f"quizapp.blueprints.{module}.utcnow", clock)
    return clock


@pytest.fixture
def learner(client, auth, tmp_path, clock):
    sync_modes_bank(tmp_path)
    auth.register()
    return client


def topic_id(slug: str) -> int:
    return db.session.scalar(select(Topic.id).where(Topic.slug == slug))


def quiz_topics(quiz_id: int) -> list[str]:
    return [i.question.topic.slug for i in db.session.get(Quiz, quiz_id).items]


def attempts() -> int:
    return db.session.scalar(select(func.count(Attempt.id)))


def drill(client, size: int = 20, wrong: tuple[str, ...] = (), **choice) -> int:
    """Drill the chosen domains/topics, answering ``wrong`` topics wrong; return the quiz."""
    quiz_id, _ = location_quiz(client.post("/practice/drill", data={"size": str(size),
                                                                     **choice}))
    for position in range(1, len(db.session.get(Quiz, quiz_id).items) + 1):
        slug = item_question(quiz_id, position).topic.slug
        answer(client, quiz_id, position, correct=slug not in wrong)
    assert db.session.get(Quiz, quiz_id).finished_at is not None
    return quiz_id


def test_dashboard_has_one_button_per_mode(learner):
    page = learner.get("/").get_data(as_text=True)
    assert "Practise" in page
    for mode in ("weak", "drill", "replay", "mock"):
        assert page.count(f'data-mode="{mode}"') == 1
    # the daily review has its own card above the Practise card, offered once
    assert page.count("Start daily review") == 1 and 'data-mode="daily"' not in page


def test_weak_areas_picks_the_weakest_topics_and_says_why(learner, clock):
    drill(learner, domain=ALL_DOMAINS, wrong=("mode-ml-a", "mode-math-a"))
    clock.advance(days=2)
    quiz_id, position = location_quiz(learner.post("/practice/start/weak"))
    quiz = db.session.get(Quiz, quiz_id)
    assert quiz.mode == "weak" and position == 1 and len(quiz.items) == 10
    assert set(quiz.topic_filter[:2]) == {topic_id("mode-ml-a"), topic_id("mode-math-a")}
    assert len(quiz.topic_filter) == 3
    counts = Counter(quiz_topics(quiz_id))
    assert {topic_id(s) for s in counts} == set(quiz.topic_filter)
    assert counts["mode-ml-a"] >= 3 and counts["mode-math-a"] >= 3
    first = item_question(quiz_id, 1).topic
    page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    assert f"Why {first.title}:" in page
    assert "you got 0 of 4 right; skill " in page and "(few answers yet, so uncertain)" in page
    response = answer(learner, quiz_id, 1)
    assert response.headers["Location"] == f"/quiz/{quiz_id}/q/1/feedback"


def test_weak_areas_leaves_out_questions_answered_in_the_last_day(learner, clock):
    drill(learner, domain=ALL_DOMAINS, wrong=("mode-ml-a",))
    clock.advance(hours=20)
    response = learner.post("/practice/start/weak")
    assert response.headers["Location"] == "/practice/"
    assert "come back tomorrow" in learner.get("/practice/").get_data(as_text=True)


def test_drill_asks_only_the_chosen_topics(learner):
    page = learner.get("/practice/drill").get_data(as_text=True)
    assert 'name="domain" value="coding"' in page and 'name="topic"' in page
    quiz_id, _ = location_quiz(learner.post("/practice/drill", data={
        "size": "5", "domain": "math", "topic": str(topic_id("mode-code-a"))}))
    slugs = quiz_topics(quiz_id)
    assert len(slugs) == 5 and set(slugs) <= {"mode-math-a", "mode-code-a"}
    assert db.session.get(Quiz, quiz_id).mode == "drill"


def test_a_domain_box_counts_as_all_its_topics(learner):
    quiz_id, _ = location_quiz(learner.post("/practice/drill", data={"size": "10",
                                                                     "domain": "ml"}))
    assert Counter(quiz_topics(quiz_id)) == {"mode-ml-a": 4, "mode-ml-b": 4}


@pytest.mark.parametrize("data", [{"size": "5"}, {"size": "5", "topic": "999999"},
                                  {"size": "5", "domain": "astrology"},
                                  {"size": "5", "topic": "\u00b2"},  # a digit int() refuses
                                  {"size": "5", "topic": "\u2460"}])
def test_drill_needs_at_least_one_topic(learner, data):
    response = learner.post("/practice/drill", data=data)
    assert response.status_code == 400
    assert "Pick at least one topic." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Quiz.id))) == 0


def test_the_replay_card_says_how_often_a_miss_comes_back(learner):
    page = learner.get("/practice/").get_data(as_text=True)
    assert f"until you get it right, up to {policy.REPLAY_ASKS} times." in page


def test_replay_reasks_a_miss_until_it_is_right(learner, clock):
    drill(learner, domain="math", wrong=())  # four right answers: nothing to replay
    assert learner.post("/practice/start/replay", data={"days": "14"}).headers[
        "Location"] == "/practice/"
    clock.advance(days=2)
    quiz_id = location_quiz(learner.post("/practice/drill", data={"size": "5",
                                                                  "domain": "coding"}))[0]
    for position in range(1, 5):
        answer(learner, quiz_id, position, correct=position > 2)
    missed = {item_question(quiz_id, p).id for p in (1, 2)}
    clock.advance(hours=1)
    quiz_id, _ = location_quiz(learner.post("/practice/start/replay", data={"days": "14"}))
    quiz = db.session.get(Quiz, quiz_id)
    assert quiz.mode == "replay" and {i.question_id for i in quiz.items} == missed
    first = quiz.items[0].question_id
    answer(learner, quiz_id, 1, correct=False)
    assert [i.question_id for i in db.session.get(Quiz, quiz_id).items][2] == first
    answer(learner, quiz_id, 2, correct=True)
    assert "Asked again" in learner.get(f"/quiz/{quiz_id}/q/3").get_data(as_text=True)
    answer(learner, quiz_id, 3, correct=False)  # the last open item, wrong: reopened
    quiz = db.session.get(Quiz, quiz_id)
    assert quiz.finished_at is None and [i.question_id for i in quiz.items][3] == first
    response = answer(learner, quiz_id, 4, correct=True)
    feedback = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert "See your summary" in feedback
    quiz = db.session.get(Quiz, quiz_id)
    assert quiz.finished_at is not None and len(quiz.items) == 4


def test_replay_asks_a_question_it_keeps_missing_three_times_at_most(learner, clock):
    quiz_id = location_quiz(learner.post("/practice/drill", data={"size": "5",
                                                                  "domain": "coding"}))[0]
    for position in range(1, len(db.session.get(Quiz, quiz_id).items) + 1):
        answer(learner, quiz_id, position, correct=position > 1)
    clock.advance(hours=1)
    quiz_id, _ = location_quiz(learner.post("/practice/start/replay", data={"days": "14"}))
    for position in (1, 2, 3):
        answer(learner, quiz_id, position, correct=False)
    quiz = db.session.get(Quiz, quiz_id)
    assert len(quiz.items) == 3 and len({i.question_id for i in quiz.items}) == 1
    assert quiz.finished_at is not None


def test_replay_looks_back_only_the_chosen_days(learner, clock):
    drill(learner, domain="design", wrong=("mode-design-a",))
    clock.advance(days=10)
    assert learner.post("/practice/start/replay", data={"days": "7"}).headers[
        "Location"] == "/practice/"
    quiz_id, _ = location_quiz(learner.post("/practice/start/replay", data={"days": "14"}))
    assert len(db.session.get(Quiz, quiz_id).items) == 4
    assert learner.post("/practice/start/replay", data={"days": "5"}).status_code == 302


def open_question(client, quiz_id: int, position: int) -> dict:
    page = client.get(f"/quiz/{quiz_id}/q/{position}")
    assert page.status_code == 200, page.headers.get("Location")
    html = page.get_data(as_text=True)
    return {"key": form_key(html), "version": form_version(html), "shown": form_shown(html),
            "hints_used": "0",
            **right_answer(item_question(quiz_id, position)), "html": html}


def test_mock_interview_hides_feedback_resumes_and_ends_at_the_deadline(learner, clock):
    started = clock.now
    quiz_id, _ = location_quiz(learner.post("/practice/start/mock", data={"minutes": "30"}))
    quiz = db.session.get(Quiz, quiz_id)
    assert quiz.deadline == started + timedelta(minutes=30)
    domains = Counter(i.question.topic.domain for i in quiz.items)
    assert domains == {"ml": 5, "math": 3, "coding": 4, "design": 3}
    first = open_question(learner, quiz_id, 1)
    assert "Time left: <strong data-timer-text>30:00</strong>" in first.pop("html")
    response = learner.post(f"/quiz/{quiz_id}/q/1", data=first)
    assert response.headers["Location"] == f"/quiz/{quiz_id}"  # straight on, no feedback
    assert learner.get(f"/quiz/{quiz_id}/q/1/feedback").headers["Location"] == f"/quiz/{quiz_id}"
    assert learner.get(f"/quiz/{quiz_id}/summary").headers["Location"] == (
        f"/practice/quiz/{quiz_id}/report")
    assert learner.get(f"/practice/quiz/{quiz_id}/report").headers["Location"] == (
        f"/quiz/{quiz_id}")

    clock.advance(minutes=10)  # leave and come back: the clock kept running
    assert learner.get("/").status_code == 200
    assert learner.get(f"/quiz/{quiz_id}").headers["Location"] == f"/quiz/{quiz_id}/q/2"
    second = open_question(learner, quiz_id, 2)
    assert "Time left: <strong data-timer-text>20:00</strong>" in second.pop("html")
    assert learner.post(f"/quiz/{quiz_id}/q/2", data=second).status_code == 302
    question = item_question(quiz_id, 2)
    assert db.session.scalar(select(func.count(Card.id)).where(
        Card.question_id == question.id)) == 1  # answers feed memory and skill
    assert db.session.scalar(select(TopicSkill.n).where(
        TopicSkill.topic_id == question.topic_id)) >= 1

    third = open_question(learner, quiz_id, 3)
    third.pop("html")
    clock.advance(minutes=21)  # time runs out with the third question on screen
    response = learner.post(f"/quiz/{quiz_id}/q/3", data=third)
    assert response.headers["Location"] == f"/quiz/{quiz_id}/summary"
    assert attempts() == 2
    quiz = db.session.get(Quiz, quiz_id)
    assert quiz.finished_at == quiz.deadline
    report = learner.get(f"/practice/quiz/{quiz_id}/report").get_data(as_text=True)
    assert "Mock interview report" in report and "time ran out" in report
    assert '<span class="pill pill-ml">ML concepts</span>' in report  # names, not codes
    assert "30-minute interview · 30 min used" in report  # not "30 min 0 s"
    assert report.count("<summary>Explanation</summary>") == 15
    for item in quiz.items:
        assert item.question.explanation_md.split(" = ")[1].rstrip(".") in report
    assert report.count('class="verdict-tag muted">not answered') == 13
    links = re.findall(r'href="([^"]+)" data-testid="item-feedback"', report)
    assert links == [f"/quiz/{quiz_id}/q/1/feedback", f"/quiz/{quiz_id}/q/2/feedback"]
    assert learner.get(links[0]).status_code == 200  # the answered ones' feedback pages
    assert learner.get(f"/quiz/{quiz_id}/q/4").headers["Location"] == f"/quiz/{quiz_id}/summary"
    # two right answers of 15 questions: the dashboard scores the mock as its report does
    dashboard = learner.get("/").get_data(as_text=True)
    assert "<td>2</td><td>13%</td>" in dashboard and "<td>2 / 15</td>\n        <td>13%</td>" in (
        dashboard)


def test_an_overdue_mock_ends_on_any_page(learner, clock):
    quiz_id, _ = location_quiz(learner.post("/practice/start/mock", data={"minutes": "45"}))
    clock.advance(minutes=46)
    assert "Pick up where you left off" not in learner.get("/").get_data(as_text=True)
    quiz = db.session.get(Quiz, quiz_id)
    assert quiz.finished_at == quiz.deadline and attempts() == 0


def test_mock_interview_length_must_be_offered(learner):
    response = learner.post("/practice/start/mock", data={"minutes": "5"})
    assert response.headers["Location"] == "/practice/"
    assert db.session.scalar(select(func.count(Quiz.id))) == 0


def test_starting_a_mode_while_a_quiz_is_open_offers_resume_or_abandon(learner):
    quiz_id, _ = location_quiz(learner.post("/practice/start/mock", data={"minutes": "30"}))
    response = learner.post("/practice/start/weak")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f'href="/quiz/{quiz_id}"' in page and f"/practice/quiz/{quiz_id}/abandon" in page
    response = learner.post(f"/practice/quiz/{quiz_id}/abandon", data={"next": "/practice/"})
    assert response.headers["Location"] == "/practice/"
    assert db.session.get(Quiz, quiz_id).finished_at is not None
    assert "is stopped. Pick what to practise next." in learner.get("/practice/").get_data(
        as_text=True)
    assert learner.get(f"/quiz/{quiz_id}/q/1").headers["Location"] == f"/quiz/{quiz_id}/summary"
    assert learner.post("/practice/start/daily").headers["Location"].endswith("/q/1")


def test_abandoning_an_open_quiz_for_a_drill_keeps_the_drills_choice(learner):
    quiz_id, _ = location_quiz(learner.post("/quiz/start"))
    topics = [str(t.id) for t in db.session.scalars(select(Topic).order_by(Topic.id))][:2]
    asked = learner.post("/practice/drill", data={"topic": topics, "size": "5"})
    assert asked.status_code == 409
    hidden = re.findall(r'<input type="hidden" name="(topic|size|domain)" value="([^"]*)">',
                        asked.get_data(as_text=True))
    assert sorted(hidden) == sorted([("topic", t) for t in topics] + [("size", "5")])
    stopped = learner.post(f"/practice/quiz/{quiz_id}/abandon",
                           data={"next": "/practice/drill", **dict_of_lists(hidden)})
    assert stopped.headers["Location"].startswith("/practice/drill?")
    page = learner.get(stopped.headers["Location"]).get_data(as_text=True)
    assert "Your choice is kept below" in page
    for topic in topics:
        assert re.search(rf'name="topic" value="{topic}"[^>]* checked', page)
    assert re.search(r'<option selected value="5">|<option value="5" selected', page)
    forged = learner.post(f"/practice/quiz/{quiz_id}/abandon", data={
        "next": "/practice/drill", "topic": ["1", "x<y"], "size": "999", "domain": "../x"})
    assert forged.headers["Location"] == "/practice/drill?topic=1"


def dict_of_lists(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        found.setdefault(name, []).append(value)
    return found


def test_a_daily_start_that_raced_another_modes_start_offers_resume_or_abandon(
        learner, monkeypatch):
    """The mock's start committed between the daily start's check and its own commit."""
    quiz_id, _ = location_quiz(learner.post("/practice/start/mock", data={"minutes": "30"}))
    monkeypatch.setattr("quizapp.blueprints.practice.modes.open_quiz", lambda *_: None)
    response = learner.post("/practice/start/daily")
    assert response.status_code == 409
    assert f'href="/quiz/{quiz_id}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Quiz.id))) == 1


def test_abandon_is_only_for_your_own_quiz(learner, client, auth):
    quiz_id, _ = location_quiz(learner.post("/practice/start/mock", data={"minutes": "30"}))
    auth.logout()
    auth.register(email="bob@example.com", name="Bob")
    assert client.post(f"/practice/quiz/{quiz_id}/abandon").status_code == 404
    assert db.session.get(Quiz, quiz_id).finished_at is None


def test_a_running_mock_s_verdicts_stay_off_the_question_history(learner, clock):
    """No feedback until the end: the history page must not give it away either."""
    quiz_id, _ = location_quiz(learner.post("/practice/start/mock", data={"minutes": "30"}))
    first = open_question(learner, quiz_id, 1)
    first.pop("html")
    assert learner.post(f"/quiz/{quiz_id}/q/1", data=first).status_code == 302
    history = f"/progress/question/{item_question(quiz_id, 1).id}"
    during = learner.get(history).get_data(as_text=True)
    assert 'data-testid="hidden-attempt"' in during
    assert "is-right" not in during and "is-wrong" not in during
    assert "history-answer" not in during  # nor the right answer
    clock.advance(minutes=31)  # the mock is over: its verdicts show
    after = learner.get(history).get_data(as_text=True)
    assert 'data-testid="hidden-attempt"' not in after and 'class="is-right">Right' in after
    assert 'data-testid="history-answer"' in after


def test_a_running_mock_s_verdicts_stay_off_the_export_and_the_topic_page(learner, clock):
    quiz_id, _ = location_quiz(learner.post("/practice/start/mock", data={"minutes": "30"}))
    first = open_question(learner, quiz_id, 1)
    first.pop("html")
    question = item_question(quiz_id, 1)
    first.update(wrong_answer(question))
    assert learner.post(f"/quiz/{quiz_id}/q/1", data=first).status_code == 302
    topic_page = f"/progress/topic/{question.topic.slug}"

    def exported() -> dict:
        rows = learner.get("/account/export.json").get_json()["attempts"]
        return next(row for row in rows if row["question"] == question.uid)

    assert {key: exported()[key] for key in ("score", "correct", "rating", "next_due")} == {
        "score": None, "correct": None, "rating": None, "next_due": None}
    assert exported()["duration_ms"] is not None
    card = next(c for c in learner.get("/account/export.json").get_json()["cards"]
                if c["question"] == question.uid)
    assert (card["due"], card["lapses"], card["state"]) == (None, None, None)
    assert "Missed in the last 30 days" not in learner.get(topic_page).get_data(as_text=True)
    clock.advance(minutes=31)  # the mock is over: its verdicts show
    assert exported()["correct"] is False and exported()["score"] == 0
    card = next(c for c in learner.get("/account/export.json").get_json()["cards"]
                if c["question"] == question.uid)
    assert card["due"] is not None and card["state"] is not None
    assert "Missed in the last 30 days" in learner.get(topic_page).get_data(as_text=True)


def test_a_stopped_quiz_s_summary_says_it_was_stopped_and_what_the_score_covers(learner):
    quiz_id, _ = location_quiz(learner.post("/practice/drill", data={"size": "10",
                                                                     "domain": "math"}))
    total = len(db.session.get(Quiz, quiz_id).items)
    assert answer(learner, quiz_id, 1).status_code == 302
    assert learner.post(f"/practice/quiz/{quiz_id}/abandon").status_code == 302
    summary = learner.get(f"/quiz/{quiz_id}/summary").get_data(as_text=True)
    assert f"Quiz stopped: 1 of {total} answered" in summary and "Quiz complete" not in summary
    assert "score on the questions answered" in summary


def test_a_daily_review_can_be_stopped_from_its_question_page(learner):
    quiz_id, _ = location_quiz(learner.post("/quiz/start"))
    assert answer(learner, quiz_id, 1).status_code == 302
    page = learner.get(f"/quiz/{quiz_id}/q/2").get_data(as_text=True)
    form = re.search(r'<form method="post" action="(/practice/quiz/\d+/abandon)"[^>]*'
                     r'data-confirm="Stop this review\?', page)
    assert form and form.group(1) == f"/practice/quiz/{quiz_id}/abandon"
    stopped = learner.post(form.group(1))
    assert stopped.headers["Location"] == f"/quiz/{quiz_id}/summary"
    summary = learner.get(stopped.headers["Location"]).get_data(as_text=True)
    assert "Quiz stopped: 1 of" in summary


def test_a_quiz_stopped_before_any_answer_says_nothing_was_recorded(learner):
    quiz_id, _ = location_quiz(learner.post("/practice/drill", data={"size": "10",
                                                                     "domain": "math"}))
    assert learner.post(f"/practice/quiz/{quiz_id}/abandon").status_code == 302
    summary = learner.get(f"/quiz/{quiz_id}/summary").get_data(as_text=True)
    assert "Quiz stopped before any answer" in summary and "nothing was recorded" in summary
    assert "well done" not in summary and 'data-testid="score"' not in summary


def test_summary_rows_name_their_questions(learner):
    quiz_id, _ = location_quiz(learner.post("/practice/drill", data={"size": "10",
                                                                     "domain": "math"}))
    assert answer(learner, quiz_id, 1).status_code == 302
    summary = learner.get(f"/quiz/{quiz_id}/summary").get_data(as_text=True)
    first_words = item_question(quiz_id, 1).body_md.split()[0]
    rows = re.findall(r'<span class="summary-question muted small">(.*?)</span>', summary)
    assert len(rows) == len(db.session.get(Quiz, quiz_id).items)
    assert first_words in rows[0]


def test_topics_sort_as_a_reader_sorts_them(learner):
    """'k-NN and naive Bayes' belongs among the K's, not after every capitalised title."""
    topic = db.session.scalars(select(Topic).where(Topic.slug == "mode-ml-b")).one()
    topic.title = "k-NN and naive Bayes"
    db.session.commit()
    page = learner.get("/practice/drill").get_data(as_text=True)
    assert page.index("k-NN and naive Bayes") < page.index("Mode ML A")
    dashboard = learner.get("/").get_data(as_text=True)
    assert dashboard.index(">k-NN and naive Bayes</a>") < dashboard.index(">Mode ML A</a>")


def test_a_new_learner_is_not_offered_modes_that_need_answers(learner):
    page = learner.get("/practice/").get_data(as_text=True)
    assert 'data-testid="weak-needs-answers"' in page and "Start weak areas" not in page
    assert 'data-testid="replay-needs-answers"' in page
    assert "/practice/start/replay" not in page and "Keep going with new questions" not in page
    drill(learner, domain="math", wrong=())
    page = learner.get("/practice/").get_data(as_text=True)
    assert "Start weak areas" in page and "/practice/start/replay" in page
    assert "Keep going with new questions" in page and "needs-answers" not in page


def _mock_with_question_on_screen(learner) -> tuple[int, dict]:
    quiz_id, _ = location_quiz(learner.post("/practice/start/mock", data={"minutes": "30"}))
    first = open_question(learner, quiz_id, 1)
    first.pop("html")
    return quiz_id, first


def test_an_answer_sent_as_the_mock_s_time_runs_out_still_counts(learner, clock):
    quiz_id, first = _mock_with_question_on_screen(learner)
    clock.advance(minutes=30, seconds=5)  # the page sent it at 0:00; it arrived 5 s late
    assert learner.post(f"/quiz/{quiz_id}/q/1", data=first).status_code == 302
    assert attempts() == 1
    assert learner.get(f"/quiz/{quiz_id}").headers["Location"] == f"/quiz/{quiz_id}/summary"
    quiz = db.session.get(Quiz, quiz_id)
    assert quiz.finished_at == quiz.deadline


@pytest.mark.parametrize("case", ["no stamp from before the end", "too late"])
def test_only_a_question_shown_in_time_is_taken_just_after_the_end(learner, clock, case):
    quiz_id, first = _mock_with_question_on_screen(learner)
    if case == "too late":
        clock.advance(minutes=30, seconds=modes.ANSWER_GRACE.seconds)
    else:
        clock.advance(minutes=30, seconds=5)
        first["shown"] = "0." + first["shown"].split(".", 1)[1]  # its signature fails
    assert learner.post(f"/quiz/{quiz_id}/q/1", data=first).headers["Location"] == (
        f"/quiz/{quiz_id}/summary")
    assert attempts() == 0
