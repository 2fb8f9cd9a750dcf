"""Marking the cells of a failed SQL test's rows that differ from the expected rows."""

from __future__ import annotations

from quizapp.grading.sql_diff import differing_cells
from quizapp.grading.sql_diff import mark_results
from quizapp.sandbox.runner import same_value


def test_numbers_compare_within_the_runner_s_tolerance():
    assert same_value(0.1 + 0.2, 0.3) and same_value(2, 2.0) and same_value(None, None)
    assert not same_value(1.0, 1.001) and not same_value("1", 1) and not same_value(None, 0)


def test_ordered_results_compare_row_by_row():
    got, want = [["a", 1], ["b", 2], ["c", 3]], [["a", 1], ["b", 5]]
    got_marks, want_marks = differing_cells(got, want, ordered=True)
    assert got_marks == [[False, False], [False, True], [True, True]]
    assert want_marks == [[False, False], [False, True]]


def test_unordered_results_pair_equal_rows_whatever_their_order():
    got, want = [["b", 2], ["a", 1], ["a", 1]], [["a", 1], ["b", 2], ["c", 3]]
    got_marks, want_marks = differing_cells(got, want, ordered=False)
    assert got_marks == [[False, False], [False, False], [True, True]]  # one "a" too many
    assert want_marks == [[False, False], [False, False], [True, True]]  # "c" missing


def test_only_failed_results_shown_whole_are_marked():
    results = [
        {"passed": False, "got": [[1]], "want": [[2]], "got_rows": 1, "want_rows": 1},
        {"passed": True, "got": [[1]], "want": [[1]], "got_rows": 1, "want_rows": 1},
        {"passed": False, "got": [[1]], "want": [[2]], "got_rows": 40, "want_rows": 1},
        {"passed": False, "message": "syntax error"},
    ]
    marked = mark_results(results, ordered=True)
    assert marked[0]["got_marks"] == [[True]] and marked[0]["want_marks"] == [[True]]
    assert all("got_marks" not in r for r in marked[1:])


def test_a_row_count_message_says_row_or_rows():
    from quizapp.sandbox.runner import _row_difference

    assert _row_difference([(1,)], [(1,), (2,)], ordered=False) == (
        "The query returns 1 row; 2 expected.")
    assert _row_difference([], [(1,)], ordered=False) == "The query returns 0 rows; 1 expected."


def test_result_cells_show_floats_to_ten_significant_digits(app):
    template = app.jinja_env.get_template("widgets/_rows.html")
    html = template.render(rows=[[2.250005787005648, 3, None, "2.250005787005648"]],
                           columns=["mean", "n", "gap", "text"], marks=None)
    cells = html.split("<tbody>")[1]
    assert "<td>2.250005787</td><td>3</td><td>NULL</td>" in cells
    assert "<td>2.250005787005648</td>" in cells  # text is shown as it is
