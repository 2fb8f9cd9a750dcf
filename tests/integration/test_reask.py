"""A missed question in a daily review is asked once more at the end of the same quiz."""

from datetime import timedelta

from werkzeug.datastructures import MultiDict

from quizapp.services import accounts
from quizapp.services import answers
from quizapp.services import quizzes
from tests.conftest import NOW
from tests.integration.helpers import answer as client_answer
from tests.integration.helpers import item_question
from tests.integration.helpers import right_answer
from tests.integration.helpers import sync_test_bank
from tests.integration.helpers import wrong_answer


def answer(quiz, item, moment, rng, right):
    form = right_answer(item.question) if right else wrong_answer(item.question)
    return answers.record_answer(quiz, item, MultiDict(form), f"{item.id:032x}", 0,
                                 moment + timedelta(seconds=20), rng, item.question.version,
                                 shown_at=moment)


def test_a_miss_comes_back_once_at_the_end_and_the_quiz_finishes_after_it(ctx, rng):
    sync_test_bank()
    user = accounts.register_user("re@example.com", "long-password", "Re", NOW, 2)
    quiz = quizzes.start_daily_review(user, NOW, rng)
    first, second = quiz.items
    answer(quiz, first, NOW, rng, right=False)
    assert [(i.position, i.question_id, i.kind) for i in quiz.items][-1] == (
        3, first.question_id, "again")
    answer(quiz, second, NOW + timedelta(minutes=1), rng, right=True)
    assert len(quiz.items) == 3 and quiz.finished_at is None
    again = quizzes.next_unanswered(quiz)
    assert again.position == 3
    answer(quiz, again, NOW + timedelta(minutes=2), rng, right=False)  # missed twice: no third
    assert len(quiz.items) == 3
    assert quiz.finished_at is not None


def test_the_browser_flow_shows_the_missed_question_again_at_the_end(client, auth):
    sync_test_bank()
    auth.register()
    quiz_id = int(client.post("/quiz/start").headers["Location"].split("/")[2])
    assert client_answer(client, quiz_id, 1, correct=False).status_code == 302
    missed = client.get(f"/quiz/{quiz_id}/q/1/feedback").get_data(as_text=True)
    assert "once more at the end of this quiz" in missed and "Question 1 of 6" in missed
    assert 'class="container quiz-page"' in missed  # not a code question: the usual column
    assert client_answer(client, quiz_id, 2).status_code == 302
    right = client.get(f"/quiz/{quiz_id}/q/2/feedback").get_data(as_text=True)
    assert "once more at the end" not in right
    for position in range(3, 6):
        client_answer(client, quiz_id, position)
    page = client.get(f"/quiz/{quiz_id}/q/6").get_data(as_text=True)
    assert "Question 6 of 6" in page and "again (missed earlier in this quiz)" in page
    assert item_question(quiz_id, 6).id == item_question(quiz_id, 1).id
    client_answer(client, quiz_id, 6, correct=False)
    last = client.get(f"/quiz/{quiz_id}/q/6/feedback").get_data(as_text=True)
    assert "once more at the end" not in last  # asked again only once
    summary = client.get(f"/quiz/{quiz_id}/summary").get_data(as_text=True)
    assert "Quiz complete" in summary
    summary = client.get(f"/quiz/{quiz_id}/summary").get_data(as_text=True)
    assert summary.count('data-testid="asked-again-row"') == 1  # the re-ask is marked
    assert "4 / 6</span><span class=\"stat-label\">answers fully right (1 of them to " \
           "questions asked again)" in summary
