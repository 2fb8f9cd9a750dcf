"""Graded code and SQL answers: a per-learner budget of sandbox runs.

"Run examples" has its own limit (``code_runs.RUN_LIMIT``); a graded answer runs the hidden
tests too, and a script answering code questions in a loop (start a drill, answer, stop,
again) could set off thousands of runs a minute. A person needs minutes to write an answer,
so the budget is far above any learner's pace and still stops such a loop.
"""

from __future__ import annotations

from flask import current_app
from limits import parse

from quizapp.extensions import limiter
from quizapp.web import retry_after

ANSWER_RUN_LIMIT = "240 per minute"


def charge(user_id: int) -> int | None:
    """Count one graded run for the learner: None when allowed, else the seconds to wait."""
    if not limiter.enabled:
        return None
    limit = parse(current_app.config.get("CODE_ANSWER_RATE_LIMIT", ANSWER_RUN_LIMIT))
    key = f"code-answer:{user_id}"
    if limiter.limiter.hit(limit, key):
        return None
    reset_at = limiter.limiter.get_window_stats(limit, key).reset_time
    return retry_after(reset_at, limit.get_expiry())
