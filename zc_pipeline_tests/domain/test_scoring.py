"""STANDARD §5–§6: score components, rounding, grades, caps, no-report rows and ranks."""
import copy
import datetime as dt
import math

import pandas as pd
import pytest

from zc_pipeline.domain.scoring import (
    apply_caps,
    assess_half,
    assess_quarter,
    grade_of,
    green_target,
    round_score,
    score_carbon,
    score_green,
    score_reporting,
    score_retrofit,
    sql_rank,
    threshold,
)
from zc_pipeline.standards import Standard

from .frames import STD, dim, month, months, park

P, Q = "150100-P001", "150100-P002"
DUE_Q2 = dt.date(2026, 7, 11)
DUE_Q4 = dt.date(2027, 1, 11)

QUARTER_COLUMNS = [  # WAREHOUSE.md park_quarter_assessment (run_id is added by the caller)
    "park_code", "quarter", "league_city_code", "category", "months_expected", "months_reported",
    "months_on_time", "energy_tce", "co2_t", "carbon_per_energy", "green_share",
    "green_target_at_end", "retrofit_rate", "score_carbon", "score_green", "score_retrofit",
    "score_reporting", "score", "grade", "grade_cap", "rank_in_city", "standard_version", "month_standard_versions",
]
HALF_COLUMNS = [  # WAREHOUSE.md park_half_assessment (+ league_city_code, category as in tables.py)
    "park_code", "half", "assessment", "window_start", "window_end", "league_city_code", "category",
    "months_expected",
    "months_reported", "months_on_time", "energy_tce", "co2_t", "carbon_per_energy", "green_share",
    "green_target_at_end", "retrofit_rate", "score_carbon", "score_green", "score_retrofit",
    "score_reporting", "score", "grade", "grade_cap", "rank_in_region", "spot_check", "outcome",
    "standard_version", "month_standard_versions",
]


def quarter_months(code, quarter_months_, **kw):
    return [month(code, m, **kw) for m in quarter_months_]


Q2 = ["2026-04", "2026-05", "2026-06"]


# --- threshold T -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("category", "annualised", "expected"),
    [
        ("national", 999_999.0, 0.2),
        ("national", 1_000_000.0, 0.3),  # ≥ 1 000 000 tce is large
        ("regional", 999_999.0, 0.4),
        ("regional", 1_000_000.0, 0.6),
        ("pilot", 10.0, 0.4),
        ("pilot", 2_000_000.0, 0.6),
    ],
)
def test_threshold_bands(category, annualised, expected):
    assert threshold(category, annualised, STD) == expected


def test_annualised_energy_crosses_the_large_park_band():
    # Q1 with Jan and Feb reported, 90 000 tce each: annualised 180 000 × 12 / 2 = 1 080 000 tce
    # (not 180 000 × 4 = 720 000), so the regional park gets T = 0.6. CI = 90 000 / 180 000 = 0.5
    # ≤ 0.6 → 40 (with T = 0.4 it would be 40 × (1.0 − 0.5)/(1.0 − 0.4) = 33.3).
    pm = months(*(month(P, m, energy_tce=90_000.0, co2_t=45_000.0) for m in ("2026-01", "2026-02")))
    rows, _ = assess_quarter(pm, dim(park(P)), "2026-Q1", STD, dt.date(2026, 4, 11))
    assert rows.iloc[0]["score_carbon"] == 40.0


# --- components --------------------------------------------------------------------------------
def test_score_carbon():
    assert score_carbon(0.4, 1.0, 0.4, STD) == 40.0  # CI ≤ T
    assert score_carbon(0.7, 1.0, 0.4, STD) == pytest.approx(20.0)  # 40 × (1.0 − 0.7)/(1.0 − 0.4)
    assert score_carbon(1.2, 1.0, 0.4, STD) == 0.0  # worse than baseline: clamp to 0
    assert score_carbon(0.5, 0.3, 0.4, STD) == 0.0  # B ≤ T and CI > T
    assert score_carbon(math.nan, 1.0, 0.4, STD) == 0.0  # CI NULL


