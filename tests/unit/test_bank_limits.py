"""Bank files cannot hang validation, smuggle control characters or grow without bound."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from quizapp.bank.limits import LIST_LIMITS
from quizapp.bank.limits import MAX_FILE_BYTES
from quizapp.bank.limits import MAX_MATH_SPANS_PER_FIELD
from quizapp.bank.limits import MAX_MATH_SPANS_PER_QUESTION
from quizapp.bank.limits import TEXT_LIMITS
from quizapp.bank.loader import load_bank
from quizapp.rendering import math_span_count

SHORT = {"id": "q.short", "type": "short_text", "difficulty": 1, "body": "Say hi.",
         "explanation": "Greeting.", "answers": ["hi"]}
MCQ = {"id": "q.mcq", "type": "mcq", "difficulty": 1, "body": "Pick.", "explanation": "E.",
       "choices": [{"text": "a", "correct": True, "why": "w"}, {"text": "b", "why": "w"}]}
SELF = {"id": "q.self", "type": "self_graded", "difficulty": 1, "body": "Explain.",
        "explanation": "E.", "model_answer": "M.", "rubric": ["one"]}

BOMB = """\
domain: ml
topic: t
title: T
questions:
  - &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
  - &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
  - &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
  - &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
  - &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
  - &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
  - &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
  - &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
  - &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
  - id: *i
    type: *i
    difficulty: 1
    body: b
    explanation: e
    answers: [a]
"""


def write_text(tmp_path: Path, text: str) -> Path:
    """Write the bank file ``bank/ml/t.yaml`` and return the bank's root."""
    root = tmp_path / "bank"
    path = root / "ml" / "t.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return root


def write(tmp_path: Path, *questions: dict[str, Any], **top: Any) -> Path:
    data = {"domain": "ml", "topic": "t", "title": "T", **top, "questions": list(questions)}
    return write_text(tmp_path, yaml.safe_dump(data, sort_keys=False))


def problems(root: Path) -> list[str]:
    return [str(p) for p in load_bank(root).problems]


def only_problem(root: Path) -> str:
    found = problems(root)
    assert len(found) == 1, found
    return found[0]


def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    problem = only_problem(write_text(tmp_path, BOMB))
    assert problem.startswith("bank/ml/t.yaml: invalid YAML (line 7")
    assert "aliases repeat more than 1,000 values" in problem


def test_an_alias_that_contains_itself_is_refused(tmp_path):
    text = "domain: ml\ntopic: t\ntitle: T\nquestions:\n  - &r [1, [*r]]\n"
    assert "refers to a value that contains it" in only_problem(write_text(tmp_path, text))


def test_deep_nesting_is_refused(tmp_path):
    text = "domain: ml\ntopic: t\ntitle: T\nquestions: " + "[" * 500 + "]" * 500 + "\n"
    assert "nested more than 32 deep" in only_problem(write_text(tmp_path, text))


def test_a_few_small_aliases_still_work(tmp_path):
    text = yaml.safe_dump({"domain": "ml", "topic": "t", "title": "T", "questions": [MCQ]},
                          sort_keys=False)
    text = text.replace("why: w\n", "why: &why w\n", 1).replace("why: w\n", "why: *why\n")
    bank = load_bank(write_text(tmp_path, text))
    assert bank.ok, [str(p) for p in bank.problems]


