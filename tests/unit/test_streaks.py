from datetime import date

from quizapp.core.streaks import Streaks
from quizapp.core.streaks import streaks

DAYS = [date(2026, 3, d) for d in (1, 2, 3, 5, 6)]


def test_current_and_best_streak():
    assert streaks(DAYS, date(2026, 3, 6)) == Streaks(current=2, best=3)


def test_today_without_answers_keeps_yesterdays_streak_but_not_older():
    assert streaks(DAYS, date(2026, 3, 7)) == Streaks(current=2, best=3)
    assert streaks(DAYS, date(2026, 3, 8)) == Streaks(current=0, best=3)


def test_no_days():
    assert streaks([], date(2026, 3, 8)) == Streaks(0, 0)
