"""Month, quarter, half-year and year partitions, and the one key conversion Dagster <-> warehouse.

Dagster keys are strftime-formatted window starts (a quarter is `2026-04`); the warehouse uses
`2026-03` / `2026-Q2` / `2026-H2` / `2026`. Every conversion goes through this module.
"""
from __future__ import annotations

import datetime as dt
import re

import dagster as dg

TIMEZONE = "Asia/Shanghai"
START = dt.datetime(2025, 1, 1)
# end_offset=1: the current (not yet ended) month, quarter, half and year exist as partitions, so an
# as-of date inside them can be run; the as-of date, not the wall clock, decides what is assessed.

month_partitions = dg.TimeWindowPartitionsDefinition(
    start=START, cron_schedule="0 0 1 * *", fmt="%Y-%m", timezone=TIMEZONE, end_offset=1
)
quarter_partitions = dg.TimeWindowPartitionsDefinition(
    start=START, cron_schedule="0 0 1 */3 *", fmt="%Y-%m", timezone=TIMEZONE, end_offset=1
)
half_partitions = dg.TimeWindowPartitionsDefinition(
    start=START, cron_schedule="0 0 1 1,7 *", fmt="%Y-%m", timezone=TIMEZONE, end_offset=1
)
year_partitions = dg.TimeWindowPartitionsDefinition(
    start=START, cron_schedule="0 0 1 1 *", fmt="%Y", timezone=TIMEZONE, end_offset=1
)

# A half maps to the 12 months ending with it: H2 -> Jan–Dec (the year-end window), H1 -> last
# Jul–Jun (last December is needed for January rebounds). Domain code filters to the real window.
half_to_months = dg.TimeWindowPartitionMapping(start_offset=-1)
# Month m also reads m-1 (month-over-month warnings) without a cycle.
month_with_previous = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=0)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")


def period_kind(period: str) -> str:
    """'month' | 'quarter' | 'half' | 'year' for a warehouse period key."""
    for kind, rx in (("month", _MONTH), ("quarter", _QUARTER), ("half", _HALF), ("year", _YEAR)):
        if rx.match(period):
            return kind
    raise ValueError(f"not a period key: {period!r} (expected 2026-03, 2026-Q1, 2026-H1 or 2026)")


def to_dagster_key(period: str) -> str:
    """Warehouse period -> Dagster partition key of its kind's partitions definition."""
    kind = period_kind(period)
    if kind in ("month", "year"):
        return period
    year, n = int(period[:4]), int(period[-1])
    first_month = (n - 1) * 3 + 1 if kind == "quarter" else (n - 1) * 6 + 1
    return f"{year:04d}-{first_month:02d}"


def quarter_from_dagster(key: str) -> str:
    y, m = int(key[:4]), int(key[5:7])
    if (m - 1) % 3:
        raise ValueError(f"{key!r} does not start a quarter")
    return f"{y}-Q{(m - 1) // 3 + 1}"


def half_from_dagster(key: str) -> str:
    y, m = int(key[:4]), int(key[5:7])
    if m not in (1, 7):
        raise ValueError(f"{key!r} does not start a half")
    return f"{y}-H{1 if m == 1 else 2}"


def from_dagster_key(key: str, kind: str) -> str:
    """Dagster partition key of `kind` -> warehouse period."""
    if kind in ("month", "year"):
        period_kind(key)
        return key
    if kind == "quarter":
        return quarter_from_dagster(key)
    if kind == "half":
        return half_from_dagster(key)
    raise ValueError(f"unknown partition kind {kind!r}")


def months_of(period: str) -> list[str]:
    """The months of a period's own calendar span (H2 -> Jul–Dec; use score_window for H2's score)."""
    kind = period_kind(period)
    y = int(period[:4])
    if kind == "month":
        return [period]
    if kind == "year":
        first, count = 1, 12
    else:
        n = int(period[-1])
        first, count = ((n - 1) * 3 + 1, 3) if kind == "quarter" else ((n - 1) * 6 + 1, 6)
    return [f"{y}-{m:02d}" for m in range(first, first + count)]


def score_window(period: str) -> list[str]:
    """Months scored for a quarter or half (STANDARD §4): H2 is the whole year Jan–Dec."""
    if period_kind(period) == "half" and period.endswith("H2"):
        return months_of(period[:4])
    return months_of(period)


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def half_of(month: str) -> str:
    return f"{month[:4]}-H{1 if int(month[5:7]) <= 6 else 2}"


def month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def month_end(month: str) -> dt.date:
    nxt = add_months(month, 1)
    return month_start(nxt) - dt.timedelta(days=1)


def add_months(month: str, n: int) -> str:
    idx = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def month_of(date: dt.date) -> str:
    return f"{date.year:04d}-{date.month:02d}"


def deadline(month: str, deadline_day: int) -> dt.date:
    """Submission deadline of a month: day `deadline_day` of the following month."""
    return month_start(add_months(month, 1)).replace(day=deadline_day)


def deadline_passed(month: str, as_of: dt.date, deadline_day: int) -> bool:
    """STANDARD §4: a deadline has passed when the as-of date is after the deadline day."""
    return as_of > deadline(month, deadline_day)


def month_ended(month: str, as_of: dt.date) -> bool:
    """STANDARD §4: a month has ended when as-of is on or after the first day of the next month."""
    return as_of >= month_start(add_months(month, 1))


def month_range(first: str, last: str) -> list[str]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out
