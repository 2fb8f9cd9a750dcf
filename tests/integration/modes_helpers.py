"""A five-topic, four-domain bank and a settable clock for the practice-mode tests."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import yaml

from quizapp.bank.loader import load_bank
from quizapp.services.bank_sync import sync_bank
from tests.conftest import NOW

# (domain, topic slug, title): four multiple-choice questions each.
TOPICS = [
    ("ml", "mode-ml-a", "Mode ML A"),
    ("ml", "mode-ml-b", "Mode ML B"),
    ("math", "mode-math-a", "Mode Math A"),
    ("coding", "mode-code-a", "Mode Code A"),
    ("design", "mode-design-a", "Mode Design A"),
]
PER_TOPIC = 4


def write_modes_bank(root: Path) -> Path:
    """Write the bank: question n of topic t asks for the sum t + n (distinct texts)."""
    for t, (domain, slug, title) in enumerate(TOPICS, start=1):
        questions = []
        for n in range(1, PER_TOPIC + 1):
            total = 10 * t + n
            questions.append({
                "id": f"{slug}.q{n}", "type": "mcq", "difficulty": 1 + n % 5,
                "body": f"In {title}, what is {10 * t} plus {n}?",
                "explanation": f"{10 * t} + {n} = {total}.",
                "choices": [{"text": str(total), "correct": True},
                            {"text": str(total + 1)}, {"text": str(total - 1)}],
            })
        folder = root / domain
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{slug}.yaml").write_text(yaml.safe_dump({
            "domain": domain, "topic": slug, "title": title,
            "description": "A topic for the practice-mode tests.", "questions": questions}))
    return root


def sync_modes_bank(tmp_path: Path) -> None:
    bank = load_bank(write_modes_bank(tmp_path / "bank"))
    assert not bank.problems, bank.problems
    sync_bank(bank, NOW)


class Clock:
    """The time the views see (they read ``utcnow`` from their own modules)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def location_quiz(response) -> tuple[int, int]:
    """(quiz id, position) from a redirect to a question."""
    match = re.fullmatch(r"/quiz/(\d+)/q/(\d+)", response.headers["Location"])
    assert match, (response.status_code, response.headers.get("Location"))
    return int(match.group(1)), int(match.group(2))
