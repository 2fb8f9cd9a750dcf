"""A leniently accepted short answer shows the canonical answer on the feedback page."""

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from tests.integration.helpers import answer
from tests.integration.helpers import item_question
from tests.integration.helpers import sync_test_bank


@pytest.fixture
def quiz_at_short(client, auth):
    """A started quiz with every item before the short_text one answered right."""
    sync_test_bank()
    auth.register()
    location = client.post("/quiz/start").headers["Location"]
    quiz_id = int(re.fullmatch(r"/quiz/(\d+)/q/1", location).group(1))
    position = next(p for p in range(1, 6) if item_question(quiz_id, p).uid == "t.short")
    for earlier in range(1, position):
        answer(client, quiz_id, earlier)
    return quiz_id, position


def _feedback(client, quiz_id: int, position: int, text: str) -> str:
    response = answer(client, quiz_id, position, answer=text)
    assert response.headers["Location"] == f"/quiz/{quiz_id}/q/{position}/feedback"
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_misspelt_answer_is_accepted_and_the_canonical_one_shown(client, quiz_at_short):
    page = _feedback(client, *quiz_at_short, "the sofmax")
    assert "Correct." in page
    note = re.search(r'<p[^>]*data-testid="accepted-as"[^>]*>(.*?)</p>', page, re.S)
    assert note, "no leniency note on the feedback page"
    text = " ".join(note.group(1).split())
    assert "Accepted as <strong>softmax</strong>" in text
    assert "spelling: <em>sofmax</em> → <strong>softmax</strong>" in text
    latest = db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    assert latest.correct and latest.response == "the sofmax"


def test_an_exact_answer_shows_no_leniency_note(client, quiz_at_short):
    page = _feedback(client, *quiz_at_short, "Softmax")
    assert "Correct." in page and 'data-testid="accepted-as"' not in page


def test_a_wrong_answer_shows_no_leniency_note(client, quiz_at_short):
    page = _feedback(client, *quiz_at_short, "softmin")
    assert "Not quite." in page and 'data-testid="accepted-as"' not in page
