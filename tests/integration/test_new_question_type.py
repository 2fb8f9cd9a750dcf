"""Adding a question type takes one class and one registry entry: no template or view edits."""

from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import select

from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.grading.base import Grade
from quizapp.grading.base import Payload
from quizapp.grading.base import QuestionType
from quizapp.grading.base import ResponseError
from quizapp.grading.registry import REGISTRY
from quizapp.models import Attempt
from quizapp.services.bank_sync import sync_bank
from tests.conftest import NOW
from tests.integration.helpers import form_key
from tests.integration.helpers import form_shown
from tests.integration.helpers import form_version


class YearPayload(Payload):
    year: int


class YearQuestion(QuestionType):
    """Type a year; one year off earns half credit."""

    name = "year"
    label = "Year"
    Payload = YearPayload
    widget_template = "widgets/short_text.html"

    def parse_response(self, payload: YearPayload, form: Mapping[str, Any]) -> int:
        text = str(form.get("answer", "")).strip()
        if not text.isdigit():
            raise ResponseError("Type a year, like 1998.")
        return int(text)

    def grade(self, payload: YearPayload, response: int) -> Grade:
        off = abs(response - payload.year)
        return Grade(score=1.0 if off == 0 else 0.5 if off == 1 else 0.0)

    def answer_md(self, payload: YearPayload) -> str:
        return str(payload.year)


@pytest.fixture
def year_type(monkeypatch):
    monkeypatch.setitem(REGISTRY, "year", YearQuestion())


def test_a_registered_type_validates_syncs_renders_and_grades(client, auth, year_type,
                                                              tmp_path):
    (tmp_path / "ml").mkdir()
    (tmp_path / "ml" / "history.yaml").write_text(
        "domain: ml\ntopic: history\ntitle: ML history\nquestions:\n"
        "  - id: h.backprop\n    type: year\n    difficulty: 2\n"
        "    body: In which year was the backpropagation paper by Rumelhart, Hinton and "
        "Williams published in Nature?\n    explanation: It appeared in 1986.\n"
        "    year: 1986\n")
    bank = load_bank(tmp_path)
    assert bank.ok, [str(p) for p in bank.problems]
    sync_bank(bank, NOW)
    auth.register()
    question_url = client.post("/quiz/start").headers["Location"]
    page = client.get(question_url).get_data(as_text=True)
    assert 'data-question-type="year"' in page and 'name="answer"' in page
    version = form_version(page)
    bad = client.post(question_url, data={"key": form_key(page), "version": version,
                                          "shown": form_shown(page), "answer": "eighties"})
    assert bad.status_code == 400 and "Type a year" in bad.get_data(as_text=True)
    response = client.post(question_url, data={"key": form_key(page), "version": version,
                                               "shown": form_shown(page), "answer": "1987"})
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Partly right (50%)" in feedback and "1986" in feedback
    assert db.session.scalars(select(Attempt)).one().score == 0.5


def test_an_unregistered_type_is_a_bank_error(tmp_path):
    (tmp_path / "ml").mkdir()
    (tmp_path / "ml" / "history.yaml").write_text(
        "domain: ml\ntopic: history\ntitle: T\nquestions:\n"
        "  - {id: h.x, type: year, difficulty: 2, body: b, explanation: e, year: 1986}\n")
    (problem,) = load_bank(tmp_path).problems
    assert problem.field == "type" and "unknown type 'year'" in problem.message
