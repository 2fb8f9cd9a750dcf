"""A simulated learner: hidden per-topic ability, per-question memory that decays and grows.

First attempt: right with ``p = logistic((ability - item difficulty) / SCALE)``. After any
answer the learner has read the explanation and holds the item with stability ``S`` (days
until recall falls to 0.9). Recall after ``t`` days is ``0.9 ** (t / S)`` (exponential
curve) or ``(1 + 19/81 * t / S) ** -0.5`` (power curve, as FSRS assumes). A later answer is
right with ``R + (1 - R) * p``: remembered, or worked out again. Successful recall grows
``S`` more the lower ``R`` was (spacing effect) and the higher the ability; a miss shrinks
it. All randomness comes from the ``rng`` passed in.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from quizapp.core.skill import SCALE

FIRST_STABILITY_RIGHT = 1.5
FIRST_STABILITY_WRONG = 0.5
GROWTH = 4.0
MASSED_GROWTH = 0.1
LAPSE_FACTOR = 0.3


@dataclass(frozen=True)
class Item:
    """A question as the simulator sees it (id, topic, authored difficulty, seconds)."""

    question_id: int
    topic_id: int
    difficulty: int
    expected_seconds: int


@dataclass(frozen=True)
class LearnerModel:
    """How a family of simulated learners behaves."""

    name: str
    curve: str  # "exp" or "power"
    weak_share: float  # share of topics much weaker
    weak_gap: float  # rating points below the others
    ability_sd: float = 100.0
    item_sd: float = 120.0


class Learner:
    """One seeded learner answering a bank."""

    def __init__(self, model: LearnerModel, items: Sequence[Item], rng: random.Random) -> None:
        self.model = model
        topics = sorted({i.topic_id for i in items})
        weak_count = round(len(topics) * model.weak_share)
        self.weak_topics = frozenset(rng.sample(topics, weak_count))
        self.ability = {t: 1500.0 + rng.gauss(0, model.ability_sd)
                        - (model.weak_gap if t in self.weak_topics else 0.0) for t in topics}
        self.items = {i.question_id: i for i in items}
        self.hardness = {i.question_id: 1500.0 + 150.0 * (i.difficulty - 3)
                         + rng.gauss(0, model.item_sd) for i in items}
        self.stability: dict[int, float] = {}
        self.last_seen: dict[int, datetime] = {}

    def p_ability(self, question_id: int) -> float:
        item = self.items[question_id]
        gap = (self.ability[item.topic_id] - self.hardness[question_id]) / SCALE
        return 1.0 / (1.0 + math.exp(-gap))

    def memory(self, question_id: int, now: datetime) -> float:
        """Probability of remembering the item at ``now`` (0 if never seen)."""
        if question_id not in self.stability:
            return 0.0
        days = max(0.0, (now - self.last_seen[question_id]).total_seconds() / 86400)
        stability = self.stability[question_id]
        if self.model.curve == "exp":
            return 0.9 ** (days / stability)
        return (1.0 + 19.0 / 81.0 * days / stability) ** -0.5

    def recall(self, question_id: int, now: datetime) -> float:
        """Probability of answering right at ``now``."""
        memory = self.memory(question_id, now)
        return memory + (1.0 - memory) * self.p_ability(question_id)

    def answer(self, question_id: int, now: datetime, rng: random.Random) -> bool:
        """Answer once (random by ``recall``), then learn from the feedback."""
        memory = self.memory(question_id, now)
        right = rng.random() < memory + (1.0 - memory) * self.p_ability(question_id)
        factor = 0.5 + self.p_ability(question_id)
        if question_id not in self.stability:
            base = FIRST_STABILITY_RIGHT if right else FIRST_STABILITY_WRONG
            self.stability[question_id] = base * factor
        elif right:
            growth = factor * (MASSED_GROWTH + GROWTH * (1.0 - memory))
            self.stability[question_id] *= 1.0 + growth
        else:
            self.stability[question_id] = max(FIRST_STABILITY_WRONG * factor,
                                              self.stability[question_id] * LAPSE_FACTOR)
        self.last_seen[question_id] = now
        return right
