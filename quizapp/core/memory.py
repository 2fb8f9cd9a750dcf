"""FSRS memory model: a card's state in, a rating and a time in, the new state out.

py-fsrs fuzzes intervals with the global ``random`` module, so the scheduler here runs with
fuzzing off and this module applies the same fuzz ranges with the caller's ``rng``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from fsrs import Card
from fsrs import Rating
from fsrs import Scheduler
from fsrs import State

# No learning steps (docs/adaptivity.md, "Learning steps"): a quiz a day cannot honour
# 1- and 10-minute steps, and in the simulation cards waiting in them crowded out new
# material; without steps a miss is simply due again the next day.
LEARNING_STEPS: tuple[timedelta, ...] = ()
_SCHEDULER = Scheduler(enable_fuzzing=False, learning_steps=LEARNING_STEPS,
                       relearning_steps=LEARNING_STEPS)

# (lower days, upper days, factor) as in FSRS: the fuzz grows with the interval.
_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, float("inf"), 0.05))


@dataclass(frozen=True)
class MemoryState:
    """What we store per (user, question): the FSRS card fields."""

    state: int = State.Learning.value
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None

    @property
    def is_new(self) -> bool:
        return self.last_review is None


def _to_card(memory: MemoryState, now: datetime) -> Card:
    return Card(
        card_id=0,  # an id we never use; omitting it makes py-fsrs sleep 1 ms
        state=State(memory.state),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due or now,
        last_review=memory.last_review,
    )


def review(memory: MemoryState, rating: Rating, now: datetime, rng: random.Random) -> MemoryState:
    """Apply one review at ``now``; return the new state with a fuzzed due date."""
    _require_aware(now)
    now = now.astimezone(UTC)  # py-fsrs insists on datetime.timezone.utc
    card, _log = _SCHEDULER.review_card(_to_card(memory, now), rating, review_datetime=now)
    result = MemoryState(
        state=card.state.value,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
    if card.state == State.Review:
        result = replace(result, due=now + fuzz_interval(card.due - now, rng))
    return result


def fuzz_interval(interval: timedelta, rng: random.Random) -> timedelta:
    """Spread review intervals of 2.5+ days by a few percent so reviews don't bunch up."""
    days = interval.total_seconds() / 86400
    if days < 2.5:
        return interval
    delta = 1.0
    for lower, upper, factor in _FUZZ_RANGES:
        delta += factor * max(min(days, upper) - lower, 0.0)
    low = max(2, round(days - delta))
    high = round(days + delta)
    return timedelta(days=rng.randint(low, max(low, high)))


def retrievability(memory: MemoryState, now: datetime) -> float:
    """Probability of recall at ``now`` (1.0 for a card never reviewed)."""
    if memory.is_new:
        return 1.0
    return _SCHEDULER.get_card_retrievability(_to_card(memory, now), current_datetime=now)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware (UTC)")
