"""Multiple choice where any number of options may be right; partial credit."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from pydantic import field_validator

from quizapp.grading.base import Grade
from quizapp.grading.base import QuestionType
from quizapp.grading.base import ResponseError
from quizapp.grading.choices import Choice
from quizapp.grading.choices import ChoicePayload
from quizapp.grading.choices import choices_md
from quizapp.grading.choices import option_order
from quizapp.grading.choices import picked_indices


class MultiSelectPayload(ChoicePayload):
    @field_validator("choices")
    @classmethod
    def at_least_one_correct(cls, choices: list[Choice]) -> list[Choice]:
        """Reported on ``choices`` so the message names the field."""
        if not any(choice.correct for choice in choices):
            raise ValueError("a multi_select needs at least one choice with 'correct: true'")
        return choices


def partial_credit(correct: set[int], picked: set[int]) -> float:
    """Right picks minus wrong picks, over the number of right options (floored at 0)."""
    hits = len(correct & picked)
    false_picks = len(picked - correct)
    return max(0.0, (hits - false_picks) / len(correct))


class MultiSelectQuestion(QuestionType):
    name = "multi_select"
    label = "Select all that apply"
    Payload = MultiSelectPayload
    widget_template = "widgets/mcq.html"
    feedback_template = "feedback/choices.html"
    default_seconds = 60

    def widget(self, payload: MultiSelectPayload, rng: random.Random) -> dict[str, Any]:
        return {"order": option_order(payload, rng), "input_type": "checkbox"}

    def parse_response(self, payload: MultiSelectPayload, form: Mapping[str, Any]) -> list[int]:
        picked = picked_indices(payload, form)
        if not picked:
            raise ResponseError("Select at least one option.")
        return picked

    def grade(self, payload: MultiSelectPayload, response: list[int]) -> Grade:
        correct = set(payload.correct_indices)
        picked = set(response)
        score = partial_credit(correct, picked)
        missed = len(correct - picked)
        wrong = len(picked - correct)
        parts = []
        if missed:
            parts.append(f"missed {missed} right option{'s' if missed > 1 else ''}")
        if wrong:
            parts.append(f"picked {wrong} wrong option{'s' if wrong > 1 else ''}")
        feedback = ("You " + " and ".join(parts) + ".") if parts else ""
        return Grade(score=score, feedback=feedback, notes={"picked": sorted(picked)})

    def answer_md(self, payload: MultiSelectPayload) -> str:
        return choices_md(payload, payload.correct_indices)

    def response_md(self, payload: MultiSelectPayload, response: list[int]) -> str:
        return choices_md(payload, list(response))
