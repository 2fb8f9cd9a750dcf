"""Graded code and SQL answers: a per-learner budget of sandbox runs.

"Run examples" has its own limit (``code_runs.RUN_LIMIT``); a graded answer runs the hidden
tests too, and a script answering code questions in a loop (start a drill, answer, stop,
again) could set off thousands of runs a minute. A person needs minutes to write an answer,
so the budget is far above any learner's pace and still stops such a loop.
"""

from __future__ import annotations

import functools

from flask import current_app
from limits import RateLimitItem
from limits import parse
from limits.strategies import FixedWindowRateLimiter
from limits.strategies import RateLimiter

from quizapp.extensions import limiter
from quizapp.ratelimit_storage import SweepingMemoryStorage
from quizapp.web import retry_after

ANSWER_RUN_LIMIT = "240 per minute"


_FALLBACK = FixedWindowRateLimiter(SweepingMemoryStorage())  # this process's count, Redis down


def charge(user_id: int) -> int | None:
    """Count one graded run for the learner: None when allowed, else the seconds to wait."""
    if not limiter.enabled:
        return None
    limit = _parsed(current_app.config.get("CODE_ANSWER_RATE_LIMIT", ANSWER_RUN_LIMIT))
    key = f"code-answer:{user_id}"
    try:
        return _charge(limiter.limiter, limit, key)
    except Exception:  # the limiter's storage (Redis) is down: count in this process
        return _charge(_FALLBACK, limit, key)


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> RateLimitItem:
    """The limit a configured text states (parsed once per text)."""
    return parse(text)


def _charge(strategy: RateLimiter, limit: RateLimitItem, key: str) -> int | None:
    if strategy.hit(limit, key):
        return None
    reset_at = strategy.get_window_stats(limit, key).reset_time
    return retry_after(reset_at, limit.get_expiry())
