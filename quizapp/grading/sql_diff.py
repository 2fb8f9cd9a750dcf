"""Which cells of a failed SQL test's shown rows differ from the expected ones.

The feedback shows at most ``ROWS_SHOWN`` rows of both results; when neither was cut, the
cells that differ are marked, with the runner's tolerance for numbers. An ordered result
is compared row by row; an unordered one as a multiset: each of the learner's rows is paired
with an equal expected row if one is left, and what stays unpaired on either side differs.
"""

from __future__ import annotations

from typing import Any

from quizapp.sandbox.runner import same_row
from quizapp.sandbox.runner import same_value

Marks = list[list[bool]]


def differing_cells(got: list[list[Any]], want: list[list[Any]],
                    ordered: bool) -> tuple[Marks, Marks]:
    """Per cell of ``got`` and of ``want``: True where it differs from the other result."""
    if ordered:
        got_marks = [[i >= len(want) or j >= len(want[i]) or not same_value(v, want[i][j])
                      for j, v in enumerate(row)] for i, row in enumerate(got)]
        want_marks = [[i >= len(got) or j >= len(got[i]) or not same_value(v, got[i][j])
                       for j, v in enumerate(row)] for i, row in enumerate(want)]
        return got_marks, want_marks
    unpaired = list(range(len(want)))
    got_marks = []
    for row in got:
        match = next((k for k in unpaired if same_row(row, want[k])), None)
        if match is not None:
            unpaired.remove(match)
        got_marks.append([match is None] * len(row))
    want_marks = [[k in unpaired] * len(row) for k, row in enumerate(want)]
    return got_marks, want_marks


def mark_results(results: list[dict[str, Any]], ordered: bool) -> list[dict[str, Any]]:
    """Add ``got_marks``/``want_marks`` to each failed result whose rows were shown whole."""
    for result in results:
        got, want = result.get("got"), result.get("want")
        if result.get("passed") or not isinstance(got, list) or not isinstance(want, list):
            continue
        if result.get("got_rows") != len(got) or result.get("want_rows") != len(want):
            continue  # cut to the first rows: what differs may not be shown
        result["got_marks"], result["want_marks"] = differing_cells(got, want, ordered)
    return results
