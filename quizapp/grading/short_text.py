"""A short typed answer, marked leniently but never confused with a different term.

The matching rules live in ``grading.text_match``; this module validates the payload and
turns a verdict into a ``Grade`` whose ``notes`` name the canonical answer when the
response was accepted only through leniency (shown by ``feedback/short_text.html``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

import regex
from pydantic import Field
from pydantic import SerializerFunctionWrapHandler
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic import model_serializer

from quizapp.grading.base import Grade
from quizapp.grading.base import Payload
from quizapp.grading.base import QuestionType
from quizapp.grading.base import ResponseError
from quizapp.grading.text_match import Forms
from quizapp.grading.text_match import Verdict
from quizapp.grading.text_match import judge
from quizapp.grading.text_match import lenient_match
from quizapp.grading.text_match import normalise

__all__ = ["ShortTextPayload", "ShortTextQuestion", "matches", "normalise", "verdict"]


# Author patterns are compiled (regex expands counted repeats such as ``a{1000}`` in memory)
# only when short, shallow and small when spelled out; the bank's own length limits (200
# characters an answer, 500 a pattern) are reported by the loader, so longer texts are not
# compiled or read here at all (a 200,000-character answer took minutes to read).
CHECKED_CHARS = 500
MAX_PATTERN_DEPTH = 30
MAX_PATTERN_SIZE = 10_000
_COUNT = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")


def group_depth(pattern: str) -> int:
    """How deeply the pattern's groups nest (escapes and character classes skipped)."""
    depth = deepest = 0
    for kind, _ in _scan(pattern):
        depth += kind == "("
        depth -= kind == ")" and depth > 0
        deepest = max(deepest, depth)
    return deepest


def repeated_size(pattern: str) -> int:
    """About how many items the pattern spells out with its counted repeats expanded
    (``(ab){3}`` is 6; ``*`` and ``+`` count once): a bound on what compiling it builds."""
    sizes, last = [0], 0
    for kind, count in _scan(pattern):
        if kind == "(":
            sizes.append(0)
        elif kind == ")" and len(sizes) > 1:
            last = sizes.pop()
            sizes[-1] += last
        elif kind == "{":
            sizes[-1] += last * (count - 1)
            last *= count
        else:
            sizes[-1] += 1
            last = 1
    return sum(sizes)


def _scan(pattern: str) -> Iterator[tuple[str, int]]:
    """The pattern's groups, counted repeats (with their largest count) and other items."""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            yield "atom", 1
        elif char == "[":
            end = i + 1 + (pattern[i + 1:i + 2] == "]")
            while end < len(pattern) and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            i = end + 1
            yield "atom", 1
        elif char in "()":
            i += 1
            yield char, 1
        elif char == "{" and (found := _COUNT.match(pattern, i)) and any(found.groups()):
            low, comma, high = found.groups()
            i = found.end()
            yield "{", max(1, int(high or low or 0) if comma else int(low or 0))
        else:
            i += 1
            yield "atom", 1


