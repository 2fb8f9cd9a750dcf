"""An open answer the learner grades against a model answer and rubric (0-3)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from quizapp.grading.base import Grade
from quizapp.grading.base import Payload
from quizapp.grading.base import QuestionType
from quizapp.grading.base import ResponseError

_SMALL_INDEX = re.compile(r"[0-9]{1,3}")

SELF_GRADES = {
    0: "Missed it",
    1: "Partly right",
    2: "Mostly right",
    3: "Nailed it",
}


class SelfGradedPayload(Payload):
    model_answer: str = Field(min_length=1)
    rubric: list[str] = Field(min_length=1)


class SelfGradedQuestion(QuestionType):
    name = "self_graded"
    label = "Open answer, self-graded"
    Payload = SelfGradedPayload
    widget_template = "widgets/self_graded.html"
    feedback_template = "feedback/self_graded.html"
    default_seconds = 240
    self_graded = True

    def widget(self, payload: SelfGradedPayload, rng: Any) -> dict[str, Any]:
        return {"grades": SELF_GRADES}

    def parse_response(self, payload: SelfGradedPayload, form: Mapping[str, Any]) -> dict[str, Any]:
        text = str(form.get("answer", ""))
        if len(text) > 20_000:
            raise ResponseError("Keep the answer under 20,000 characters.")
        try:
            grade = int(form.get("self_grade", ""))
        except (TypeError, ValueError):
            raise ResponseError(
                "Grade your answer from 0 to 3 after reading the model answer.") from None
        if grade not in SELF_GRADES:
            raise ResponseError("Grade your answer from 0 to 3 after reading the model answer.")
        getlist = getattr(form, "getlist", None)
        ticked_raw = getlist("rubric") if getlist else form.get("rubric", [])
        ticked = sorted(
            {int(i) for i in ticked_raw
             if _SMALL_INDEX.fullmatch(str(i)) and int(i) < len(payload.rubric)}
        )
        return {"answer": text.strip(), "grade": grade, "rubric": ticked}

    def grade(self, payload: SelfGradedPayload, response: dict[str, Any]) -> Grade:
        grade = int(response["grade"])
        return Grade(score=grade / 3, self_grade=grade, feedback=SELF_GRADES[grade])

    def answer_md(self, payload: SelfGradedPayload) -> str:
        return payload.model_answer

    def response_md(self, payload: SelfGradedPayload, response: dict[str, Any]) -> str:
        return response["answer"] or "_(no written answer)_"
