"""City quarter and region half summaries of the park assessments (WAREHOUSE.md, STANDARD §4)."""
from __future__ import annotations

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.domain.interviews import overdue_in
from zc_pipeline.domain.outcomes import NOMINATE, REMOVE
from zc_pipeline.domain.rebounds import UNRECTIFIED
from zc_pipeline.domain.windows import enrolled_months, sum_measures

SUB_PARK = "sub_park"
GRADE_COUNTS = {"A": "grade_a", "B": "grade_b", "C": "grade_c", "D": "grade_d"}
_COUNTS = ["parks", "parks_reported", *GRADE_COUNTS.values(), "mean_score"]
_SUMS = ["energy_tce", "co2_t", "carbon_per_energy", "green_share"]
CITY_COLUMNS = ["league_city_code", "quarter", *_COUNTS, *_SUMS, "open_rebounds", "interviews_overdue",
                "standard_version"]
REGION_COLUMNS = ["half", *_COUNTS, *_SUMS, "nominations", "removals", "removals_enacted", "standard_version"]


def summable_months(
    park_month: pd.DataFrame, dim_park: pd.DataFrame, months: list[str], parks: pd.Series
) -> pd.DataFrame:
    """park_month rows that enter city and region sums for `parks` over `months`.

    Months before a park's enrolment are ignored, and a sub-park's month is left out exactly when
    its parent has a submission in force (a park_month row) for that month: the parent contains it.
    """
    rows = enrolled_months(park_month, dim_park)
    rows = rows[rows["period"].isin(months) & rows["park_code"].isin(parks)]
    registry = dim_park.set_index("park_code")
    sub = rows["park_code"].map(registry["scope"]).eq(SUB_PARK)
    parent = rows["park_code"].map(registry["parent_park_code"])
    in_force = pd.MultiIndex.from_arrays([park_month["park_code"], park_month["period"]])
    contained = pd.MultiIndex.from_arrays([parent, rows["period"]]).isin(in_force)
    return rows[~(sub.to_numpy() & contained)]


def _summarise(assessed: pd.DataFrame, summed: pd.DataFrame, key: str) -> pd.DataFrame:
    """Counts and mean score of the assessment rows, and the sums of the month rows, by `key`."""
    by = assessed.groupby(key)
    out = pd.DataFrame({"parks": by.size()})
    out["parks_reported"] = assessed["months_reported"].gt(0).groupby(assessed[key]).sum()
    grades = pd.crosstab(assessed[key], assessed["grade"])
    for grade, column in GRADE_COUNTS.items():
        out[column] = grades[grade] if grade in grades else 0
    out["mean_score"] = by["score"].mean().astype(float)
    out = out.join(sum_measures(summed, key)[_SUMS])
    return out.astype({c: "int64" for c in _COUNTS[:-1]}).astype({c: float for c in _SUMS})


def city_quarter_summary(
    park_quarter_rows: pd.DataFrame,
    park_month: pd.DataFrame,
    dim_park: pd.DataFrame,
    period: str,
    rebounds_at_end: pd.DataFrame,
) -> pd.DataFrame:
    """city_quarter_summary rows: one per league-city with at least one assessed park.

    `rebounds_at_end` are the statuses at the end of the quarter's last month; `open_rebounds`
    counts every alert (of any month up to then) of the city's parks that is open or overdue.
    When they carry interview statuses (`interviews.with_interviews`), `interviews_overdue` counts
    the city's alerts whose interview was due within the quarter and was late or not held.
    """
    if park_quarter_rows.empty:
        return pd.DataFrame(columns=CITY_COLUMNS)
    months = p.score_window(period)
    city = dim_park.set_index("park_code")["league_city_code"]
    summed = summable_months(park_month, dim_park, months, park_quarter_rows["park_code"])
    out = _summarise(
        park_quarter_rows, summed.assign(league_city_code=summed["park_code"].map(city)),
        "league_city_code",
    )
    alerts = rebounds_at_end[
        (rebounds_at_end["period"] <= months[-1]) & rebounds_at_end["status"].isin(UNRECTIFIED)
    ]
    open_by_city = alerts["park_code"].map(city).value_counts()
    out["open_rebounds"] = open_by_city.reindex(out.index, fill_value=0).astype("int64")
    out["interviews_overdue"] = 0
    if "interview_status" in rebounds_at_end:
        late = overdue_in(rebounds_at_end, p.month_start(months[0]), p.month_end(months[-1]))
        out["interviews_overdue"] = late["park_code"].map(city).value_counts().reindex(out.index, fill_value=0)
    out["interviews_overdue"] = out["interviews_overdue"].astype("int64")
    out["quarter"] = period
    out["standard_version"] = park_quarter_rows["standard_version"].iloc[0]
    return out.reset_index()[CITY_COLUMNS]


def region_half_summary(
    park_half_rows: pd.DataFrame, park_month: pd.DataFrame, dim_park: pd.DataFrame, half: str,
    removals_enacted: int = 0,
) -> pd.DataFrame:
    """The region_half_summary row of a half (its score window; H2 = Jan–Dec); empty without parks.

    `removals_enacted`: year-end removals that took effect within the half's own six months."""
    if park_half_rows.empty:
        return pd.DataFrame(columns=REGION_COLUMNS)
    summed = summable_months(park_month, dim_park, p.score_window(half), park_half_rows["park_code"])
    out = _summarise(park_half_rows.assign(half=half), summed.assign(half=half), "half")
    out["nominations"] = int((park_half_rows["outcome"] == NOMINATE).sum())
    out["removals"] = int((park_half_rows["outcome"] == REMOVE).sum())
    out["removals_enacted"] = int(removals_enacted)
    out["standard_version"] = park_half_rows["standard_version"].iloc[0]
    return out.reset_index()[REGION_COLUMNS]
