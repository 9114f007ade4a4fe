"""The charts' geometry (helpdesk/reports/charts.py): plain numbers in, coordinates out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.reports import charts

counts = st.integers(min_value=0, max_value=10_000_000)
percents = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))
names = st.text(min_size=1, max_size=8)


@settings(max_examples=200)
@given(top=st.floats(min_value=0, max_value=1e9, allow_nan=False), most=st.integers(1, 10))
def test_ticks_are_round_whole_and_reach_the_top(top, most):
    values = charts.ticks(top, most)
    step = values[1] - values[0]
    assert values[0] == 0
    assert values[-1] >= max(top, 1)
    assert len(values) - 1 <= max(most, 1)
    assert all(b - a == step for a, b in zip(values, values[1:], strict=False))
    assert all(isinstance(value, int) for value in values)
    mantissa = step
    while mantissa % 10 == 0:
        mantissa //= 10
    assert mantissa in (1, 2, 5)


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (4, [0, 1, 2, 3, 4]),
        (7, [0, 2, 4, 6, 8]),
        (100, [0, 20, 40, 60, 80, 100]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_ticks_of_known_tops(top, expected):
    assert charts.ticks(top) == expected


@given(
    top=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    a=st.floats(min_value=-10, max_value=2e6, allow_nan=False),
    b=st.floats(min_value=-10, max_value=2e6, allow_nan=False),
)
def test_scales_are_monotonic_and_stay_in_their_range(top, a, b):
    up = charts.Scale(top=top, start=200, end=10)  # a vertical axis: larger values higher
    right = charts.Scale(top=top, start=8, end=400)
    low, high = sorted((a, b))
    assert right(low) <= right(high)
    assert up(low) >= up(high)
    assert 8 <= right(a) <= 400
    assert 10 <= up(a) <= 200


@given(
    st.integers(min_value=0, max_value=40).flatmap(
        lambda months: st.lists(
            st.lists(counts, min_size=months, max_size=months), min_size=1, max_size=3
        )
    )
)
def test_trend_points_lie_in_the_plot_in_month_order(values):
    months = [f"2026-{index:02d}" for index in range(len(values[0]))]
    series = {f"s{index}": row for index, row in enumerate(values)}
    chart = charts.trend(months, series)
    plot = chart.plot
    assert 0 <= plot.left < plot.right <= chart.width
    assert 0 <= plot.top < plot.bottom <= chart.height
    assert chart.ticks[0] == (0, plot.bottom)
    assert chart.ticks[-1][0] >= max((v for row in values for v in row), default=0)
    for line, row in zip(chart.lines, values, strict=True):
        assert [point.value for point in line.points] == row
        xs = [point.x for point in line.points]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
        for point in line.points:
            assert plot.left < point.x < plot.right
            assert plot.top <= point.y <= plot.bottom
        for low, high in zip(line.points, line.points[1:], strict=False):
            if low.value <= high.value:  # larger counts are drawn higher
                assert low.y >= high.y
    # Month labels: the latest always, never closer than they are wide.
    label_xs = [x for _label, x in chart.labels]
    if months:
        assert chart.labels[-1][0] == months[-1]
    assert all(
        b - a >= charts.LABEL_WIDTH - 0.01 for a, b in zip(label_xs, label_xs[1:], strict=False)
    )


def test_a_trend_of_one_month_stands_in_the_middle():
    chart = charts.trend(["2026-12"], {"filed": [3], "resolved": [0]})
    [filed], [resolved] = (line.points for line in chart.lines)
    assert filed.x == resolved.x == (chart.plot.left + chart.plot.right) / 2
    assert resolved.y == chart.plot.bottom
    assert chart.labels == (("2026-12", filed.x),)
    assert chart.lines[0].path == f"{filed.x:g},{filed.y:g}"


def test_a_trend_of_zeros_and_of_nothing():
    zeros = charts.trend(["2026-11", "2026-12"], {"filed": [0, 0]})
    assert [value for value, _y in zeros.ticks] == [0, 1]
    assert all(point.y == zeros.plot.bottom for point in zeros.lines[0].points)
    empty = charts.trend([], {"filed": []})
    assert empty.labels == () and empty.lines[0].points == ()
    assert empty.lines[0].path == ""


def test_a_trend_of_percentages_keeps_its_top_and_skips_months_without_a_value():
    chart = charts.trend(
        ["2026-01", "2026-02", "2026-03"],
        {"first_response": [50.0, None, 75.5], "resolution": [None, None, None]},
        top=100,
    )
    assert [value for value, _y in chart.ticks] == [0, 20, 40, 60, 80, 100]
    first, none = chart.lines
    assert [point.value for point in first.points] == [50.0, 75.5]
    assert [point.x for point in first.points] == [chart.labels[0][1], chart.labels[2][1]]
    assert first.points[0].y == (chart.plot.top + chart.plot.bottom) / 2
    assert none.points == () and none.path == ""
    assert len(chart.labels) == 3  # every month keeps its label, with a value or not


@given(
    st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=100)), max_size=40),
)
def test_a_trend_with_a_top_draws_every_value_inside_the_plot(values):
    chart = charts.trend([f"m{index}" for index in range(len(values))], {"s": values}, top=100)
    assert chart.ticks[-1][0] == 100
    assert [point.value for point in chart.lines[0].points] == [v for v in values if v is not None]
    assert all(chart.plot.top <= point.y <= chart.plot.bottom for point in chart.lines[0].points)


@given(st.lists(st.tuples(names, percents), max_size=70))
def test_bars_stay_in_the_plot_and_their_values_inside_the_picture(rows):
    chart = charts.bars(rows)
    plot = chart.plot
    assert len(chart.bars) == len(rows)
    assert chart.ticks[0] == (0, plot.left) and chart.ticks[-1] == (100, plot.right)
    previous_bottom = plot.top
    for bar, (key, value) in zip(chart.bars, rows, strict=True):
        assert (bar.key, bar.value) == (key, value)
        assert bar.x == plot.left
        assert 0 <= bar.width <= plot.right - plot.left
        assert plot.top <= bar.label_y - 12 and bar.y + bar.height <= plot.bottom
        assert bar.label_y > previous_bottom  # a name sits below the previous row's bar
        previous_bottom = bar.y + bar.height
        assert bar.value_x == pytest.approx(bar.x + bar.width + 4)
        assert bar.value_x + 44 <= chart.width  # room for "100 %" past the longest bar
        assert bar.y < bar.value_y <= bar.y + bar.height
    assert chart.height >= plot.bottom + 16


def test_bars_of_zero_full_and_nothing_measured():
    zero, full, none = charts.bars([("a", 0), ("b", 100), ("c", None)]).bars
    assert zero.width == 0 and none.width == 0
    assert full.x + full.width == charts.BARS_WIDTH - 64
    assert none.value is None
    half = charts.bars([("a", 50)]).bars[0]
    assert half.width == pytest.approx((charts.BARS_WIDTH - 64 - 8) / 2)


def test_no_bars_no_rows():
    chart = charts.bars([])
    assert chart.bars == () and chart.plot.top == chart.plot.bottom
