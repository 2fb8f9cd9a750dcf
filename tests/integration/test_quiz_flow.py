import re
from datetime import UTC
from datetime import datetime

import pytest
from fsrs import Rating
from sqlalchemy import func
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import Quiz
from quizapp.models import TopicSkill
from tests.integration.helpers import answer
from tests.integration.helpers import form_key
from tests.integration.helpers import form_shown
from tests.integration.helpers import form_version
from tests.integration.helpers import item_question
from tests.integration.helpers import right_answer
from tests.integration.helpers import sync_test_bank
from tests.integration.modes_helpers import Clock


@pytest.fixture
def learner(client, auth):
    sync_test_bank()
    auth.register()
    return client


def start(client) -> int:
    response = client.post("/quiz/start")
    match = re.fullmatch(r"/quiz/(\d+)/q/1", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def attempts() -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt))


def test_daily_review_serves_new_questions_up_to_the_bank(learner):
    quiz_id = start(learner)
    quiz = db.session.get(Quiz, quiz_id)
    assert len(quiz.items) == 5 and {i.kind for i in quiz.items} == {"new"}
    page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    assert "Question 1 of 5" in page
    assert 'name="csrf_token"' in page or learner.application.config["WTF_CSRF_ENABLED"] is False


def test_answer_every_type_then_summary(learner):
    quiz_id = start(learner)
    for position in range(1, 6):
        response = answer(learner, quiz_id, position)
        assert response.headers["Location"] == f"/quiz/{quiz_id}/q/{position}/feedback"
        feedback = learner.get(response.headers["Location"]).get_data(as_text=True)
        assert "Explanation" in feedback
        assert ("Correct." in feedback) or ("You graded yourself 3/3" in feedback)
    summary = learner.get(f"/quiz/{quiz_id}/summary").get_data(as_text=True)
    assert "Quiz complete" in summary and 'data-testid="score">100%' in summary
    assert "Testing basics" in summary and "Went well" in summary
    assert db.session.get(Quiz, quiz_id).finished_at is not None
    # types as learners read them, results coloured as their verdicts
    assert '<td class="hide-sm">Multiple choice</td>' in summary and ">mcq<" not in summary
    assert summary.count('class="result-link result-right"') == 5


def test_wrong_answer_shows_the_right_one_and_why(learner):
    quiz_id = start(learner)
    position = next(p for p in range(1, 6) if item_question(quiz_id, p).uid == "t.mcq")
    for earlier in range(1, position):
        answer(learner, quiz_id, earlier)
    response = answer(learner, quiz_id, position, correct=False)
    page = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not quite." in page
    assert "has a zero denominator" in page  # the right choice's note
    assert "your pick" in page


