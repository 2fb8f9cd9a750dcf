"""The mastery map's level of a topic: none, too early to tell, weak, fair, strong."""

from __future__ import annotations

import pytest

from quizapp.core import skill as skill_model
from quizapp.core.skill import EARLY_ANSWERS
from quizapp.services.progress import TopicCell


def _cell(skill: skill_model.Skill | None) -> TopicCell:
    return TopicCell(topic_id=1, slug="t", title="T", domain="ml", skill=skill,
                     mastery=None if skill is None else skill_model.mastery(skill),
                     recall=None, seen=0, total=10)


def _after(scores: list[float], difficulty: int = 3) -> skill_model.Skill:
    skill = skill_model.Skill()
    for score in scores:
        skill = skill_model.update(skill, difficulty, score)
    return skill


def test_a_right_first_answer_reads_below_half_yet_is_not_weak():
    skill = _after([1.0], difficulty=2)  # an easier question: the rating rises less
    assert skill_model.mastery(skill) < 0.5  # the cautious mastery: why a level would mislead
    assert _cell(skill).level == "early"


@pytest.mark.parametrize(("scores", "level"), [
    ([], "none"),
    ([1.0] * (EARLY_ANSWERS - 1), "early"),
    ([0.0] * (EARLY_ANSWERS - 1), "early"),
    ([0.0] * EARLY_ANSWERS, "weak"),
    ([1.0] * 12, "strong"),
])
def test_levels_from_the_answers(scores, level):
    assert _cell(_after(scores) if scores else None).level == level
