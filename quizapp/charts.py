"""Geometry for small server-rendered SVG charts (no JavaScript, no inline styles).

Templates draw the shapes with CSS classes, so the charts follow the light/dark theme, and
always pair a chart with a table of the same numbers for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 180
# Room for the axis labels at the font size phones need: the SVG scales with its width, so
# progress.css draws the labels up to 20 units tall where a chart is shrunk to ~330 px.
PAD_LEFT = 64
PAD_RIGHT = 32
PAD_TOP = 14
PAD_BOTTOM = 30


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    lines: list[str]  # SVG polyline "x,y x,y" strings (a gap in the data starts a new line)
    dots: list[tuple[float, float, str]]
    ticks: list[Tick]
    x_labels: list[tuple[float, str]]
    baseline: float
    plot_left: float = PAD_LEFT  # where the plot area (and its rules) begin and end
    plot_right: float = WIDTH - PAD_RIGHT


def _nice_max(value: float) -> float:
    """Round an axis maximum up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _ticks(top: float, unit: str, bottom: float = 0.0, whole: bool = False) -> list[Tick]:
    """Rules at the bottom, middle and top; for counts (``whole``) only where the value is
    a whole number (no "0.5 answers" on an axis that tops out at 1)."""
    inner = HEIGHT - PAD_TOP - PAD_BOTTOM
    span = top - bottom
    return [Tick(PAD_TOP + inner * (1 - f), f"{bottom + span * f:g}{unit}")
            for f in (0, 0.5, 1) if not whole or float(bottom + span * f).is_integer()]


def _x_labels(labels: Sequence[str], step: float, offset: float, every: int) -> list:
    return [(PAD_LEFT + offset + i * step, label) for i, label in enumerate(labels)
            if i % every == 0]


def bar_chart(points: Sequence[tuple[str, float]], label_every: int = 2) -> Chart:
    """Bars for (label, value) pairs, one per slot."""
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    top = _nice_max(max((v for _, v in points), default=0))
    slot = inner_w / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = inner_h * value / top
        bars.append(Bar(PAD_LEFT + i * slot + slot * 0.15, PAD_TOP + inner_h - h, slot * 0.7,
                        h, label, value))
    return Chart(WIDTH, HEIGHT, bars, [], [], _ticks(top, "", whole=True),
                 _x_labels([p[0] for p in points], slot, slot / 2, label_every),
                 PAD_TOP + inner_h)


def line_chart(points: Sequence[tuple[str, float | None]], top: float | None = None,
               bottom: float = 0.0, unit: str = "", label_every: int = 5) -> Chart:
    """A line through (label, value) pairs; None leaves a gap."""
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    values = [v for _, v in points if v is not None]
    if top is None:
        top = _nice_max(max(values, default=0))
    span = (top - bottom) or 1.0
    step = inner_w / max(len(points) - 1, 1)
    offset = inner_w / 2 if len(points) == 1 else 0  # one point: mid-plot, not on the axis
    lines, current, dots = [], [], []
    for i, (label, value) in enumerate(points):
        if value is None:
            if current:
                lines.append(" ".join(current))
            current = []
            continue
        x = PAD_LEFT + offset + i * step
        y = PAD_TOP + inner_h * (1 - (value - bottom) / span)
        current.append(f"{x:.1f},{y:.1f}")
        dots.append((round(x, 1), round(y, 1), label))
    if current:
        lines.append(" ".join(current))
    whole = all(float(v).is_integer() for v in values)  # counts, not rates
    ticks = _ticks(bottom + span, unit, bottom, whole)
    return Chart(WIDTH, HEIGHT, [], lines, dots, ticks,
                 _x_labels([p[0] for p in points], step, offset, label_every), PAD_TOP + inner_h)
