"""Formulas of docs/adaptivity.md, each checked against values worked out by hand.

Glicko-2 constants used below: SCALE = 173.7178, phi0 = 350 / SCALE = 2.014761,
g(80 / SCALE) = 1 / sqrt(1 + 3 * 0.212078 / pi^2) = 0.969247.
"""

import random
from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from fsrs import Rating

from quizapp.core.calibration import QuestionRecord
from quizapp.core.calibration import calibrated_rating
from quizapp.core.calibration import effective_rating
from quizapp.core.calibration import record_attempt
from quizapp.core.memory import MemoryState
from quizapp.core.memory import retrievability
from quizapp.core.memory import review
from quizapp.core.practice import apply_answer
from quizapp.core.selection import Allocation
from quizapp.core.selection import Candidate
from quizapp.core.selection import DailyRequest
from quizapp.core.selection import allocate
from quizapp.core.selection import closeness
from quizapp.core.selection import coverage_weight
from quizapp.core.selection import daily_quiz
from quizapp.core.selection import reask
from quizapp.core.selection import reference_rating
from quizapp.core.selection import target_rating
from quizapp.core.selection import topic_needs
from quizapp.core.selection import topic_weight
from quizapp.core.skill import Skill
from quizapp.core.skill import evidence_weight
from quizapp.core.skill import update_against

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# --- Skill: weighted Glicko-2 -------------------------------------------------------------

def test_full_weight_win_is_plain_glicko2():
    # phi* = sqrt(2.014761^2 + 0.06^2) = 2.015654; info = g^2 / 4 = 0.234860
    # phi' = 1 / sqrt(1 / 4.062861 + 0.234860) = 1.441886 -> 250.48
    # mu' = phi'^2 * g * 0.5 = 1.007551 -> 1500 + 175.03
    after = update_against(Skill(), 1500.0, 1.0, weight=1.0)
    assert after.rating == pytest.approx(1675.03, abs=0.02)
    assert after.deviation == pytest.approx(250.48, abs=0.02)


def test_half_weight_win_moves_less_and_keeps_more_uncertainty():
    # info = 0.5 * 0.234860 = 0.117430; phi' = 1 / sqrt(0.246132 + 0.117430) = 1.658482
    # mu' = phi'^2 * 0.5 * g * 0.5 = 0.666494 -> +115.78; deviation 288.11
    after = update_against(Skill(), 1500.0, 1.0, weight=0.5)
    assert after.rating == pytest.approx(1615.78, abs=0.02)
    assert after.deviation == pytest.approx(288.11, abs=0.02)


def test_zero_weight_changes_nothing_but_the_count():
    before = Skill(1400.0, 120.0, 0.06, 4)
    assert update_against(before, 1500.0, 0.0, weight=0.0) == Skill(1400.0, 120.0, 0.06, 5)


@pytest.mark.parametrize(("first", "recall", "weight"), [
    (True, 0.0, 1.0), (True, 0.9, 1.0),       # first attempts count fully
    (False, 0.95, 0.05), (False, 0.6, 0.4),   # reviews: only the unexplained 1 - R
    (False, 1.2, 0.0), (False, -0.1, 1.0),    # clamped to 0..1
])
def test_evidence_weight(first, recall, weight):
    assert evidence_weight(first, recall) == pytest.approx(weight)


# --- Question difficulty ------------------------------------------------------------------

def test_first_attempt_moves_the_question_by_a_newton_step():
    # step = 4 * 173.7178 / (10 + 1) = 63.1701; surprise = E(1500 vs 1500) - 0 = 0.5
    one = record_attempt(QuestionRecord.fresh(3), 1500.0, 0.0, True, 40.0)
    assert one.rating == pytest.approx(1531.585, abs=0.001)
    assert (one.attempts, one.first_attempts, one.first_correct) == (1, 1, 0)
    # E(1700 vs 1531.585) = 1 / (1 + e^-0.969478) = 0.725021; step = 694.871 / 12 = 57.9059
    two = record_attempt(one, 1700.0, 1.0, True, 20.0)
    assert two.rating == pytest.approx(1531.585 - 57.9059 * 0.274979, abs=0.001)
    assert (two.first_correct, two.mean_seconds) == (1, 30.0)


