"""Year-end outcomes for parks on the cultivation list (动态调整, STANDARD §9) and the year's
national nomination list (STANDARD §13: accredited parks first)."""
from __future__ import annotations

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.standards import Standard

NOMINATE, REMOVE, KEEP = "nominate_national", "remove_from_list", "keep"
NOMINATION_COLUMNS = ["year", "park_code", "rank", "accredited", "score"]


def year_end_quarters(half: str) -> list[str]:
    """The quarters of a year-end half's own six months (H2 -> Q3, Q4)."""
    return sorted({p.quarter_of(m) for m in p.months_of(half)})


def _nomination_order(rows: pd.DataFrame, accredited: frozenset[str]) -> pd.DataFrame:
    """Candidates in the order they are nominated: accredited first, then best rounded score, then park_code."""
    first = ~rows["park_code"].isin(accredited)
    return rows.assign(_later=first).sort_values(["_later", "score", "park_code"], ascending=[True, False, True])


def year_end_outcomes(half_rows: pd.DataFrame, quarter_rows: pd.DataFrame, listed: frozenset[str],
                      accredited: frozenset[str], std: Standard) -> pd.Series:
    """`outcome` for each half row (same index): nominate_national, remove_from_list, keep or NULL.

    `listed`: the parks on the cultivation list on the window's last day. NULL for mid-year rows
    and for parks not on the list. Removal wins over nomination (a park whose year-end grade is A
    but which was D in both Q3 and Q4 is removed, and does not use up a nomination).
    """
    out = pd.Series(None, index=half_rows.index, dtype=object, name="outcome")
    year_end = half_rows["half"].str.endswith("H2")
    rows = half_rows[year_end & half_rows["park_code"].isin(listed)]
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

    candidates = rows[(rows["grade"] == nominate_grade) & (rows["category"] != "national") & ~removed]
    limit = std.int("outcome.max_nominations")
    for _, group in candidates.groupby("half"):
        out[_nomination_order(group, accredited).head(limit).index] = NOMINATE
    return out


def nominations(half_rows: pd.DataFrame, accredited: frozenset[str]) -> pd.DataFrame:
    """`national_nomination` rows of a year-end half: its nominated parks ranked 1..n in nomination order."""
    chosen = _nomination_order(half_rows[half_rows["outcome"] == NOMINATE], accredited)
    return pd.DataFrame({
        "year": chosen["half"].str[:4], "park_code": chosen["park_code"], "rank": range(1, len(chosen) + 1),
        "accredited": chosen["park_code"].isin(accredited), "score": chosen["score"],
    }, columns=NOMINATION_COLUMNS).astype({"rank": "int64", "accredited": bool}).reset_index(drop=True)