def test_score_green():
    assert score_green(0.3, 0.4, STD) == pytest.approx(22.5)  # 30 × 0.3 / 0.4
    assert score_green(0.6, 0.4, STD) == 30.0  # clamp to 1
    assert score_green(0.0, 0.0, STD) == 30.0  # g(t) = 0
    assert score_green(math.nan, 0.4, STD) == 0.0  # share NULL
    assert score_green(math.nan, 0.0, STD) == 0.0  # reading: NULL share wins over g(t) = 0


def test_score_retrofit_and_reporting():
    assert score_retrofit(0.5, STD) == 10.0  # 20 × 0.5
    assert score_retrofit(math.nan, STD) == 20.0  # nothing planned
    assert score_reporting(2, 3, STD) == pytest.approx(6.666666667)  # 10 × 2 / 3


# --- green target path -------------------------------------------------------------------------
def test_green_target_example_of_the_standard():
    # 30 % at 2025-12-31 → 50 % at 2026-12-31; t = 2026-06-30 is 181 of 365 days in:
    # 0.30 + 0.20 × 181/365 = 0.30 + 0.0991781 = 0.3991781 ≈ 39.9 %
    g = green_target(0.3, 0.5, 2025, dt.date(2026, 12, 31), dt.date(2026, 6, 30))
    assert g == pytest.approx(0.3991781, abs=1e-7)
    assert round(g, 3) == 0.399


def test_green_target_clamps_and_target_date_before_t0():
    target = dt.date(2026, 12, 31)
    assert green_target(0.3, 0.5, 2025, target, dt.date(2027, 6, 30)) == 0.5  # past the target date
    assert green_target(0.3, 0.5, 2025, target, dt.date(2025, 3, 31)) == 0.3  # before t0
    # target_date ≤ t0 (2025-12-31): g(t) = gT whatever t is
    assert green_target(0.3, 0.5, 2025, dt.date(2025, 12, 31), dt.date(2025, 3, 31)) == 0.5


def test_quarter_row_carries_the_green_target_at_its_end():
    rows, _ = assess_quarter(months(*quarter_months(P, Q2)), dim(park(P)), "2026-Q2", STD, DUE_Q2)
    assert rows.iloc[0]["green_target_at_end"] == pytest.approx(0.3991781, abs=1e-7)


# --- rounding and grades -----------------------------------------------------------------------
def test_round_score_half_up_after_nine_decimals():
    assert round_score(72.25, STD) == 72.3  # half-up (Python's round would give 72.2)
    assert round_score(84.94999999999999, STD) == 85.0  # float noise: 9 decimals give 84.95 → 85.0
    assert round_score(84.9499, STD) == 84.9


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100.0, "A"), (85.0, "A"), (84.9, "B"), (70.0, "B"), (69.9, "C"), (60.0, "C"), (59.9, "D"), (0.0, "D")],
)
def test_grade_bands(score, grade):
    assert grade_of(score, STD) == grade


# --- caps --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("uncapped", "holding", "expected"),
    [
        ("A", [], ("A", None)),
        ("A", ["rebound_unrectified"], ("B", "rebound_unrectified")),
        ("A", ["missing_report"], ("C", "missing_report")),
        ("B", ["rebound_unrectified"], ("B", None)),  # limit B is not below B
        ("C", ["missing_report", "rebound_unrectified"], ("C", None)),
        ("A", ["missing_report", "rebound_unrectified"], ("C", "missing_report")),  # strictest
        ("B", ["spot_check_failed", "missing_report"], ("D", "spot_check_failed")),
        ("D", ["spot_check_failed"], ("D", None)),
        ("D", ["no_report"], ("D", "no_report")),  # always named
        ("D", ["no_report", "spot_check_failed", "missing_report"], ("D", "no_report")),
    ],
)
def test_caps(uncapped, holding, expected):
    assert apply_caps(uncapped, holding, STD) == expected


