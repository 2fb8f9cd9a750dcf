"""CI check: every code/sql question's solution passes all its tests; its starter fails one.

Runs through the real sandbox, several questions at once (up to the sandbox's bound); each
question's tests run in one process per submission, as in the app.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quizapp.bank.code_checks import code_problems
from quizapp.bank.code_checks import question_problems
from quizapp.bank.loader import load_bank
from quizapp.grading.code import CodeQuestion
from quizapp.grading.registry import REGISTRY

BANK_DIR = Path(__file__).resolve().parents[2] / "questions"


def test_every_code_question_solution_passes_and_starter_fails():
    bank = load_bank(BANK_DIR)
    assert bank.ok, [str(p) for p in bank.problems[:5]]
    runnable = [q for q in bank.questions if isinstance(REGISTRY[q.type], CodeQuestion)]
    assert len(runnable) >= 10
    problems = code_problems(bank)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("kind_name", ["code", "sql"])
def test_the_check_catches_a_wrong_solution(kind_name):
    """The check can fail: a solution swapped for the starter is reported."""
    bank = load_bank(BANK_DIR)
    question = next(q for q in bank.questions if q.type == kind_name)
    broken = question.model_copy(update={"payload": {**question.payload,
                                                     "solution": question.payload["starter"]}})
    if kind_name == "sql":  # the reference result itself changes; break the starter instead
        broken = question.model_copy(update={"payload": {**question.payload,
                                                         "starter": question.payload["solution"]}})
    assert question_problems(broken)


def test_validate_with_code_reports_a_failing_solution_and_a_passing_starter(app, tmp_path):
    source = BANK_DIR / "coding" / "python-fundamentals.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    question = next(q for q in data["questions"] if q["type"] == "code")
    broken = {**question, "solution": question["starter"], "starter": question["solution"]}
    folder = tmp_path / "bank" / "coding"
    folder.mkdir(parents=True)
    (folder / source.name).write_text(yaml.safe_dump({**data, "questions": [broken]}),
                                      encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["bank", "validate", "--code", "--no-checks", str(tmp_path / "bank")])
    assert result.exit_code == 1, result.output
    where = f"coding/{source.name}: question '{question['id']}'"
    assert f"{where}: field 'solution': the solution fails" in result.output
    assert f"{where}: field 'starter': the starter code passes every test" in result.output
