from datetime import UTC
from datetime import datetime
from datetime import timedelta

from quizapp.core.clock import humanize_delta
from quizapp.core.clock import local_time
from quizapp.core.clock import start_of_local_day


def test_local_time_uses_the_learners_zone():
    moment = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert local_time(moment, "Europe/Berlin") == "02 Mar 2026, 10:00 CET"
    assert local_time(moment, "UTC", "%H:%M") == "09:00 UTC"


def test_start_of_local_day():
    moment = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert start_of_local_day(moment, "UTC") == datetime(2026, 3, 2, tzinfo=UTC)
    assert start_of_local_day(moment, "America/New_York") == datetime(2026, 3, 1, 5,
                                                                      tzinfo=UTC)


def test_humanize_delta():
    assert humanize_delta(timedelta(seconds=-5)) == "now"
    assert humanize_delta(timedelta(0)) == "now"
    assert humanize_delta(timedelta(seconds=20)) == "in under a minute"
    assert humanize_delta(timedelta(minutes=10)) == "in 10 minutes"
    assert humanize_delta(timedelta(days=1)) == "in 1 day"
    assert humanize_delta(timedelta(days=3, hours=5)) == "in 3 days"


def test_humanize_delta_promotes_rounded_units():
    assert humanize_delta(timedelta(seconds=3599)) == "in 1 hour"
    assert humanize_delta(timedelta(hours=23, minutes=40)) == "in 1 day"
    assert humanize_delta(timedelta(hours=1, minutes=29)) == "in 1 hour"


def test_day_start_is_the_first_midnight_when_it_repeats():
    # Havana falls back from 01:00 to 00:00 on 2026-11-01: midnight happens twice.
    second_midnight_hour = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    hour_later = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert start_of_local_day(second_midnight_hour, "America/Havana") == start_of_local_day(
        hour_later, "America/Havana")
