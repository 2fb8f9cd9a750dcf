"""A numeric answer within an absolute and/or relative tolerance."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import Field
from pydantic import field_validator
from pydantic import model_validator

from quizapp.grading.base import Grade
from quizapp.grading.base import Payload
from quizapp.grading.base import QuestionType
from quizapp.grading.numbers import format_number
from quizapp.grading.numbers import parse_number


class NumericPayload(Payload):
    answer: float
    abs_tol: float = Field(default=0.0, ge=0, allow_inf_nan=False)  # .inf accepted anything
    rel_tol: float = Field(default=0.01, ge=0, lt=1)
    allow_percent: bool = False
    unit: str | None = None
    check: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def absolute_only_when_only_abs_tol_given(cls, data: Any) -> Any:
        """``abs_tol`` alone means an absolute tolerance; don't also apply the 1 % default."""
        if isinstance(data, dict) and "abs_tol" in data and "rel_tol" not in data:
            return {**data, "rel_tol": 0.0}
        return data

    @field_validator("answer")
    @classmethod
    def finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("answer must be a finite number")
        return value


def within_tolerance(payload: NumericPayload, value: float) -> bool:
    """Within abs_tol, or within rel_tol of the *answer* (symmetric, unlike math.isclose)."""
    allowed = max(payload.abs_tol, payload.rel_tol * abs(payload.answer))
    return abs(value - payload.answer) <= allowed + 1e-12 * max(1.0, abs(payload.answer))


class NumericQuestion(QuestionType):
    name = "numeric"
    label = "Numeric answer"
    Payload = NumericPayload
    widget_template = "widgets/numeric.html"
    default_seconds = 90

    def parse_response(self, payload: NumericPayload, form: Mapping[str, Any]) -> dict[str, Any]:
        text = str(form.get("answer", ""))[:100]
        return {"text": text, "value": parse_number(text, allow_percent=payload.allow_percent)}

    def grade(self, payload: NumericPayload, response: dict[str, Any]) -> Grade:
        ok = within_tolerance(payload, float(response["value"]))
        return Grade(score=1.0 if ok else 0.0)

    def answer_md(self, payload: NumericPayload) -> str:
        unit = f" {payload.unit}" if payload.unit else ""
        return f"{format_number(payload.answer, grouped=True)}{unit}"

    def response_md(self, payload: NumericPayload, response: dict[str, Any]) -> str:
        unit = f" {payload.unit}" if payload.unit else ""
        shown, value = response["text"].strip(), float(response["value"])
        if shown.replace(",", "") == format_number(value) or shown == format_number(value, True):
            return f"{shown}{unit}"
        return f"{shown}{unit} (read as {format_number(value, grouped=True)})"
