"""Author-written code in bank files is bounded: checks by time and memory, patterns by time."""

import pytest

from quizapp.bank.checks import run_checks
from quizapp.grading.short_text import ShortTextPayload
from quizapp.grading.short_text import matches
from quizapp.grading.short_text import pattern_matches


def test_checks_run_and_report_their_errors():
    outcomes = run_checks(["1 + 1", "x = 2\nanswer = x / 4", "1 / 0"])
    assert outcomes[0] == (2.0, None) and outcomes[1] == (0.5, None)
    assert outcomes[2][0] is None and "ZeroDivisionError" in outcomes[2][1]


def test_a_runaway_check_is_stopped_and_the_rest_still_run():
    outcomes = run_checks(["3", "while True: pass", "10 ** 10 ** 10", "4"], seconds=0.5)
    assert outcomes[0] == (3.0, None)
    assert outcomes[1] == (None, "took longer than 0.5 s")
    assert outcomes[2] == (None, "took longer than 0.5 s")
    assert outcomes[3] == (4.0, None)


def test_a_memory_bomb_check_fails_instead_of_eating_the_machine():
    ((value, error),) = run_checks(["len([0] * 10 ** 10)"])
    assert value is None and "MemoryError" in error


def test_a_catastrophic_pattern_cannot_stall_grading():
    payload = ShortTextPayload(answers=["aa"], pattern=r"(a|aa)+$")
    assert pattern_matches(r"(a|aa)+$", "aaaa")
    assert not pattern_matches(r"(a|aa)+$", "a" * 60 + "b")  # times out: no match
    assert not matches(payload, "a" * 60 + "b")


@pytest.mark.parametrize("text", ["soft-max", "SOFTMAX", "soft max"])
def test_ordinary_patterns_still_match(text):
    assert pattern_matches(r"soft ?-?max", text)
