"""Carbon-intensity rebounds (反弹) and their rectification status (STANDARD §7)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.domain.windows import enrolled_months
from zc_pipeline.standards import Rulebooks, Standard

OPEN, RECTIFIED, OVERDUE = "open", "rectified", "overdue"
UNRECTIFIED = (OPEN, OVERDUE)

ALERT_COLUMNS = [
    "park_code",
    "period",
    "carbon_per_energy",
    "previous_period",
    "previous_carbon_per_energy",
    "increase",
    "rectify_by",
    "status",
    "rectified_in",
    "as_of",
]


def judged_at(as_of: dt.date, through_month: str | None) -> dt.date:
    """The date statuses are judged against: as_of, or at most the moment month M ends.

    "At the end of month M" is read as the instant M is over, i.e. the first day of M+1 in the
    §4 sense ("a month has ended when the as-of date is on or after the first day of the next
    month"). So at the end of M, month m+3 has ended exactly when m+3 <= M.
    """
    if through_month is None:
        return as_of
    return min(as_of, p.month_start(p.add_months(through_month, 1)))


def _per_period(periods: pd.Series, fn) -> pd.Series:
    """fn applied to each period, computed once per distinct period."""
    return periods.map({m: fn(m) for m in periods.unique()})


def _shifted(periods: pd.Series, months: int) -> pd.Series:
    return _per_period(periods, lambda m: p.add_months(m, months))


def _lookup(cpe: pd.Series, parks: pd.Series, periods: pd.Series) -> pd.Series:
    """carbon_per_energy at (park, period); NULL where the month is not in force."""
    keys = pd.MultiIndex.from_arrays([parks.to_numpy(), periods.to_numpy()])
    return pd.Series(cpe.reindex(keys).to_numpy(dtype=float), index=parks.index)


def detect_rebounds(
    park_month: pd.DataFrame,
    dim_park: pd.DataFrame,
    std: Standard | Rulebooks,
    as_of: dt.date,
    through_month: str | None = None,
) -> pd.DataFrame:
    """rebound_alert rows: months whose carbon_per_energy exceeds the previous month's × the factor.

    `std`: one rulebook, or the installed rulebooks; each month is judged by `std.for_period(month)`
    (its factor and rectification months), so the stored alerts follow each month's own rulebook.
    `increase` = carbon_per_energy / previous_carbon_per_energy − 1, a fraction (0.10 = +10 %).
    Month m−1 must itself be in force, on or after enrolment, with a non-NULL value: no alert is
    raised across a missing month. With `through_month` = M the statuses are those at the end of
    month M: only data for months <= M is seen, and "month m+3 has ended" is judged at
    `judged_at(as_of, M)`; the `as_of` column records that date.
    """
    at = judged_at(as_of, through_month)

    months = enrolled_months(park_month, dim_park)[["park_code", "period", "carbon_per_energy"]]
    if through_month is not None:
        months = months[months["period"] <= through_month]
    if months.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    cpe = months.set_index(["park_code", "period"])["carbon_per_energy"].astype(float)

    cur = months[months["carbon_per_energy"].notna()].copy()
    cur["previous_period"] = _shifted(cur["period"], -1)
    cur["previous_carbon_per_energy"] = _lookup(cpe, cur["park_code"], cur["previous_period"])
    factor = _per_period(cur["period"], lambda m: std.for_period(m).num("rebound.factor"))
    alerts = cur[cur["carbon_per_energy"] > cur["previous_carbon_per_energy"] * factor].copy()
    if alerts.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)

    alerts["increase"] = alerts["carbon_per_energy"] / alerts["previous_carbon_per_energy"] - 1
    horizon = _per_period(alerts["period"], lambda m: std.for_period(m).int("rebound.rectify_months"))
    last = pd.Series([p.add_months(m, h) for m, h in zip(alerts["period"], horizon)], index=alerts.index)  # m+3
    alerts["rectify_by"] = _per_period(last, p.month_end)

    # Rectified in the first later month m' <= m+3 back at or below the pre-rebound level.
    alerts["rectified_in"] = None
    for k in range(int(horizon.max()), 0, -1):  # backwards, so the earliest month wins
        later = _shifted(alerts["period"], k)
        back = (_lookup(cpe, alerts["park_code"], later) <= alerts["previous_carbon_per_energy"]) & (k <= horizon)
        alerts.loc[back, "rectified_in"] = later[back]
    last_in_force = pd.Series(
        pd.MultiIndex.from_arrays([alerts["park_code"], last]).isin(cpe.index), index=alerts.index
    )
    last_ended = _per_period(last, lambda m: p.month_ended(m, at)).astype(bool)
    alerts["status"] = OPEN
    alerts.loc[last_in_force | last_ended, "status"] = OVERDUE
    alerts.loc[alerts["rectified_in"].notna(), "status"] = RECTIFIED
    alerts["as_of"] = at
    return alerts.reset_index(drop=True)[ALERT_COLUMNS]


def unrectified_in(alerts: pd.DataFrame, months: list[str]) -> set[str]:
    """Parks with an alert dated in `months` that is open or overdue (the §6 rebound cap)."""
    hit = alerts["period"].isin(months) & alerts["status"].isin(UNRECTIFIED)
    return set(alerts.loc[hit, "park_code"])
