"""Build a quiz: due reviews first, then new questions aimed at weak topics and the edge of
the learner's ability, with topics interleaved."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from typing import NamedTuple

from quizapp.core.grading_to_rating import PASS_SCORE
from quizapp.core.skill import DEFAULT_DEVIATION
from quizapp.core.skill import DEFAULT_RATING
from quizapp.core.skill import SCALE
from quizapp.core.skill import Skill
from quizapp.core.skill import question_rating

TARGET_SUCCESS = 0.7
CLOSENESS_WIDTH = 200.0
SAME_TOPIC_PENALTY = 0.5
MIN_EVIDENCE = 3
UNCERTAINTY_WEIGHT = 0.5
MAX_WEAKNESS = 3.0
NEW_FLOOR = 0.25
FOCUS_SHARE = {"balanced": 0.7, "weak": 0.9}
FOCUSES = tuple(FOCUS_SHARE)
REASK_MISSES = True
REASK_MODES = frozenset({"daily"})


class Candidate(NamedTuple):
    """A question the learner has never seen; ``rating`` is its calibrated rating, if any.

    A named tuple: a quiz start makes one per unseen question of the bank (hundreds), and a
    frozen dataclass cost several times as much to build.
    """

    question_id: int
    topic_id: int
    difficulty: int
    rating: float | None = None

    @property
    def effective_rating(self) -> float:
        return self.rating if self.rating is not None else question_rating(self.difficulty)


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


@dataclass(frozen=True)
class DailyRequest:
    """Everything a daily review is chosen from (loaded by the service or the simulator)."""

    due: Sequence[DueCard]
    new: Sequence[Candidate]
    skills: Mapping[int, Skill]
    goal: int
    new_budget: int
    focus: str = "balanced"


@dataclass(frozen=True)
class Allocation:
    """How a quiz's slots split: due reviews, new questions for weak topics, for coverage."""

    reviews: int
    weak_new: int
    coverage_new: int


def daily_review(
    due: Sequence[DueCard],
    new: Sequence[Candidate],
    skills: Mapping[int, Skill],
    goal: int,
    new_budget: int,
    rng: random.Random,
    focus: str = "balanced",
) -> list[Pick]:
    """Pick up to ``goal`` items: due reviews, then new ones for weak topics and coverage."""
    return daily_quiz(DailyRequest(due, new, skills, goal, new_budget, focus), rng)


def daily_quiz(request: DailyRequest, rng: random.Random) -> list[Pick]:
    """The daily review the services store and the simulator replays (same function)."""
    if request.focus not in FOCUS_SHARE:
        raise ValueError(f"unknown focus {request.focus!r}; expected one of {FOCUSES}")
    needs = topic_needs(request.skills)
    plan = allocate(len(request.due), len(request.new), needs, request.goal,
                    request.new_budget, request.focus)
    reviews = sorted(request.due, key=lambda c: (not c.learning, c.retrievability,
                                                 c.question_id))[:plan.reviews]
    review_picks = [Pick(c.question_id, c.topic_id, "review") for c in reviews]
    weak = [c for c in request.new if c.topic_id in needs]
    chosen = _choose(weak, lambda t: needs[t], request.skills, plan.weak_new, rng)
    taken = {c.question_id for c in chosen}
    rest = [c for c in request.new if c.question_id not in taken]
    room = plan.weak_new + plan.coverage_new - len(chosen)
    chosen += _choose(rest, lambda t: coverage_weight(request.skills.get(t, Skill())),
                      request.skills, room, rng)
    new_picks = [Pick(c.question_id, c.topic_id, "new") for c in chosen]
    return interleave(review_picks) + interleave(new_picks)


def reask(mode: str, score: float, times_asked: int) -> bool:
    """Ask a missed question once more at the end of the same quiz (as Anki does).

    Only in ``REASK_MODES``, only after a miss (score below ``PASS_SCORE``) and only once:
    ``times_asked`` is how many of the quiz's items ask this question, this one included.
    """
    return REASK_MISSES and mode in REASK_MODES and score < PASS_SCORE and times_asked < 2


