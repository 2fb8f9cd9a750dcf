"""Multiple choice with exactly one right answer."""

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


class McqPayload(ChoicePayload):
    @field_validator("choices")
    @classmethod
    def exactly_one_correct(cls, choices: list[Choice]) -> list[Choice]:
        """Reported on ``choices`` so the message names the field."""
        found = sum(choice.correct for choice in choices)
        if found != 1:
            raise ValueError(f"an mcq needs exactly one choice with 'correct: true' "
                             f"(found {found})")
        return choices


class McqQuestion(QuestionType):
    name = "mcq"
    label = "Multiple choice"
    Payload = McqPayload
    widget_template = "widgets/mcq.html"
    feedback_template = "feedback/choices.html"
    default_seconds = 45

    def widget(self, payload: McqPayload, rng: random.Random) -> dict[str, Any]:
        return {"order": option_order(payload, rng), "input_type": "radio"}

    def parse_response(self, payload: McqPayload, form: Mapping[str, Any]) -> int:
        picked = picked_indices(payload, form)
        if len(picked) != 1:
            raise ResponseError("Pick one option.")
        return picked[0]

    def grade(self, payload: McqPayload, response: int) -> Grade:
        ok = response == payload.correct_indices[0]
        return Grade(score=1.0 if ok else 0.0, notes={"picked": [response]})

    def answer_md(self, payload: McqPayload) -> str:
        return choices_md(payload, payload.correct_indices)

    def response_md(self, payload: McqPayload, response: int) -> str:
        return choices_md(payload, [response])
