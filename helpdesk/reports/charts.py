"""The geometry of the dashboard's charts, from plain numbers: scales, ticks, the points of a
trend's lines and the rectangles of horizontal bars, in the units of an SVG viewBox.

Pure: no Flask, no database. The templates (reports/_charts.html) draw what this computes and
write the labels in the reader's language; the figures themselves stay numbers here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The viewBoxes' widths: the SVG is drawn at the width of its column (at most a phone's, or
# the cap in css/app.css), so that text of 13-14 units stays readable on a phone.
TREND_WIDTH = 420
BARS_WIDTH = 400
LABEL_WIDTH = 66  # a month written under the axis (`12/2026`, `Dec 2026`) and a gap
STEPS = (1, 2, 5)  # ticks are these times a power of ten


def tick_step(top: float, most: int = 5) -> int:
    """The smallest step of 1, 2 or 5 times a power of ten (at least 1: counts are whole)
    with which `most` steps reach `top`."""
    if top <= most:
        return 1
    power = 10 ** max(0, math.floor(math.log10(top / most)))
    while True:
        for step in STEPS:
            if step * power * most >= top:
                return step * power
        power *= 10


def ticks(top: float, most: int = 5) -> list[int]:
    """Round values from 0 to at least `top` (at least 1), at most `most` steps apart."""
    step = tick_step(top, most)
    count = max(1, math.ceil(top / step))
    return [step * index for index in range(count + 1)]


@dataclass(frozen=True)
class Scale:
    """A linear map of [0, top] onto [start, end], clamped to it (end < start: upwards)."""

    top: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        share = min(max(value / self.top, 0.0), 1.0) if self.top > 0 else 0.0
        return round(self.start + (self.end - self.start) * share, 2)


@dataclass(frozen=True)
class Box:
    """The plot area inside the viewBox (axes and labels go around it)."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float


@dataclass(frozen=True)
class Line:
    name: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        """The `points` attribute of an SVG polyline."""
        return " ".join(f"{point.x:g},{point.y:g}" for point in self.points)


@dataclass(frozen=True)
class Trend:
    width: float
    height: float
    plot: Box
    ticks: tuple[tuple[int, float], ...]  # (value, y) of each horizontal grid line
    labels: tuple[tuple[str, float], ...]  # (label, x) of the months written under the axis
    lines: tuple[Line, ...]


def trend(
    labels: list[str],
    series: dict[str, list[float | None]],
    *,
    top: float | None = None,
    width: float = TREND_WIDTH,
    height: float = 220,
    label_width: float = LABEL_WIDTH,
) -> Trend:
    """Lines of counts over months: each month in the middle of its band (one month stands in
    the middle of the plot), the vertical scale from 0 to a round value above the largest count
    (or above `top`, such as 100 for percentages). Every series has one value per label; None
    (nothing to show that month) has no point, its line joins the months either side. Month
    labels are thinned so that they do not touch."""
    plot = Box(left=44, top=12, right=width - 12, bottom=height - 28)
    known = [value for values in series.values() for value in values if value is not None]
    grid = ticks(top if top is not None else max(known, default=0))
    y = Scale(top=grid[-1], start=plot.bottom, end=plot.top)
    band = (plot.right - plot.left) / len(labels) if labels else 0.0
    xs = [round(plot.left + band * (index + 0.5), 2) for index in range(len(labels))]
    every = max(1, math.ceil(label_width / band)) if band else 1
    shown = tuple(
        (label, x)
        for index, (label, x) in enumerate(zip(labels, xs, strict=True))
        if (len(labels) - 1 - index) % every == 0  # the latest month always has its label
    )
    lines = tuple(
        Line(
            name=name,
            points=tuple(
                Point(x=x, y=y(value), value=value)
                for x, value in zip(xs, values, strict=True)
                if value is not None
            ),
        )
        for name, values in series.items()
    )
    return Trend(
        width=width,
        height=height,
        plot=plot,
        ticks=tuple((value, y(value)) for value in grid),
        labels=shown,
        lines=lines,
    )


@dataclass(frozen=True)
class Bar:
    key: str
    value: float | None  # None: nothing measured, no bar
    label_y: float  # the baseline of the row's name, above its bar
    x: float
    y: float
    width: float
    height: float
    value_x: float  # where the value is written: just past the bar's end
    value_y: float


@dataclass(frozen=True)
class Bars:
    width: float
    height: float
    plot: Box
    ticks: tuple[tuple[int, float], ...]  # (value, x) of each vertical grid line
    bars: tuple[Bar, ...]


def bars(
    rows: list[tuple[str, float | None]],
    *,
    top: float = 100,
    width: float = BARS_WIDTH,
    row_height: float = 38,
    value_width: float = 64,
) -> Bars:
    """Horizontal bars of values in [0, top] (percentages by default), one row each: the
    name above the bar, the value written past its end, inside the viewBox even at `top`."""
    plot = Box(left=8, top=4, right=width - value_width, bottom=4 + row_height * len(rows))
    x = Scale(top=top, start=plot.left, end=plot.right)
    thickness = round(row_height * 0.4, 2)
    drawn = []
    for index, (key, value) in enumerate(rows):
        row_top = plot.top + row_height * index
        bar_y = round(row_top + row_height - thickness - 4, 2)
        end = x(value) if value is not None else plot.left
        drawn.append(
            Bar(
                key=key,
                value=value,
                label_y=round(bar_y - 4, 2),
                x=plot.left,
                y=bar_y,
                width=round(end - plot.left, 2),
                height=thickness,
                value_x=round(end + 4, 2),
                value_y=round(bar_y + thickness - 2, 2),
            )
        )
    grid = [value for value in ticks(top) if value <= top]
    return Bars(
        width=width,
        height=plot.bottom + 20,
        plot=plot,
        ticks=tuple((value, x(value)) for value in grid),
        bars=tuple(drawn),
    )
