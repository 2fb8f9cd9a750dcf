"""Results read from the jail's records (grading/code.results_from).

The learner's code runs in the runner's own interpreter, so it can write records of its own
(sys._getframe reaches the result channel): whatever a record holds, grading must neither
fail nor store something the pages or the database cannot take.
"""

from __future__ import annotations

import json
import math

from quizapp.grading.code import results_from
from quizapp.sandbox import RunResult

NAMES = ["first", "second", "third", "fourth"]


def results(*records, visible=4, status="ok"):
    return results_from(RunResult(mode="bwrap", status=status, records=list(records)),
                        NAMES, visible)


def test_a_record_without_a_verdict_is_a_failure_not_an_error():
    first, *rest = results({"test": 0}, {"output": ""})
    assert first["passed"] is False and first["message"] == ""
    assert [r["passed"] for r in rest] == [False, False, False]


def test_only_a_true_verdict_passes():
    verdicts = results({"test": 0, "passed": 1}, {"test": 1, "passed": "yes"},
                       {"test": 2, "passed": [True]}, {"test": 3, "passed": True})
    assert [r["passed"] for r in verdicts] == [False, False, False, True]


def test_records_for_no_test_or_odd_indexes_are_ignored():
    verdicts = results({"test": True, "passed": True}, {"test": "0", "passed": True},
                       {"test": 1.0, "passed": True}, {"passed": True}, {"test": 7, "passed": True})
    assert not any(r["passed"] for r in verdicts)


def test_odd_rows_are_kept_as_plain_bounded_cells():
    got = [[math.nan, math.inf, {"a": 1}, b"x" * 3, "y" * 500, None, True, 2, 2.5]] + [[1]] * 40
    first = results({"test": 0, "passed": False, "got": got, "want": ["flat", [1, 2]],
                     "got_rows": "41", "want_rows": -3})[0]
    assert first["got"][0][:2] == ["nan", "inf"] and first["got"][0][5:] == [None, True, 2, 2.5]
    assert len(first["got"][0][4]) <= 201 and len(first["got"]) == 20
    assert first["want"] == [["flat"], [1, 2]]
    assert (first["got_rows"], first["want_rows"]) == (41, 2)
    json.dumps(first, allow_nan=False)  # storable in PostgreSQL's JSON as well


def test_column_names_are_kept_as_bounded_text():
    first = results({"test": 0, "passed": False, "got": [[1]], "want": [[1]],
                     "got_columns": ["n" * 500, 7, None] + ["c"] * 60, "want_columns": "x"})[0]
    assert len(first["got_columns"]) == 50 and len(first["got_columns"][0]) == 201
    assert first["got_columns"][1:3] == ["7", "None"]
    assert first["want_columns"] == []  # not a list: no names shown
    json.dumps(first, allow_nan=False)


def test_rows_need_both_lists_and_a_visible_test():
    assert "got" not in results({"test": 0, "got": "text", "want": [[1]]})[0]
    assert "got" not in results({"test": 0, "got": [[1]], "want": [[1]]}, visible=0)[0]


def test_a_long_message_is_cut_and_cleaned():
    first = results({"test": 0, "passed": False, "message": "\x00" + "m" * 5000})[0]
    assert first["message"].startswith("\\0m") and len(first["message"]) <= 502
