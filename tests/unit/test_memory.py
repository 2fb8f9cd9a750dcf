import random
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from fsrs import Rating
from fsrs import State

from quizapp.core.memory import MemoryState
from quizapp.core.memory import fuzz_interval
from quizapp.core.memory import retrievability
from quizapp.core.memory import review

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_new_card_rated_good_goes_straight_to_review_a_day_or_more_later():
    # No learning steps since issue 9 (docs/adaptivity.md, "Learning steps"): a daily quiz
    # cannot honour 1- and 10-minute steps, and the simulation favoured none.
    after = review(MemoryState(), Rating.Good, NOW, random.Random(1))
    assert after.state == State.Review.value
    assert after.last_review == NOW
    assert after.due >= NOW + timedelta(days=1)


def test_easy_graduates_a_new_card_to_review_days_later():
    after = review(MemoryState(), Rating.Easy, NOW, random.Random(1))
    assert after.state == State.Review.value
    assert after.due >= NOW + timedelta(days=1)


def test_again_comes_back_sooner_than_good():
    again = review(MemoryState(), Rating.Again, NOW, random.Random(1))
    good = review(MemoryState(), Rating.Good, NOW, random.Random(1))
    assert again.due < good.due


def test_intervals_grow_with_successful_reviews():
    rng = random.Random(7)
    state, moment, intervals = MemoryState(), NOW, []
    for _ in range(5):
        state = review(state, Rating.Good, moment, rng)
        intervals.append(state.due - moment)
        moment = state.due
    review_intervals = intervals[2:]
    assert review_intervals == sorted(review_intervals)
    assert review_intervals[-1] > timedelta(days=7)


def test_same_seed_gives_the_same_schedule():
    def run(seed):
        state, moment = MemoryState(), NOW
        for rating in (Rating.Good, Rating.Good, Rating.Good, Rating.Easy):
            state = review(state, rating, moment, random.Random(seed))
            moment = state.due
        return state.due

    assert run(3) == run(3)


def test_fuzz_keeps_short_intervals_and_spreads_long_ones():
    assert fuzz_interval(timedelta(days=1), random.Random(1)) == timedelta(days=1)
    values = {fuzz_interval(timedelta(days=30), random.Random(s)).days for s in range(40)}
    assert len(values) > 1
    assert all(25 <= v <= 35 for v in values)


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        review(MemoryState(), Rating.Good, datetime(2026, 1, 1), random.Random(1))


def test_retrievability_falls_over_time():
    state = review(MemoryState(), Rating.Easy, NOW, random.Random(1))
    soon = retrievability(state, NOW + timedelta(days=1))
    later = retrievability(state, NOW + timedelta(days=60))
    assert 0 < later < soon <= 1
    assert retrievability(MemoryState(), NOW) == 1.0


def test_any_aware_utc_flavour_is_accepted():
    from zoneinfo import ZoneInfo

    a = review(MemoryState(), Rating.Good, NOW.astimezone(ZoneInfo("UTC")), random.Random(1))
    b = review(MemoryState(), Rating.Good, NOW.astimezone(ZoneInfo("Asia/Tokyo")),
               random.Random(1))
    assert a == b
