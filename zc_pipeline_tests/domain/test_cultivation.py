"""STANDARD §13: the cultivation list as a history of changes, asked "on the list?" for a day."""
import datetime as dt

import pandas as pd

from zc_pipeline.domain.cultivation import (
    LIST_COLUMNS,
    history,
    on_list,
    removal_effective,
    removals_enacted,
    year_end_removals,
)
from zc_pipeline.domain.summaries import region_half_summary
from zc_pipeline.standards import load_standard_file
from zc_pipeline_tests.support.rulebooks import region_rulebook

from .frames import STD, dim, months, park

P1, P2 = "150100-P001", "150100-P002"
D = dt.date


def city(*changes: tuple[str, str, dt.date]) -> pd.DataFrame:
    """Accepted list-file rows (source city_list), in file line order from line 2."""
    return pd.DataFrame([
        {"park_code": c, "action": a, "effective_on": on, "source": "city_list",
         "source_file": "landing/lists/150100_2026-06-20.csv", "source_sha256": "ab", "source_row": i + 2,
         "reason": "成效不足" if a == "remove" else "新增"}
        for i, (c, a, on) in enumerate(changes)
    ])


def halves(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"park_code": c, "half": h, "outcome": o} for c, h, o in rows])


def spans(rows: pd.DataFrame) -> list[tuple]:
    return [(r.park_code, r.valid_from, None if pd.isna(r.valid_to) else r.valid_to, bool(r.listed), r.source)
            for r in rows.itertuples()]


def test_removal_effective_default_is_the_first_of_the_month_after_the_december_deadline():
    # 2025-12's deadline = 10th of the following month = 2026-01-10; its month 2026-01 + 1 month
    # (lifecycle.removal_months_after_deadline = 1) = 2026-02 -> its first day 2026-02-01.
    assert removal_effective(2025, STD) == D(2026, 2, 1)
    assert removal_effective("2026", STD) == D(2027, 2, 1)


def test_removal_effective_under_a_region_rulebook_two_months_after(tmp_path):
    # deadline 2026-01-10 -> month 2026-01 + 2 months = 2026-03 -> 2026-03-01.
    std = load_standard_file(region_rulebook(tmp_path, "IM-R-2026.2", "2026-07-01",
                                             lifecycle__removal_months_after_deadline=2), STD)
    assert std.int("lifecycle.removal_months_after_deadline") == 2
    assert removal_effective(2025, std) == D(2026, 3, 1)


def test_history_from_the_registry_only():
    # P001 flagged, enrolled 2025-03-15 -> listed from that day; P002 not flagged -> one period off the list.
    rows = history(dim(park(P1, enrolled_on=D(2025, 3, 15)), park(P2, on_cultivation_list=False)))
    assert list(rows.columns) == LIST_COLUMNS
    assert spans(rows) == [(P1, D(2025, 3, 15), None, True, "registry"), (P2, D(2025, 1, 1), None, False, "registry")]
    r = rows.iloc[0]
    assert (r["source_file"], r["reason"]) == ("registry/parks.csv", "on_cultivation_list")
    assert on_list(rows, D(2025, 3, 14)) == frozenset()  # the day before enrolment
    assert on_list(rows, D(2025, 3, 15)) == {P1}


def test_a_city_removal_ends_the_row_on_its_effective_day_valid_to_exclusive():
    # Registry from 2025-01-01; the city removes P001 from 2026-07-01 (the first day of H2):
    # listed [2025-01-01, 2026-07-01), then off from 2026-07-01 -> on the list on 2026-06-30, off on 2026-07-01.
    rows = history(dim(park(P1)), city((P1, "remove", D(2026, 7, 1))))
    assert spans(rows) == [(P1, D(2025, 1, 1), D(2026, 7, 1), True, "registry"),
                           (P1, D(2026, 7, 1), None, False, "city_list")]
    r = rows.iloc[1]
    assert (r["source_file"], r["source_row"], r["reason"]) == ("landing/lists/150100_2026-06-20.csv", 2, "成效不足")
    assert on_list(rows, D(2026, 6, 30)) == {P1}
    assert on_list(rows, D(2026, 7, 1)) == frozenset()


def test_a_re_add_after_a_removal_opens_a_second_row():
    # listed [2025-01-01, 2026-07-01) (registry), off [2026-07-01, 2026-10-01), listed again from 2026-10-01.
    rows = history(dim(park(P1)), city((P1, "remove", D(2026, 7, 1)), (P1, "add", D(2026, 10, 1))))
    assert spans(rows) == [
        (P1, D(2025, 1, 1), D(2026, 7, 1), True, "registry"),
        (P1, D(2026, 7, 1), D(2026, 10, 1), False, "city_list"),
        (P1, D(2026, 10, 1), None, True, "city_list"),
    ]
    assert on_list(rows, D(2026, 9, 30)) == frozenset()
    assert on_list(rows, D(2026, 10, 1)) == {P1}


