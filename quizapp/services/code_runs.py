"""Run a code or sql question's visible examples: feedback only, nothing is written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quizapp.grading.base import ResponseError
from quizapp.grading.code import CodeQuestion
from quizapp.grading.code import submitted_code
from quizapp.grading.registry import question_type
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.services.quiz_view import ItemView
from quizapp.services.quiz_view import QuizView
from quizapp.services.quiz_view import parsed_payload
from quizapp.services.quizzes import is_open_item


class NotRunnable(ResponseError):
    """The item is not an open code question on screen."""


def run_examples(quiz: Quiz | QuizView, item: QuizItem | ItemView,
                 form: Mapping[str, Any]) -> dict[str, Any]:
    """Run the submitted code against the item's visible examples only.

    No attempt, card or skill is touched. Returns the results to show, or ``{"error": ...}``
    when the code is missing or too long; raises ``NotRunnable`` for a question that is not
    a code question, already answered, or not the one on screen.
    """
    kind = question_type(item.question.type)
    if not isinstance(kind, CodeQuestion):
        raise NotRunnable("Only code questions have examples to run.")
    if not is_open_item(quiz, item):
        raise NotRunnable("That question is not open.")
    payload = parsed_payload(item.question)
    try:
        code = submitted_code(form)
        run = kind.run(payload, code, examples_only=True)
    except ResponseError as exc:
        return {"error": str(exc), "results": [], "output": ""}
    return {**run, "first_hidden_failure": None}
