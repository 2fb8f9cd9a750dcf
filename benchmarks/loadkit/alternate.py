"""Several servers under load in turn: short alternating windows, so drift falls on all.

The machine's speed drifts by ±25 % within minutes here, so a floor measured before the app
(and PostgreSQL after SQLite) compared different machines. Every server runs at once, each
with its own learner processes, and only one side's learners run at a time: one warm-up
window per side, then ``rounds`` rounds of one window each, in an order that reverses
every round (A B C, C B A, ...). A side's figures add up its windows; ``per_window`` gives
them window by window, for ratios between sides taken in the same round.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from benchmarks.loadkit import client
from benchmarks.loadkit.server import Gunicorn
from benchmarks.loadkit.server import machine_busy_seconds

SETTLE = 0.5  # seconds between windows: the last side's requests in flight finish


@dataclass
class Side:
    """One server and how its learners log in (``log_in(browser, index)``) and loop."""

    label: str
    server: Gunicorn
    log_in: Callable[[client.Browser, int], None]
    loop: Callable[..., str]
    cpu_seconds: float = 0.0  # the server's, over the measured windows
    busy_seconds: float = 0.0  # the whole machine's, over the same windows
    window_seconds: float = 0.0
    stats: list[client.Stats] = field(default_factory=list)
    window_cpu: dict[int, float] = field(default_factory=dict)  # by window number
    window_answers: dict[int, int] = field(default_factory=dict)

    def per_window(self) -> list[float]:
        """Server CPU per answer (ms) in each measured window, in order."""
        return [cpu * 1000 / max(1, self.window_answers.get(number, 0))
                for number, cpu in sorted(self.window_cpu.items())]


def _learner(side: Side, index: int, go: Any, stop: Any, window: Any, ready: Any,
             results: Any) -> None:
    """Log in, then loop during each of this side's windows (``window``: start, end and
    the window's number, so a window that follows this side's last one is told apart)."""
    browser, stats, path = client.Browser("127.0.0.1", side.server.port), client.Stats(), None
    done, answers = 0.0, {}
    try:
        side.log_in(browser, index)
        ready.release()
        while not stop.is_set():
            if not go.wait(timeout=0.5):
                continue
            if window[2] == done:  # this window's end has passed: wait for the next
                time.sleep(0.01)
                continue
            done, before = window[2], stats.answers
            path = side.loop(browser, window[1], window[0], stats, path)
            answers[int(done)] = stats.answers - before
    except (client.LoadError, OSError) as exc:
        stats.errors.append(f"{type(exc).__name__}: {exc}")
        ready.release()
    results.put((stats, answers))


def run(sides: list[Side], clients: int, warmup: float, seconds: float, rounds: int) -> None:
    """Drive every side in turn; fill in each side's CPU, machine time and learner stats."""
    ctx = multiprocessing.get_context("fork")
    stop, ready = ctx.Event(), ctx.Semaphore(0)
    go = [ctx.Event() for _ in sides]
    windows = [ctx.Array("d", 3) for _ in sides]
    queues = [ctx.Queue() for _ in sides]
    procs = [ctx.Process(target=_learner, args=(side, i, go[s], stop, windows[s], ready,
                                                queues[s]))
             for s, side in enumerate(sides) for i in range(clients)]
    for proc in procs:
        proc.start()
    for _ in procs:
        if not ready.acquire(timeout=180):
            raise RuntimeError("clients did not log in in time")
    order = list(range(len(sides)))
    schedule = [(s, warmup, False) for s in order]
    for r in range(rounds):
        schedule += [(s, seconds / rounds, True) for s in (order if r % 2 == 0 else order[::-1])]
    for s, length, measured in schedule:
        _window(sides[s], go[s], windows[s], length, measured)
    stop.set()
    for s, side in enumerate(sides):
        for stats, answers in (queues[s].get(timeout=120) for _ in range(clients)):
            side.stats.append(stats)
            for number, count in answers.items():
                side.window_answers[number] = side.window_answers.get(number, 0) + count
    for proc in procs:
        proc.join(timeout=60)


def _window(side: Side, go: Any, window: Any, length: float, measured: bool) -> None:
    start = time.monotonic() + SETTLE
    end = start + length
    window[0], window[1] = (start if measured else end), end  # warm-up: nothing counted
    window[2] += 1
    go.set()
    time.sleep(max(0.0, start - time.monotonic()))
    cpu, busy = side.server.cpu_seconds(), machine_busy_seconds()
    time.sleep(max(0.0, end - time.monotonic()))
    if measured:
        side.window_cpu[int(window[2])] = side.server.cpu_seconds() - cpu
        side.cpu_seconds += side.window_cpu[int(window[2])]
        side.busy_seconds += machine_busy_seconds() - busy
        side.window_seconds += length
    go.clear()
