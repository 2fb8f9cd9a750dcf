"""The randomness the web layer hands to core logic (which takes ``rng`` as an argument).

A ``random.Random()`` made per request seeds itself from the OS: about 8 µs of CPU, on every
answer and quiz start. One generator per process does the same job: it is seeded from the OS
once, and again in every forked child (gunicorn workers fork from a preloaded master, and two
workers must not draw the same sequence). Not for secrets: those come from ``secrets``.
"""

from __future__ import annotations

import os
import random

_RNG = random.Random()
os.register_at_fork(after_in_child=_RNG.seed)


def request_rng() -> random.Random:
    """This process's generator (seeded from the OS at start and after a fork)."""
    return _RNG


class SeededOnUse:
    """``random.Random(seed)``, made when first drawn from.

    A question page hands its question type a generator seeded by the quiz and position (the
    same option order each time the item is shown); seeding one costs about 7 µs, and only
    the choice types draw from it."""

    __slots__ = ("_rng", "_seed")

    def __init__(self, seed: int | str) -> None:
        self._seed = seed
        self._rng: random.Random | None = None

    def __getattr__(self, name: str) -> object:
        if self._rng is None:
            self._rng = random.Random(self._seed)
        return getattr(self._rng, name)
