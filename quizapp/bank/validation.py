"""Every problem in a bank: load and schema errors, then near-duplicates and numeric checks."""

from __future__ import annotations

from quizapp.bank.checks import check_numeric_answers
from quizapp.bank.duplicates import duplicate_problems
from quizapp.bank.loader import Bank
from quizapp.bank.loader import Problem


def bank_problems(bank: Bank, run_checks: bool = True) -> list[Problem]:
    """All problems; the cross-question checks run only on a bank that loaded cleanly."""
    if not bank.ok:
        return list(bank.problems)
    problems = duplicate_problems(bank)
    if run_checks:
        problems += check_numeric_answers(bank)
    return problems
