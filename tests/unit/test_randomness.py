"""The web layer's per-process generator: one per process, reseeded in forked children; and
the generator seeded on first use (a question's option order)."""

from __future__ import annotations

import os
import random

import pytest

from quizapp.randomness import SeededOnUse
from quizapp.randomness import request_rng


def test_the_same_generator_serves_every_request() -> None:
    assert request_rng() is request_rng()
    assert isinstance(request_rng(), random.Random)


def test_a_forked_child_draws_a_different_sequence_from_its_parent() -> None:
    """gunicorn forks workers from a preloaded master: each must have its own stream."""
    state = request_rng().getstate()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its first draws and leave without cleanup
        try:
            os.write(write_end, repr([request_rng().random() for _ in range(4)]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        child = pipe.read()
    os.waitpid(pid, 0)
    parent = repr([request_rng().random() for _ in range(4)])
    request_rng().setstate(state)
    unseeded = random.Random()
    unseeded.setstate(state)
    assert child and child != parent
    assert parent == repr([unseeded.random() for _ in range(4)])  # the parent kept its stream


@pytest.mark.parametrize("seed", ["1234:1", "99:17", 42])
def test_it_shuffles_and_draws_as_random_random(seed):
    ours, theirs = SeededOnUse(seed), random.Random(seed)
    a, b = list(range(9)), list(range(9))
    ours.shuffle(a)
    theirs.shuffle(b)
    assert a == b
    assert [ours.random() for _ in range(5)] == [theirs.random() for _ in range(5)]


def test_nothing_is_seeded_until_a_draw(monkeypatch):
    made: list[object] = []
    real = random.Random
    monkeypatch.setattr(random, "Random", lambda seed=None: made.append(seed) or real(seed))
    lazy = SeededOnUse("7:3")
    assert made == []
    lazy.randrange(10)
    lazy.randrange(10)
    assert made == ["7:3"]
