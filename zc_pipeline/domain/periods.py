"""Period keys and the calendar (pure, no Dagster): `2026-03`, `2026-Q1`, `2026-H1`, `2026`."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Shanghai")  # the region's calendar: deadlines, as-of dates, schedules
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")


def is_month(text: str) -> bool:
    """`text` is a month key such as 2026-03."""
    return bool(_MONTH.match(text))


def period_kind(period: str) -> str:
    """'month' | 'quarter' | 'half' | 'year' for a warehouse period key."""
    for kind, rx in (("month", _MONTH), ("quarter", _QUARTER), ("half", _HALF), ("year", _YEAR)):
        if rx.match(period):
            return kind
    raise ValueError(f"not a period key: {period!r} (expected 2026-03, 2026-Q1, 2026-H1 or 2026)")


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


def window_is_due(period: str, as_of: dt.date, std) -> bool:
    """A window is assessed once the deadline of its last month has passed (STANDARD §4); `std`: the
    window's rulebook (a `zc_pipeline.standards.Standard`, not imported: the rulebooks read periods)."""
    return deadline_passed(score_window(period)[-1], as_of, std.int("deadline_day"))
