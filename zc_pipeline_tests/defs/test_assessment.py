"""Assessments end to end through Dagster (issue 5): a four-park region, 2026-01..06, as of 2026-07-15.

Every expected value is worked out by hand from STANDARD §3–§6 and IM-ZCP-2026.1 (arithmetic in
the comments), never by calling the scoring code. The region, chosen so the arithmetic stays short:

| park | city | category | scope | data (per month) |
|---|---|---|---|---|
| A 150100-P001 | Hohhot | regional | whole | grid 1000 MWh (workbook) |
| S 150100-P002 | Hohhot | regional | sub-park of A | raw coal 100 t (workbook) |
| C 150200-P001 | Baotou | national | whole | Q1: grid 855 + green direct 145 MWh; Q2: 809.5 + 190.5 (batch CSV) |
| D 150200-P002 | Baotou | pilot | whole | grid 900 + green direct 100 MWh, no May, February late (batch CSV) |

Monthly measures (STANDARD §1–§3; electricity 0.300 tce/MWh, grid 0.6096 tCO2/MWh, coal 0.7143 tce/t
and 1.9003 tCO2/t):
  A: energy 1000 × 0.3 = 300 tce, co2 1000 × 0.6096 = 609.6 t, CI = 2.032, green share 0
  S: energy 100 × 0.7143 = 71.43 tce, co2 100 × 1.9003 = 190.03 t, CI = 1.9003 / 0.7143 = 2.6603667927,
     no electricity: green share NULL
  C: energy 1000 × 0.3 = 300; Q1 co2 855 × 0.6096 = 521.208 (CI 1.73736, share 0.145);
     Q2 co2 809.5 × 0.6096 = 493.4712 (CI 1.644904, share 0.1905)
  D: energy 300, co2 900 × 0.6096 = 548.64 (CI 1.8288), share 100 / 1000 = 0.1
No month is more than 5 % above the one before (no rebounds) and no file has a warning.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import random

import pandas as pd
import pytest

from zc_pipeline.warehouse.writer import dump_sorted, read_table
from zc_pipeline_tests.conftest import run_sample_pipeline
from zc_pipeline_tests.support.region import RegionPark, batch_csv, workbook, write_registry


AS_OF = dt.date(2026, 7, 15)  # after June's deadline (10 July): Q1, Q2 and H1 are due
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]

# Baselines chosen so score_carbon = 40 × (B − CI) / (B − T) comes out round:
#   A: T = 0.4 (regional);  (3.664 − 2.032) / (3.664 − 0.4) = 1.632 / 3.264 = 0.5      -> 20
#   C: T = 0.2 (national);  (6.34944 − 1.73736) / (6.34944 − 0.2) = 4.61208 / 6.14944 = 0.75 -> 30 (Q1)
#   D: T = 0.4 (pilot);     (6.1152 − 1.8288) / (6.1152 − 0.4) = 4.2864 / 5.7152 = 0.75 -> 30
# Green targets: A, S g(t) = 0 (baseline = target = 0); D g(t) = 0.1 flat; C goes from 0.2 on
# 2025-12-31 to 0.565 on 2026-12-31 (365 days): g(2026-03-31) = 0.2 + 0.365 × 90/365 = 0.29,
# g(2026-06-30) = 0.2 + 0.365 × 181/365 = 0.381.
A = RegionPark("150100-P001", "测试园区甲", baseline_cpe="3.664")
S = RegionPark("150100-P002", "测试园中园", scope="sub_park", parent=A.code, baseline_cpe="4")
C = RegionPark("150200-P001", "测试国家级园区", category="national", baseline_cpe="6.34944",
               baseline_green="0.2", target_green="0.565")
D = RegionPark("150200-P002", "测试试点园区", category="pilot", baseline_cpe="6.1152",
               baseline_green="0.1", target_green="0.1")
PARKS = [A, S, C, D]
A_COMPLETED = {"2026-01": 1, "2026-02": 1, "2026-03": 2, "2026-04": 2, "2026-05": 3, "2026-06": 3}  # of 4 planned
D_SUBMITTED = {"2026-01": "2026-02-10", "2026-02": "2026-03-11"}  # deadline day (on time), the day after (late)


def next_month_day(month: str, day: int) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y + m // 12, m % 12 + 1, day)


def build_region(data_dir) -> None:
    write_registry(data_dir, PARKS)
    for month in MONTHS:
        workbook(data_dir, month, A, next_month_day(month, 5), [("电网购电", "MWh", 1000)],
                 {"value_added_10k_yuan": 1000, "retrofit_planned": 4, "retrofit_completed": A_COMPLETED[month]})
        workbook(data_dir, month, S, next_month_day(month, 5), [("原煤", "t", 100)], {"value_added_10k_yuan": 500})
        grid, green = (855, 145) if month <= "2026-03" else (809.5, 190.5)
        rows = [{"park_code": C.code, "submitted_on": next_month_day(month, 5).isoformat(),
                 "grid_electricity_mwh": grid, "green_direct_mwh": green, "value_added_10k_yuan": 1000}]
        if month != "2026-05":  # D never reports May
            rows.append({"park_code": D.code, "submitted_on": D_SUBMITTED.get(month, next_month_day(month, 5).isoformat()),
                         "grid_electricity_mwh": 900, "green_direct_mwh": 100, "value_added_10k_yuan": 1000})
        batch_csv(data_dir, month, rows, f"baotou_{month}.csv")


def resubmit_a_june(data_dir) -> None:
    """A resubmits June: grid 400 + green direct 600 MWh (co2 400 × 0.6096 = 243.84 t), all 4 retrofits done."""
    workbook(data_dir, "2026-06", A, dt.date(2026, 7, 8), [("电网购电", "MWh", 400), ("绿电直供", "MWh", 600)],
             {"value_added_10k_yuan": 1000, "retrofit_planned": 4, "retrofit_completed": 4},
             name=f"{A.code}_2026-06_v2.xlsx")


ASSESSMENT_TABLES = ["park_quarter_assessment", "city_quarter_summary", "park_half_assessment", "region_half_summary"]


def snapshot(engine) -> dict[str, pd.DataFrame]:
    return {t: read_table(engine, t) for t in [*ASSESSMENT_TABLES, "grade_history", "spot_check_sample", "dim_park",
                                               "park_what_if"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(first run, after A's June resubmission, after an unchanged re-run) snapshots of the warehouse."""
    import os

    old_home = os.environ.get("DAGSTER_HOME")
    root = tmp_path_factory.mktemp("assessment_e2e")
    data, state = root / "data", root / "state"
    build_region(data)
    try:
        first = run_sample_pipeline(state, data_dir=data, as_of=AS_OF, first=MONTHS[0], last=MONTHS[-1])
        snaps = {"data": data, "first": snapshot(first.engine)}
        resubmit_a_june(data)  # then re-run June only: `zc run` re-materializes Q2 and H1, which it completes
        again = run_sample_pipeline(state, data_dir=data, as_of=AS_OF, first="2026-06", last="2026-06")
        snaps["after"] = snapshot(again.engine)
        snaps["dumps_after"] = {t: dump_sorted(again.engine, t) for t in ASSESSMENT_TABLES}
        # the same re-run again, nothing changed since (June only: a full re-run costs twice as long)
        unchanged = run_sample_pipeline(state, data_dir=data, as_of=AS_OF, first="2026-06", last="2026-06")
        snaps["unchanged"] = snapshot(unchanged.engine)
        snaps["dumps_unchanged"] = {t: dump_sorted(unchanged.engine, t) for t in ASSESSMENT_TABLES}
        for r in (first, again, unchanged):
            r.engine.dispose()
        yield snaps
    finally:
        if old_home is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = old_home