def test_later_attempts_only_count_time_and_attempts():
    record = QuestionRecord(1600.0, 3, 2, 1, 90.0)
    after = record_attempt(record, 1200.0, 0.0, False, 30.0)
    assert after == QuestionRecord(1600.0, 4, 2, 1, 120.0)


def test_calibrated_rating_is_used_from_five_first_attempts():
    assert effective_rating(4, None) == 1650.0
    assert effective_rating(4, QuestionRecord(1400.0, 9, 4, 0, 0.0)) == 1650.0
    assert effective_rating(4, QuestionRecord(1400.0, 9, 5, 0, 0.0)) == 1400.0
    # the same from the two stats columns a quiz start reads (None: no stats row yet)
    assert calibrated_rating(4, None, None) == 1650.0
    assert calibrated_rating(4, 1400.0, 4) == 1650.0
    assert calibrated_rating(4, 1400.0, 5) == 1400.0


# --- Allocation and topic needs -------------------------------------------------------------

def test_allocation_keeps_a_quarter_of_the_goal_for_new_questions():
    assert allocate(30, 40, {}, goal=20, new_budget=20, focus="balanced") == Allocation(15, 0, 5)
    assert allocate(30, 40, {}, goal=20, new_budget=0, focus="balanced") == Allocation(20, 0, 0)
    assert allocate(30, 2, {}, goal=20, new_budget=20, focus="balanced") == Allocation(18, 0, 2)


def test_allocation_gives_weak_topics_a_share_growing_with_their_need():
    # share = 0.7 * (1 - e^-1.5) = 0.543809; 17 new slots -> round(9.245) = 9 weak
    assert allocate(3, 40, {1: 1.0, 2: 0.5}, 20, 20, "balanced") == Allocation(3, 9, 8)
    # weak areas first: 0.9 * 0.776870 = 0.699183 -> round(11.886) = 12
    assert allocate(3, 40, {1: 1.0, 2: 0.5}, 20, 20, "weak") == Allocation(3, 12, 5)
    # less need, smaller share: 0.7 * (1 - e^-0.2) = 0.126894 -> round(2.157) = 2
    assert allocate(3, 40, {1: 0.2}, 20, 20, "balanced") == Allocation(3, 2, 15)


def test_topic_needs_are_logits_below_the_learners_average_plus_uncertainty():
    skills = {1: Skill(1200.0, 100.0, n=5), 2: Skill(1500.0, 80.0, n=5),
              3: Skill(1800.0, 60.0, n=5), 4: Skill(1000.0, 350.0, n=1)}
    # reference = mean(1200, 1500, 1800) = 1500 (topic 4 has too little evidence)
    # need(1) = 300 / 173.7178 + 0.5 * 100 / 350 = 1.726940 + 0.142857
    assert topic_needs(skills) == pytest.approx({1: 1.869797})


def test_coverage_weight_is_relative_uncertainty_and_reference_needs_two_known_topics():
    assert coverage_weight(Skill()) == 1.0  # unseen topic
    assert coverage_weight(Skill(1600.0, 175.0, n=9)) == 0.5
    assert reference_rating({1: Skill(1200.0, n=3)}) == 1500.0  # one known topic: default
    assert reference_rating({1: Skill(1200.0, n=3), 2: Skill(1700.0, n=4),
                             3: Skill(900.0, n=2)}) == 1450.0  # topic 3: too little evidence


