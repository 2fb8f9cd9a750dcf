"""Turn a graded answer into an FSRS rating."""

from __future__ import annotations

from dataclasses import dataclass

from fsrs import Rating

SLOW_FACTOR = 1.5
FAST_FACTOR = 0.5
PASS_SCORE = 0.5

SELF_GRADE_RATINGS = {0: Rating.Again, 1: Rating.Hard, 2: Rating.Good, 3: Rating.Easy}


@dataclass(frozen=True)
class Outcome:
    """What happened when a learner answered one question."""

    score: float
    seconds: float
    expected_seconds: float
    hints_used: int = 0
    self_grade: int | None = None


def rating_for(outcome: Outcome) -> Rating:
    """Map a graded answer to an FSRS rating.

    Self-graded answers use the learner's own grade. Otherwise: wrong -> Again; right but
    slow, partly right, or after a hint -> Hard; right and fast -> Easy; right -> Good.
    """
    if outcome.self_grade is not None:
        return SELF_GRADE_RATINGS[outcome.self_grade]
    if outcome.score < PASS_SCORE:
        return Rating.Again
    slow = outcome.seconds > SLOW_FACTOR * outcome.expected_seconds
    if outcome.score < 1.0 or outcome.hints_used or slow:
        return Rating.Hard
    if outcome.seconds < FAST_FACTOR * outcome.expected_seconds:
        return Rating.Easy
    return Rating.Good
