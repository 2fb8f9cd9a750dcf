"""Size and character limits of bank files (documented in docs/question-format.md, "Limits").

The limits leave about 3x headroom (or more) over the largest question in the bank when they
were set, so they only stop mistakes: a pasted log, a runaway generator, a stray NUL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from quizapp.rendering import math_span_count

MAX_FILE_BYTES = 256 * 1024  # largest file at the time: 43 KB
MAX_ALIAS_EXPANSION = 1_000  # values that aliases may repeat, per file (the bank uses none)
MAX_NESTING = 32  # nested lists/mappings; the format needs 6
MAX_MATH_SPANS_PER_FIELD = 150  # at the time: 39
MAX_MATH_SPANS_PER_QUESTION = 300  # all Markdown fields together; at the time: 57
MAX_OTHER_TEXT = 10_000  # any text not listed in TEXT_LIMITS

# Characters per text field; ``*`` stands for a list index. Maxima at the time in comments.
TEXT_LIMITS: dict[str, int] = {
    "description": 1_000,  # 264
    "body": 4_000,  # 952
    "explanation": 6_000,  # 1,362
    "hint": 1_000,  # 186
    "choices.*.text": 800,  # 208
    "choices.*.why": 1_000,  # 276
    "model_answer": 8_000,  # 2,336
    "rubric.*": 600,  # 218
    "answers.*": 200,  # 51 (learners may type at most 200 characters)
    "reject.*": 200,  # none yet
    "pattern": 500,  # 134
    "check": 2_000,  # 467
    "unit": 60,  # 18
    # code and sql questions (issue 11): generous, far above any real exercise
    "starter": 8_000,
    "solution": 8_000,
    "examples.*.name": 120,
    "examples.*.code": 4_000,
    "tests.*.name": 120,
    "tests.*.code": 4_000,
    "schema": 20_000,
    "seed": 20_000,
    "hidden_seeds.*": 20_000,
}
# Items per list (``choices``: 2 to 8, set by grading.choices; at most 7 at the time).
LIST_LIMITS: dict[str, int] = {
    "rubric": 12,  # 6
    "answers": 50,  # 14
    "reject": 50,  # none yet
    "tags": 20,  # 6
    "examples": 20,  # code: visible tests
    "tests": 50,  # code: hidden tests
    "hidden_seeds": 10,  # sql: hidden data sets
}
MARKDOWN_FIELDS = frozenset(
    {"body", "explanation", "hint", "choices.*.text", "choices.*.why", "model_answer",
     "rubric.*"}
)

# C0 controls but tab, newline and CR; DEL; C1 controls; lone surrogates (not encodable).
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")  # tab stays
SHORT = 80


def printable(text: str, limit: int = SHORT) -> str:
    """``text`` with control characters (line breaks too: a message is one line) escaped,
    cut to ``limit`` characters, for messages."""
    cut = text[:limit]
    shown = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", cut)
    return shown + ("…" if len(text) > limit else "")


def _walk(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value (and every mapping key, as a value at its own path) below ``value``."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _BAD_CHARACTER.search(key):
                yield (*path, key), key
            yield from _walk(item, (*path, key if isinstance(key, str | int) else "?"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(printable(str(part), 40) for part in path)


def _pattern(path: tuple[str | int, ...]) -> str:
    return ".".join("*" if isinstance(part, int) else str(part) for part in path)


def _text_problem(text: str, pattern: str) -> tuple[str | None, int]:
    """A message if ``text`` breaks a limit, and its number of math spans."""
    bad = _BAD_CHARACTER.search(text)
    if bad:
        return (f"contains the control character U+{ord(bad.group()):04X} at position "
                f"{bad.start() + 1}; remove it"), 0
    limit = TEXT_LIMITS.get(pattern, MAX_OTHER_TEXT)
    if len(text) > limit:
        return f"is {len(text):,} characters long; the limit is {limit:,}", 0
    if pattern not in MARKDOWN_FIELDS:
        return None, 0
    spans = math_span_count(text)
    if spans > MAX_MATH_SPANS_PER_FIELD:
        return (f"has {spans:,} math spans; the limit is {MAX_MATH_SPANS_PER_FIELD} "
                "per field"), 0
    return None, spans


def text_problems(data: dict[str, Any], skip: str | None = None) -> list[tuple[str, str]]:
    """``(field, message)`` for every bad text, oversize list or math overload in ``data``.

    ``skip`` names a top-level key not to descend into (the file's ``questions``, which are
    checked one by one so that problems name their question).
    """
    problems: list[tuple[str, str]] = []
    total = 0
    items = {k: v for k, v in data.items() if k != skip}
    for path, value in _walk(items, ()):
        pattern = _pattern(path)
        if isinstance(value, str):
            message, spans = _text_problem(value, pattern)
            if message:
                problems.append((_dotted(path), message))
            total += spans
            if spans and total - spans <= MAX_MATH_SPANS_PER_QUESTION < total:
                problems.append((_dotted(path), f"brings the question to {total:,} math spans; "
                                                f"the limit is {MAX_MATH_SPANS_PER_QUESTION} "
                                                "per question"))
        elif isinstance(value, list) and len(value) > LIST_LIMITS.get(pattern, len(value)):
            problems.append((_dotted(path), f"has {len(value):,} items; the limit is "
                                            f"{LIST_LIMITS[pattern]}"))
    return problems