def test_double_submit_records_one_attempt(learner):
    quiz_id = start(learner)
    page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    data = {"key": form_key(page), "version": form_version(page), "shown": form_shown(page),
            **right_answer(item_question(quiz_id, 1))}
    first = learner.post(f"/quiz/{quiz_id}/q/1", data=data)
    second = learner.post(f"/quiz/{quiz_id}/q/1", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert attempts() == 1
    card = db.session.scalars(select(Card)).one()
    assert card.reps == 1


def test_resubmitting_an_answered_item_with_a_new_key_changes_nothing(learner):
    quiz_id = start(learner)
    answer(learner, quiz_id, 1)
    question = item_question(quiz_id, 1)
    response = learner.post(f"/quiz/{quiz_id}/q/1", data={
        "key": "a" * 32, "version": str(question.version), **right_answer(question)})
    assert response.headers["Location"] == f"/quiz/{quiz_id}/q/1/feedback"
    assert attempts() == 1


def test_a_form_key_reused_on_another_question_writes_nothing_for_it(learner):
    """The attempt insert fails on the used key after the card, skill and stats writes were
    sent (on PostgreSQL, in one pipeline): all of them are rolled back."""
    quiz_id = start(learner)
    first_page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    used_key = form_key(first_page)
    learner.post(f"/quiz/{quiz_id}/q/1", data={"key": used_key,
                                               "version": form_version(first_page),
                                               "shown": form_shown(first_page),
                                               **right_answer(item_question(quiz_id, 1))})
    before = (db.session.scalar(select(func.count(Card.question_id))),
              db.session.scalar(select(func.sum(TopicSkill.n))))
    second_page = learner.get(f"/quiz/{quiz_id}/q/2").get_data(as_text=True)
    response = learner.post(f"/quiz/{quiz_id}/q/2", data={
        "key": used_key, "version": form_version(second_page), "shown": form_shown(second_page),
        **right_answer(item_question(quiz_id, 2))})
    assert response.headers["Location"] == f"/quiz/{quiz_id}/q/1/feedback"  # the earlier one
    db.session.expire_all()
    assert attempts() == 1
    assert (db.session.scalar(select(func.count(Card.question_id))),
            db.session.scalar(select(func.sum(TopicSkill.n)))) == before
    assert learner.get(f"/quiz/{quiz_id}/q/2").status_code == 200  # still open


def test_unusable_answer_rerenders_with_message_and_input(learner):
    quiz_id = start(learner)
    position = next(p for p in range(1, 6) if item_question(quiz_id, p).uid == "t.numeric")
    for earlier in range(1, position):
        answer(learner, quiz_id, earlier)
    page = learner.get(f"/quiz/{quiz_id}/q/{position}").get_data(as_text=True)
    response = learner.post(f"/quiz/{quiz_id}/q/{position}",
                            data={"key": form_key(page), "version": form_version(page),
                                  "shown": form_shown(page), "answer": "twelve"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "is not a number" in html and 'value="twelve"' in html
    assert attempts() == position - 1


def test_missing_key_is_rejected_without_recording(learner):
    quiz_id = start(learner)
    response = learner.post(f"/quiz/{quiz_id}/q/1", data=right_answer(item_question(quiz_id, 1)))
    assert response.status_code == 400
    assert attempts() == 0


def test_questions_are_answered_in_order(learner):
    quiz_id = start(learner)
    assert learner.get(f"/quiz/{quiz_id}/q/3").headers["Location"] == f"/quiz/{quiz_id}/q/1"
    assert learner.get(f"/quiz/{quiz_id}").headers["Location"] == f"/quiz/{quiz_id}/q/1"
    assert learner.get(f"/quiz/{quiz_id}/q/99").status_code == 404


def test_option_order_is_stable_across_reloads(learner):
    quiz_id = start(learner)
    first = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    again = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    order = re.findall(r'name="choice" value="(\d+)"', first)
    assert order == re.findall(r'name="choice" value="(\d+)"', again)


def test_answer_updates_card_skill_and_attempt(learner):
    quiz_id = start(learner)
    answer(learner, quiz_id, 1)
    card = db.session.scalars(select(Card)).one()
    attempt = db.session.scalars(select(Attempt)).one()
    skill = db.session.scalars(select(TopicSkill)).one()
    assert card.reps == 1 and card.due > attempt.created_at and card.last_review is not None
    assert attempt.correct and attempt.was_new and attempt.next_due == card.due
    assert attempt.rating in (Rating.Good, Rating.Easy, Rating.Hard)
    assert skill.n == 1 and skill.rating > 1500


def test_hint_makes_a_right_answer_hard(learner):
    quiz_id = start(learner)
    position = next(p for p in range(1, 6) if item_question(quiz_id, p).uid == "t.short")
    for earlier in range(1, position):
        answer(learner, quiz_id, earlier)
    answer(learner, quiz_id, position, hints_used="1")
    attempt = db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    assert attempt.correct and attempt.rating == Rating.Hard and attempt.hints_used == 1
    feedback = learner.get(f"/quiz/{quiz_id}/q/{position}/feedback").get_data(as_text=True)
    assert "You used a hint, so this counts as a harder recall" in feedback  # and says why
    earlier = learner.get(f"/quiz/{quiz_id}/q/1/feedback").get_data(as_text=True)
    assert position == 1 or 'data-testid="hard-why"' not in earlier  # a plain right answer


def test_other_learners_cannot_see_a_quiz(learner, auth):
    quiz_id = start(learner)
    answer(learner, quiz_id, 1)
    auth.logout()
    auth.register(email="eve@example.com", name="Eve")
    for path in (f"/quiz/{quiz_id}", f"/quiz/{quiz_id}/q/1", f"/quiz/{quiz_id}/q/1/feedback",
                 f"/quiz/{quiz_id}/summary"):
        assert learner.get(path).status_code == 404
    assert learner.post(f"/quiz/{quiz_id}/q/2", data={"key": "b" * 32}).status_code == 404


def test_start_resumes_an_unfinished_quiz(learner):
    quiz_id = start(learner)
    answer(learner, quiz_id, 1)
    assert learner.post("/quiz/start").headers["Location"] == f"/quiz/{quiz_id}"
    dashboard = learner.get("/").get_data(as_text=True)
    assert "Pick up where you left off" in dashboard


def test_an_edit_between_showing_and_answering_is_not_graded_blind(learner):
    quiz_id = start(learner)
    page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    question = item_question(quiz_id, 1)
    question.version += 1
    question.body_md = "Edited body."
    db.session.commit()
    data = {"key": form_key(page), "version": "1", "shown": form_shown(page),
            **right_answer(question)}
    response = learner.post(f"/quiz/{quiz_id}/q/1", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "was updated while you were answering" in html and "Edited body." in html
    assert 'name="version" type="hidden" value="2"' in html
    assert attempts() == 0
    data["version"] = "2"
    assert learner.post(f"/quiz/{quiz_id}/q/1", data=data).status_code == 302


def test_a_later_question_cannot_be_answered_before_it_is_shown(learner):
    """Posting to question 2 while question 1 is open grades nothing (even with a version)."""
    quiz_id = start(learner)
    learner.get(f"/quiz/{quiz_id}/q/1")
    later = item_question(quiz_id, 2)
    response = learner.post(f"/quiz/{quiz_id}/q/2", data={
        "key": "b" * 32, "version": str(later.version), **right_answer(later)})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/quiz/{quiz_id}"
    assert attempts() == 0
    assert learner.get(f"/quiz/{quiz_id}").headers["Location"].endswith("/q/1")


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    monkeypatch.setattr("quizapp.blueprints.quiz.utcnow", clock)
    return clock


def _open_first(learner) -> tuple[int, dict]:
    """Start a quiz and show its first question; (quiz id, the form a browser would send)."""
    quiz_id = start(learner)
    page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    return quiz_id, {"key": form_key(page), "version": form_version(page),
                     "shown": form_shown(page), **right_answer(item_question(quiz_id, 1))}


def _duration_ms() -> int:
    return db.session.scalars(select(Attempt.duration_ms)).one()


def test_an_answer_is_timed_from_when_its_page_was_shown(learner, clock):
    quiz_id, data = _open_first(learner)
    clock.advance(seconds=37.5)
    assert learner.post(f"/quiz/{quiz_id}/q/1", data=data).status_code == 302
    assert _duration_ms() == 37_500


@pytest.mark.parametrize("forge", [
    lambda stamp: str(int(stamp.split(".")[0]) - 60_000) + "." + stamp.split(".")[1],
    lambda stamp: stamp[:-2] + ("AA" if not stamp.endswith("AA") else "BB"),
    lambda stamp: "",
    lambda stamp: "not a stamp",
], ids=["earlier-time", "edited-signature", "missing", "malformed"])
def test_the_open_question_is_graded_only_with_the_stamp_its_page_signed(
        learner, clock, forge):
    """No valid stamp: the page was not shown (or the form was forged); nothing graded."""
    quiz_id, data = _open_first(learner)
    response = learner.post(f"/quiz/{quiz_id}/q/1", data={**data, "shown": forge(data["shown"])})
    assert response.status_code == 303 and attempts() == 0
    assert learner.post(f"/quiz/{quiz_id}/q/1", data=data).status_code == 302
    assert attempts() == 1


def test_a_stamp_from_another_question_page_grades_nothing(learner, clock):
    quiz_id, data = _open_first(learner)
    assert learner.post(f"/quiz/{quiz_id}/q/1", data=data).status_code == 302
    second = {"key": "d" * 32, "version": str(item_question(quiz_id, 2).version),
              "shown": data["shown"], **right_answer(item_question(quiz_id, 2))}
    assert learner.post(f"/quiz/{quiz_id}/q/2", data=second).status_code == 303
    assert attempts() == 1


def test_a_re_rendered_form_keeps_its_page_shown_stamp(learner, clock):
    quiz_id, data = _open_first(learner)
    clock.advance(seconds=20)
    response = learner.post(f"/quiz/{quiz_id}/q/1", data={**data, "version": ""})
    assert response.status_code == 400
    assert form_shown(response.get_data(as_text=True)) == data["shown"]
    clock.advance(seconds=10)
    assert learner.post(f"/quiz/{quiz_id}/q/1", data=data).status_code == 302
    assert _duration_ms() == 30_000


def test_an_answer_without_the_shown_version_is_refused(learner):
    quiz_id = start(learner)
    page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    response = learner.post(f"/quiz/{quiz_id}/q/1", data={
        "key": form_key(page), **right_answer(item_question(quiz_id, 1))})
    assert response.status_code == 400 and attempts() == 0
    assert f'name="version" type="hidden" value="{item_question(quiz_id, 1).version}"' in (
        response.get_data(as_text=True))


def test_an_answer_without_a_csrf_token_is_refused(app, learner):
    """The answer form leaves CSRF to CSRFProtect, which checks every POST first."""
    quiz_id = start(learner)
    page = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    data = {"key": form_key(page), "version": form_version(page),
            **right_answer(item_question(quiz_id, 1))}
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = learner.post(f"/quiz/{quiz_id}/q/1", data=data)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and b"Form expired" in response.data
    assert attempts() == 0

