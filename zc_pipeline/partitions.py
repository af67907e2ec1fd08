"""Month, quarter, half-year and year partitions, and the one key conversion Dagster <-> warehouse.

Dagster keys are strftime-formatted window starts (a quarter is `2026-04`); the warehouse uses
`2026-03` / `2026-Q2` / `2026-H2` / `2026`. Every conversion goes through this module.
"""
from __future__ import annotations

import datetime as dt

import dagster as dg

from zc_pipeline.domain.periods import (  # noqa: F401  (re-exported: one place for period helpers)
    add_months, deadline, deadline_passed, month_end, month_ended, month_of, month_range,
    month_start, months_of, period_kind, quarter_of, score_window, window_is_due,
)
from zc_pipeline.domain.periods import TIMEZONE

START = dt.datetime(2025, 1, 1)
# end_offset=1: the current (not yet ended) month, quarter, half and year exist as partitions, so an
# as-of date inside them can be run; the as-of date, not the wall clock, decides what is assessed.

month_partitions = dg.TimeWindowPartitionsDefinition(
    start=START, cron_schedule="0 0 1 * *", fmt="%Y-%m", timezone=TIMEZONE.key, end_offset=1
)
quarter_partitions = dg.TimeWindowPartitionsDefinition(
    start=START, cron_schedule="0 0 1 */3 *", fmt="%Y-%m", timezone=TIMEZONE.key, end_offset=1
)
half_partitions = dg.TimeWindowPartitionsDefinition(
    start=START, cron_schedule="0 0 1 1,7 *", fmt="%Y-%m", timezone=TIMEZONE.key, end_offset=1
)
year_partitions = dg.TimeWindowPartitionsDefinition(
    start=START, cron_schedule="0 0 1 1 *", fmt="%Y", timezone=TIMEZONE.key, end_offset=1
)

# A half maps to the 12 months ending with it: H2 -> Jan–Dec (the year-end window), H1 -> last
# Jul–Jun (last December is needed for January rebounds). Domain code filters to the real window.
half_to_months = dg.TimeWindowPartitionMapping(start_offset=-1)
# Month m also reads m-1 (month-over-month warnings) without a cycle.
month_with_previous = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=0)

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
