"""STANDARD §12 what-if: the one lever value that reaches the next better grade, rounding and caps applied.

Every park below is regional (T = 0.4), baseline carbon per energy B = 1.0, green path 30 % at
2025-12-31 to 50 % at 2026-12-31, so 2026-Q4 (ending on the target date) has g(t) = 0.5 and
  score_carbon = 40 × (1 − CI) / (1 − 0.4) = 40 × (1 − CI) / 0.6   (40 when CI ≤ 0.4)
  score_green  = 30 × share / 0.5                                   (30 from share 0.5 up)
Months hold 1 000 MWh of electricity and 1 000 tce each unless said otherwise.
"""
import datetime as dt
import math

import pandas as pd
import pytest

from zc_pipeline.domain.scoring import assess_half, assess_quarter
from zc_pipeline.domain.what_if import WHAT_IF_COLUMNS, what_if_window

from .frames import STD, dim, month, months, park

Q4 = ["2026-10", "2026-11", "2026-12"]
DUE_Q4 = dt.date(2027, 1, 11)  # the day after December's deadline (the 10th)
G, C, M = "150100-P001", "150100-P002", "150100-P003"


def _row(rows, code):
    return rows.set_index("park_code").loc[code]


def _what_if(pm, parks, period="2026-Q4", as_of=DUE_Q4, **kw):
    return what_if_window(pm, dim(*parks), period, STD, as_of, **kw)


def _quarter_score(pm, code):
    rows, _ = assess_quarter(pm, dim(park(code)), "2026-Q4", STD, DUE_Q4)
    return _row(rows, code)[["score", "grade"]].tolist()


def test_green_share_needed_lands_on_the_band_minimum_after_rounding():
    # CI 0.7 → 40 × 0.3 / 0.6 = 20; share 0.4 → 30 × 0.4 / 0.5 = 24; retrofit 5/10 → 10; reporting 10.
    # 20 + 24 + 10 + 10 = 64.0 → C; the target is B (70).
    pm = months(*[month(G, m, co2_t=700.0, green_mwh=400.0, retrofit_planned=10.0, retrofit_completed=5.0)
                  for m in Q4])
    row = _row(_what_if(pm, [park(G)]), G)
    assert (row["grade"], row["score"], row["target_grade"]) == ("C", 64.0, "B")
    # green: 40 + 60 s rounds half-up to ≥ 70.0 from 69.95, i.e. s ≥ 0.499166…, up to 6 decimals 0.499167
    assert row["green_share_needed"] == 0.499167 and pd.isna(row["green_reason"])
    # (0.499167 − 0.4) × 3 000 MWh = 0.099167 × 3 000 = 297.501 MWh
    assert row["extra_green_mwh"] == pytest.approx(297.501, abs=1e-9)
    # carbon: 24 + 10 + 10 + 40 (1 − c) / 0.6 ≥ 69.95 ⇔ 1 − c ≥ 25.95 × 0.6 / 40 = 0.38925 ⇔ c ≤ 0.61075
    assert row["carbon_per_energy_needed"] == 0.61075 and pd.isna(row["carbon_reason"])
    # (0.7 − 0.61075) × 3 000 tce = 0.08925 × 3 000 = 267.75 tCO2
    assert row["co2_less_t"] == pytest.approx(267.75, abs=1e-9)
    assert pd.isna(row["reason"])

    # The published path agrees, one grid step either side of the boundary:
    def with_green(share):
        return months(*[month(G, m, co2_t=700.0, green_mwh=share * 1000, retrofit_planned=10.0,
                              retrofit_completed=5.0) for m in Q4])

    assert _quarter_score(with_green(0.499167), G) == [70.0, "B"]  # 40 + 29.95002 = 69.95002 → 70.0
    assert _quarter_score(with_green(0.499166), G) == [69.9, "C"]  # 40 + 29.94996 = 69.94996 → 69.9

    def with_carbon(ci):
        return months(*[month(G, m, co2_t=ci * 1000, green_mwh=400.0, retrofit_planned=10.0,
                              retrofit_completed=5.0) for m in Q4])

    assert _quarter_score(with_carbon(0.61075), G) == [70.0, "B"]  # 44 + 25.95 = 69.95 exactly → 70.0
    assert _quarter_score(with_carbon(0.610751), G) == [69.9, "C"]  # 44 + 25.949933 = 69.949933 → 69.9