NAN = math.nan
QUARTER_FIELDS = ["months_expected", "months_reported", "months_on_time", "energy_tce", "co2_t", "carbon_per_energy",
                  "green_share", "green_target_at_end", "retrofit_rate", "score_carbon", "score_green",
                  "score_retrofit", "score_reporting", "score", "grade", "grade_cap"]

# S every window: carbon 40 × (4 − 2.6603667927) / (4 − 0.4) = 40 × 1.3396332073 / 3.6 = 14.8848134148;
# green 0 (share NULL: no electricity); retrofit 20 (nothing planned); reporting 10
#   -> 44.8848134148 -> 44.9, D.
S_SCORES = (14.8848134148, 0.0, 20.0, 10.0, 44.9, "D", None)
# D: carbon 30, green 30 × 0.1 / 0.1 = 30, retrofit 20 (nothing planned), reporting 10 × 2/3 = 6.6666667
#   (Q1: Feb late; Q2: May missing; H1: 4 of 6) -> 86.6666667 -> 86.7, A uncapped.
D_SCORES = (30.0, 30.0, 20.0, 10 * 2 / 3, 86.7)

Q1 = {
    # A: retrofit 2/4 = 0.5 -> 10;  20 + 30 + 10 + 10 = 70.0 -> B
    A.code: (3, 3, 3, 900.0, 1828.8, 2.032, 0.0, 0.0, 0.5, 20.0, 30.0, 10.0, 10.0, 70.0, "B", None, 1),
    # S: energy 3 × 71.43 = 214.29, co2 3 × 190.03 = 570.09
    S.code: (3, 3, 3, 214.29, 570.09, 2.6603667927, NAN, 0.0, NAN, *S_SCORES, 2),
    # C: green 30 × 0.145 / 0.29 = 15; retrofit 20; 30 + 15 + 20 + 10 = 75.0 -> B
    C.code: (3, 3, 3, 900.0, 1563.624, 1.73736, 0.145, 0.29, NAN, 30.0, 15.0, 20.0, 10.0, 75.0, "B", None, 2),
    # D: co2 3 × 548.64 = 1645.92; 86.7 -> A
    D.code: (3, 3, 2, 900.0, 1645.92, 1.8288, 0.1, 0.1, NAN, *D_SCORES, "A", None, 1),
}
Q2 = {
    # A: retrofit 3/4 = 0.75 -> 15;  20 + 30 + 15 + 10 = 75.0 -> B
    A.code: (3, 3, 3, 900.0, 1828.8, 2.032, 0.0, 0.0, 0.75, 20.0, 30.0, 15.0, 10.0, 75.0, "B", None, 1),
    S.code: (3, 3, 3, 214.29, 570.09, 2.6603667927, NAN, 0.0, NAN, *S_SCORES, 2),
    # C: co2 3 × 493.4712 = 1480.4136, CI 1.644904; carbon 40 × (6.34944 − 1.644904) / 6.14944
    #    = 40 × 4.704536 / 6.14944 = 30.6013945985; green 30 × 0.1905 / 0.381 = 15
    #    -> 30.6013945985 + 15 + 20 + 10 = 75.6013945985 -> 75.6, B
    C.code: (3, 3, 3, 900.0, 1480.4136, 1.644904, 0.1905, 0.381, NAN, 30.6013945985, 15.0, 20.0, 10.0, 75.6, "B", None, 2),
    # D: April and June only (co2 2 × 548.64 = 1097.28); 86.7 would be A, missing_report caps it at C
    D.code: (3, 2, 2, 600.0, 1097.28, 1.8288, 0.1, 0.1, NAN, *D_SCORES, "C", "missing_report", 1),
}
H1 = {
    # A: 6 × 300 = 1800 tce, 6 × 609.6 = 3657.6 t; retrofit (June) 3/4 -> 15; 75.0 -> B
    A.code: (6, 6, 6, 1800.0, 3657.6, 2.032, 0.0, 0.0, 0.75, 20.0, 30.0, 15.0, 10.0, 75.0, "B", None, 2),
    S.code: (6, 6, 6, 428.58, 1140.18, 2.6603667927, NAN, 0.0, NAN, *S_SCORES, 4),
    # C: co2 1563.624 + 1480.4136 = 3044.0376, CI 3044.0376 / 1800 = 1.691132;
    #    share (3 × 145 + 3 × 190.5) / 6000 = 1006.5 / 6000 = 0.16775 (ratio of sums)
    #    carbon 40 × (6.34944 − 1.691132) / 6.14944 = 40 × 4.658308 / 6.14944 = 30.3006972993
    #    green 30 × 0.16775 / 0.381 = 13.2086614173
    #    -> 30.3006972993 + 13.2086614173 + 20 + 10 = 73.5093587166 -> 73.5, B
    C.code: (6, 6, 6, 1800.0, 3044.0376, 1.691132, 0.16775, 0.381, NAN, 30.3006972993, 13.2086614173, 20.0, 10.0,
             73.5, "B", None, 3),
    # D: 5 months: 1500 tce, 5 × 548.64 = 2743.2 t; on time 4 of 6 -> 6.6666667; capped at C
    D.code: (6, 5, 4, 1500.0, 2743.2, 1.8288, 0.1, 0.1, NAN, *D_SCORES, "C", "missing_report", 1),
}

