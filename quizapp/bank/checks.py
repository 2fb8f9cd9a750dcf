"""Evaluate the ``check`` snippet of numeric questions and compare with the stored answer.

Checks are bank content written by the project's authors and run only by ``flask bank
validate --checks`` and the test suite, never by the web app. They run in a child process
with a memory cap and a time limit per check, so a careless ``10**10**10`` is reported
instead of hanging the tool.
"""

from __future__ import annotations

import fractions
import itertools
import math
import multiprocessing
import resource
import statistics
from multiprocessing.connection import Connection

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


CheckOutcome = tuple[float | None, str | None]


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


CHECK_SECONDS = 5.0
CHECK_MEMORY_BYTES = 1 << 30


def _check_worker(connection: Connection, jobs: list[tuple[int, str]]) -> None:
    """In a child process with a memory cap: run each check, send (index, value, error)."""
    resource.setrlimit(resource.RLIMIT_AS, (CHECK_MEMORY_BYTES, CHECK_MEMORY_BYTES))
    for index, source in jobs:
        try:
            connection.send((index, run_check(source), None))
        except BaseException as exc:  # report any failure of author code, even MemoryError
            connection.send((index, None, f"{type(exc).__name__}: {exc}"))
    connection.close()


def run_checks(sources: list[str], seconds: float = CHECK_SECONDS) -> list[CheckOutcome]:
    """Run many checks in a child process; one that runs past ``seconds`` is killed and
    reported, and the rest go on in a fresh child. Returns (value, error) per source."""
    outcomes: list[CheckOutcome] = [(None, None)] * len(sources)
    pending = list(enumerate(sources))
    context = multiprocessing.get_context("fork")
    while pending:
        parent, child = context.Pipe(duplex=False)
        worker = context.Process(target=_check_worker, args=(child, pending), daemon=True)
        worker.start()
        child.close()
        done = 0
        while done < len(pending):
            if not parent.poll(seconds):
                index = pending[done][0]
                outcomes[index] = (None, f"took longer than {seconds:g} s")
                worker.kill()
                done += 1
                break
            try:
                index, value, error = parent.recv()
            except EOFError:  # the child died (e.g. killed by the memory cap)
                outcomes[pending[done][0]] = (None, "the check crashed its process")
                done += 1
                break
            outcomes[index] = (value, error)
            done += 1
        worker.join(timeout=5)
        parent.close()
        pending = pending[done:]
    return outcomes


def check_numeric_answers(bank: Bank) -> list[Problem]:
    """Run every numeric question's check (time- and memory-bounded); report failures."""
    questions = [q for q in bank.questions if q.type == "numeric"]
    payloads = [NumericPayload.model_validate(q.payload) for q in questions]
    outcomes = run_checks([p.check for p in payloads])
    problems = []
    for question, payload, (computed, error) in zip(questions, payloads, outcomes, strict=True):
        if error is not None or computed is None:
            problems.append(Problem(question.source, f"check failed: {error}",
                                    question=question.uid, field="check"))
        elif not within_tolerance(payload, computed):
            problems.append(Problem(question.source, f"check computes {computed!r} but answer "
                                                     f"is {payload.answer!r}",
                                    question=question.uid, field="answer"))
    return problems
