"""Per-question difficulty calibrated online from every learner's first attempts.

A question starts at the rating of its authored difficulty (``skill.question_rating``) and
moves by an online Newton step on the logistic model after each first attempt: with the
prior counted as ``PRIOR_ATTEMPTS`` pseudo-attempts of Fisher information 1/4 each, the
step for the n-th real first attempt is ``4 * SCALE / (PRIOR_ATTEMPTS + n)`` rating
points per unit of surprise. Selection uses the calibrated rating once ``MIN_FIRST_ATTEMPTS``
first attempts are in (docs/adaptivity.md, "Question difficulty").
"""

from __future__ import annotations

from dataclasses import dataclass

from quizapp.core.skill import SCALE
from quizapp.core.skill import expected_score
from quizapp.core.skill import question_rating

PRIOR_ATTEMPTS = 10
MIN_FIRST_ATTEMPTS = 5


@dataclass(frozen=True)
class QuestionRecord:
    """What is stored per question (the ``QuestionStats`` row)."""

    rating: float
    attempts: int = 0
    first_attempts: int = 0
    first_correct: int = 0
    total_seconds: float = 0.0

    @classmethod
    def fresh(cls, difficulty: int) -> QuestionRecord:
        return cls(rating=question_rating(difficulty))

    @property
    def mean_seconds(self) -> float | None:
        return self.total_seconds / self.attempts if self.attempts else None


def record_attempt(record: QuestionRecord, learner_rating: float, score: float,
                   first_attempt: bool, seconds: float) -> QuestionRecord:
    """Count one attempt; a first attempt also moves the rating against the learner's."""
    if not first_attempt:
        return QuestionRecord(record.rating, record.attempts + 1, record.first_attempts,
                              record.first_correct, record.total_seconds + seconds)
    n = record.first_attempts + 1
    surprise = expected_score(learner_rating, record.rating) - score  # > 0: harder than thought
    step = 4.0 * SCALE / (PRIOR_ATTEMPTS + n)
    return QuestionRecord(
        rating=record.rating + step * surprise,
        attempts=record.attempts + 1,
        first_attempts=n,
        first_correct=record.first_correct + (1 if score >= 0.5 else 0),
        total_seconds=record.total_seconds + seconds,
    )


def effective_rating(difficulty: int, record: QuestionRecord | None) -> float:
    """The rating selection and skill use: calibrated once enough first attempts are in."""
    if record is None:
        return question_rating(difficulty)
    return calibrated_rating(difficulty, record.rating, record.first_attempts)


def calibrated_rating(difficulty: int, rating: float | None, first_attempts: int | None) -> float:
    """``effective_rating`` from the stats row's two columns it needs (None: no row yet),
    for a whole bank at once without building a ``QuestionRecord`` per question."""
    if rating is None or first_attempts is None or first_attempts < MIN_FIRST_ATTEMPTS:
        return question_rating(difficulty)
    return rating