# A after its June resubmission:
#   June energy 1000 × 0.3 = 300, co2 400 × 0.6096 = 243.84, green 600 MWh; retrofit 4/4 -> 20
#   Q2: co2 2 × 609.6 + 243.84 = 1463.04, CI 1463.04 / 900 = 1.6256, share 600 / 3000 = 0.2
#       carbon 40 × (3.664 − 1.6256) / 3.264 = 40 × 2.0384 / 3.264 = 24.9803921569
#       -> 24.9803921569 + 30 + 20 + 10 = 84.9803921569 -> 85.0: A (the grade is read off the rounded score)
#   H1: co2 5 × 609.6 + 243.84 = 3291.84, CI 3291.84 / 1800 = 1.8288, share 600 / 6000 = 0.1
#       carbon 40 × (3.664 − 1.8288) / 3.264 = 40 × 1.8352 / 3.264 = 22.4901960784
#       -> 22.4901960784 + 30 + 20 + 10 = 82.4901960784 -> 82.5, B
A_Q2_NEW = (3, 3, 3, 900.0, 1463.04, 1.6256, 0.2, 0.0, 1.0, 24.9803921569, 30.0, 20.0, 10.0, 85.0, "A", None, 1)
A_H1_NEW = (6, 6, 6, 1800.0, 3291.84, 1.8288, 0.1, 0.0, 1.0, 22.4901960784, 30.0, 20.0, 10.0, 82.5, "B", None, 2)

