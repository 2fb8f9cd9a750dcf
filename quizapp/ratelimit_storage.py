"""The rate limits' in-process counters (``quizapp-memory://``), without a thread per hit.

``limits``' ``MemoryStorage`` frees expired counters from a ``threading.Timer`` that it
starts again, 10 ms later, on every hit that finds the last one finished: a new thread per
graded code answer, about 0.2 ms of the worker's CPU each (thread start, timer, sweep, exit),
for a sweep that frees memory only. The counts do not need it: reading a counter drops it
once its window is over (``MemoryStorage.get``), and every hit reads first. Here the sweep
runs in the hitting thread, at most once a second. Counting, windows and the moving and
sliding windows are ``MemoryStorage``'s own. ``REDIS_URL`` replaces all of this with Redis
(limits shared by every worker and process).
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0  # at most one sweep of expired counters a second, per process


class SweepingMemoryStorage(MemoryStorage):
    """``MemoryStorage`` whose expired counters are swept inline, at most once a second."""

    STORAGE_SCHEME = ["quizapp-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # the name MemoryStorage calls
        """Called on every hit (``MemoryStorage`` started a timer thread here)."""
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self.sweep()

    def sweep(self) -> None:
        """Free the counters and moving-window entries whose windows are over."""
        self._MemoryStorage__expire_events()  # type: ignore[attr-defined]

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._next_sweep = 0.0
