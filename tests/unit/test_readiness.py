"""Readiness formulas, checked by hand (docs/readiness.md)."""

import pytest

from quizapp.core.readiness import StudiedCard
from quizapp.core.readiness import TopicBank
from quizapp.core.readiness import predicted_recall
from quizapp.core.readiness import readiness
from quizapp.core.readiness import unseen_probability
from quizapp.core.skill import Skill


def test_recall_is_ninety_percent_after_one_stability():
    assert predicted_recall(10.0, 10.0) == pytest.approx(0.9, abs=1e-9)
    assert predicted_recall(10.0, 0.0) == 1.0


def test_recall_after_three_stabilities():
    # (1 + 0.98035 * 3) ** -0.1542 = 3.94105 ** -0.1542 = 0.8094
    assert predicted_recall(10.0, 30.0) == pytest.approx(0.8094, abs=1e-3)


def test_unseen_questions_earn_half_the_cautious_expected_score():
    # rating 1500 - 100/2 = 1450 against 1500: 1 / (1 + e^(50/173.72)) = 0.42856; x 0.5
    skill = Skill(1500.0, 100.0, 0.06, 5)
    assert unseen_probability(skill, 3) == pytest.approx(0.21428, abs=1e-4)
    assert unseen_probability(Skill(n=0), 3) == 0.0
    assert unseen_probability(None, 3) == 0.0


def test_readiness_per_topic_domain_and_overall():
    bank = [TopicBank(1, "ml", {3: 2}, total=4), TopicBank(2, "math", {2: 2}, total=2)]
    cards = [StudiedCard(1, 10.0, elapsed_days=10.0)] * 2
    result = readiness(cards, bank, {1: Skill(1500.0, 100.0, 0.06, 5)})
    # ml: (0.9 + 0.9 + 2 x 0.21428) / 4 = 55.7 %; math: nothing studied, no skill: 0
    assert result.domains["ml"].value == 55.7
    assert result.domains["math"].value == 0.0
    assert result.overall.value == pytest.approx(37.1, abs=0.05)
    assert result.topics[1].mean_recall == pytest.approx(0.9)
    assert result.topics[2].mean_recall is None


def test_cards_of_retired_topics_are_ignored():
    result = readiness([StudiedCard(9, 10.0, 0.0)], [TopicBank(1, "ml", {3: 1}, 1)], {})
    assert result.overall.value == 0.0 and result.overall.studied == 0
