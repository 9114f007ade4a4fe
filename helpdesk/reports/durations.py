"""Durations between two instants of a ticket, and their medians and 90th percentiles per key,
computed by the database within one statement whatever the number of tickets or of keys, on
SQLite and PostgreSQL alike.

A duration is counted in whole seconds by `seconds_between` (julianday on SQLite, the epoch of
the interval on PostgreSQL: the one expression either dialect compiles differently), then
rounded to two significant figures of hours (LADDER) by `bucket`: the tickets of a key fall into
a few hundred buckets at most. A percentile is read from the running count of the buckets in
order: the value of the ⌈p·n⌉-th duration (nearest rank) of the rounded durations, which is the
exact percentile rounded the same way (rounding keeps the order). One row per key and measure
comes out of `timings`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Integer,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# (below, in seconds; the width of a bucket, in seconds; its value's unit, in tenths of an hour):
# 0.1 h under 10 h, 1 h under 100 h, 10 h under 1 000 h, 100 h beyond.
LADDER = (
    (10 * 3600, 360, 1),
    (100 * 3600, 3600, 10),
    (1000 * 3600, 36_000, 100),
    (None, 360_000, 1000),
)


class seconds_between(FunctionElement):  # noqa: N801 - a SQL function, named as one
    """The whole seconds from `earlier` to `later` (rounded to the nearest): NULL when either
    is NULL."""

    type = BigInteger()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between)
def _epoch(element, compiler, **kw) -> str:
    # date_part gives a double, EXTRACT a numeric: a quarter of the time per ticket. Rounded
    # half up, as SQLite's round() rounds a positive number.
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(floor(date_part('epoch', ({later}) - ({earlier})) + 0.5) AS BIGINT)"


@compiles(seconds_between, "sqlite")
def _julianday(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(round((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"


def constant(value: int):
    """A whole number written into the statement: a bucket's expression is then spelled the
    same in SELECT and GROUP BY, which PostgreSQL requires (bound values are each their own)."""
    return literal_column(str(int(value)), Integer)


def bucket(seconds):
    """The duration rounded to two significant figures of hours (half up), in tenths of an
    hour; a negative duration (clocks of two machines) counts as none."""
    branches = [(seconds < constant(0), constant(0))]
    for below, width, unit in LADDER:
        rounded = (seconds + constant(width // 2)) // constant(width) * constant(unit)
        if below is None:
            return case(*branches, else_=rounded)
        branches.append((seconds < constant(below), rounded))
    raise AssertionError("the ladder ends with an open bucket")


@dataclass(frozen=True)
class Timing:
    """Hours of `count` durations: their median and 90th percentile (None: no duration)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


NO_TIMING = Timing()


def timings(source, kinds: tuple[str, ...], measures: tuple[str, ...], *, total: tuple[str, str]):
    """A CTE of (kind, key, measure, count, median, p90): per value (`key`) of each column of
    `source` named in `kinds` (text), the number of its rows with a duration in each measure
    column (whole seconds, see seconds_between) and their median and 90th percentile, in tenths
    of an hour (see bucket).
    `total` = (kind, of): one more row per measure, key "", for every row, its histogram summed
    from those of the kind `of` (a few hundred rows, not the source again)."""
    parts = [
        select(
            literal(kind).label("kind"),
            source.c[kind].label("key"),
            literal(measure).label("measure"),
            bucket(source.c[measure]).label("bucket"),
            func.count().label("n"),
        )
        .where(source.c[measure].is_not(None))
        .group_by(source.c[kind], bucket(source.c[measure]))
        for kind in kinds
        for measure in measures
    ]
    histogram = union_all(*parts).cte("histogram")
    kind, of = total
    summed = (
        select(
            literal(kind),
            literal(""),
            histogram.c.measure,
            histogram.c.bucket,
            func.sum(histogram.c.n),
        )
        .where(histogram.c.kind == of)
        .group_by(histogram.c.measure, histogram.c.bucket)
    )
    histograms = union_all(select(histogram), summed).subquery("histograms")
    group = [histograms.c.kind, histograms.c.key, histograms.c.measure]
    n = histograms.c.n
    running = select(
        *group,
        histograms.c.bucket,
        func.sum(n).over(partition_by=group, order_by=histograms.c.bucket).label("upto"),
        func.sum(n).over(partition_by=group).label("total"),
    ).subquery("running")
    upto, count = running.c.upto, running.c.total
    # The rank of the median is ⌈n/2⌉, of the 90th percentile ⌈9n/10⌉: whole-number comparisons.
    return (
        select(
            running.c.kind,
            running.c.key,
            running.c.measure,
            cast(func.max(count), Integer).label("count"),
            func.min(running.c.bucket).filter(2 * upto >= count).label("median"),
            func.min(running.c.bucket).filter(10 * upto >= 9 * count).label("p90"),
        )
        .group_by(running.c.kind, running.c.key, running.c.measure)
        .cte("timings")
    )


def timing(count, median, p90) -> Timing:
    """A row of timings() as hours."""
    if not count:
        return NO_TIMING
    return Timing(int(count), tenths(median), tenths(p90))


def tenths(value) -> float | None:
    return None if value is None else int(value) / 10
