"""Study streaks: runs of consecutive local days with at least one answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta


@dataclass(frozen=True)
class Streaks:
    current: int
    best: int


def streaks(days: Iterable[date], today: date) -> Streaks:
    """Current and best streak; today without answers yet does not break the current one."""
    ordered = sorted(set(days))
    best = run = 0
    previous: date | None = None
    for day in ordered:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    current = 0
    if previous is not None and today - previous <= timedelta(days=1) and previous <= today:
        current = run
    return Streaks(current=current, best=best)
