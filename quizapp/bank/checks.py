"""Evaluate the ``check`` snippet of numeric questions and compare with the stored answer.

Checks are bank content written by the project's authors and run only by ``flask bank
validate --checks`` and the test suite, never by the web app.
"""

from __future__ import annotations

import fractions
import itertools
import math
import statistics
from dataclasses import dataclass

from quizapp.bank.loader import Bank
from quizapp.bank.loader import Problem
from quizapp.grading.numeric import NumericPayload
from quizapp.grading.numeric import within_tolerance

CHECK_GLOBALS = {
    "math": math,
    "statistics": statistics,
    "itertools": itertools,
    "Fraction": fractions.Fraction,
    "comb": math.comb,
    "perm": math.perm,
    "factorial": math.factorial,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log2": math.log2,
    "e": math.e,
    "pi": math.pi,
}


@dataclass(frozen=True)
class CheckResult:
    uid: str
    computed: float | None
    error: str | None


def run_check(source: str) -> float:
    """Evaluate an expression, or run statements that assign ``answer``; return the number."""
    namespace: dict[str, object] = dict(CHECK_GLOBALS)
    try:
        code = compile(source, "<check>", "eval")
    except SyntaxError:
        exec(compile(source, "<check>", "exec"), namespace)  # noqa: S102 - trusted bank content
        if "answer" not in namespace:
            raise ValueError("a multi-line check must assign the result to 'answer'") from None
        return float(namespace["answer"])  # type: ignore[arg-type]
    return float(eval(code, namespace))  # noqa: S307 - trusted bank content


def check_numeric_answers(bank: Bank) -> list[Problem]:
    """Run every numeric question's check; report those that fail or disagree."""
    problems = []
    for question in bank.questions:
        if question.type != "numeric":
            continue
        payload = NumericPayload.model_validate(question.payload)
        try:
            computed = run_check(payload.check)
        except Exception as exc:  # report any failure of author code as a bank problem
            problems.append(Problem(question.source, f"check failed: {type(exc).__name__}: {exc}",
                                    question=question.uid, field="check"))
            continue
        if not within_tolerance(payload, computed):
            problems.append(Problem(question.source, f"check computes {computed!r} but answer "
                                                     f"is {payload.answer!r}",
                                    question=question.uid, field="answer"))
    return problems
