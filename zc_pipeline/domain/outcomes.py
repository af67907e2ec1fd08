"""Year-end outcomes for parks on the cultivation list (动态调整, STANDARD §9)."""
from __future__ import annotations

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.standards import Standard

NOMINATE, REMOVE, KEEP = "nominate_national", "remove_from_list", "keep"


def year_end_quarters(half: str) -> list[str]:
    """The quarters of a year-end half's own six months (H2 -> Q3, Q4)."""
    return sorted({p.quarter_of(m) for m in p.months_of(half)})


def year_end_outcomes(
    half_rows: pd.DataFrame, quarter_rows: pd.DataFrame, dim_park: pd.DataFrame, std: Standard
) -> pd.Series:
    """`outcome` for each half row (same index): nominate_national, remove_from_list, keep or NULL.

    NULL for mid-year rows and for parks not on the cultivation list. Removal wins over
    nomination (a park whose year-end grade is A but which was D in both Q3 and Q4 is removed,
    and does not use up a nomination).
    """
    out = pd.Series(None, index=half_rows.index, dtype=object, name="outcome")
    year_end = half_rows["half"].str.endswith("H2")
    listed = half_rows["park_code"].map(dim_park.set_index("park_code")["on_cultivation_list"])
    rows = half_rows[year_end & listed.fillna(False).astype(bool)]
    if rows.empty:
        return out

    remove_grade, nominate_grade = std["outcome.remove_grade"], std["outcome.nominate_grade"]
    d_quarters = quarter_rows.loc[quarter_rows["grade"] == remove_grade, ["park_code", "quarter"]]
    removed = pd.Series(False, index=rows.index)
    for half, group in rows.groupby("half"):
        quarters = year_end_quarters(half)
        d_in = d_quarters[d_quarters["quarter"].isin(quarters)].groupby("park_code")["quarter"].nunique()
        d_all = set(d_in[d_in == len(quarters)].index)
        removed[group.index] = (group["grade"] == remove_grade) | group["park_code"].isin(d_all)
    out[rows.index] = KEEP
    out[removed[removed].index] = REMOVE

    category = rows["park_code"].map(dim_park.set_index("park_code")["category"])
    candidates = rows[(rows["grade"] == nominate_grade) & (category != "national") & ~removed]
    limit = std.int("outcome.max_nominations")
    for _, group in candidates.groupby("half"):
        best = group.sort_values(["score", "park_code"], ascending=[False, True]).head(limit)
        out[best.index] = NOMINATE
    return out
