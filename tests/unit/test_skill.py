import pytest

from quizapp.core.skill import Skill
from quizapp.core.skill import expected_score
from quizapp.core.skill import mastery
from quizapp.core.skill import question_rating
from quizapp.core.skill import update


def test_right_answers_raise_the_rating_and_shrink_uncertainty():
    after = update(Skill(), difficulty=3, score=1.0)
    assert after.rating > 1500
    assert after.deviation < 350
    assert after.n == 1


def test_wrong_answers_lower_the_rating():
    assert update(Skill(), difficulty=3, score=0.0).rating < 1500


def test_beating_a_hard_question_counts_more_than_an_easy_one():
    hard = update(Skill(), difficulty=5, score=1.0)
    easy = update(Skill(), difficulty=1, score=1.0)
    assert hard.rating > easy.rating


def test_partial_credit_lands_between_win_and_loss():
    win, half, loss = (update(Skill(), 3, s).rating for s in (1.0, 0.5, 0.0))
    assert loss < half < win


def test_matches_glickman_example_direction_and_size():
    # One win against an equal opponent from the default state moves about +175 (phi=2.01).
    after = update(Skill(), 3, 1.0)
    assert after.rating == pytest.approx(1675, abs=5)


def test_question_rating_and_expected_score():
    assert question_rating(3) == 1500
    assert question_rating(5) > question_rating(1)
    assert expected_score(1500, 1500) == pytest.approx(0.5)
    assert expected_score(1800, 1500) > 0.8


def test_mastery_rises_with_evidence():
    skill = Skill()
    for _ in range(8):
        skill = update(skill, 3, 1.0)
    assert mastery(skill) > mastery(Skill())
