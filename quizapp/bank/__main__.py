"""Validate bank files without an app: ``python -m quizapp.bank [PATH]``."""

import sys
from pathlib import Path

from quizapp.bank.checks import check_numeric_answers
from quizapp.bank.duplicates import duplicate_problems
from quizapp.bank.loader import load_bank


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "questions")
    bank = load_bank(root)
    problems = bank.problems
    if bank.ok:
        problems = check_numeric_answers(bank) + duplicate_problems(bank)
    for problem in problems:
        print(problem)
    print(f"{len(bank.questions)} questions in {len(bank.topics)} topics; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