def test_an_add_for_a_listed_park_and_a_remove_for_an_unlisted_park_change_nothing():
    # P001 already listed since 2025-01-01: the add of 2026-03-01 is ignored (valid_from stays).
    # P002 never listed: its remove of 2026-03-01 is ignored (its one period stays).
    registry = dim(park(P1), park(P2, on_cultivation_list=False))
    rows = history(registry, city((P1, "add", D(2026, 3, 1)), (P2, "remove", D(2026, 3, 1))))
    assert spans(rows) == [(P1, D(2025, 1, 1), None, True, "registry"), (P2, D(2025, 1, 1), None, False, "registry")]


def test_same_day_the_city_re_admits_a_park_removed_by_the_year_end_outcome():
    # 2026-H2 remove_from_list takes effect 2027-02-01 (deadline 2027-01-10 -> next month's first
    # day); the city adds P001 again on 2027-02-01. Same day: the year-end outcome applies first,
    # then the city's add, the day's last change -> P001 never leaves the list: one period.
    year_end = year_end_removals(halves((P1, "2026-H2", "remove_from_list")), lambda half: STD)
    rows = history(dim(park(P1)), city((P1, "add", D(2027, 2, 1))), year_end)
    assert spans(rows) == [(P1, D(2025, 1, 1), None, True, "registry")]
    without_city = history(dim(park(P1)), None, year_end)
    assert spans(without_city) == [(P1, D(2025, 1, 1), D(2027, 2, 1), True, "registry"),
                                   (P1, D(2027, 2, 1), None, False, "year_end_outcome")]
    assert on_list(rows, D(2027, 1, 31)) == {P1}
    assert on_list(rows, D(2027, 2, 1)) == {P1}


def test_year_end_removals_only_from_h2_rows_with_remove_from_list():
    # P001 2026-H2 remove -> effective 2027-02-01; P002 2026-H2 keep -> none; an H1 row
    # (never an outcome in practice) -> none. The half's own rulebook decides the day.
    got = year_end_removals(halves(
        (P1, "2026-H2", "remove_from_list"), (P2, "2026-H2", "keep"), (P2, "2026-H1", "remove_from_list"),
    ), lambda half: STD)
    assert got.reset_index(drop=True).to_dict("records") == [{
        "park_code": P1, "action": "remove", "effective_on": D(2027, 2, 1), "source": "year_end_outcome",
        "source_file": None, "source_sha256": None, "source_row": None, "reason": "2026-H2 remove_from_list",
    }]


def test_removals_enacted_counts_year_end_endings_inside_the_window_only():
    # P001: year-end removal 2026-H2 -> off from 2027-02-01 (counted in 2027-01-01..2027-06-30 and
    # on the bounds 2027-02-01..2027-02-01, not in 2027-02-02..2027-12-31 or 2026-07-01..2026-12-31).
    # P002: removed by its city on 2027-03-01 -> never counted.
    year_end = year_end_removals(halves((P1, "2026-H2", "remove_from_list")), lambda half: STD)
    rows = history(dim(park(P1), park(P2)), city((P2, "remove", D(2027, 3, 1))), year_end)
    assert removals_enacted(rows, D(2027, 1, 1), D(2027, 6, 30)) == 1
    assert removals_enacted(rows, D(2027, 2, 1), D(2027, 2, 1)) == 1
    assert removals_enacted(rows, D(2027, 2, 2), D(2027, 12, 31)) == 0
    assert removals_enacted(rows, D(2026, 7, 1), D(2026, 12, 31)) == 0


def test_region_half_summary_carries_the_removals_enacted_in_its_own_months():
    # 2026-H2's removal of P001 takes effect 2027-02-01, inside 2027-H1's months 2027-01..2027-06
    # (2027-01-01..2027-06-30) -> 1 enacted in 2027-H1; its own outcome column has no removal.
    year_end = year_end_removals(halves((P1, "2026-H2", "remove_from_list")), lambda half: STD)
    rows = history(dim(park(P1), park(P2)), None, year_end)
    enacted = removals_enacted(rows, D(2027, 1, 1), D(2027, 6, 30))
    assessed = pd.DataFrame([{"park_code": P2, "months_reported": 6, "score": 80.0, "grade": "B", "outcome": None,
                              "standard_version": STD.version}])
    out = region_half_summary(assessed, months(), dim(park(P1), park(P2)), "2027-H1", enacted)
    assert out[["half", "removals", "removals_enacted"]].values.tolist() == [["2027-H1", 0, 1]]
    # the default is 0
    assert region_half_summary(assessed, months(), dim(park(P2)), "2027-H1").iloc[0]["removals_enacted"] == 0
