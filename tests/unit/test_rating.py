import pytest
from fsrs import Rating

from quizapp.core.grading_to_rating import Outcome
from quizapp.core.grading_to_rating import rating_for


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (Outcome(score=0.0, seconds=10, expected_seconds=60), Rating.Again),
        (Outcome(score=0.4, seconds=10, expected_seconds=60), Rating.Again),
        (Outcome(score=1.0, seconds=100, expected_seconds=60), Rating.Hard),
        (Outcome(score=1.0, seconds=40, expected_seconds=60, hints_used=1), Rating.Hard),
        (Outcome(score=0.5, seconds=40, expected_seconds=60), Rating.Hard),
        (Outcome(score=1.0, seconds=40, expected_seconds=60), Rating.Good),
        (Outcome(score=1.0, seconds=90, expected_seconds=60), Rating.Good),
        (Outcome(score=1.0, seconds=29, expected_seconds=60), Rating.Easy),
    ],
)
def test_rating_from_correctness_time_and_hints(outcome, expected):
    assert rating_for(outcome) == expected


@pytest.mark.parametrize(("grade", "expected"), [(0, Rating.Again), (1, Rating.Hard),
                                                 (2, Rating.Good), (3, Rating.Easy)])
def test_self_graded_answers_use_the_learners_grade(grade, expected):
    outcome = Outcome(score=grade / 3, seconds=1, expected_seconds=60, self_grade=grade)
    assert rating_for(outcome) == expected


def test_fast_answer_after_a_hint_is_still_hard():
    assert rating_for(Outcome(1.0, 5, 60, hints_used=1)) == Rating.Hard