def with_entries(values: dict[str, str]) -> Standard:
    """The rulebook with some entries' values changed."""
    entries = copy.deepcopy(STD.entries)
    for key, value in values.items():
        entries[key]["value"] = value
    return Standard(STD.version, STD.effective_from, entries)


def test_cap_precedence_on_equal_limits():
    # Limits are rulebook data; on equal limits the rulebook's cap.precedence (the §6 order) names the cap.
    std = with_entries({"cap.missing_report": "D"})  # as strict as spot_check_failed
    assert apply_caps("A", ["missing_report", "spot_check_failed"], std) == ("D", "spot_check_failed")
    std = with_entries({"cap.rebound_unrectified": "C"})  # as strict as missing_report
    assert apply_caps("A", ["rebound_unrectified", "missing_report"], std) == ("C", "missing_report")


SPOT_CHECK_LAST = "no_report,missing_report,rebound_unrectified,spot_check_failed"


def test_cap_precedence_comes_from_the_rulebook():
    # missing_report made as strict as spot_check_failed: both D, both lower an uncapped A; with
    # spot_check_failed last in cap.precedence, missing_report is named (the §6 order names the other).
    std = with_entries({"cap.missing_report": "D", "cap.precedence": SPOT_CHECK_LAST})
    assert apply_caps("A", ["missing_report", "spot_check_failed"], std) == ("D", "missing_report")
    # a cap below the other still wins whatever the order: C (missing_report) against B (rebound)
    std = with_entries({"cap.precedence": "no_report,rebound_unrectified,missing_report,spot_check_failed"})
    assert apply_caps("A", ["rebound_unrectified", "missing_report"], std) == ("C", "missing_report")


# --- whole rows --------------------------------------------------------------------------------
def test_scored_quarter_row_by_hand():
    # Regional park, B = 1.0, green path 0.3 (end-2025) → 0.5 (2027-12-31): at 2026-12-31 it is
    # 365 of 730 days in → g = 0.3 + 0.2 × 0.5 = 0.4.
    # Oct and Nov reported (Nov late), Dec missing:
    #   CI = (700 + 700)/(1000 + 1000) = 0.7 > T 0.4 → 40 × (1.0 − 0.7)/(1.0 − 0.4) = 20
    #   green share = 600/2000 = 0.3 → 30 × 0.3/0.4 = 22.5
    #   retrofit (latest month, Nov) = 6/10 → 20 × 0.6 = 12
    #   reporting = 10 × 1 on time / 3 expected = 3.333333…
    #   score = 57.833333… → 57.8 → D; missing_report (C) holds but is not below D → grade_cap NULL
    registry = dim(park(P, target_date=dt.date(2027, 12, 31)))
    kw = {"co2_t": 700.0, "green_mwh": 300.0, "retrofit_planned": 10.0}
    pm = months(
        month(P, "2026-10", retrofit_completed=4.0, **kw),
        month(P, "2026-11", retrofit_completed=6.0, on_time=False, **kw),
    )
    rows, _ = assess_quarter(pm, registry, "2026-Q4", STD, DUE_Q4)
    assert list(rows.columns) == QUARTER_COLUMNS
    r = rows.iloc[0]
    assert (r["months_expected"], r["months_reported"], r["months_on_time"]) == (3, 2, 1)
    assert r["green_target_at_end"] == pytest.approx(0.4)
    assert r["score_carbon"] == pytest.approx(20.0)
    assert r["score_green"] == pytest.approx(22.5)
    assert r["score_retrofit"] == pytest.approx(12.0)
    assert r["score_reporting"] == pytest.approx(3.3333333)
    assert (r["score"], r["grade"], r["grade_cap"]) == (57.8, "D", None)
    assert r["standard_version"] == STD.version and r["quarter"] == "2026-Q4"