def allocate(due_count: int, new_available: int, needs: Mapping[int, float], goal: int,
             new_budget: int, focus: str) -> Allocation:
    """Split ``goal`` slots (docs/adaptivity.md, "Allocation").

    New questions get at least ``NEW_FLOOR`` of the goal (within today's budget); due
    reviews take the rest of the room; the new slots go to weak topics in the share
    ``FOCUS_SHARE[focus] * (1 - exp(-sum of needs))``, so the weaker and the more uncertain
    the weak topics, the more of the new questions they get.
    """
    new_cap = max(0, min(new_budget, new_available))
    floor = min(new_cap, round(goal * NEW_FLOOR))
    reviews = min(due_count, max(0, goal - floor))
    new = min(new_cap, goal - reviews)
    share = FOCUS_SHARE[focus] * (1.0 - math.exp(-sum(needs.values())))
    weak_new = round(new * share)
    return Allocation(reviews, weak_new, new - weak_new)


def reference_rating(skills: Mapping[int, Skill]) -> float:
    """The learner's own average over topics with evidence (1500 without any)."""
    known = [s.rating for s in skills.values() if s.n >= MIN_EVIDENCE]
    return sum(known) / len(known) if len(known) >= 2 else DEFAULT_RATING


def topic_needs(skills: Mapping[int, Skill]) -> dict[int, float]:
    """Weak topics and how much each needs: logits below the learner's average plus
    ``UNCERTAINTY_WEIGHT`` times the relative deviation (topics with evidence only)."""
    reference = reference_rating(skills)
    return {
        topic: (reference - s.rating) / SCALE + UNCERTAINTY_WEIGHT * s.deviation
        / DEFAULT_DEVIATION
        for topic, s in skills.items()
        if s.n >= MIN_EVIDENCE and s.rating < reference
    }


def coverage_weight(skill: Skill) -> float:
    """Coverage favours topics little known yet: the relative deviation (1 when unseen)."""
    return skill.deviation / DEFAULT_DEVIATION


def target_rating(skill: Skill) -> float:
    """Question rating the learner answers right with probability ``TARGET_SUCCESS``."""
    return skill.rating - SCALE * math.log(TARGET_SUCCESS / (1 - TARGET_SUCCESS))


def closeness(candidate: Candidate, skill: Skill) -> float:
    """How near a question's difficulty is to the edge of the learner's ability (0..1]."""
    gap = (candidate.effective_rating - target_rating(skill)) / CLOSENESS_WIDTH
    return math.exp(-gap * gap)


def topic_weight(skill: Skill, reference: float = DEFAULT_RATING) -> float:
    """How much a topic is wanted: ``exp(weakness) * (1 + 0.5 * relative deviation)``.

    Weakness is logits below ``reference`` clamped to +-``MAX_WEAKNESS``: never zero, and
    a topic 350 points below the reference weighs 7.5 times one at it.
    """
    weakness = max(-MAX_WEAKNESS, min(MAX_WEAKNESS, (reference - skill.rating) / SCALE))
    return math.exp(weakness) * (1.0 + UNCERTAINTY_WEIGHT * skill.deviation / DEFAULT_DEVIATION)


def choose_new(
    candidates: Sequence[Candidate],
    skills: Mapping[int, Skill],
    count: int,
    rng: random.Random,
) -> list[Candidate]:
    """Pick a topic (weak ones likelier, repeats discouraged), then a question near the edge."""
    reference = reference_rating(skills)
    return _choose(candidates, lambda t: topic_weight(skills.get(t, Skill()), reference),
                   skills, count, rng)


def _choose(candidates: Sequence[Candidate], weight_of: Callable[[int], float],
            skills: Mapping[int, Skill], count: int, rng: random.Random) -> list[Candidate]:
    """Draw ``count`` questions: a topic by weight (halved per pick already from it), then a
    question in it by closeness to the difficulty target."""
    by_topic: dict[int, list[Candidate]] = {}
    for candidate in sorted(candidates, key=lambda c: c.question_id):
        by_topic.setdefault(candidate.topic_id, []).append(candidate)
    # A topic's weight and a question's closeness do not change while drawing: computed once
    # (per draw, they had been most of a quiz start's CPU), the draws are the same.
    base = {topic: weight_of(topic) for topic in by_topic}
    near: dict[int, list[float]] = {}  # filled when a topic is first drawn
    per_topic: Counter[int] = Counter()
    chosen: list[Candidate] = []
    while by_topic and len(chosen) < count:
        topics = sorted(by_topic)
        weights = [base[t] * SAME_TOPIC_PENALTY ** per_topic[t] for t in topics]
        topic = topics[_weighted_index(weights, rng)]
        pool = by_topic[topic]
        closeness_of = near.get(topic)
        if closeness_of is None:
            skill = skills.get(topic, Skill())
            closeness_of = near[topic] = [closeness(c, skill) for c in pool]
        index = _weighted_index(closeness_of, rng)
        pick = pool.pop(index)
        del closeness_of[index]
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
