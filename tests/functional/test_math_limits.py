"""A question at the math-span limits renders all of its KaTeX, without errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from quizapp.bank.limits import MAX_MATH_SPANS_PER_FIELD
from quizapp.bank.limits import MAX_MATH_SPANS_PER_QUESTION
from quizapp.bank.loader import load_bank
from tests.functional.conftest import LiveServer
from tests.functional.conftest import serve_bank
from tests.functional.test_browser import register

pytestmark = pytest.mark.browser
PER_CHOICE = (MAX_MATH_SPANS_PER_QUESTION - MAX_MATH_SPANS_PER_FIELD) // 2
FORMULAS = ["x_{%d}^2", "\\frac{%d}{n}", "\\sqrt{%d}", "e^{-%d t}", "\\sum_{i=1}^{%d} a_i"]


def spans(count: int, short: bool = False) -> str:
    if short:
        return " ".join("$x$" for _ in range(count))  # choice text is limited to 600 chars
    return " and ".join(f"${FORMULAS[i % len(FORMULAS)] % i}$" for i in range(count))


def write_bank(root: Path) -> Path:
    question = {
        "id": "limits.math.heavy", "type": "mcq", "difficulty": 1,
        "body": "Consider " + spans(MAX_MATH_SPANS_PER_FIELD) + ".",
        "explanation": "Only the first option is right.",
        "choices": [{"text": spans(PER_CHOICE, short=True), "correct": True},
                    {"text": spans(PER_CHOICE, short=True)}],
        "shuffle": False,
    }
    data = {"domain": "math", "topic": "math-limits", "title": "Math at the limit",
            "questions": [question]}
    path = root / "math" / "math-limits.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return root


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, worker_id_safe) -> Iterator[LiveServer]:
    """A live server whose bank holds only the question at the limits."""
    bank = load_bank(write_bank(tmp_path_factory.mktemp("limits-bank")))
    assert bank.ok, [str(p) for p in bank.problems]
    with serve_bank(bank, tmp_path_factory, worker_id_safe, "_limits") as server:
        yield server


def test_a_question_at_the_math_limits_typesets_every_span(page):
    register(page)
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
    body = page.locator(".question-body")
    body.locator(".katex").first.wait_for()
    assert body.locator(".math").count() == MAX_MATH_SPANS_PER_FIELD
    assert body.locator(".katex").count() == MAX_MATH_SPANS_PER_FIELD
    assert page.locator(".choice-text .katex").count() == 2 * PER_CHOICE
    assert page.locator(".math-error").count() == 0