def test_missing_report_caps_a_high_score_at_c():
    # Apr, May reported on time, Jun missing: 40 + 30 + 20 + 10 × 2/3 = 96.7 → A, capped to C.
    rows, _ = assess_quarter(months(*quarter_months(P, Q2[:2])), dim(park(P)), "2026-Q2", STD, DUE_Q2)
    r = rows.iloc[0]
    assert (r["score"], r["grade"], r["grade_cap"]) == (96.7, "C", "missing_report")


def test_no_report_row():
    rows, _ = assess_quarter(months(), dim(park(P)), "2026-Q2", STD, DUE_Q2)
    r = rows.iloc[0]
    assert (r["months_expected"], r["months_reported"], r["months_on_time"]) == (3, 0, 0)
    nulls = ["energy_tce", "co2_t", "carbon_per_energy", "green_share", "retrofit_rate",
             "score_carbon", "score_green", "score_retrofit", "score_reporting"]
    assert r[nulls].isna().all()
    assert r["green_target_at_end"] == pytest.approx(0.3991781, abs=1e-7)  # still given
    assert (r["score"], r["grade"], r["grade_cap"]) == (0.0, "D", "no_report")


def _q2(cpe_by_month: dict[str, float]):
    """A perfect Q2 (score 100) whose monthly carbon_per_energy is given (≤ T 0.4)."""
    pm = months(*(month(P, m, co2_t=v * 1000.0, carbon_per_energy=v) for m, v in cpe_by_month.items()))
    return assess_quarter(pm, dim(park(P)), "2026-Q2", STD, DUE_Q2)[0].iloc[0]


def test_open_rebound_in_the_window_caps_at_b():
    # May 0.35 > Apr 0.30 × 1.05 = 0.315; Jun 0.34 > 0.30 → at the end of June it is open.
    r = _q2({"2026-04": 0.30, "2026-05": 0.35, "2026-06": 0.34})
    assert (r["score"], r["grade"], r["grade_cap"]) == (100.0, "B", "rebound_unrectified")


def test_rectified_rebound_does_not_cap():
    r = _q2({"2026-04": 0.30, "2026-05": 0.35, "2026-06": 0.30})  # June back to 0.30
    assert (r["grade"], r["grade_cap"]) == ("A", None)


def test_rebound_dated_before_the_window_does_not_cap():
    # Alert in March (0.35 > 0.30 × 1.05), overdue by June's data (m+3), but dated in Q1.
    r = _q2({"2026-02": 0.30, "2026-03": 0.35, "2026-04": 0.34, "2026-05": 0.34, "2026-06": 0.34})
    assert (r["grade"], r["grade_cap"]) == ("A", None)


