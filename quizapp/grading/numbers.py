"""Parse the numbers learners type: 0.5, 1/2, 1 1/2, 5e-1, -3, 1,000, 1 000, 50%."""

from __future__ import annotations

import math
import re
from fractions import Fraction

from quizapp.grading.base import ResponseError

_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}([, ]\d{3})+(\.\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*/\s*([+-]?\d+(?:\.\d+)?)$")
_MIXED = re.compile(r"^([+-]?)(\d+)\s+(\d+)\s*/\s*(\d+)$")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


def parse_number(text: str, *, allow_percent: bool = False) -> float:
    """Return the value of ``text`` or raise ``ResponseError`` with a helpful message."""
    raw = " ".join((text or "").translate(_MINUS_SIGNS).replace("_", "").split())
    if not raw:
        raise ResponseError("Enter a number.")
    percent = raw.endswith("%")
    if percent:
        if not allow_percent:
            raise ResponseError("Enter a plain number here, without a percent sign.")
        raw = raw[:-1].rstrip()
    value = _parse_plain(raw)
    if percent:
        value /= 100.0
    return value


def _parse_plain(raw: str) -> float:
    if _THOUSANDS.match(raw):
        raw = raw.replace(",", "").replace(" ", "")
    if match := _MIXED.match(raw):
        sign, whole, numerator, denominator = match.groups()
        if int(denominator) == 0:
            raise ResponseError("Division by zero is not a number.")
        value = int(whole) + Fraction(int(numerator), int(denominator))
        return float(-value if sign == "-" else value)
    if match := _FRACTION.match(raw):
        numerator, denominator = (Fraction(part) for part in match.groups())
        if denominator == 0:
            raise ResponseError("Division by zero is not a number.")
        return float(numerator / denominator)
    if "," in raw:
        raise ResponseError("Use a dot for decimals, e.g. 0.25 (not 0,25).")
    try:
        value = float(raw)
    except ValueError:
        raise ResponseError(
            f"'{raw}' is not a number. Try forms like 0.25, 1/4 or 2.5e-1."
        ) from None
    if not math.isfinite(value):
        raise ResponseError("Enter a finite number.")
    return value


def format_number(value: float, grouped: bool = False) -> str:
    """Show a number exactly enough to type back (no trailing zeros, up to 12 digits);
    ``grouped``: whole numbers from 10,000 up with thousands separators, as question texts
    write them (the parser reads them back)."""
    if value == int(value) and abs(value) < 1e15:
        whole = int(value)
        return f"{whole:,}" if grouped and abs(whole) >= 10_000 else str(whole)
    return f"{value:.12g}"
