"""Build a quiz: due reviews first, then new questions aimed at weak topics and the edge of
the learner's ability, with topics interleaved."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from quizapp.core.skill import SCALE
from quizapp.core.skill import Skill
from quizapp.core.skill import question_rating

TARGET_SUCCESS = 0.7
CLOSENESS_WIDTH = 200.0
SAME_TOPIC_PENALTY = 0.5


@dataclass(frozen=True)
class Candidate:
    """A question the learner has never seen."""

    question_id: int
    topic_id: int
    difficulty: int


@dataclass(frozen=True)
class DueCard:
    """A question whose review is due, with its current probability of recall.

    ``learning`` marks cards in (re)learning steps: just missed, so they come first.
    """

    question_id: int
    topic_id: int
    retrievability: float
    learning: bool = False


@dataclass(frozen=True)
class Pick:
    question_id: int
    topic_id: int
    kind: Literal["review", "new"]


def daily_review(
    due: Sequence[DueCard],
    new: Sequence[Candidate],
    skills: Mapping[int, Skill],
    goal: int,
    new_budget: int,
    rng: random.Random,
) -> list[Pick]:
    """Pick up to ``goal`` items: just-missed and most-forgotten due cards, then new ones."""
    reviews = sorted(due, key=lambda c: (not c.learning, c.retrievability, c.question_id))
    reviews = reviews[:goal]
    review_picks = [Pick(c.question_id, c.topic_id, "review") for c in reviews]
    room = max(0, min(goal - len(review_picks), new_budget))
    new_picks = [Pick(c.question_id, c.topic_id, "new") for c in choose_new(new, skills, room, rng)]
    return interleave(review_picks) + interleave(new_picks)


def target_rating(skill: Skill) -> float:
    """Question rating the learner answers right with probability ``TARGET_SUCCESS``."""
    return skill.rating - SCALE * math.log(TARGET_SUCCESS / (1 - TARGET_SUCCESS))


def closeness(candidate: Candidate, skill: Skill) -> float:
    """How near a question's difficulty is to the edge of the learner's ability (0..1]."""
    gap = (question_rating(candidate.difficulty) - target_rating(skill)) / CLOSENESS_WIDTH
    return math.exp(-gap * gap)


def topic_weight(skill: Skill) -> float:
    """How much a topic is wanted: weak and little-known topics weigh more."""
    weakness = max(0.0, (1500.0 - skill.rating) / 300.0)
    uncertainty = skill.deviation / 350.0
    return 1.0 + weakness + 0.5 * uncertainty


def choose_new(
    candidates: Sequence[Candidate],
    skills: Mapping[int, Skill],
    count: int,
    rng: random.Random,
) -> list[Candidate]:
    """Pick a topic (weak ones likelier, repeats discouraged), then a question near the edge."""
    by_topic: dict[int, list[Candidate]] = {}
    for candidate in sorted(candidates, key=lambda c: c.question_id):
        by_topic.setdefault(candidate.topic_id, []).append(candidate)
    per_topic: Counter[int] = Counter()
    chosen: list[Candidate] = []
    while by_topic and len(chosen) < count:
        topics = sorted(by_topic)
        weights = [topic_weight(skills.get(t, Skill())) * SAME_TOPIC_PENALTY ** per_topic[t]
                   for t in topics]
        topic = topics[_weighted_index(weights, rng)]
        pool = by_topic[topic]
        skill = skills.get(topic, Skill())
        pick = pool.pop(_weighted_index([closeness(c, skill) for c in pool], rng))
        if not pool:
            del by_topic[topic]
        per_topic[topic] += 1
        chosen.append(pick)
    return chosen


def _weighted_index(weights: Sequence[float], rng: random.Random) -> int:
    total = sum(weights)
    if total <= 0:
        return rng.randrange(len(weights))
    point = rng.random() * total
    running = 0.0
    for index, w in enumerate(weights):
        running += w
        if point < running:
            return index
    return len(weights) - 1


def interleave(picks: Sequence[Pick]) -> list[Pick]:
    """Keep priority order but avoid the same topic twice in a row where possible."""
    remaining = list(picks)
    result: list[Pick] = []
    while remaining:
        last_topic = result[-1].topic_id if result else None
        index = next((i for i, p in enumerate(remaining) if p.topic_id != last_topic), 0)
        result.append(remaining.pop(index))
    return result