def test_spot_check_failed_caps_the_half_at_d():
    pm = months(*(month(P, f"2026-{m:02d}") for m in range(1, 7)))
    rows, _, _ = assess_half(pm, dim(park(P)), "2026-H1", STD, dt.date(2026, 7, 11), spot_check_failed={P})
    assert list(rows.columns) == HALF_COLUMNS
    r = rows.iloc[0]
    assert (r["score"], r["grade"], r["grade_cap"], r["spot_check"]) == (100.0, "D", "spot_check_failed", "fail")
    assert (r["assessment"], r["window_start"], r["window_end"]) == (
        "mid_year", dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert pd.isna(r["outcome"])


def test_year_end_window_is_the_whole_year():
    pm = months(*(month(P, f"2026-{m:02d}") for m in range(1, 13)))
    rows, _, _ = assess_half(pm, dim(park(P)), "2026-H2", STD, DUE_Q4)
    r = rows.iloc[0]
    assert (r["assessment"], r["window_start"], r["window_end"]) == (
        "year_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (r["months_expected"], r["energy_tce"], r["spot_check"]) == (12, 12_000.0, "not_sampled")


def test_not_due_gives_empty_frames_with_the_columns():
    rows, cities = assess_quarter(months(), dim(park(P)), "2026-Q2", STD, dt.date(2026, 7, 10))
    assert rows.empty and list(rows.columns) == QUARTER_COLUMNS and cities.empty
    rows, region, _ = assess_half(months(), dim(park(P)), "2026-H2", STD, dt.date(2027, 1, 10))
    assert rows.empty and list(rows.columns) == HALF_COLUMNS and region.empty


# --- ranks -------------------------------------------------------------------------------------
def test_sql_rank_ties_share_and_the_next_rank_skips():
    scores = pd.Series([90.0, 80.0, 90.0, 70.0, 95.0])
    assert list(sql_rank(scores)) == [2, 4, 2, 5, 1]
    cities = pd.Series(["A", "A", "A", "B", "B"])
    assert list(sql_rank(scores, cities)) == [1, 3, 1, 2, 1]


def test_rank_in_city_in_a_quarter():
    # P and Q (city 150100) tie at 100; R (city 150200) alone; S (150100) has no report → score 0.
    r, s = "150200-P001", "150100-P003"
    pm = months(*quarter_months(P, Q2), *quarter_months(Q, Q2), *quarter_months(r, Q2))
    rows, _ = assess_quarter(pm, dim(park(P), park(Q), park(r), park(s)), "2026-Q2", STD, DUE_Q2)
    assert dict(zip(rows["park_code"], rows["rank_in_city"])) == {P: 1, Q: 1, r: 1, s: 3}


def test_year_end_removal_uses_given_quarter_rows_and_assesses_missing_ones():
    # Jan–Sep reported; Oct–Dec missing. Q4 (not in the given rows) is assessed here: no report → D.
    # The given Q3 row says D, so D in both Q3 and Q4 → removed, whatever the year-end grade (C,
    # missing_report).
    pm = months(*(month(P, f"2026-{m:02d}") for m in range(1, 10)))
    given = pd.DataFrame([{"park_code": P, "quarter": "2026-Q3", "grade": "D"}])
    rows, _, _ = assess_half(pm, dim(park(P)), "2026-H2", STD, DUE_Q4, quarter_rows=given)
    assert (rows.iloc[0]["grade"], rows.iloc[0]["outcome"]) == ("C", "remove_from_list")
    rows, _, _ = assess_half(pm, dim(park(P)), "2026-H2", STD, DUE_Q4)  # Q3 assessed here: A → C cap
    assert rows.iloc[0]["outcome"] == "keep"


def test_a_half_row_names_the_cap_first_in_the_rulebook_precedence():
    # H1, Jan–May reported on time, June missing, a sampled month failed; regional, B = 1.0:
    #   CI = 400/1000 = 0.4 ≤ T 0.4 → 40
    #   g(2026-06-30) = 0.3 + 0.2 × 181/365 = 0.399178…; share 500/1000 = 0.5 ≥ g → 30
    #   nothing planned → 20; reporting 10 × 5/6 = 8.333333…
    #   score = 98.333333… → 98.3 → A
    # Caps: spot_check_failed (D) and missing_report (D in this rulebook) both lower A to D.
    pm = months(*(month(P, f"2026-{m:02d}") for m in range(1, 6)))
    due = dt.date(2026, 7, 11)
    for precedence, named in ((STD["cap.precedence"], "spot_check_failed"), (SPOT_CHECK_LAST, "missing_report")):
        std = with_entries({"cap.missing_report": "D", "cap.precedence": precedence})
        r = assess_half(pm, dim(park(P)), "2026-H1", std, due, spot_check_failed={P})[0].iloc[0]
        assert (r["months_expected"], r["months_reported"]) == (6, 5)
        assert (r["score"], r["grade"], r["grade_cap"]) == (98.3, "D", named)
