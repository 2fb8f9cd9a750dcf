"""Baseline policies: random questions, Leitner boxes, plain per-card FSRS."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta

from fsrs import Card
from fsrs import Scheduler
from fsrs import State

from benchmarks.simulation.learner import Item
from quizapp.core.grading_to_rating import Outcome
from quizapp.core.grading_to_rating import rating_for

LEITNER_DAYS = (1, 2, 4, 8, 16)


class RandomPolicy:
    """``goal`` questions drawn uniformly from the whole bank every day."""

    name = "random"

    def __init__(self, items: Sequence[Item], goal: int) -> None:
        self.ids = [i.question_id for i in items]
        self.goal = goal

    def start(self, now: datetime, rng: random.Random) -> list[int]:
        return rng.sample(self.ids, self.goal)

    def record(self, question_id: int, score: float, now: datetime, seconds: float,
               rng: random.Random) -> None:
        return None


class LeitnerPolicy:
    """Five boxes (1, 2, 4, 8, 16 days); due cards lowest box first, then new in bank order."""

    name = "leitner"

    def __init__(self, items: Sequence[Item], goal: int) -> None:
        self.order = [i.question_id for i in items]
        self.goal = goal
        self.box: dict[int, int] = {}
        self.due: dict[int, datetime] = {}

    def start(self, now: datetime, rng: random.Random) -> list[int]:
        due = sorted((q for q, when in self.due.items() if when <= now),
                     key=lambda q: (self.box[q], q))[:self.goal]
        fresh = [q for q in self.order if q not in self.box][:self.goal - len(due)]
        return due + fresh

    def record(self, question_id: int, score: float, now: datetime, seconds: float,
               rng: random.Random) -> None:
        box = self.box.get(question_id, -1)
        box = min(box + 1, len(LEITNER_DAYS) - 1) if score >= 0.5 else 0
        self.box[question_id] = box
        self.due[question_id] = now + timedelta(days=LEITNER_DAYS[box]) - timedelta(hours=1)


class PlainFsrsPolicy:
    """Per-card FSRS as py-fsrs ships it (1 and 10 minute learning steps, no fuzz): due
    cards (learning first, lowest recall first), then new questions in bank order."""

    name = "plain FSRS"

    def __init__(self, items: Sequence[Item], goal: int) -> None:
        self.items = {i.question_id: i for i in items}
        self.order = [i.question_id for i in items]
        self.goal = goal
        self.cards: dict[int, Card] = {}
        self.scheduler = Scheduler(enable_fuzzing=False)

    def start(self, now: datetime, rng: random.Random) -> list[int]:
        due = [(q, c) for q, c in self.cards.items() if c.due <= now]
        due.sort(key=lambda qc: (qc[1].state == State.Review,
                                 self.scheduler.get_card_retrievability(qc[1], now), qc[0]))
        picked = [q for q, _ in due[:self.goal]]
        fresh = [q for q in self.order if q not in self.cards][:self.goal - len(picked)]
        return picked + fresh

    def record(self, question_id: int, score: float, now: datetime, seconds: float,
               rng: random.Random) -> None:
        item = self.items[question_id]
        rating = rating_for(Outcome(score, seconds, item.expected_seconds))
        card = self.cards.get(question_id) or Card(card_id=0, due=now)
        self.cards[question_id], _ = self.scheduler.review_card(card, rating, now)