def test_topic_weight_is_exponential_in_weakness_and_never_zero():
    # exp(350 / 173.7178) = 7.4987, times (1 + 0.5 * 350 / 350) = 1.5
    assert topic_weight(Skill(1150.0, 350.0)) == pytest.approx(11.248, abs=0.001)
    assert topic_weight(Skill(1500.0, 350.0)) == pytest.approx(1.5)
    assert topic_weight(Skill(500.0, 0.0)) == pytest.approx(20.0855, abs=0.0001)  # e^3 cap
    assert topic_weight(Skill(2500.0, 0.0)) == pytest.approx(0.049787, abs=1e-6)  # e^-3


def test_difficulty_target_is_seventy_percent_on_the_calibrated_rating():
    # 1500 - 173.7178 * ln(0.7 / 0.3) = 1500 - 147.19
    assert target_rating(Skill()) == pytest.approx(1352.81, abs=0.01)
    on_target = Candidate(1, 0, 5, rating=1352.81)
    assert closeness(on_target, Skill()) == pytest.approx(1.0, abs=1e-6)
    # the file says 5 (1800), calibration says 1552.81: gap 200 -> e^-1
    assert closeness(Candidate(1, 0, 5, rating=1552.81), Skill()) == pytest.approx(0.3679,
                                                                                  abs=1e-4)


def test_daily_quiz_fills_the_weak_share_from_weak_topics_only():
    skills = {0: Skill(1150.0, 60.0, n=10), 1: Skill(1850.0, 60.0, n=10),
              2: Skill(1850.0, 60.0, n=10), 3: Skill(1850.0, 60.0, n=10)}
    bank = [Candidate(t * 100 + i, t, 1 + i % 5) for t in range(4) for i in range(10)]
    # need(0) = 525 / 173.7178 + 0.5 * 60 / 350 = 3.107857; share = 0.7 * 0.955292
    # -> round(8 * 0.668704) = 5 weak slots, 3 coverage slots (any topic)
    for seed in range(20):
        picks = daily_quiz(DailyRequest([], bank, skills, 8, 8), random.Random(seed))
        counts = Counter(p.topic_id for p in picks)
        assert len(picks) == 8 and counts[0] >= 5, counts


def test_unknown_focus_is_refused():
    with pytest.raises(ValueError, match="unknown focus"):
        daily_quiz(DailyRequest([], [], {}, 5, 5, "everything"), random.Random(1))


# --- One answer's effects -------------------------------------------------------------------

def test_first_attempt_counts_fully_a_confident_review_barely():
    skill, record = Skill(), QuestionRecord.fresh(3)
    first = apply_answer(MemoryState(), skill, record, 3, Rating.Good, 1.0, 30.0, NOW,
                         random.Random(1))
    assert first.was_new and first.predicted_recall == 0.0
    assert first.skill == update_against(skill, 1500.0, 1.0, 1.0)
    assert first.question.first_attempts == 1
    card = review(MemoryState(), Rating.Good, NOW, random.Random(1))
    later = NOW + timedelta(hours=12)
    recall = retrievability(card, later)
    again = apply_answer(card, skill, record, 3, Rating.Good, 1.0, 30.0, later,
                         random.Random(1))
    assert not again.was_new and again.predicted_recall == pytest.approx(recall)
    assert again.skill == update_against(skill, 1500.0, 1.0, 1.0 - recall)
    assert again.skill.rating - 1500 < 0.2 * (first.skill.rating - 1500)
    assert again.question.first_attempts == 0 and again.question.attempts == 1


@pytest.mark.parametrize(("mode", "score", "asked", "again"), [
    ("daily", 0.0, [7, 8], True),       # a miss in a daily review: ask it again at the end
    ("daily", 0.4, [7, 8], True),       # below the pass score of 0.5
    ("daily", 0.5, [7, 8], False),      # passed
    ("daily", 0.0, [7, 8, 7], False),   # already asked again once
    ("mock", 0.0, [7, 8], False),       # other modes keep their items
])
def test_reask_rule(mode, score, asked, again):
    assert reask(mode, score, asked.count(7)) is again