def test_carbon_lever_reaches_the_target_while_green_is_already_full():
    # CI 0.8 → 40 × 0.2 / 0.6 = 13.333; share 0.5 → 30 (full); retrofit 10; reporting 10 → 63.3 → C.
    pm = months(*[month(C, m, co2_t=800.0, retrofit_planned=10.0, retrofit_completed=5.0) for m in Q4])
    row = _row(_what_if(pm, [park(C)]), C)
    assert (row["grade"], row["score"], row["target_grade"]) == ("C", 63.3, "B")
    # green already earns its 30 points: even a share of 1 leaves 63.3
    assert row["green_reason"] == "out_of_range"
    assert math.isnan(row["green_share_needed"]) and math.isnan(row["extra_green_mwh"])
    # 50 + 40 (1 − c) / 0.6 ≥ 69.95 ⇔ 1 − c ≥ 19.95 × 0.6 / 40 = 0.29925 ⇔ c ≤ 0.70075
    assert row["carbon_per_energy_needed"] == 0.70075
    assert row["co2_less_t"] == pytest.approx((0.8 - 0.70075) * 3000, abs=1e-9)  # 0.09925 × 3 000 = 297.75
    assert pd.isna(row["reason"])  # one lever gets there


def test_a_cap_at_the_target_does_not_block_it():
    # Two of three months: missing_report holds (at most C). CI 0.9 → 40 × 0.1 / 0.6 = 6.667;
    # share 0.2 → 12; retrofit 2/10 → 4; reporting 10 × 2/3 = 6.667 → 29.33 → 29.3, D; target C.
    pm = months(*[month(M, m, co2_t=900.0, green_mwh=200.0, retrofit_planned=10.0, retrofit_completed=2.0)
                  for m in Q4[:2]])
    row = _row(_what_if(pm, [park(M)]), M)
    assert (row["grade"], row["score"], row["target_grade"]) == ("D", 29.3, "C")
    # green at best: 6.667 + 30 + 4 + 6.667 = 47.3 < 60
    assert row["green_reason"] == "out_of_range"
    # 12 + 4 + 6.667 + 40 (1 − c) / 0.6 ≥ 59.95 ⇔ 40 (1 − c) / 0.6 ≥ 37.28333 ⇔ 1 − c ≥ 0.55925 ⇔ c ≤ 0.44075
    assert row["carbon_per_energy_needed"] == 0.44075 and pd.isna(row["carbon_reason"])
    assert row["co2_less_t"] == pytest.approx(918.5, abs=1e-9)  # (0.9 − 0.44075) × 2 000 tce = 0.45925 × 2 000