CITY_FIELDS = ["parks", "parks_reported", "grade_a", "grade_b", "grade_c", "grade_d", "mean_score", "energy_tce",
               "co2_t", "carbon_per_energy", "green_share", "open_rebounds"]
CITY = {
    # Hohhot: S is left out of the sums every month (its parent A has a submission in force), but counted.
    ("150100", "2026-Q1"): (2, 2, 0, 1, 0, 1, (70.0 + 44.9) / 2, 900.0, 1828.8, 2.032, 0.0, 0),  # mean 57.45
    # Baotou Q1: 900 + 900 = 1800 tce; 1563.624 + 1645.92 = 3209.544 t; CI 1.78308;
    #   share (435 + 300) / 6000 = 0.1225; mean (75.0 + 86.7) / 2 = 80.85
    ("150200", "2026-Q1"): (2, 2, 1, 1, 0, 0, 80.85, 1800.0, 3209.544, 1.78308, 0.1225, 0),
    ("150100", "2026-Q2"): (2, 2, 0, 1, 0, 1, 59.95, 900.0, 1828.8, 2.032, 0.0, 0),  # (75.0 + 44.9) / 2
    # Baotou Q2: 900 + 600 = 1500 tce; 1480.4136 + 1097.28 = 2577.6936 t; CI 1.7184624;
    #   share (571.5 + 200) / 5000 = 0.1543; mean (75.6 + 86.7) / 2 = 81.15
    ("150200", "2026-Q2"): (2, 2, 0, 1, 1, 0, 81.15, 1500.0, 2577.6936, 1.7184624, 0.1543, 0),
}
CITY_Q2_HOHHOT_NEW = (2, 2, 1, 0, 0, 1, 64.95, 900.0, 1463.04, 1.6256, 0.2, 0)  # (85.0 + 44.9) / 2; 600 / 3000

