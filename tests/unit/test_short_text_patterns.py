"""Author patterns and answers that would have stalled the bank loader (found by fuzzing)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from quizapp.grading.short_text import ShortTextPayload
from quizapp.grading.short_text import group_depth
from quizapp.grading.short_text import repeated_size
from tests.unit.test_bank_limits import SHORT
from tests.unit.test_bank_limits import problems
from tests.unit.test_bank_limits import write


def payload(**fields):
    return ShortTextPayload.model_validate({"answers": ["a"], **fields})


@pytest.mark.parametrize(("pattern", "size", "depth"), [
    (r"\d{1,3}(,\d{3})*", 8, 1),
    ("gradient( descent)?", 17, 1),
    ("(ab){3}", 6, 1),
    ("[a{(]{5}x", 6, 0),  # a class holds no group or count
    (r"\({2}", 2, 0),
    ("((a{1000}){1000}){1000}", 10**9, 2),
])
def test_counted_repeats_and_depth(pattern, size, depth):
    assert (repeated_size(pattern), group_depth(pattern)) == (size, depth)


def test_ordinary_patterns_still_compile():
    assert payload(pattern=r"(l2|ridge)( regularization)?").pattern


def test_a_pattern_whose_repeats_spell_out_a_billion_items_is_refused_uncompiled():
    with pytest.raises(ValidationError, match="counted repeats spell out about 1,000,000,000"):
        payload(pattern="((a{1000}){1000}){1000}")


def test_deeply_nested_groups_are_refused_not_a_crash():
    with pytest.raises(ValidationError, match="nests 200 groups"):
        payload(pattern="(" * 200 + "a" + ")" * 200)


def test_over_long_texts_report_only_the_length_limit(tmp_path):
    found = problems(write(tmp_path, {**SHORT, "answers": ["a (" + "a" * 200_000],
                                      "reject": ["b"], "pattern": "(" * 330 + "a" + ")" * 330}))
    assert len(found) == 2, found
    assert all("characters" in problem for problem in found), found
