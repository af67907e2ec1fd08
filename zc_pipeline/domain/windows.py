"""Score windows (STANDARD §4): their months, when they are due, and each park's sums over them."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.domain.measures import ratio
from zc_pipeline.standards import Standard

MONTHS_PER_YEAR = 12  # a calendar fact, not a rulebook number: annualised = window × 12 / months

SUMMED = ["energy_tce", "co2_t", "electricity_mwh", "green_mwh"]
AGG_COLUMNS = [
    "park_code",
    "months_expected",
    "months_reported",
    "months_on_time",
    *SUMMED,
    "carbon_per_energy",
    "green_share",
    "retrofit_planned",
    "retrofit_completed",
    "retrofit_rate",
    "annualised_energy_tce",
]


def enrolment_month(dim_park: pd.DataFrame) -> pd.Series:
    """park_code -> the month ('2026-03') of its enrolled_on date."""
    return pd.Series(
        [p.month_of(d) for d in dim_park["enrolled_on"]], index=dim_park["park_code"].to_numpy(),
        dtype=object,
    )


def enrolled_months(park_month: pd.DataFrame, dim_park: pd.DataFrame) -> pd.DataFrame:
    """Rows of registry parks on or after their enrolment month; earlier data is ignored by §5–§8."""
    enrol = park_month["park_code"].map(enrolment_month(dim_park))
    return park_month[enrol.notna() & (park_month["period"] >= enrol.fillna(""))]


def sum_measures(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Quantities summed by `by`, and the ratios recomputed from the sums (never a mean of ratios)."""
    sums = rows.groupby(by)[SUMMED].sum()
    sums["carbon_per_energy"] = ratio(sums["co2_t"], sums["energy_tce"])
    sums["green_share"] = ratio(sums["green_mwh"], sums["electricity_mwh"])
    return sums


def aggregate_window(
    park_month: pd.DataFrame, dim_park: pd.DataFrame, period: str, std: Standard, as_of: dt.date
) -> pd.DataFrame:
    """One row per park enrolled by the window's end: month counts, sums and ratios (STANDARD §4).

    Parks without a reported month get NULL measures. Empty (with the columns) when not yet due.
    """
    if not p.window_is_due(period, as_of, std):
        return pd.DataFrame(columns=AGG_COLUMNS)
    months = p.score_window(period)
    first, last = months[0], months[-1]
    enrol = enrolment_month(dim_park)
    enrol = enrol[enrol <= last]
    expected = pd.Series(
        [sum(m >= e for m in months) for e in enrol], index=enrol.index, dtype="int64"
    )

    rows = enrolled_months(park_month, dim_park)
    rows = rows[rows["period"].between(first, last) & rows["park_code"].isin(enrol.index)]
    by_park = rows.groupby("park_code")
    out = pd.DataFrame(index=enrol.index.rename("park_code"))
    out["months_expected"] = expected
    out["months_reported"] = by_park.size().reindex(out.index, fill_value=0).astype("int64")
    on_time = by_park["on_time"].sum().reindex(out.index, fill_value=0)
    out["months_on_time"] = on_time.astype("int64")
    out = out.join(sum_measures(rows, "park_code"))

    # Retrofit figures are cumulative within a year: the latest reported month stands for the window.
    latest = rows.sort_values("period").groupby("park_code").tail(1).set_index("park_code")
    out = out.join(latest[["retrofit_planned", "retrofit_completed"]])
    out["retrofit_rate"] = ratio(out["retrofit_completed"], out["retrofit_planned"])
    reported = out["months_reported"].where(out["months_reported"] > 0).astype(float)
    out["annualised_energy_tce"] = annualised_energy(out["energy_tce"], reported)
    return out.reset_index()[AGG_COLUMNS].astype({c: float for c in AGG_COLUMNS[4:]})


def month_versions(park_month: pd.DataFrame, period: str) -> pd.Series:
    """park_code -> the rulebook versions its reported months of the window were computed under, in
    month order, comma-separated: a window spanning a rulebook change says so."""
    if "standard_version" not in park_month:  # months not computed by a rulebook (a hand-made frame): none
        return pd.Series(dtype=object)
    months = p.score_window(period)
    rows = park_month[park_month["period"].between(months[0], months[-1])].sort_values("period", kind="stable")
    return rows.groupby("park_code")["standard_version"].agg(lambda v: ",".join(dict.fromkeys(v)))


def annualised_energy(energy_tce, months_reported):
    """A window's energy at a year's rate, which decides a park's carbon threshold (STANDARD §5):
    scalars or columns alike; months_reported must not be 0."""
    return energy_tce * MONTHS_PER_YEAR / months_reported


def window_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period's score window."""
    months = p.score_window(period)
    return p.month_start(months[0]), p.month_end(months[-1])

