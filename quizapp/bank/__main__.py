"""Validate bank files without an app: ``python -m quizapp.bank [PATH]``."""

import sys
from pathlib import Path

from quizapp.bank.loader import load_bank
from quizapp.bank.validation import bank_problems


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "questions")
    bank = load_bank(root)
    problems = bank_problems(bank)
    for problem in problems:
        print(problem)
    print(f"{len(bank.questions)} questions in {len(bank.topics)} topics; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
