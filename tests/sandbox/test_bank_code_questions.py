"""CI check: every code/sql question's solution passes all its tests; its starter fails one.

Runs through the real sandbox, several questions at once (up to the sandbox's bound); each
question's tests run in one process per submission, as in the app.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from quizapp.bank.loader import load_bank
from quizapp.grading.code import CodeQuestion
from quizapp.grading.registry import REGISTRY
from quizapp.sandbox import concurrency

BANK_DIR = Path(__file__).resolve().parents[2] / "questions"


def _check(question) -> list[str]:
    kind = REGISTRY[question.type]
    payload = kind.load(question.payload)
    problems = []
    solved = kind.run(payload, payload.solution)
    failing = [f"{r['name']}: {r['message']}" for r in solved["results"] if not r["passed"]]
    if failing:
        problems.append(f"{question.uid}: the solution fails {failing}")
    started = kind.run(payload, payload.starter or "\n")
    if all(r["passed"] for r in started["results"]):
        problems.append(f"{question.uid}: the starter code passes every test")
    return problems


def test_every_code_question_solution_passes_and_starter_fails():
    bank = load_bank(BANK_DIR)
    assert bank.ok, [str(p) for p in bank.problems[:5]]
    runnable = [q for q in bank.questions if isinstance(REGISTRY[q.type], CodeQuestion)]
    assert len(runnable) >= 10
    with ThreadPoolExecutor(max_workers=concurrency()) as pool:
        problems = [p for found in pool.map(_check, runnable) for p in found]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind_name", ["code", "sql"])
def test_the_check_catches_a_wrong_solution(kind_name):
    """The check can fail: a solution swapped for the starter is reported."""
    bank = load_bank(BANK_DIR)
    question = next(q for q in bank.questions if q.type == kind_name)
    broken = question.model_copy(update={"payload": {**question.payload,
                                                     "solution": question.payload["starter"]}})
    if kind_name == "sql":  # the reference result itself changes; break the starter instead
        broken = question.model_copy(update={"payload": {**question.payload,
                                                         "starter": question.payload["solution"]}})
    assert _check(broken)