REGION_FIELDS = ["parks", "parks_reported", "grade_a", "grade_b", "grade_c", "grade_d", "mean_score", "energy_tce",
                 "co2_t", "carbon_per_energy", "green_share", "nominations", "removals"]
# H1 (S left out): energy 1800 + 1800 + 1500 = 5100; co2 3657.6 + 3044.0376 + 2743.2 = 9444.8376,
#   CI 9444.8376 / 5100 = 1.8519289412; share (0 + 1006.5 + 500) / (6000 + 6000 + 5000) = 1506.5 / 17000
#   = 0.0886176471; mean (75.0 + 44.9 + 73.5 + 86.7) / 4 = 280.1 / 4 = 70.025; mid-year: no outcomes
REGION_H1 = (4, 4, 0, 2, 1, 1, 70.025, 5100.0, 9444.8376, 1.8519289412, 0.0886176471, 0, 0)
# after A's resubmission: co2 3291.84 + 3044.0376 + 2743.2 = 9079.0776, CI 1.7802112941,
#   share (600 + 1006.5 + 500) / 17000 = 2106.5 / 17000 = 0.1239117647; mean (82.5 + 44.9 + 73.5 + 86.7) / 4 = 71.9
REGION_H1_NEW = (4, 4, 0, 2, 1, 1, 71.9, 5100.0, 9079.0776, 1.7802112941, 0.1239117647, 0, 0)


def assert_row(actual: pd.Series, fields: list[str], expected: tuple, where: str) -> None:
    assert len(fields) == len(expected), where
    for f, exp in zip(fields, expected):
        got = actual[f]
        if isinstance(exp, float) and math.isnan(exp):
            assert pd.isna(got), (where, f, got)
        elif exp is None:
            assert pd.isna(got), (where, f, got)
        elif isinstance(exp, float):
            assert float(got) == pytest.approx(exp, rel=1e-9, abs=1e-9), (where, f, got, exp)
        else:
            assert got == exp, (where, f, got, exp)


def check_parks(frame: pd.DataFrame, period_col: str, period: str, expected: dict, rank_col: str) -> None:
    rows = frame[frame[period_col] == period].set_index("park_code")
    assert sorted(rows.index) == sorted(expected), period
    for code, exp in expected.items():
        assert_row(rows.loc[code], [*QUARTER_FIELDS, rank_col], exp, f"{code} {period}")


def test_park_quarter_assessment(runs):
    q = runs["first"]["park_quarter_assessment"]
    assert sorted(q["quarter"].unique()) == ["2026-Q1", "2026-Q2"]  # Q3 is not due
    check_parks(q, "quarter", "2026-Q1", Q1, "rank_in_city")
    check_parks(q, "quarter", "2026-Q2", Q2, "rank_in_city")
    cities = dict(zip(q["park_code"], q["league_city_code"]))
    assert cities == {A.code: "150100", S.code: "150100", C.code: "150200", D.code: "150200"}
    categories = dict(zip(q["park_code"], q["category"]))
    assert categories == {A.code: "regional", S.code: "regional", C.code: "national", D.code: "pilot"}
    assert set(q["standard_version"]) == {"IM-ZCP-2026.1"}
    parks_csv = hashlib.sha256((runs["data"] / "registry" / "parks.csv").read_bytes()).hexdigest()
    assert set(q["registry_sha256"]) == {parks_csv}


def test_city_quarter_summary(runs):
    cities = runs["first"]["city_quarter_summary"].set_index(["league_city_code", "quarter"])
    assert sorted(cities.index) == sorted(CITY)
    for key, exp in CITY.items():
        assert_row(cities.loc[key], CITY_FIELDS, exp, str(key))


