"""What the bank's YAML reader refuses, and how it says so (found by fuzzing the loader)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quizapp.bank.loader import load_bank
from quizapp.bank.safe_yaml import parse_bank_yaml
from tests.unit.test_bank_limits import SHORT
from tests.unit.test_bank_limits import problems
from tests.unit.test_bank_limits import write
from tests.unit.test_bank_limits import write_text

HEAD = "domain: ml\ntopic: t\ntitle: T\nquestions:\n"
QUESTION = ("  - id: q.short\n    type: short_text\n    difficulty: 1\n    body: Say hi.\n"
            "    explanation: Greeting.\n    answers: [hi]\n")


def test_a_key_written_twice_is_refused_with_its_line(tmp_path):
    root = write_text(tmp_path, HEAD + QUESTION + "    body: Say hello.\n")
    assert problems(root) == ["bank/ml/t.yaml: invalid YAML (line 11, column 5): the key "
                              "'body' appears twice in this mapping"]


def test_a_merged_key_may_still_be_overridden():
    data = parse_bank_yaml("base: &b {x: 1, y: 2}\nq:\n  <<: *b\n  x: 3\n")
    assert data["q"] == {"x": 3, "y": 2}


@pytest.mark.parametrize("tag", ["!!binary V2hhdAAgaXMgaXQ/", "!!set {a, b}",
                                 "!!omap [{a: 1}]", "!!pairs [{a: 1}]"])
def test_binary_sets_and_pairs_are_refused(tmp_path, tag):
    root = write_text(tmp_path, HEAD + QUESTION.replace("body: Say hi.", f"body: {tag}"))
    [found] = problems(root)
    assert found.startswith("bank/ml/t.yaml: invalid YAML (line 8, column 11): the !!")
    assert "tag is not allowed in bank files" in found


def test_a_date_is_read_as_the_text_it_was_written_as(tmp_path):
    root = write_text(tmp_path, HEAD + QUESTION.replace("body: Say hi.", "body: 2024-13-45"))
    bank = load_bank(root)
    assert not bank.problems and bank.questions[0].body == "2024-13-45"


def test_an_infinite_tolerance_is_refused(tmp_path):
    numeric = {"id": "q.num", "type": "numeric", "difficulty": 1, "body": "2+2?",
               "explanation": "4.", "answer": 4, "abs_tol": float("inf"), "check": "4"}
    [found] = problems(write(tmp_path, numeric))
    assert "question 'q.num': field 'abs_tol'" in found and "finite" in found


def test_a_line_break_in_an_id_is_escaped_in_the_message(tmp_path):
    found = problems(write(tmp_path, {**SHORT, "id": "q.\rone\n"}))
    assert found and all("\r" not in p and "\n" not in p for p in found)
    assert "question 'q.\\u000done\\u000a'" in found[0]


def test_a_bank_file_with_an_upper_case_extension_is_a_problem(tmp_path):
    root = write(tmp_path, SHORT)
    (root / "ml" / "other.YAML").write_text("domain: ml\n", encoding="utf-8")
    (root / "ml" / "notes.yaml.bak").write_text("x", encoding="utf-8")  # a backup: skipped
    assert problems(root) == ["bank/ml/other.YAML: bank files end in .yaml or .yml (lowercase); "
                              "rename it, or it is skipped"]


def test_yaml_errors_keep_their_type():
    with pytest.raises(yaml.YAMLError):
        parse_bank_yaml("a: !!binary AAAA\n")


def test_folders_nested_too_deep_are_a_problem_not_a_crash(tmp_path, monkeypatch):
    def too_deep(self, pattern):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(Path, "rglob", too_deep)
    root = tmp_path / "bank"
    root.mkdir()
    assert "the bank's folders are nested too deep" in problems(root)[0]


@pytest.mark.parametrize(("field", "value"), [("difficulty", True), ("difficulty", "3"),
                                              ("difficulty", 3.0)])
def test_difficulty_must_be_written_as_a_whole_number(tmp_path, field, value):
    [found] = problems(write(tmp_path, {**SHORT, field: value}))
    assert f"question 'q.short': field '{field}'" in found and "integer" in found


def test_a_choice_is_correct_only_when_written_true(tmp_path):
    mcq = {"id": "q.mcq", "type": "mcq", "difficulty": 1, "body": "Pick.", "explanation": "E.",
           "choices": [{"text": "a", "correct": "yes"}, {"text": "b", "correct": True}]}
    [found] = problems(write(tmp_path, mcq))
    assert "field 'choices.0.correct'" in found and "boolean" in found


def test_a_raw_control_character_is_located_by_line_and_column(tmp_path):
    root = write_text(tmp_path, HEAD + QUESTION.replace("Say hi.", "Say\x00 hi."))
    assert problems(root) == ["bank/ml/t.yaml: invalid YAML (line 8, column 14): the "
                              "character U+0000 is not allowed; remove it"]