def test_an_oversize_file_is_refused_unparsed(tmp_path):
    root = write_text(tmp_path, "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert f"larger than {MAX_FILE_BYTES:,} bytes" in only_problem(root)


@pytest.mark.parametrize("value", ["1" * 5000, "1" + ":00" * 175 + ".5"])
def test_values_python_cannot_hold_are_problems_not_crashes(tmp_path, value):
    root = write_text(tmp_path, f"domain: ml\ntopic: t\ntitle: T\ndescription: {value}\n"
                                "questions: [1]\n")
    assert only_problem(root).startswith("bank/ml/t.yaml: invalid YAML (line 4, column 14): "
                                         "a number that cannot be read")


def test_non_text_id_and_type_are_reported_without_converting_them(tmp_path):
    found = problems(write(tmp_path, {**SHORT, "id": ["a"] * 3, "type": {"x": 1}}))
    assert "bank/ml/t.yaml: question '#1': field 'id': Input should be a valid string" in found
    assert "bank/ml/t.yaml: question '#1': field 'type': Input should be a valid string" in found
    assert len(found) == 2, found


@pytest.mark.parametrize(
    ("question", "field", "path"),
    [
        (SHORT, "body", ("body",)),
        (SHORT, "answers.0", ("answers", 0)),
        (SHORT, "hint", ("hint",)),
        (MCQ, "choices.1.text", ("choices", 1, "text")),
        (MCQ, "choices.0.why", ("choices", 0, "why")),
        (SELF, "rubric.0", ("rubric", 0)),
        (SELF, "model_answer", ("model_answer",)),
    ],
)
@pytest.mark.parametrize("character", ["\0", "\x1b", "\x7f", "\ud800"])
def test_control_characters_are_refused_in_every_text(tmp_path, question, field, path,
                                                      character):
    found = problems(write(tmp_path, with_value(question, path, f"ok{character}")))
    code = f"U+{ord(character):04X}"
    expected = (f"bank/ml/t.yaml: question '{question['id']}': field '{field}': contains the "
                f"control character {code} at position 3; remove it")
    assert found[0] == expected
    assert len(found) == 1 or character == "\ud800", found  # pydantic refuses some surrogates


def test_a_control_character_in_the_id_is_escaped_in_the_message(tmp_path):
    found = problems(write(tmp_path, {**SHORT, "id": "q.\0one"}))
    assert ("bank/ml/t.yaml: question 'q.\\u0000one': field 'id': contains the control character "
            "U+0000 at position 3; remove it") in found
    assert all("\0" not in problem for problem in found)


def test_a_control_character_in_the_title_is_refused(tmp_path):
    found = problems(write(tmp_path, SHORT, title="T\0"))
    assert found == ["bank/ml/t.yaml: field 'title': contains the control character U+0000 at "
                     "position 2; remove it"]


def test_tabs_newlines_and_returns_are_fine(tmp_path):
    bank = load_bank(write(tmp_path, {**SHORT, "body": "a\tb\nc\r\nd"}))
    assert bank.ok, [str(p) for p in bank.problems]


def with_value(question: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict:
    """A deep copy of ``question`` with ``value`` at ``path``."""
    copy = yaml.safe_load(yaml.safe_dump(question))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


TEXT_CASES = [
    (SHORT, "body", ("body",)),
    (SHORT, "explanation", ("explanation",)),
    (SHORT, "hint", ("hint",)),
    (MCQ, "choices.*.text", ("choices", 0, "text")),
    (MCQ, "choices.*.why", ("choices", 1, "why")),
    (SELF, "model_answer", ("model_answer",)),
    (SELF, "rubric.*", ("rubric", 0)),
    (SHORT, "answers.*", ("answers", 0)),
]


@pytest.mark.parametrize(("question", "limit_key", "path"), TEXT_CASES)
def test_text_at_its_limit_passes_and_one_more_character_fails(tmp_path, question,
                                                                limit_key, path):
    limit = TEXT_LIMITS[limit_key]
    bank = load_bank(write(tmp_path, with_value(question, path, "x" * limit)))
    assert bank.ok, [str(p) for p in bank.problems]
    field = ".".join(str(part) for part in path)
    found = problems(write(tmp_path, with_value(question, path, "x" * (limit + 1))))
    assert found == [f"bank/ml/t.yaml: question '{question['id']}': field '{field}': is "
                     f"{limit + 1:,} characters long; the limit is {limit:,}"]


@pytest.mark.parametrize(("question", "field"), [(SELF, "rubric"), (SHORT, "answers"),
                                                 (SHORT, "tags")])
def test_lists_over_their_limit_fail(tmp_path, question, field):
    items = [f"item-{i}" for i in range(LIST_LIMITS[field] + 1)]
    found = problems(write(tmp_path, {**question, field: items}))
    assert found == [f"bank/ml/t.yaml: question '{question['id']}': field '{field}': has "
                     f"{len(items)} items; the limit is {LIST_LIMITS[field]}"]


def math(count: int) -> str:
    return " ".join(f"${i}x$" for i in range(count))


def test_math_spans_per_field(tmp_path):
    assert math_span_count(math(MAX_MATH_SPANS_PER_FIELD)) == MAX_MATH_SPANS_PER_FIELD
    assert load_bank(write(tmp_path, {**SHORT, "body": math(MAX_MATH_SPANS_PER_FIELD)})).ok
    found = problems(write(tmp_path, {**SHORT, "body": math(MAX_MATH_SPANS_PER_FIELD + 1)}))
    assert found == [f"bank/ml/t.yaml: question 'q.short': field 'body': has "
                     f"{MAX_MATH_SPANS_PER_FIELD + 1} math spans; the limit is "
                     f"{MAX_MATH_SPANS_PER_FIELD} per field"]


def test_math_spans_per_question(tmp_path):
    half = MAX_MATH_SPANS_PER_QUESTION // 2
    question = {**SHORT, "body": math(half), "explanation": math(half)}
    assert load_bank(write(tmp_path, question)).ok
    found = problems(write(tmp_path, {**question, "hint": "$y$"}))
    assert found == [f"bank/ml/t.yaml: question 'q.short': field 'hint': brings the question to "
                     f"{MAX_MATH_SPANS_PER_QUESTION + 1} math spans; the limit is "
                     f"{MAX_MATH_SPANS_PER_QUESTION} per question"]


@pytest.mark.parametrize(("kind", "rights", "message"), [
    ("mcq", [False, False], "exactly one choice with 'correct: true' (found 0)"),
    ("mcq", [True, True], "exactly one choice with 'correct: true' (found 2)"),
    ("multi_select", [False, False], "at least one choice with 'correct: true'"),
])
def test_wrong_number_of_right_choices_names_the_choices_field(tmp_path, kind, rights,
                                                               message):
    choices = [{"text": f"c{i}", "correct": right} for i, right in enumerate(rights)]
    (problem,) = problems(write(tmp_path, {**MCQ, "type": kind, "choices": choices}))
    assert problem.startswith("bank/ml/t.yaml: question 'q.mcq': field 'choices': ")
    assert message in problem