def test_caps_that_no_lever_lifts_and_the_top_grade():
    top, missing, rebound, silent = "150100-P004", "150100-P005", "150100-P006", "150100-P007"
    pm = months(
        *[month(top, m) for m in Q4],  # CI 0.4 → 40, share 0.5 → 30, nothing planned → 20, 10: 100 A
        *[month(missing, m) for m in Q4[:2]],  # 40 + 30 + 20 + 6.667 = 96.7 → A, capped to C
        # CI 0.30, 0.30, 0.35: December is a rebound (0.35 > 0.30 × 1.05), open at the quarter's end.
        # Window CI 950 / 3 000 = 0.317 → 40; 30; retrofit 0/10 → 0; 10: 80.0 → B, which the cap
        # (at most B) does not lower, so grade_cap stays NULL — yet A is out of reach.
        *[month(rebound, m, co2_t=c, retrofit_planned=10.0) for m, c in zip(Q4, (300.0, 300.0, 350.0))],
    )
    rows = _what_if(pm, [park(top), park(missing), park(rebound), park(silent)])
    assessed, _ = assess_quarter(pm, dim(park(top), park(missing), park(rebound), park(silent)), "2026-Q4", STD, DUE_Q4)
    assert pd.isna(_row(assessed, rebound)["grade_cap"])

    expected = {  # park: (grade, target, reason of each lever and of the window)
        top: ("A", None, "top_grade"),
        missing: ("C", "B", "capped:missing_report"),
        rebound: ("B", "A", "capped:rebound_unrectified"),
        silent: ("D", "C", "capped:no_report"),  # no month at all: score 0
    }
    for code, (grade, target, reason) in expected.items():
        row = _row(rows, code)
        assert row["grade"] == grade, code
        assert pd.isna(row["target_grade"]) if target is None else row["target_grade"] == target, code
        assert (row["green_reason"], row["carbon_reason"], row["reason"]) == (reason, reason, reason), code
        assert math.isnan(row["green_share_needed"]) and math.isnan(row["carbon_per_energy_needed"]), code


def test_a_failed_spot_check_caps_the_half():
    # 2026-H1, six default months: 100 → A, but a failed spot check holds the half at D; target C.
    pm = months(*[month(G, f"2026-0{n}") for n in range(1, 7)])
    due = dt.date(2026, 7, 11)
    rows = _what_if(pm, [park(G)], "2026-H1", due, spot_check_failed={G})
    assessed, _, _ = assess_half(pm, dim(park(G)), "2026-H1", STD, due, spot_check_failed={G})
    row = _row(rows, G)
    assert (row["grade"], row["score"]) == tuple(_row(assessed, G)[["grade", "score"]]) == ("D", 100.0)
    assert (row["target_grade"], row["reason"]) == ("C", "capped:spot_check_failed")


def test_no_energy_carbon_lever_searches_beyond_one():
    # energy 0 → CI NULL → 0 carbon points; 30 + 20 + 10 = 60.0 → C; target B. Baseline B = 3.0:
    # 60 + 40 (3 − c) / (3 − 0.4) ≥ 69.95 ⇔ 3 − c ≥ 9.95 × 2.6 / 40 = 0.64675 ⇔ c ≤ 2.35325
    pm = months(*[month(G, m, energy_tce=0.0, co2_t=0.0) for m in Q4])
    row = _row(_what_if(pm, [park(G, baseline_carbon_per_energy=3.0)]), G)
    assert (row["grade"], row["score"], row["target_grade"]) == ("C", 60.0, "B")
    assert row["carbon_per_energy_needed"] == 2.35325
    assert math.isnan(row["co2_less_t"])  # no energy: no tonnes to name
    assert row["green_reason"] == "out_of_range"  # share 0.5 already earns 30


def test_published_grade_and_score_are_the_assessment_s_and_nothing_before_the_deadline():
    pm = months(
        *[month(G, m, co2_t=700.0, green_mwh=400.0, retrofit_planned=10.0, retrofit_completed=5.0) for m in Q4],
        *[month(C, m, co2_t=800.0, retrofit_planned=10.0, retrofit_completed=5.0) for m in Q4],
    )
    parks = [park(G), park(C)]
    rows = _what_if(pm, parks)
    assessed, _ = assess_quarter(pm, dim(*parks), "2026-Q4", STD, DUE_Q4)
    merged = rows.merge(assessed, on="park_code", suffixes=("", "_published"))
    assert merged["grade"].tolist() == merged["grade_published"].tolist() == ["C", "C"]
    assert merged["score"].tolist() == merged["score_published"].tolist() == [64.0, 63.3]
    assert list(rows.columns) == WHAT_IF_COLUMNS and set(rows["period"]) == {"2026-Q4"}

    early = _what_if(pm, parks, as_of=dt.date(2027, 1, 10))  # December's deadline day: not yet due
    assert early.empty and list(early.columns) == WHAT_IF_COLUMNS
