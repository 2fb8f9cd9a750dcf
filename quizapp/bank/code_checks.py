"""Run each code and SQL question's reference solution and starter through the sandbox.

The solution must pass every test (visible and hidden); the starter code must fail at least
one, or the question asks nothing. ``flask bank validate --code`` runs this for authors, and
the test suite runs it in CI (``tests/sandbox/test_bank_code_questions.py``). Several
questions run at once, up to the sandbox's own bound; each submission runs in its own jail,
as in the app.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from quizapp.bank.loader import Bank
from quizapp.bank.loader import Problem
from quizapp.bank.schema import BankQuestion
from quizapp.grading.code import CodeQuestion
from quizapp.grading.registry import REGISTRY
from quizapp.sandbox import concurrency


def code_problems(bank: Bank) -> list[Problem]:
    """A problem for each runnable question whose solution fails or whose starter passes."""
    runnable = [q for q in bank.questions if isinstance(REGISTRY.get(q.type), CodeQuestion)]
    with ThreadPoolExecutor(max_workers=concurrency()) as pool:
        return [problem for found in pool.map(question_problems, runnable) for problem in found]


def question_problems(question: BankQuestion) -> list[Problem]:
    """Run one question's solution and starter; what is wrong with them, if anything."""
    kind = REGISTRY[question.type]
    payload = kind.load(question.payload)
    problems = []
    solved = kind.run(payload, payload.solution)
    failing = [f"{r['name']} ({r['message'] or 'failed'})" for r in solved["results"]
               if not r["passed"]]
    if failing:
        problems.append(Problem(question.source, "the solution fails "
                                + "; ".join(failing)[:500], question=question.uid,
                                field="solution"))
    started = kind.run(payload, payload.starter or "\n")
    if all(r["passed"] for r in started["results"]):
        problems.append(Problem(question.source, "the starter code passes every test",
                                question=question.uid, field="starter"))
    return problems