class ShortTextPayload(Payload):
    answers: list[str] = Field(min_length=1)
    pattern: str | None = None
    reject: list[str] = Field(default_factory=list)

    @field_validator("answers")
    @classmethod
    def answers_not_blank(cls, answers: list[str]) -> list[str]:
        if any(not normalise(a) for a in answers):
            raise ValueError("every accepted answer needs letters or digits")
        return answers

    @field_validator("pattern")
    @classmethod
    def pattern_compiles(cls, pattern: str | None) -> str | None:
        if pattern is None or len(pattern) > CHECKED_CHARS:
            return pattern  # the bank's length limit reports a longer one, uncompiled
        if (depth := group_depth(pattern)) > MAX_PATTERN_DEPTH:
            raise ValueError(f"pattern nests {depth} groups; keep it under "
                             f"{MAX_PATTERN_DEPTH + 1}")
        if (size := repeated_size(pattern)) > MAX_PATTERN_SIZE:
            raise ValueError(f"pattern's counted repeats spell out about {size:,} items; keep "
                             f"them under {MAX_PATTERN_SIZE:,} (use + or * for long runs)")
        try:
            regex.compile(pattern)
        except regex.error as exc:
            raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
        return pattern

    @field_validator("reject")
    @classmethod
    def reject_is_not_accepted(cls, reject: list[str], info: ValidationInfo) -> list[str]:
        if any(not normalise(r) for r in reject):
            raise ValueError("every rejected answer needs letters or digits")
        answers = info.data.get("answers") or []
        if any(len(text) > CHECKED_CHARS for text in (*answers, *reject)):
            return reject  # over the bank's length limit (reported there): reading it is slow
        accepted = Forms.of(answers)
        for wrong in reject:
            found = lenient_match(accepted, wrong, ())
            if found is not None and found.distance == 0:
                raise ValueError(f"rejected answer {wrong!r} reads as accepted {found.answer!r}")
        return reject

    @model_serializer(mode="wrap")
    def _omit_empty_reject(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave ``reject`` out when empty so existing questions keep their content hash."""
        data = handler(self)
        if not data.get("reject"):
            data.pop("reject", None)
        return data


PATTERN_TIMEOUT_SECONDS = 0.05


def pattern_matches(pattern: str, text: str) -> bool:
    """Full, case-insensitive match of an author's pattern, given at most 50 ms.

    The ``regex`` module resists most catastrophic backtracking and takes a timeout for
    the rest, so a careless pattern cannot stall a web worker; a timeout counts as no match.
    """
    try:
        return regex.fullmatch(pattern, text, regex.IGNORECASE,
                               timeout=PATTERN_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        return False


def verdict(payload: ShortTextPayload, text: str) -> Verdict:
    """Judge ``text``: exact (normalised or by ``pattern``), lenient, or wrong."""
    answers = tuple(payload.answers)
    exact = normalise(text) in _normalised(answers) or (
        payload.pattern is not None and pattern_matches(payload.pattern, text.strip()))
    return judge(_forms(answers), _forms(tuple(payload.reject)), text, exact)


@functools.lru_cache(maxsize=4096)
def _normalised(answers: tuple[str, ...]) -> frozenset[str]:
    """A question's answers as exact-match keys (made once per process and answer list)."""
    return frozenset(normalise(answer) for answer in answers)


@functools.lru_cache(maxsize=4096)
def _forms(answers: tuple[str, ...]) -> Forms:
    """A question's answers (or rejected answers) ready to compare, made once: folding and
    splitting them into readings was most of grading a right answer."""
    return Forms.of(answers)


def matches(payload: ShortTextPayload, text: str) -> bool:
    """Whether ``text`` is accepted."""
    return verdict(payload, text).accepted


class ShortTextQuestion(QuestionType):
    name = "short_text"
    label = "Short answer"
    Payload = ShortTextPayload
    widget_template = "widgets/short_text.html"
    feedback_template = "feedback/short_text.html"
    default_seconds = 45

    def parse_response(self, payload: ShortTextPayload, form: Mapping[str, Any]) -> str:
        text = str(form.get("answer", "")).strip()
        if not text:
            raise ResponseError("Type an answer.")
        if len(text) > 200:
            raise ResponseError("Keep the answer under 200 characters.")
        return text

    def grade(self, payload: ShortTextPayload, response: str) -> Grade:
        """Score 1 or 0; a lenient acceptance names the canonical answer in notes/feedback."""
        result = verdict(payload, response)
        if not result.accepted:
            return Grade(score=0.0)
        if result.lenient is None:
            return Grade(score=1.0)
        typos = [list(pair) for pair in result.lenient.typos]
        spelling = "; ".join(f"{typed} → {right}" for typed, right in typos)
        feedback = f"Accepted as **{result.lenient.answer}**" + (
            f" — spelling: {spelling}" if spelling else "")
        return Grade(score=1.0, feedback=feedback,
                     notes={"accepted_as": result.lenient.answer, "typos": typos})

    def answer_md(self, payload: ShortTextPayload) -> str:
        first, *others = payload.answers
        extra = f" (also accepted: {', '.join(others)})" if others else ""
        return f"{first}{extra}"
