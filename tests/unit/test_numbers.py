import pytest

from quizapp.grading.base import ResponseError
from quizapp.grading.numbers import format_number
from quizapp.grading.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.5", 0.5), ("1/2", 0.5), ("5e-1", 0.5), (" -3 ", -3.0), ("\u22123", -3.0),
     ("1,000", 1000.0), ("12,345.5", 12345.5), ("3 / 4", 0.75), ("-1/4", -0.25), (".25", 0.25),
     ("1_000", 1000.0), ("+2", 2.0), ("1 1/2", 1.5), ("-2 3/4", -2.75), ("1 000", 1000.0),
     ("12 345 678", 12345678.0), (" 3 / 4 ", 0.75)],
)
def test_parses_common_number_forms(text, value):
    assert parse_number(text) == pytest.approx(value)


def test_percent_only_where_allowed():
    assert parse_number("50%", allow_percent=True) == pytest.approx(0.5)
    assert parse_number("12.5 %", allow_percent=True) == pytest.approx(0.125)
    with pytest.raises(ResponseError, match="percent"):
        parse_number("50%")


@pytest.mark.parametrize("text", ["", "   ", "abc", "1/0", "nan", "inf", "1e999", "0,5", "1..2",
                                  "2^3", "1/2/3", "0,500", "-0,250", "3 4", "1 1/0", "1 00"])
def test_rejects_what_is_not_a_finite_number(text):
    with pytest.raises(ResponseError):
        parse_number(text)


def test_format_number():
    assert format_number(3.0) == "3"
    assert format_number(0.0909090909) == "0.0909090909"
    assert format_number(1000.862) == "1000.862"
    assert format_number(80000.0) == "80000"
    assert format_number(80000.0, grouped=True) == "80,000"
    assert format_number(-1234567.0, grouped=True) == "-1,234,567"
    assert format_number(2026.0, grouped=True) == "2026"  # four digits stay as they are
    assert format_number(12345.5, grouped=True) == "12345.5"
    assert parse_number(format_number(80000.0, grouped=True)) == 80000
