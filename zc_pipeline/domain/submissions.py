"""Resubmission, supersession, the in-force choice and lateness (FILES.md "Resubmission and lateness")."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from zc_pipeline.domain.periods import deadline


def is_on_time(period: str, submitted_on: dt.date | None, deadline_day: int) -> bool:
    """On time when submitted on or before the deadline day of the following month."""
    if submitted_on is None or pd.isna(submitted_on):
        return False
    return submitted_on <= deadline(period, deadline_day)


def choose_in_force(subs: pd.DataFrame, deadline_day: int) -> pd.DataFrame:
    """Statuses of every version of the given park-months.

    Only accepted versions compete: latest submitted_on, then latest received_at, then
    source_file, then source_row wins and is in force; other accepted ones are superseded.
    Rejected versions stay rejected whatever arrives later. Needs columns submission_id,
    park_code, period, submitted_on, received_at, source_file, source_row, status.
    """
    out = subs.copy()
    was_rejected = out["status"].eq("rejected")
    out["status"] = out["status"].where(was_rejected, "superseded")
    out["in_force"] = False
    accepted = out[~was_rejected].copy()
    if not accepted.empty:
        accepted["_row"] = accepted["source_row"].fillna(-1)
        accepted = accepted.sort_values(
            ["park_code", "period", "submitted_on", "received_at", "source_file", "_row"]
        )
        winners = accepted.groupby(["park_code", "period"], sort=False).tail(1).index
        out.loc[winners, "status"] = "accepted"
        out.loc[winners, "in_force"] = True
    out["on_time"] = [
        bool(ok) and is_on_time(p, s, deadline_day)
        for ok, p, s in zip(~was_rejected, out["period"], out["submitted_on"])
    ]
    return out
