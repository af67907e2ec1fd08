"""WAREHOUSE.md summaries: counts, mean score, sums with sub-parks left out, rebounds, outcomes."""
import datetime as dt

import pandas as pd
import pytest

from zc_pipeline.domain.scoring import assess_half, assess_quarter
from zc_pipeline.domain.summaries import (
    CITY_COLUMNS,
    REGION_COLUMNS,
    city_quarter_summary,
    region_half_summary,
)

from .frames import STD, dim, month, months, park

PARENT, SUB, OTHER = "150100-P001", "150100-P002", "150200-P001"
Q1 = ["2026-01", "2026-02", "2026-03"]


def park_rows(*rows: tuple[str, str, int, float, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"park_code": c, "league_city_code": city, "months_reported": n, "score": s, "grade": g,
             "standard_version": STD.version}
            for c, city, n, s, g in rows
        ]
    )


NO_ALERTS = pd.DataFrame(columns=["park_code", "period", "status"])


def test_sub_park_month_left_out_exactly_when_the_parent_has_one():
    # Parent reports Jan, Feb; the sub-park reports Jan, Feb, Mar. City sums: parent Jan + Feb and
    # the sub-park's March only (its Jan and Feb are inside the parent's figures).
    registry = dim(park(PARENT), park(SUB, scope="sub_park", parent_park_code=PARENT))
    pm = months(
        month(PARENT, "2026-01"), month(PARENT, "2026-02"),  # 1000 tce, 400 t, 1000 MWh, 500 green
        *(month(SUB, m, energy_tce=100.0, co2_t=50.0, electricity_mwh=100.0, green_mwh=10.0) for m in Q1),
    )
    rows = park_rows((PARENT, "150100", 2, 70.0, "C"), (SUB, "150100", 3, 90.0, "A"))
    out = city_quarter_summary(rows, pm, registry, "2026-Q1", NO_ALERTS)
    assert list(out.columns) == CITY_COLUMNS
    c = out.iloc[0]
    assert (c["parks"], c["parks_reported"], c["grade_a"], c["grade_c"]) == (2, 2, 1, 1)  # sub counts
    assert c["energy_tce"] == 2100.0  # 1000 + 1000 + 100
    assert c["co2_t"] == 850.0  # 400 + 400 + 50
    assert c["carbon_per_energy"] == pytest.approx(850 / 2100)  # 0.404762, ratio of the sums
    assert c["green_share"] == pytest.approx(1010 / 2100)  # (500 + 500 + 10) / (1000 + 1000 + 100)


def test_counts_and_mean_score_include_no_report_zeros():
    registry = dim(park(PARENT), park(SUB), park(OTHER))
    rows = park_rows(
        (PARENT, "150100", 3, 90.0, "A"), (SUB, "150100", 0, 0.0, "D"), (OTHER, "150200", 3, 65.0, "C"),
    )
    out = city_quarter_summary(rows, months(), registry, "2026-Q1", NO_ALERTS).set_index("league_city_code")
    hohhot = out.loc["150100"]
    assert (hohhot["parks"], hohhot["parks_reported"], hohhot["grade_a"], hohhot["grade_d"]) == (2, 1, 1, 1)
    assert hohhot["mean_score"] == 45.0  # (90 + 0) / 2
    assert pd.isna(hohhot["energy_tce"])  # nothing reported in the months
    assert out.loc["150200", "mean_score"] == 65.0


def test_months_before_enrolment_are_left_out_of_sums():
    registry = dim(park(PARENT, enrolled_on=dt.date(2026, 2, 1)))
    pm = months(*(month(PARENT, m) for m in Q1))
    out = city_quarter_summary(park_rows((PARENT, "150100", 2, 90.0, "A")), pm, registry, "2026-Q1", NO_ALERTS)
    assert out.iloc[0]["energy_tce"] == 2000.0  # Feb + Mar, not Jan


def test_open_rebounds_count_open_and_overdue_at_the_end_of_the_quarter():
    alerts = pd.DataFrame(
        [
            {"park_code": PARENT, "period": "2025-11", "status": "overdue"},  # older, still counts
            {"park_code": PARENT, "period": "2026-02", "status": "open"},
            {"park_code": PARENT, "period": "2026-03", "status": "rectified"},
            {"park_code": OTHER, "period": "2026-01", "status": "overdue"},
        ]
    )
    registry = dim(park(PARENT), park(OTHER))
    rows = park_rows((PARENT, "150100", 3, 90.0, "A"), (OTHER, "150200", 3, 90.0, "A"))
    out = city_quarter_summary(rows, months(), registry, "2026-Q1", alerts).set_index("league_city_code")
    assert out["open_rebounds"].to_dict() == {"150100": 2, "150200": 1}


def test_quarter_end_to_end_counts_a_rebound_open_at_the_quarter_end():
    # Feb 0.35 > Jan 0.30 × 1.05; Mar 0.34 has not rectified; May (m+3) has not ended at end-Q1.
    pm = months(*(month(PARENT, m, co2_t=v * 1000.0) for m, v in zip(Q1, (0.30, 0.35, 0.34))))
    rows, cities = assess_quarter(pm, dim(park(PARENT)), "2026-Q1", STD, dt.date(2026, 12, 1))
    assert cities.iloc[0]["open_rebounds"] == 1
    assert rows.iloc[0]["grade_cap"] == "rebound_unrectified"


def test_region_half_summary_year_end():
    # P001: 12 good months → A; P002 (sub-park of P001): Jan–Dec, left out of sums every month;
    # P003: nothing reported → D, no_report, removed from the list.
    p3 = "150300-P001"
    registry = dim(park(PARENT), park(SUB, scope="sub_park", parent_park_code=PARENT), park(p3))
    pm = months(
        *(month(PARENT, f"2026-{m:02d}") for m in range(1, 13)),
        *(month(SUB, f"2026-{m:02d}", energy_tce=10.0, co2_t=4.0) for m in range(1, 13)),
    )
    rows, region, _ = assess_half(pm, registry, "2026-H2", STD, dt.date(2027, 1, 11))
    assert list(region.columns) == REGION_COLUMNS
    r = region.iloc[0]
    assert (r["half"], r["parks"], r["parks_reported"], r["grade_a"], r["grade_d"]) == ("2026-H2", 3, 2, 2, 1)
    assert r["mean_score"] == pytest.approx(200 / 3)  # (100 + 100 + 0) / 3
    assert (r["energy_tce"], r["co2_t"]) == (12_000.0, 4800.0)  # the parent only, Jan–Dec
    assert (r["nominations"], r["removals"]) == (2, 1)  # both regional A parks; P003 removed


def test_region_half_summary_mid_year_has_no_outcomes():
    rows = park_rows((PARENT, "150100", 6, 90.0, "A")).assign(outcome=None)
    out = region_half_summary(rows, months(), dim(park(PARENT)), "2026-H1")
    assert (out.iloc[0]["nominations"], out.iloc[0]["removals"]) == (0, 0)
