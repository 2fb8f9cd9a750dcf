"""What a failed hidden test may say beyond "failed": how it failed, not its inputs."""

from __future__ import annotations

import pytest

from quizapp.grading.code import failure_kind


@pytest.mark.parametrize(("message", "kind"), [
    ("Time limit exceeded (the test did not finish).", "too slow: the time limit ran out"),
    ("The query needed more memory than a run may use.", "used too much memory"),
    ("ZeroDivisionError: division by zero (line 2 of your code)", "raised ZeroDivisionError"),
    ("IndexError (line 4 of the test)", "raised IndexError"),
    ("numpy.linalg.LinAlgError: Singular matrix", "raised numpy.linalg.LinAlgError"),
    ("AssertionError (line 3 of the test)", "wrong result"),
    ("AssertionError: expected 4", "wrong result"),
    ("Some values differ from the expected result.", "wrong result"),
    ("The query returns 1 row; 2 expected.", "wrong result"),
    ("", "wrong result"),
])
def test_failure_kinds(message, kind):
    assert failure_kind(message) == kind
