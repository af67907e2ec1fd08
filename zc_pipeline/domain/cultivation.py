"""The cultivation list over time (培育名单, STANDARD §13, WAREHOUSE.md `cultivation_list`).

The list is a history, not a flag: the registry's flag gives a park's status from its enrolment
day, a league-city's list submission adds or removes its own parks from a day it names, and a
year-end `remove_from_list` takes effect on a day the rulebook sets; each change that alters a
park's status begins a period of the history. Every question "on the list?"
is asked for a day (`on_list`), so a window, a fund year and an accreditation each see the list of
their own date, whatever the registry says today.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.standards import Standard

REGISTRY, CITY_LIST, YEAR_END = "registry", "city_list", "year_end_outcome"
ADD, REMOVE = "add", "remove"
# Changes of one day are applied in this order: the year-end outcome, then the league-cities' own
# decisions (a city may re-admit a park the day its removal takes effect).
_SOURCE_ORDER = {YEAR_END: 1, CITY_LIST: 2}

LIST_COLUMNS = ["park_code", "valid_from", "valid_to", "listed", "source", "source_file", "source_sha256",
                "source_row", "reason"]
CHANGE_COLUMNS = ["park_code", "action", "effective_on", "source", "source_file", "source_sha256", "source_row",
                  "reason"]


def removal_effective(year: int | str, std: Standard) -> dt.date:
    """The day a year-end removal of `year` takes effect: the first day of the month
    `lifecycle.removal_months_after_deadline` after the month of December's deadline
    (default: deadline 10 January Y+1 -> 1 February Y+1)."""
    due = p.deadline(f"{int(year)}-12", std.int("deadline_day"))
    return p.month_start(p.add_months(p.month_of(due), std.int("lifecycle.removal_months_after_deadline")))


def year_end_removals(half_rows: pd.DataFrame, std_for) -> pd.DataFrame:
    """The list changes that stored year-end outcomes `remove_from_list` enact (CHANGE_COLUMNS).

    `std_for(half)` is the rulebook the half was assessed under (its effective day is its rule)."""
    rows = half_rows[half_rows["half"].str.endswith("H2") & half_rows["outcome"].eq("remove_from_list")]
    return pd.DataFrame({
        "park_code": rows["park_code"],
        "action": REMOVE,
        "effective_on": [removal_effective(h[:4], std_for(h)) for h in rows["half"]],
        "source": YEAR_END,
        "source_file": None, "source_sha256": None, "source_row": None,
        "reason": [f"{h} remove_from_list" for h in rows["half"]],
    }, columns=CHANGE_COLUMNS)


def history(dim_park: pd.DataFrame, city_changes: pd.DataFrame | None = None,
            year_end: pd.DataFrame | None = None) -> pd.DataFrame:
    """`cultivation_list` rows: for every registry park, the periods of one status, valid_from
    inclusive and valid_to exclusive (NULL = until further notice), `listed` true or false, with the
    change that began the period (`source` registry | city_list | year_end_outcome, its file, line
    and reason).

    The first period starts at enrolment with the registry's flag. `city_changes`: accepted rows of
    the league-cities' list files (CHANGE_COLUMNS, source city_list; none before enrolment, L015);
    `year_end`: `year_end_removals(...)`. Changes apply in day order (same day: the year-end outcome,
    then the city's files in name and line order; the day's last change decides the day); a change
    to the status a park already has changes nothing.
    """
    start = pd.DataFrame({
        "park_code": dim_park["park_code"], "valid_from": pd.to_datetime(dim_park["enrolled_on"]).dt.date,
        "valid_to": None, "listed": dim_park["on_cultivation_list"].astype(bool), "source": REGISTRY,
        "source_file": "registry/parks.csv",
        "source_sha256": dim_park["registry_sha256"] if "registry_sha256" in dim_park else None,
        "source_row": None, "reason": "on_cultivation_list",
    }, columns=LIST_COLUMNS)
    periods: dict[str, list[dict]] = {r["park_code"]: [r] for r in start.to_dict("records")}
    parts = [c for c in (city_changes, year_end) if c is not None and len(c)]
    changes = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CHANGE_COLUMNS)
    changes = changes[changes["park_code"].isin(periods)]
    changes = changes.assign(
        _order=changes["source"].map(_SOURCE_ORDER), _file=changes["source_file"].fillna(""),
        _row=pd.to_numeric(changes["source_row"]).fillna(0),
    ).sort_values(["park_code", "effective_on", "_order", "_file", "_row"], kind="stable")

    for c in changes.itertuples(index=False):
        rows = periods[c.park_code]
        listed, current = c.action == ADD, rows[-1]
        if current["listed"] == listed:
            continue
        if c.effective_on <= current["valid_from"]:  # a later change of the same day decides the day
            if len(rows) > 1 and rows[-2]["listed"] == listed:
                rows.pop()
                rows[-1]["valid_to"] = None
                continue
            rows.pop()
        else:
            current["valid_to"] = c.effective_on
        rows.append({"park_code": c.park_code, "valid_from": max(c.effective_on, current["valid_from"]),
                     "valid_to": None, "listed": listed, "source": c.source, "source_file": c.source_file,
                     "source_sha256": c.source_sha256, "source_row": c.source_row, "reason": c.reason})
    out = pd.DataFrame([r for rows in periods.values() for r in rows], columns=LIST_COLUMNS)
    return out.astype({"source_row": "Int64", "listed": bool}).sort_values(["park_code", "valid_from"], ignore_index=True)


def on_list(list_rows: pd.DataFrame, day: dt.date) -> frozenset[str]:
    """Parks on the cultivation list on `day`."""
    start = list_rows["valid_from"] <= day
    before_end = list_rows["valid_to"].map(lambda end: end is None or pd.isna(end) or day < end).astype(bool)
    return frozenset(list_rows.loc[list_rows["listed"].astype(bool) & start & before_end, "park_code"])


def removals_enacted(list_rows: pd.DataFrame, first: dt.date, last: dt.date) -> int:
    """Year-end removals that took a park off the list on a day from `first` to `last`."""
    enacted = list_rows[list_rows["source"].eq(YEAR_END)]
    return int(enacted["valid_from"].map(lambda day: first <= day <= last).sum())
