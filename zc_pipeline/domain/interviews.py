"""Interviews after rebounds (约谈, STANDARD §7 and §13): when each is due and whether it was held in time.

A rebound of month m is due for its interview `lifecycle.interview_days` days after m's submission
deadline (default: 10th of m+1 + 15 days = the 25th). The status of an alert's interview, judged on
the alert's `as_of` day: `on_time` (held on or before the due day), `late` (held after it),
`overdue` (not held and the due day has passed), `pending` (not held, not yet due). `late` and
`overdue` are both `interview_overdue` in the STANDARD's sense.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.standards import Standard

ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
INTERVIEW_OVERDUE = (LATE, OVERDUE)
INTERVIEW_COLUMNS = ["interviewed_on", "interview_due", "interview_status"]


def interview_due(period: str, std: Standard) -> dt.date:
    """The last day the interview of a rebound dated `period` is on time."""
    return p.deadline(period, std.int("deadline_day")) + dt.timedelta(days=std.int("lifecycle.interview_days"))


def with_interviews(alerts: pd.DataFrame, interviews: pd.DataFrame, std) -> pd.DataFrame:
    """`alerts` (rebound_alert rows, `as_of` = the day they are judged) with INTERVIEW_COLUMNS.

    `interviews`: accepted interview rows (park_code, alert_period, interviewed_on); the earliest
    interview of an alert held by its `as_of` day counts. `std`: a rulebook or the installed
    rulebooks (each alert's month judged under its own).
    """
    out = alerts.copy()
    held = interviews[["park_code", "alert_period", "interviewed_on"]].rename(columns={"alert_period": "period"})
    held = held.groupby(["park_code", "period"], as_index=False)["interviewed_on"].min()
    out = out.drop(columns=INTERVIEW_COLUMNS, errors="ignore").merge(held, on=["park_code", "period"], how="left")
    on = out["interviewed_on"].astype(object).where(out["interviewed_on"].notna(), None)
    known = pd.Series([d is not None and d <= at for d, at in zip(on, out["as_of"])], index=out.index, dtype=bool)
    out["interviewed_on"] = on.where(known, None)
    out["interview_due"] = [interview_due(m, std.for_period(m)) for m in out["period"]]
    late = pd.Series([d is not None and d > due for d, due in zip(out["interviewed_on"], out["interview_due"])],
                     index=out.index, dtype=bool)
    passed = pd.Series([at > due for at, due in zip(out["as_of"], out["interview_due"])], index=out.index, dtype=bool)
    out["interview_status"] = PENDING
    out.loc[~known & passed, "interview_status"] = OVERDUE
    out.loc[known, "interview_status"] = ON_TIME
    out.loc[late, "interview_status"] = LATE
    out.index = alerts.index
    return out


def overdue_in(alerts: pd.DataFrame, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Alerts whose interview was due on a day from `first` to `last` and was late or not held."""
    due = alerts["interview_due"].map(lambda d: first <= d <= last).astype(bool)
    return alerts[due & alerts["interview_status"].isin(INTERVIEW_OVERDUE)]
