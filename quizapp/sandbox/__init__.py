"""Run untrusted learner code in a jailed, resource-limited child process (docs/sandbox.md)."""

from quizapp.sandbox.pool import concurrency
from quizapp.sandbox.pool import run_job
from quizapp.sandbox.process import Limits
from quizapp.sandbox.process import RunResult
from quizapp.sandbox.process import sandbox_mode

__all__ = ["Limits", "RunResult", "concurrency", "run_job", "sandbox_mode"]
