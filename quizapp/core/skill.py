"""Per-topic skill ratings (Glicko-2), with questions as opponents of fixed strength.

Each answer is one "game" between the learner's topic rating and the question's rating,
which comes from its authored difficulty (1-5). Score 1 is a win, 0 a loss, partial credit
in between. See Glickman, "Example of the Glicko-2 system".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import replace

SCALE = 173.7178
DEFAULT_RATING = 1500.0
DEFAULT_DEVIATION = 350.0
DEFAULT_VOLATILITY = 0.06
MIN_DEVIATION = 30.0
TAU = 0.5
QUESTION_DEVIATION = 80.0
DIFFICULTY_STEP = 150.0
EARLY_ANSWERS = 3  # answers in a topic before its mastery is shown as a level


@dataclass(frozen=True)
class Skill:
    rating: float = DEFAULT_RATING
    deviation: float = DEFAULT_DEVIATION
    volatility: float = DEFAULT_VOLATILITY
    n: int = 0


def question_rating(difficulty: int) -> float:
    """Rating of a question from its 1-5 difficulty (3 is average)."""
    return DEFAULT_RATING + (difficulty - 3) * DIFFICULTY_STEP


def expected_score(rating: float, opponent: float, opponent_deviation: float = 0.0) -> float:
    """Probability that a learner at ``rating`` answers a question at ``opponent`` correctly."""
    g = _g(opponent_deviation / SCALE)
    return 1.0 / (1.0 + math.exp(-g * (rating - opponent) / SCALE))


def update(skill: Skill, difficulty: int, score: float) -> Skill:
    """Glicko-2 update of ``skill`` after one answer scored 0..1 on a question."""
    return update_against(skill, question_rating(difficulty), score)


def evidence_weight(first_attempt: bool, predicted_recall: float) -> float:
    """How much one answer says about ability (docs/adaptivity.md, "Skill").

    A first attempt is pure ability: weight 1. On a review the memory model already
    predicted the outcome with probability ``predicted_recall``; only the unexplained
    part, ``1 - R``, is evidence about ability, so a right answer at R = 0.95 weighs 0.05.
    """
    if first_attempt:
        return 1.0
    return min(1.0, max(0.0, 1.0 - predicted_recall))


def update_against(skill: Skill, opponent: float, score: float, weight: float = 1.0) -> Skill:
    """Glicko-2 update after one answer on a question rated ``opponent``.

    ``weight`` tempers the answer's likelihood (L**weight): the information
    ``g^2 E (1 - E)`` and the score term ``g (s - E)`` are both scaled by it, so weight 1 is
    plain Glicko-2 and weight 0 leaves rating and deviation unchanged.
    """
    if weight <= 0.0:
        return replace(skill, n=skill.n + 1)
    mu = (skill.rating - DEFAULT_RATING) / SCALE
    phi = skill.deviation / SCALE
    mu_j = (opponent - DEFAULT_RATING) / SCALE
    g = _g(QUESTION_DEVIATION / SCALE)
    expected = 1.0 / (1.0 + math.exp(-g * (mu - mu_j)))
    v = 1.0 / (weight * g * g * expected * (1.0 - expected))
    delta = v * weight * g * (score - expected)
    sigma = _new_volatility(phi, v, delta, skill.volatility)
    phi_star = math.sqrt(phi * phi + sigma * sigma)
    phi_new = 1.0 / math.sqrt(1.0 / (phi_star * phi_star) + 1.0 / v)
    mu_new = mu + phi_new * phi_new * weight * g * (score - expected)
    return Skill(
        rating=DEFAULT_RATING + SCALE * mu_new,
        deviation=max(MIN_DEVIATION, SCALE * phi_new),
        volatility=sigma,
        n=skill.n + 1,
    )


def mastery(skill: Skill) -> float:
    """Expected score on an average (difficulty 3) question, shrunk toward 0 when uncertain.

    After a single answer the shrinking dominates (a right answer can read below 0.5), so
    pages show no level before ``EARLY_ANSWERS`` answers.
    """
    p = expected_score(skill.rating - skill.deviation / 2, question_rating(3))
    return round(p, 4)


def too_early(skill: Skill) -> bool:
    """Too few answers for ``mastery`` to mean a level (weak, fair, strong)."""
    return skill.n < EARLY_ANSWERS


def _g(phi: float) -> float:
    return 1.0 / math.sqrt(1.0 + 3.0 * phi * phi / (math.pi * math.pi))


def _new_volatility(phi: float, v: float, delta: float, sigma: float) -> float:
    """Solve for the new volatility with the Illinois algorithm (Glicko-2 step 5)."""
    a = math.log(sigma * sigma)

    def f(x: float) -> float:
        ex = math.exp(x)
        top = ex * (delta * delta - phi * phi - v - ex)
        bottom = 2.0 * (phi * phi + v + ex) ** 2
        return top / bottom - (x - a) / (TAU * TAU)

    big_a = a
    if delta * delta > phi * phi + v:
        big_b = math.log(delta * delta - phi * phi - v)
    else:
        k = 1
        while f(a - k * TAU) < 0:
            k += 1
        big_b = a - k * TAU
    f_a, f_b = f(big_a), f(big_b)
    for _ in range(100):
        if abs(big_b - big_a) <= 1e-6:
            break
        big_c = big_a + (big_a - big_b) * f_a / (f_b - f_a)
        f_c = f(big_c)
        if f_c * f_b <= 0:
            big_a, f_a = big_b, f_b
        else:
            f_a /= 2.0
        big_b, f_b = big_c, f_c
    return math.exp(big_a / 2.0)
