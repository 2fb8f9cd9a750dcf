from pathlib import Path

import pytest

from quizapp.bank.checks import check_numeric_answers
from quizapp.bank.checks import run_check
from quizapp.bank.loader import content_hash
from quizapp.bank.loader import load_bank

TEST_BANK = Path(__file__).parent.parent / "data" / "bank"

GOOD = """\
domain: ml
topic: {topic}
title: A topic
questions:
  - id: q.one
    type: short_text
    difficulty: 1
    body: Say hi.
    explanation: Greeting.
    answers: [hi]
"""


def write(root: Path, domain: str, topic: str, text: str) -> Path:
    path = root / domain / f"{topic}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def messages(bank):
    return [str(p) for p in bank.problems]


def test_test_bank_loads_with_every_type():
    bank = load_bank(TEST_BANK)
    assert bank.ok, messages(bank)
    assert {q.type for q in bank.questions} == {"mcq", "multi_select", "numeric", "short_text",
                                                "self_graded"}
    assert {t.slug for t in bank.topics} == {"testing-basics", "testing-math"}


def test_problem_names_file_question_and_field(tmp_path):
    write(tmp_path, "ml", "bad", GOOD.format(topic="bad").replace("difficulty: 1",
                                                                  "difficulty: 9"))
    (problem,) = load_bank(tmp_path).problems
    assert problem.file.endswith("ml/bad.yaml")
    assert problem.question == "q.one"
    assert problem.field == "difficulty"
    assert "ml/bad.yaml: question 'q.one': field 'difficulty'" in str(problem)


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    text = GOOD.format(topic="many").replace("answers: [hi]", "answers: [hi]\n    colour: red")
    text = text.replace("difficulty: 1", "difficulty: 0").replace("type: short_text",
                                                                  "type: short_text")
    write(tmp_path, "ml", "many", text)
    fields = {p.field for p in load_bank(tmp_path).problems}
    assert fields == {"difficulty", "colour"}


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda t: t.replace("type: short_text", "type: essay"), "type", "unknown type"),
        (lambda t: t.replace("    answers: [hi]\n", ""), "answers", "required"),
        (lambda t: t.replace("    body: Say hi.\n", ""), "body", "required"),
        (lambda t: t.replace("id: q.one", "id: Q One"), "id", "pattern"),
        (lambda t: t.replace("domain: ml", "domain: physics"), "domain", "Input should be"),
    ],
)
def test_schema_errors(tmp_path, mutate, field, message):
    write(tmp_path, "ml", "t", mutate(GOOD.format(topic="t")))
    problems = load_bank(tmp_path).problems
    assert any(p.field == field and message in p.message for p in problems), messages(
        load_bank(tmp_path))


def test_invalid_yaml_reports_the_line(tmp_path):
    write(tmp_path, "ml", "broken", "domain: ml\ntopic: broken\nquestions: [\n  - id: x\n")
    (problem,) = load_bank(tmp_path).problems
    assert "invalid YAML" in problem.message and "line" in problem.message


def test_file_must_match_topic_and_domain(tmp_path):
    write(tmp_path, "math", "other", GOOD.format(topic="t"))
    fields = {p.field for p in load_bank(tmp_path).problems}
    assert fields == {"topic", "domain"}


def test_duplicate_ids_across_files(tmp_path):
    write(tmp_path, "ml", "a", GOOD.format(topic="a"))
    write(tmp_path, "ml", "b", GOOD.format(topic="b"))
    (problem,) = load_bank(tmp_path).problems
    assert problem.field == "id" and "duplicate id" in problem.message


def test_empty_directory_is_a_problem(tmp_path):
    assert "no .yaml" in load_bank(tmp_path).problems[0].message


def test_content_hash_changes_with_content_only(tmp_path):
    write(tmp_path, "ml", "t", GOOD.format(topic="t"))
    before = content_hash(load_bank(tmp_path).questions[0])
    write(tmp_path, "ml", "t", GOOD.format(topic="t").replace("Say hi.", "Say hello."))
    assert content_hash(load_bank(tmp_path).questions[0]) != before


def test_run_check_expression_and_statements():
    assert run_check("comb(5, 2) / 2**5") == pytest.approx(10 / 32)
    assert run_check("x = 3\nanswer = x * 2") == 6
    with pytest.raises(ValueError, match="answer"):
        run_check("x = 3\ny = 4")


def test_numeric_check_disagreement_is_reported(tmp_path):
    text = GOOD.format(topic="n").replace(
        "type: short_text", "type: numeric").replace(
        "answers: [hi]", "answer: 0.3\n    check: \"1/4\"")
    write(tmp_path, "ml", "n", text)
    bank = load_bank(tmp_path)
    assert bank.ok, messages(bank)
    (problem,) = check_numeric_answers(bank)
    assert problem.field == "answer" and "0.25" in problem.message


def test_a_bad_item_does_not_hide_problems_in_the_others(tmp_path):
    text = GOOD.format(topic="mix") + "  - just a string\n  - id: q.two\n    difficulty: 1\n" \
        "    body: b\n    explanation: e\n    answers: [x]\n"
    write(tmp_path, "ml", "mix", text)
    problems = [str(p) for p in load_bank(tmp_path).problems]
    assert any("question #2 must be a mapping" in p for p in problems), problems
    assert any("'q.two': field 'type': required field is missing" in p for p in problems)
    assert not any("unknown type 'None'" in p for p in problems)
