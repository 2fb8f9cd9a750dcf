"""Whether runs may start without isolation: a production server refuses to.

Without bubblewrap (not installed, or the kernel refuses it the namespaces it needs) the
sandbox falls back to ``rlimits`` mode, which is not a security boundary: the code runs with
the app's uid and can read its files and database (docs/sandbox.md). That fallback serves a
developer's machine. A production app (``SANDBOX_REQUIRE_ISOLATION``, on outside development
and testing) refuses every run there instead, and says why in its log at start; code answers
are then refused with a message that keeps the learner's code, and nothing is graded. An
operator who accepts unisolated runs says so with ``QUIZAPP_SANDBOX_MODE=rlimits``.
"""

from __future__ import annotations

import os

from quizapp.sandbox import process

_required = False  # set by the app (create_app), for this process


class SandboxUnavailable(OSError):
    """Runs must be isolated here and bubblewrap cannot isolate them."""


def require_isolation(required: bool) -> None:
    """Whether this process's runs need bubblewrap's isolation (the app's setting)."""
    global _required
    _required = required


def isolation_problem() -> str | None:
    """Why no run may start here, or None when runs may start."""
    if not _required or os.environ.get("QUIZAPP_SANDBOX_MODE") == "rlimits":
        return None
    if process.sandbox_mode() == "bwrap":
        return None
    return ("the code sandbox cannot isolate runs on this machine (bubblewrap is missing or "
            "cannot create its namespaces), so code answers are refused: install bubblewrap "
            "(make system-deps), or set QUIZAPP_SANDBOX_MODE=rlimits to run learners' code "
            "without isolation")


def check() -> None:
    """Raise ``SandboxUnavailable`` unless a run may start."""
    if (problem := isolation_problem()) is not None:
        raise SandboxUnavailable(problem)