def test_park_half_assessment_mid_year(runs):
    h = runs["first"]["park_half_assessment"]
    check_parks(h, "half", "2026-H1", H1, "rank_in_region")
    assert set(h["assessment"]) == {"mid_year"}
    assert set(h["window_start"]) == {dt.date(2026, 1, 1)} and set(h["window_end"]) == {dt.date(2026, 6, 30)}
    assert h["outcome"].isna().all()
    # spot checks (STANDARD §8): n = 4 parks with a month in force, k = ceil(0.25 × 4) = 1; every risk
    # weight is 1 (no rebounds, no warnings), so key = u and the park with the largest u is drawn.
    seed = hashlib.sha256(b"2026-H1|IM-ZCP-2026.1").hexdigest()[:16]
    rng = random.Random(int(seed, 16))
    u = {code: rng.random() for code in sorted(H1)}
    drawn = max(u, key=u.get)
    sample = runs["first"]["spot_check_sample"]
    assert list(zip(sample["park_code"], sample["draw_order"], sample["seed"], sample["risk_weight"])) == [(drawn, 1, seed, 1.0)]
    status = dict(zip(h["park_code"], h["spot_check"]))
    assert status == {code: "pending" if code == drawn else "not_sampled" for code in H1}  # no verification file yet


def test_region_half_summary(runs):
    region = runs["first"]["region_half_summary"]
    assert list(region["half"]) == ["2026-H1"]
    assert_row(region.iloc[0], REGION_FIELDS, REGION_H1, "2026-H1")


def test_grade_history_first_run(runs):
    gh = runs["first"]["grade_history"]
    got = sorted(zip(gh["park_code"], gh["level"], gh["period"], gh["grade"], gh["score"]))
    expected = sorted(
        [(code, "quarter", "2026-Q1", e[14], e[13]) for code, e in Q1.items()]
        + [(code, "quarter", "2026-Q2", e[14], e[13]) for code, e in Q2.items()]
        + [(code, "half", "2026-H1", e[14], e[13]) for code, e in H1.items()]
    )
    assert got == expected


def test_resubmission_updates_quarter_and_half_and_appends_history(runs):
    before, after = runs["first"], runs["after"]
    q = after["park_quarter_assessment"]
    check_parks(q, "quarter", "2026-Q1", Q1, "rank_in_city")  # untouched
    check_parks(q, "quarter", "2026-Q2", {**Q2, A.code: A_Q2_NEW}, "rank_in_city")
    check_parks(after["park_half_assessment"], "half", "2026-H1", {**H1, A.code: A_H1_NEW}, "rank_in_region")
    cities = after["city_quarter_summary"].set_index(["league_city_code", "quarter"])
    for key, exp in {**CITY, ("150100", "2026-Q2"): CITY_Q2_HOHHOT_NEW}.items():
        assert_row(cities.loc[key], CITY_FIELDS, exp, str(key))
    assert_row(after["region_half_summary"].iloc[0], REGION_FIELDS, REGION_H1_NEW, "2026-H1")
    # grade_history: the old rows stay, exactly A's Q2 (B 75.0 -> A 85.0) and H1 (B 75.0 -> B 82.5) are added
    old, new = before["grade_history"], after["grade_history"]
    pd.testing.assert_frame_equal(new.iloc[: len(old)].reset_index(drop=True), old.reset_index(drop=True))
    added = new.iloc[len(old):]
    assert sorted(zip(added["park_code"], added["level"], added["period"], added["grade"], added["score"])) == [
        (A.code, "half", "2026-H1", "B", 82.5),
        (A.code, "quarter", "2026-Q2", "A", 85.0),
    ]
    # the sample drawn when the half was first assessed is kept
    pd.testing.assert_frame_equal(after["spot_check_sample"], before["spot_check_sample"])


WHAT_IF_FIELDS = ["grade", "score", "target_grade", "green_share_needed", "extra_green_mwh", "green_reason",
                  "carbon_per_energy_needed", "co2_less_t", "carbon_reason", "reason"]
