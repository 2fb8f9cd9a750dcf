"""The interface every question type implements."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import ClassVar

from pydantic import BaseModel
from pydantic import ConfigDict


class Payload(BaseModel):
    """Type-specific fields of a question, validated from the bank file."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseError(ValueError):
    """The learner's response cannot be graded as given (e.g. '12abc' for a number)."""


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one response."""

    score: float
    feedback: str = ""
    self_grade: int | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        """Fully right; for self-graded answers, graded 'mostly right' (2) or better."""
        if self.self_grade is not None:
            return self.self_grade >= 2
        return self.score >= 0.999


class QuestionType:
    """One kind of question: validates its payload, renders its widget, grades responses.

    Adding a type means writing one subclass in its own module and adding it to
    ``grading.registry.REGISTRY``.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    Payload: ClassVar[type[Payload]]
    widget_template: ClassVar[str]
    feedback_template: ClassVar[str] = "feedback/typed.html"
    default_seconds: ClassVar[int] = 60
    self_graded: ClassVar[bool] = False
    # Whether Enter (outside a text box) submits the answer; off where Enter is for typing.
    enter_submits: ClassVar[bool] = True
    # Whether its question and feedback pages take the layout's full width (code editors).
    wide_page: ClassVar[bool] = False

    def load(self, data: Mapping[str, Any]) -> Payload:
        """Validate raw payload fields (raises ``pydantic.ValidationError``)."""
        return self.Payload.model_validate(dict(data))

    def widget(self, payload: Any, rng: random.Random) -> dict[str, Any]:
        """Return the template context for the answer widget."""
        return {}

    def parse_response(self, payload: Any, form: Mapping[str, Any]) -> Any:
        """Turn submitted form fields into a JSON-serialisable response."""
        raise NotImplementedError

    def grade(self, payload: Any, response: Any) -> Grade:
        """Score a parsed response between 0 and 1."""
        raise NotImplementedError

    def answer_md(self, payload: Any) -> str:
        """Describe the right answer in Markdown for the feedback page."""
        raise NotImplementedError

    def response_md(self, payload: Any, response: Any) -> str:
        """Describe the learner's response in Markdown for the feedback page."""
        return str(response)
