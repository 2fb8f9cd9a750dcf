"""Validation of code/sql payloads, and the pure helpers of the grader and the runner."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from quizapp.bank.limits import text_problems
from quizapp.grading.base import ResponseError
from quizapp.grading.code import CodeQuestion
from quizapp.grading.code import fenced
from quizapp.grading.code import submitted_code
from quizapp.grading.sql import SqlQuestion
from quizapp.sandbox.runner import rows_match
from quizapp.sandbox.runner import sql_problem

TESTS = [{"name": f"t{i}", "code": "assert True"} for i in range(3)]
CODE = {"starter": "x = 0", "tests": TESTS, "solution": "x = 1"}
SQL = {"schema": "CREATE TABLE t (a INT);", "seed": "INSERT INTO t VALUES (1);",
       "solution": "SELECT a FROM t"}


def test_a_minimal_code_payload_loads_with_defaults():
    payload = CodeQuestion().load(CODE)
    assert payload.time_limit == 2 and payload.memory_mb == 256 and not payload.show_hidden


@pytest.mark.parametrize(("change", "field"), [
    ({"solution": None}, "solution"),
    ({"tests": None}, "tests"),
    ({"tests": TESTS[:2]}, "tests"),
    ({"tests": [{"name": f"t{i}", "code": "pass"} for i in range(51)]}, "tests"),
    ({"time_limit": 0}, "time_limit"),
    ({"time_limit": 11}, "time_limit"),
    ({"memory_mb": 1024}, "memory_mb"),
    ({"tests": [*TESTS, {"name": "t0", "code": "pass"}]}, "tests"),
    ({"examples": [{"name": "t1", "code": "pass"}]}, "tests"),
    ({"examples": [{"name": "x", "code": "pass", "input": 1}]}, "examples"),
    ({"solution": "x" * 8_001}, "solution"),
    ({"tests": [*TESTS[:2], {"name": "big", "code": "x" * 4_001}]}, "tests"),
    ({"typo_field": 1}, "typo_field"),
])
def test_bad_code_payloads_are_rejected(change, field):
    data = {**CODE, **change}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ValidationError) as info:
        CodeQuestion().load(data)
    if field:
        assert any(error["loc"][0] == field for error in info.value.errors())


def test_repeated_test_names_are_named_in_the_message():
    with pytest.raises(ValidationError, match="repeated: t0, t2"):
        CodeQuestion().load({**CODE, "tests": [*TESTS, *TESTS[::2]]})


def test_sql_payload_needs_schema_seed_and_solution():
    assert SqlQuestion().load(SQL).schema_sql.startswith("CREATE")
    for missing in SQL:
        with pytest.raises(ValidationError):
            SqlQuestion().load({k: v for k, v in SQL.items() if k != missing})
    with pytest.raises(ValidationError):
        SqlQuestion().load({**SQL, "hidden_seeds": ["INSERT INTO t VALUES (2);"] * 11})


def test_sql_payload_round_trips_through_its_stored_json():
    kind = SqlQuestion()
    stored = kind.load(SQL).model_dump(mode="json")
    assert "schema" in stored and kind.load(stored) == kind.load(SQL)


def test_bank_limits_cover_the_new_fields():
    fields = dict(text_problems({"starter": "x" * 9_000, "tests": [{"code": "y" * 5_000}] * 51,
                                 "hidden_seeds": ["z"] * 11}))
    assert set(fields) == {"starter", "tests", "tests.0.code", "hidden_seeds"} | {
        f"tests.{i}.code" for i in range(51)}


def test_submitted_code_is_required_and_bounded():
    assert submitted_code({"code": "x = 1\r\n"}) == "x = 1\n"
    with pytest.raises(ResponseError):
        submitted_code({"code": "  \n"})
    with pytest.raises(ResponseError):
        submitted_code({"code": "x" * 20_001})


def test_fenced_code_cannot_be_closed_by_its_own_backticks():
    block = fenced("s = '```'\n", "python")
    assert block.startswith("````python\n") and block.endswith("\n````")


@pytest.mark.parametrize(("got", "want", "ordered", "same"), [
    ([(1, "a"), (2, "b")], [(2, "b"), (1, "a")], False, True),
    ([(1, "a"), (2, "b")], [(2, "b"), (1, "a")], True, False),
    ([(1,), (1,)], [(1,)], False, False),
    ([(0.1 + 0.2,)], [(0.3,)], True, True),
    ([(1,)], [(1.0,)], True, True),
    ([(None,), (3,)], [(3,), (None,)], False, True),
    ([("1",)], [(1,)], True, False),
    ([(1, 2)], [(1,)], True, False),
])
def test_rows_match_compares_values_as_a_multiset_unless_ordered(got, want, ordered, same):
    assert rows_match(got, want, ordered) is same


@pytest.mark.parametrize(("query", "ok"), [
    ("SELECT 1", True), ("  -- comment\nselect 1;", True), ("WITH x AS (SELECT 1) SELECT *"
                                                            " FROM x", True),
    ("/* c */ SELECT 1", True), ("DELETE FROM t", False), ("PRAGMA table_info(t)", False),
    ("SELECT 'unclosed", False), ("", False), ("SELECT 1 -- my note", True),
    ("SELECT 1\n-- note", True), ("SELECT 1; -- done", True), ("SELECT 1 /* open", False),
])
def test_only_single_select_statements_are_accepted(query, ok):
    assert (sql_problem(query) is None) is ok


def test_feedback_shows_hidden_test_code_only_when_allowed():
    kind = CodeQuestion()
    response = {"code": "x = 1", "status": "ok", "output": "", "results": [
        {"name": "t0", "visible": False, "passed": True, "message": ""},
        {"name": "t1", "visible": False, "passed": False, "message": "first"},
        {"name": "t2", "visible": False, "passed": False, "message": "second"}]}
    hidden = kind.feedback_view(kind.load(CODE), response)
    assert hidden["codes"] == {} and hidden["first_hidden_failure"] == 1
    assert hidden["passed"] == 1
    shown = kind.feedback_view(kind.load({**CODE, "show_hidden": True}), response)
    assert shown["codes"] == {"t0": "assert True", "t1": "assert True", "t2": "assert True"}
    assert kind.grade(kind.load(CODE), response).score == pytest.approx(1 / 3)


def test_the_warm_up_renders_a_code_questions_examples_as_shown():
    from quizapp.grading.code import fenced
    from quizapp.grading.registry import question_type
    from quizapp.services.warmup import _payload_texts

    payload = question_type("code").load({
        "starter": "def double(x):\n    pass\n", "solution": "def double(x):\n    return 2 * x\n",
        "examples": [{"name": "two", "code": "assert_equal(double(2), 4)"}],
        "tests": [{"name": f"t{n}", "code": f"assert_equal(double({n}), {2 * n})"}
                  for n in range(3)]})
    blocks, _ = _payload_texts("code", payload)
    widget = question_type("code").widget(payload, None)
    assert widget["examples"][0]["fenced"] == fenced("assert_equal(double(2), 4)", "python")
    assert widget["examples"][0]["fenced"] in blocks