WHAT_IF_Q1 = {
    # A: B 70.0, target A (85). Green: g(t) = 0 already gives the full 30 -> out_of_range.
    #   Carbon: 30 + 10 + 10 + 40 (3.664 − c) / 3.264 ≥ 84.95 ⇔ 3.664 − c ≥ 34.95 × 3.264 / 40 = 2.85192
    #   ⇔ c ≤ 0.81208 (exactly 84.95 -> 85.0); CO2 less (2.032 − 0.81208) × 900 tce = 1097.928 t
    A.code: ("B", 70.0, "A", NAN, NAN, "out_of_range", 0.81208, 1097.928, None, None),
    # C: B 75.0, target A. Green: 30 + 20 + 10 + 30 s / 0.29 ≥ 84.95 ⇔ s ≥ 24.95 × 0.29 / 30 = 0.2411833…
    #   -> 0.241184 (84.950069 -> 85.0; 0.241183 gives 84.949966 -> 84.9); (0.241184 − 0.145) × 3 000 MWh
    #   = 288.552 MWh. Carbon: 15 + 20 + 10 + 40 (6.34944 − c) / 6.14944 ≥ 84.95 ⇔ 6.34944 − c ≥
    #   39.95 × 6.14944 / 40 = 6.1417532 ⇔ c ≤ 0.2076868 -> 0.207686; (1.73736 − 0.207686) × 900 = 1376.7066 t
    C.code: ("B", 75.0, "A", 0.241184, 288.552, None, 0.207686, 1376.7066, None, None),
    # S: D 44.9, target C (60). No electricity: share NULL scores 0, but any share earns 30 as g(t) = 0,
    #   so 0 is enough (14.885 + 30 + 20 + 10 = 74.9) and no MWh can be named. Carbon: 20 + 10 +
    #   40 (4 − c) / 3.6 ≥ 59.95 ⇔ 4 − c ≥ 29.95 × 3.6 / 40 = 2.6955 ⇔ c ≤ 1.3045;
    #   CO2 less 570.09 − 1.3045 × 214.29 = 570.09 − 279.541305 = 290.548695 t
    S.code: ("D", 44.9, "C", 0.0, NAN, None, 1.3045, 290.548695, None, None),
    # D: 86.7 -> A
    D.code: ("A", 86.7, None, NAN, NAN, "top_grade", NAN, NAN, "top_grade", "top_grade"),
}


def test_park_what_if(runs):
    w = runs["first"]["park_what_if"].set_index(["park_code", "period"])
    assert sorted(set(w.index.get_level_values("period"))) == ["2026-H1", "2026-Q1", "2026-Q2"]
    for code, exp in WHAT_IF_Q1.items():
        assert_row(w.loc[(code, "2026-Q1")], WHAT_IF_FIELDS, exp, f"{code} 2026-Q1")
    # D in Q2 and H1: 86.7 would be A, missing_report holds it at C; the target B is beyond that cap
    for period in ("2026-Q2", "2026-H1"):
        capped = ("C", 86.7, "B", NAN, NAN, "capped:missing_report", NAN, NAN, "capped:missing_report",
                  "capped:missing_report")
        assert_row(w.loc[(D.code, period)], WHAT_IF_FIELDS, capped, f"D {period}")
    # the published grade and score of every row are the assessment's
    for table, col in (("park_quarter_assessment", "quarter"), ("park_half_assessment", "half")):
        published = runs["first"][table].set_index(["park_code", col])[["grade", "score"]]
        pd.testing.assert_frame_equal(w.loc[published.index, ["grade", "score"]], published, check_names=False)
    # after A's June resubmission its Q2 is A: nothing better to reach
    after = runs["after"]["park_what_if"].set_index(["park_code", "period"])
    assert_row(after.loc[(A.code, "2026-Q2")], ["grade", "target_grade", "reason"], ("A", None, "top_grade"), "A 2026-Q2")


def test_unchanged_rerun_appends_nothing_and_rewrites_the_same_rows(runs):
    after, unchanged = runs["after"], runs["unchanged"]
    dumps_after, dumps_unchanged = runs["dumps_after"], runs["dumps_unchanged"]
    pd.testing.assert_frame_equal(unchanged["grade_history"], after["grade_history"])
    for table in ASSESSMENT_TABLES:
        pd.testing.assert_frame_equal(dumps_unchanged[table], dumps_after[table], obj=table)
