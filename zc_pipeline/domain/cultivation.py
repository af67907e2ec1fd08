"""The cultivation list over time (培育名单, STANDARD §13, WAREHOUSE.md `cultivation_list`).

The list is a history of changes, not a flag: the registry's flag lists a park from its enrolment
day, a league-city's list submission adds or removes its own parks from a day it names, and a
year-end `remove_from_list` takes effect on a day the rulebook sets. Every question "on the list?"
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
# Changes of one day are applied in this order: the registry's enrolment, the year-end outcome,
# then the league-cities' own decisions (a city may re-admit a park the same day it is removed).
_SOURCE_ORDER = {REGISTRY: 0, YEAR_END: 1, CITY_LIST: 2}

LIST_COLUMNS = [
    "park_code", "valid_from", "valid_to", "source", "source_file", "source_sha256", "source_row", "reason",
    "ended_by", "end_file", "end_sha256", "end_row", "end_reason",
]
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


def registry_additions(dim_park: pd.DataFrame) -> pd.DataFrame:
    """The registry's flag read as a change: listed from the park's enrolment day."""
    listed = dim_park[dim_park["on_cultivation_list"].astype(bool)]
    return pd.DataFrame({
        "park_code": listed["park_code"], "action": ADD,
        "effective_on": pd.to_datetime(listed["enrolled_on"]).dt.date, "source": REGISTRY,
        "source_file": "registry/parks.csv",
        "source_sha256": listed["registry_sha256"] if "registry_sha256" in listed else None,
        "source_row": None, "reason": "on_cultivation_list",
    }, columns=CHANGE_COLUMNS)


def history(dim_park: pd.DataFrame, city_changes: pd.DataFrame | None = None,
            year_end: pd.DataFrame | None = None) -> pd.DataFrame:
    """`cultivation_list` rows: each period a park was on the list, valid_from inclusive and
    valid_to exclusive (NULL = still on it), with what opened and what closed it.

    `city_changes`: accepted rows of the league-cities' list files (CHANGE_COLUMNS, source
    city_list); `year_end`: `year_end_removals(...)`. Changes apply in day order (same day: the
    registry, the year-end outcome, then the city's files in name and line order); an `add` for a
    park already on the list, or a `remove` for one not on it, changes nothing.
    """
    parts = [registry_additions(dim_park), city_changes, year_end]
    changes = pd.concat([c for c in parts if c is not None and len(c)], ignore_index=True)
    if changes.empty:
        return pd.DataFrame(columns=LIST_COLUMNS)
    changes = changes.assign(
        _order=changes["source"].map(_SOURCE_ORDER), _file=changes["source_file"].fillna(""),
        _row=pd.to_numeric(changes["source_row"]).fillna(0),
    ).sort_values(["park_code", "effective_on", "_order", "_file", "_row"], kind="stable")

    rows: list[dict] = []
    open_row: dict[str, dict] = {}
    for c in changes.itertuples(index=False):
        current = open_row.get(c.park_code)
        if c.action == ADD and current is None:
            open_row[c.park_code] = row = {
                "park_code": c.park_code, "valid_from": c.effective_on, "valid_to": None, "source": c.source,
                "source_file": c.source_file, "source_sha256": c.source_sha256, "source_row": c.source_row,
                "reason": c.reason, **dict.fromkeys(LIST_COLUMNS[8:]),
            }
            rows.append(row)
        elif c.action == REMOVE and current is not None:
            if c.effective_on <= current["valid_from"]:  # removed the day it was added: never on it
                rows.remove(current)
            else:
                current.update(valid_to=c.effective_on, ended_by=c.source, end_file=c.source_file,
                               end_sha256=c.source_sha256, end_row=c.source_row, end_reason=c.reason)
            del open_row[c.park_code]
    out = pd.DataFrame(rows, columns=LIST_COLUMNS)
    return out.astype({"source_row": "Int64", "end_row": "Int64"})


def on_list(list_rows: pd.DataFrame, day: dt.date) -> frozenset[str]:
    """Parks on the cultivation list on `day`."""
    start = list_rows["valid_from"] <= day
    before_end = list_rows["valid_to"].isna() | list_rows["valid_to"].map(lambda end: end is not None and day < end)
    return frozenset(list_rows.loc[start & before_end, "park_code"])


def removals_enacted(list_rows: pd.DataFrame, first: dt.date, last: dt.date) -> int:
    """Year-end removals that took a park off the list on a day from `first` to `last`."""
    ended = list_rows[list_rows["ended_by"].eq(YEAR_END)]
    return int(ended["valid_to"].map(lambda end: first <= end <= last).sum())
