"""One answer's effect on memory, topic skill and question statistics (pure).

``services.answers`` applies it to locked rows; ``benchmarks/simulation`` applies it to
in-memory state. Both therefore evolve the same way (tests/integration/
test_simulator_matches_services.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from fsrs import Rating

from quizapp.core.calibration import QuestionRecord
from quizapp.core.calibration import effective_rating
from quizapp.core.calibration import record_attempt
from quizapp.core.memory import MemoryState
from quizapp.core.memory import retrievability
from quizapp.core.memory import review
from quizapp.core.skill import Skill
from quizapp.core.skill import evidence_weight
from quizapp.core.skill import update_against


@dataclass(frozen=True)
class AnswerEffects:
    memory: MemoryState
    skill: Skill
    question: QuestionRecord
    was_new: bool
    predicted_recall: float


def apply_answer(memory: MemoryState, skill: Skill, question: QuestionRecord,
                 difficulty: int, rating: Rating, score: float, seconds: float,
                 now: datetime, rng: random.Random) -> AnswerEffects:
    """Review the card, update ability by the evidence weight, calibrate the question.

    A first attempt counts fully toward ability and toward the question's difficulty; a
    review counts toward ability with weight ``1 - R`` (R predicted before the answer).
    """
    was_new = memory.is_new
    recall = 0.0 if was_new else retrievability(memory, now)
    opponent = effective_rating(difficulty, question)
    new_skill = update_against(skill, opponent, score, evidence_weight(was_new, recall))
    new_question = record_attempt(question, skill.rating, score, was_new, seconds)
    new_memory = review(memory, rating, now, rng)
    return AnswerEffects(new_memory, new_skill, new_question, was_new, recall)
