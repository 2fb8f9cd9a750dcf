"""The answer form's hidden fields: read and checked without WTForms."""

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from quizapp.forms import AnswerPost

KEY = "0123456789abcdef" * 2
GOOD = {"key": KEY, "hints_used": "1", "version": "3", "shown": "stamp"}


def _post(**changes: object) -> AnswerPost:
    fields = {**GOOD, **changes}
    return AnswerPost.read({k: v for k, v in fields.items() if v is not None})


def test_a_complete_answer_form_is_valid_and_kept_as_posted():
    post = _post()
    assert post.valid and post == AnswerPost(KEY, "1", "3", "stamp")


@pytest.mark.parametrize("changes", [
    {"key": None}, {"key": ""}, {"key": KEY.upper()}, {"key": KEY + "\n"}, {"key": KEY[:-1]},
    {"key": " " + KEY}, {"hints_used": "2"}, {"hints_used": "01"}, {"hints_used": "1\n"},
    {"version": None}, {"version": ""}, {"version": "-1"}, {"version": "1" * 10},
    {"version": "٣"}, {"shown": "x" * 161},
])
def test_bad_fields_make_the_form_invalid(changes):
    assert not _post(**changes).valid


@pytest.mark.parametrize(("changes", "hints", "shown"), [
    ({"hints_used": None}, "0", "stamp"), ({"hints_used": " \t"}, "0", "stamp"),
    ({"shown": None}, "1", ""), ({"shown": "   "}, "1", ""), ({"shown": "x" * 160}, "1", "x" * 160),
])
def test_blank_optional_fields_count_as_absent(changes, hints, shown):
    post = _post(**changes)
    assert post.valid and (post.hints_used, post.shown) == (hints, shown)


def test_the_first_of_repeated_fields_counts():
    form = ImmutableMultiDict([*GOOD.items(), ("version", "x"), ("key", "nope")])
    assert AnswerPost.read(form) == AnswerPost(KEY, "1", "3", "stamp")
