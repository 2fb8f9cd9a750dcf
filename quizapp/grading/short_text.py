"""A short typed answer compared after normalising case, spacing and punctuation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from pydantic import Field
from pydantic import field_validator

from quizapp.grading.base import Grade
from quizapp.grading.base import Payload
from quizapp.grading.base import QuestionType
from quizapp.grading.base import ResponseError

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold case, width, punctuation and runs of whitespace."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCTUATION.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


class ShortTextPayload(Payload):
    answers: list[str] = Field(min_length=1)
    pattern: str | None = None

    @field_validator("answers")
    @classmethod
    def answers_not_blank(cls, answers: list[str]) -> list[str]:
        if any(not normalise(a) for a in answers):
            raise ValueError("every accepted answer needs letters or digits")
        return answers

    @field_validator("pattern")
    @classmethod
    def pattern_compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
        return pattern


def matches(payload: ShortTextPayload, text: str) -> bool:
    given = normalise(text)
    if any(given == normalise(answer) for answer in payload.answers):
        return True
    if payload.pattern is not None:
        return re.fullmatch(payload.pattern, text.strip(), re.IGNORECASE) is not None
    return False


class ShortTextQuestion(QuestionType):
    name = "short_text"
    label = "Short answer"
    Payload = ShortTextPayload
    widget_template = "widgets/short_text.html"
    default_seconds = 45

    def parse_response(self, payload: ShortTextPayload, form: Mapping[str, Any]) -> str:
        text = str(form.get("answer", "")).strip()
        if not text:
            raise ResponseError("Type an answer.")
        if len(text) > 200:
            raise ResponseError("Keep the answer under 200 characters.")
        return text

    def grade(self, payload: ShortTextPayload, response: str) -> Grade:
        return Grade(score=1.0 if matches(payload, response) else 0.0)

    def answer_md(self, payload: ShortTextPayload) -> str:
        first, *others = payload.answers
        extra = f" (also accepted: {', '.join(others)})" if others else ""
        return f"{first}{extra}"
