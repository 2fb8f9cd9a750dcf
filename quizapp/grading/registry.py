"""Question types by name. Adding a type: one module plus one line here."""

from __future__ import annotations

from quizapp.grading.base import QuestionType
from quizapp.grading.code import CodeQuestion
from quizapp.grading.mcq import McqQuestion
from quizapp.grading.multi_select import MultiSelectQuestion
from quizapp.grading.numeric import NumericQuestion
from quizapp.grading.self_graded import SelfGradedQuestion
from quizapp.grading.short_text import ShortTextQuestion
from quizapp.grading.sql import SqlQuestion

REGISTRY: dict[str, QuestionType] = {
    t.name: t
    for t in (
        McqQuestion(),
        MultiSelectQuestion(),
        NumericQuestion(),
        ShortTextQuestion(),
        SelfGradedQuestion(),
        CodeQuestion(),
        SqlQuestion(),
    )
}


def question_type(name: str) -> QuestionType:
    """Return the registered type called ``name`` (KeyError if unknown)."""
    return REGISTRY[name]
