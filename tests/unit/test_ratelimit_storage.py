"""The in-process rate-limit counters: limits' own counting, no thread started per hit."""

from __future__ import annotations

import time

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from limits.strategies import MovingWindowRateLimiter

from quizapp import ratelimit_storage
from quizapp.ratelimit_storage import SweepingMemoryStorage


@pytest.fixture
def timers(monkeypatch):
    """Every ``threading.Timer`` limits' memory storage starts from now on."""
    started: list[float] = []

    class CountingTimer:
        def __init__(self, interval, function):
            started.append(interval)
            self.function = function

        def start(self):
            pass

        def is_alive(self):
            return False  # as a finished timer: the next hit would start another

    import limits.storage.memory as memory

    monkeypatch.setattr(memory.threading, "Timer", CountingTimer)
    return started


def test_the_scheme_names_this_storage():
    assert isinstance(storage_from_string("quizapp-memory://"), SweepingMemoryStorage)


def test_a_hit_starts_no_thread(timers):
    storage = SweepingMemoryStorage()
    timers.clear()  # the one MemoryStorage starts when it is made
    limiter = FixedWindowRateLimiter(storage)
    for n in range(50):
        limiter.hit(parse("100 per minute"), f"key-{n % 5}")
    assert timers == []


def test_limits_own_storage_would_have_started_threads(timers):
    """The test above can fail: the storage it replaces starts a timer on such hits."""
    storage = MemoryStorage()
    timers.clear()
    limiter = FixedWindowRateLimiter(storage)
    for n in range(5):
        limiter.hit(parse("100 per minute"), f"key-{n}")
    assert len(timers) == 5


@pytest.mark.parametrize("strategy", [FixedWindowRateLimiter, MovingWindowRateLimiter])
def test_it_counts_as_limits_does(strategy):
    ours = strategy(SweepingMemoryStorage())
    theirs = strategy(MemoryStorage())
    limit = parse("3 per minute")
    for key in ("a", "a", "b", "a", "a", "b"):
        assert ours.hit(limit, key) == theirs.hit(limit, key)
    assert not ours.hit(limit, "a")
    assert ours.hit(limit, "c")


def test_a_window_that_ended_counts_again_and_is_swept(monkeypatch):
    storage = SweepingMemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("1 per second")
    assert limiter.hit(limit, "old")
    assert not limiter.hit(limit, "old")
    monkeypatch.setattr(ratelimit_storage, "SWEEP_SECONDS", 0.0)
    time.sleep(1.05)
    assert limiter.hit(limit, "other")  # sweeps: "old" ended
    assert not any("old" in key for key in storage.storage)
    assert limiter.hit(limit, "old")  # a new window
