"""An explanation's newer lines: validation warnings among the inputs, the half's spot checks among
the caps, the rank and year-end outcome, the special fund's projects, and the factors of a window
whose months were computed under more than one rulebook."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.domain.explain import COLUMNS, ExplainInputs, explain, records, ref_rows
from zc_pipeline_tests.domain.frames import STD, month, park

CODE = "150100001"
REGISTRY_FILE = ("registry/parks.csv", "a0" * 32)
RULEBOOK_FILE = ("zc_pipeline/standards/IM-ZCP-2026.1.yaml", "b1" * 32)
VERIFICATION_FILE = ("landing/verifications/2026-H1.csv", "c3" * 32)
OLD = STD.version  # IM-ZCP-2026.1

# A later rulebook, in force from 2026-06-01: calorific electricity and a new grid factor.
NEW_STD = dataclasses.replace(
    STD,
    version="IM-ZCP-2026.2",
    effective_from=dt.date(2026, 6, 1),
    entries={
        **STD.entries,
        "electricity_convention": {"key": "electricity_convention", "value": "calorific", "unit": "",
                                   "source": "notice 2026: 当量值"},
        "co2.grid_electricity": {"key": "co2.grid_electricity", "value": 0.5703, "unit": "tCO2/MWh",
                                 "source": "MEE/NBS 2024 national factor"},
    },
)
NEW_FILE = ("standards/IM-ZCP-2026.2.yaml", "d4" * 32)


def sha_of(m: str) -> str:
    """The SHA-256 of a month's file: its two month digits, 32 times."""
    return m[-2:] * 32


def file_of(m: str) -> str:
    return f"landing/monthly/{m}/{CODE}.xlsx"


def park_month(months: list[str], versions: dict[str, str] | None = None, **per_month) -> pd.DataFrame:
    """park_month rows of CODE for these months (carbon per energy 0.4 throughout: no rebound)."""
    rows = [
        month(CODE, m, green_share=0.5, retrofit_rate=None, carbon_per_value_added=None, co2_reporting_gap=None,
              source_sha256=sha_of(m), standard_version=(versions or {}).get(m, OLD), **per_month.get(m, {}))
        for m in months
    ]
    return pd.DataFrame(rows)


def submissions(months: list[str]) -> dict[str, dict]:
    return {
        f"{CODE}|{m}": {"submission_id": f"{CODE}|{m}", "source_file": file_of(m), "source_sha256": sha_of(m),
                        "source_row": None, "on_time": True, "submitted_on": p.month_end(m) + dt.timedelta(days=5)}
        for m in months
    }


def assessment(period: str, **kw) -> dict:
    """A full-marks row of a window whose every month reported 1000 tce and 400 tCO2, on time."""
    n = len(p.score_window(period))
    return {
        "park_code": CODE, "months_expected": n, "months_reported": n, "months_on_time": n,
        "energy_tce": 1000.0 * n, "co2_t": 400.0 * n, "carbon_per_energy": 0.4, "green_share": 0.5,
        "green_target_at_end": 0.45, "retrofit_rate": None, "score_carbon": 40.0, "score_green": 30.0,
        "score_retrofit": 20.0, "score_reporting": 10.0, "score": 100.0, "grade": "A", "grade_cap": None,
        "spot_check": "not_sampled", "rank_in_region": 1, "outcome": None, "standard_version": OLD,
    } | kw


def inputs(period: str, *, std=STD, standard_file=RULEBOOK_FILE, months: list[str] | None = None,
           versions: dict[str, str] | None = None, per_month: dict | None = None, **kw) -> ExplainInputs:
    months = p.score_window(period) if months is None else months
    return ExplainInputs(
        park=park(CODE), period=period, std=std, ref_standard=std.to_frame(),
        month_rows={r["period"]: r for r in records(park_month(months, versions, **(per_month or {})))},
        submissions=submissions(months),
        values={}, registry_file=REGISTRY_FILE, standard_file=standard_file, **{"rebounds": [], **kw},
    )


def section(lines: pd.DataFrame, name: str) -> pd.DataFrame:
    """The section's lines, NULL cells as None (a frame may hold them as NaN)."""
    got = lines[lines["section"] == name].reset_index(drop=True).astype(object)
    return got.where(got.notna(), None)


def one(lines: pd.DataFrame, item: str) -> dict:
    hit = lines[lines["item"] == item]
    assert len(hit) == 1, f"{item}: {len(hit)} lines"
    return hit.iloc[0].to_dict()


def spot_check_row(period: str, co2_t, verified: float, discrepancy, result, sampled: bool, line: int) -> dict:
    return {"half": "2026-H1", "park_code": CODE, "period": period, "sampled": sampled, "co2_t": co2_t,
            "reported_co2_t": None, "verified_co2_t": verified, "discrepancy": discrepancy, "result": result,
            "source_file": VERIFICATION_FILE[0], "source_sha256": VERIFICATION_FILE[1], "source_row": line,
            "standard_version": OLD}


# --- (1) spot checks -----------------------------------------------------------------------------
def test_a_failed_spot_check_on_a_sampled_month_is_traced_to_the_verification_file_among_the_caps():
    # 2026-03: computed 115 tCO2 (287.5 tce × 0.4), the experts measured 100:
    # |115 − 100| / 100 = 0.15 > limit 0.1 → fail; the park was sampled, so the cap applies: D.
    # 2026-06: no submission in force when verified: nothing to compare.
    checks = [
        spot_check_row("2026-03", 115.0, 100.0, 0.15, "fail", True, 4),
        spot_check_row("2026-06", math.nan, 380.0, math.nan, None, True, 5),
    ]
    inp = inputs("2026-H1", per_month={"2026-03": {"energy_tce": 287.5, "co2_t": 115.0}},
                 assessment=assessment("2026-H1", energy_tce=5287.5, co2_t=2115.0, spot_check="fail",
                                       grade="D", grade_cap="D"),
                 spot_checks=checks)
    lines = explain(inp)
    assert list(lines.columns) == COLUMNS
    caps = section(lines, "caps")
    assert caps["item"].tolist() == [
        "cap.no_report", "cap.spot_check_failed", "cap.missing_report", "cap.rebound_unrectified",
        "spot_check.discrepancy_limit", "spot check 2026-03", "spot check 2026-06", "grade_cap",
    ]
    assert one(caps, "cap.spot_check_failed")["value"] == "applies"
    assert one(caps, "cap.spot_check_failed")["note_en"] == (
        "a sampled month of the half failed verification: holds; grade at most D")

    limit = one(caps, "spot_check.discrepancy_limit")
    assert (limit["value"], limit["unit"], limit["source_file"], limit["source_sha256"], limit["standard_version"]) == (
        "0.1", "fraction", RULEBOOK_FILE[0], RULEBOOK_FILE[1], OLD)
    assert limit["note_zh"] == "核验偏差上限。来源：STANDARD §8"
    assert limit["note_en"] == "verification discrepancy limit; source: STANDARD §8"

    check = one(caps, "spot check 2026-03")
    assert check["value"] == "fail"
    assert check["unit"] is None
    assert (check["source_file"], check["source_sha256"], check["row"]) == (
        "landing/verifications/2026-H1.csv", "c3" * 32, 4)
    assert check["sheet"] is None and check["column"] is None
    assert check["note_en"] == (
        "experts verified 100 tCO2, computed 115 tCO2; discrepancy 0.15 vs limit 0.1; sampled")
    assert check["note_zh"] == "专家核验 100 tCO2，计算 115 tCO2；偏差 0.15，限值 0.1；抽中"

    blank = one(caps, "spot check 2026-06")
    assert blank["value"] is None
    assert blank["row"] == 5
    # nothing computed for a month without a submission in force: no computed figure is quoted
    assert blank["note_en"] == "experts verified 380 tCO2; cannot be compared (no submission in force); sampled"
    assert blank["note_zh"] == "专家核验 380 tCO2；无法比较（当月无有效报送）；抽中"

    assert one(caps, "grade_cap")["value"] == "D"
    grade = section(lines, "grade")
    assert grade["value"].tolist() == ["A", "D"]  # uncapped A (100 points), published D


def test_a_spot_check_of_a_park_not_sampled_is_listed_but_changes_no_grade():
    # 2026-02: computed 120, verified 100: |120 − 100| / 100 = 0.2 > 0.1 → fail, but not drawn.
    # 2026-05: computed 400, verified 380: 20 / 380 = 0.0526315… → 0.052632 (6 decimals) → pass.
    checks = [
        spot_check_row("2026-02", 120.0, 100.0, 0.2, "fail", False, 2),
        spot_check_row("2026-05", 400.0, 380.0, 20 / 380, "pass", False, 3),
    ]
    lines = explain(inputs("2026-H1", assessment=assessment("2026-H1"), spot_checks=checks))
    caps = section(lines, "caps")
    assert one(caps, "cap.spot_check_failed")["value"] == "does not apply"
    failed = one(caps, "spot check 2026-02")
    assert failed["value"] == "fail"
    assert failed["row"] == 2
    assert failed["note_en"] == (
        "experts verified 100 tCO2, computed 120 tCO2; discrepancy 0.2 vs limit 0.1; not sampled: changes no grade")
    assert failed["note_zh"] == "专家核验 100 tCO2，计算 120 tCO2；偏差 0.2，限值 0.1；未抽中，不影响等级"
    passed = one(caps, "spot check 2026-05")
    assert passed["value"] == "pass"
    assert passed["note_en"] == (
        "experts verified 380 tCO2, computed 400 tCO2; discrepancy 0.052632 vs limit 0.1; not sampled: changes no grade")
    assert one(caps, "grade_cap")["value"] is None
    assert section(lines, "grade")["value"].tolist() == ["A", "A"]


def test_a_half_without_spot_check_rows_has_no_discrepancy_limit_line():
    for checks in (None, []):
        caps = section(explain(inputs("2026-H1", assessment=assessment("2026-H1"), spot_checks=checks)), "caps")
        assert caps["item"].tolist() == [
            "cap.no_report", "cap.spot_check_failed", "cap.missing_report", "cap.rebound_unrectified", "grade_cap",
        ]


# --- (2) validation warnings ---------------------------------------------------------------------
def test_a_validation_warning_follows_its_months_input_values_with_its_place_and_both_messages():
    months = ["2026-01", "2026-02", "2026-03"]
    sid = f"{CODE}|2026-02"
    values = {sid: [
        {"submission_id": sid, "field": "grid_electricity_mwh", "value_as_written": "150", "unit_as_written": "万kWh",
         "canonical_value": 1500.0, "sheet": "月报", "row": 5, "column": "C"},  # 150 万kWh × 10 = 1500 MWh
        {"submission_id": sid, "field": "raw_coal_t", "value_as_written": "200", "unit_as_written": None,
         "canonical_value": 200.0, "sheet": "月报", "row": 6, "column": "C"},
    ]}
    warning = {"submission_id": sid, "period": "2026-02", "source_file": file_of("2026-02"),
               "source_sha256": sha_of("2026-02"), "sheet": "月报", "row": 5, "column": "C", "value": "150",
               "severity": "warning", "rule_id": "W001",
               "message_zh": "较上月有效数据增长超过 10 倍", "message_en": "more than 10x the previous month in force"}
    unplaced = warning | {"rule_id": "W003", "sheet": math.nan, "row": math.nan, "column": None, "value": "900",
                          "message_zh": "自报排放与计算值相差超过 10%", "message_en": "reported CO2 more than 10% from computed"}
    elsewhere = warning | {"submission_id": f"{CODE}|2025-12", "rule_id": "W002"}  # not one of the window's
    inp = inputs("2026-Q1", months=months, assessment=assessment("2026-Q1"),
                 warnings={sid: [warning, unplaced], elsewhere["submission_id"]: [elsewhere]})
    inp.values = values
    got = section(explain(inp), "inputs")
    assert got["item"].tolist() == [
        "2026-01 submission",
        "2026-02 submission", "2026-02 grid_electricity_mwh", "2026-02 raw_coal_t",
        "2026-02 warning W001", "2026-02 warning W003",
        "2026-03 submission",
    ]
    w = one(got, "2026-02 warning W001")
    assert (w["value"], w["unit"], w["source_file"], w["source_sha256"], w["sheet"], w["row"], w["column"]) == (
        "150", None, "landing/monthly/2026-02/150100001.xlsx", "02" * 32, "月报", 5, "C")
    assert w["note_zh"] == "校验警告（数据已接受）：较上月有效数据增长超过 10 倍"
    assert w["note_en"] == "validation warning (data accepted): more than 10x the previous month in force"
    assert w["standard_version"] == OLD
    u = one(got, "2026-02 warning W003")
    assert (u["value"], u["sheet"], u["row"], u["column"]) == ("900", None, None, None)
    assert u["source_file"] == "landing/monthly/2026-02/150100001.xlsx"
    assert u["note_en"] == "validation warning (data accepted): reported CO2 more than 10% from computed"
    # the value's own line is unchanged by the warning
    v = one(got, "2026-02 grid_electricity_mwh")
    assert (v["value"], v["unit"], v["row"], v["column"]) == ("150", "万kWh", 5, "C")
    assert v["note_en"] == "as written (unit as written); canonical 1500 MWh"


# --- (3) rank and year-end outcome ---------------------------------------------------------------
OUTCOME_REFS = [
    ("outcome.remove_grade", "D", "grade"),
    ("outcome.nominate_grade", "A", "grade"),
    ("outcome.max_nominations", "5", "parks/year"),
]


def year_end(**kw) -> pd.DataFrame:
    quarter_grades = kw.pop("quarter_grades", None)
    return section(explain(inputs("2026-H2", assessment=assessment("2026-H2", **kw),
                                  quarter_grades=quarter_grades)), "outcome")


def test_a_park_removed_at_year_end_lists_the_quarter_grades_of_the_half():
    # year-end grade C, but D in both 2026-Q3 and 2026-Q4 → removed
    got = year_end(score=65.0, grade="C", rank_in_region=17, outcome="remove_from_list",
                   quarter_grades={"2026-Q3": "D", "2026-Q4": "D"})
    assert got["item"].tolist() == ["rank_in_region", *[k for k, _, _ in OUTCOME_REFS], "outcome"]
    rank = one(got, "rank_in_region")
    assert (rank["value"], rank["unit"], rank["source_file"]) == ("17", None, None)
    assert rank["note_en"] == "rank region-wide by the rounded score (equal scores share a rank)"
    for key, value, unit in OUTCOME_REFS:
        line = one(got, key)
        assert (line["value"], line["unit"], line["source_file"]) == (value, unit, RULEBOOK_FILE[0])
    outcome = one(got, "outcome")
    assert outcome["value"] == "remove_from_list"
    assert outcome["note_en"] == (
        "year-end grade C, or D in both quarters of the half (2026-Q3 D, 2026-Q4 D) → removed")
    assert outcome["note_zh"] == "年终等级 C，或下半年两个季度均为 D（2026-Q3 D，2026-Q4 D）→ 移出"


def test_a_park_removed_for_its_year_end_grade_d():
    got = year_end(score=40.0, grade="D", rank_in_region=30, outcome="remove_from_list",
                   quarter_grades={"2026-Q3": "C", "2026-Q4": "D"})
    assert one(got, "outcome")["note_en"] == (
        "year-end grade D, or D in both quarters of the half (2026-Q3 C, 2026-Q4 D) → removed")


def test_a_park_kept_at_year_end_names_its_grade_and_quarters_a_missing_quarter_as_none():
    got = year_end(score=75.0, grade="B", rank_in_region=8, outcome="keep", quarter_grades={"2026-Q3": "C"})
    outcome = one(got, "outcome")
    assert outcome["value"] == "keep"
    assert outcome["note_en"] == (
        "year-end grade B; quarters 2026-Q3 C, 2026-Q4 none: neither removed nor nominated → kept")
    assert outcome["note_zh"] == "年终等级 B；季度等级 2026-Q3 C，2026-Q4 无：既不移出也未推荐 → 保留"


def test_a_nominated_park_names_its_score_and_the_nomination_limit():
    got = year_end(score=91.5, grade="A", rank_in_region=2, outcome="nominate_national",
                   quarter_grades={"2026-Q3": "A", "2026-Q4": "B"})
    assert one(got, "rank_in_region")["value"] == "2"
    outcome = one(got, "outcome")
    assert outcome["value"] == "nominate_national"
    assert outcome["note_en"] == "year-end grade A, not national, score 91.5 among the region's best 5 → nominated"
    assert outcome["note_zh"] == "年终等级 A、非国家级、得分 91.5 位列全区前 5 名 → 推荐"


def test_a_park_not_on_the_list_has_no_year_end_outcome():
    got = year_end(score=88.0, grade="A", rank_in_region=4, outcome=None,
                   quarter_grades={"2026-Q3": "A", "2026-Q4": "A"})
    outcome = one(got, "outcome")
    assert outcome["value"] is None
    assert outcome["note_en"] == "not on the cultivation list: no year-end outcome"
    assert outcome["note_zh"] == "不在培育名单：无年终结果"


def test_a_mid_year_half_has_its_rank_but_no_outcome_and_a_quarter_neither():
    lines = explain(inputs("2026-H1", assessment=assessment("2026-H1", rank_in_region=3)))
    got = section(lines, "outcome")
    assert got["item"].tolist() == ["rank_in_region"]
    assert got["value"].tolist() == ["3"]
    # the outcome section comes right after the grade
    assert lines["section"].tolist()[-3:] == ["grade", "grade", "outcome"]
    quarter = explain(inputs("2026-Q1", assessment=assessment("2026-Q1")))
    assert not quarter["section"].isin(["outcome", "funding"]).any()


# --- (4) special fund ----------------------------------------------------------------------------
def test_funding_lines_give_each_project_its_allocation_basis_rate_priority_and_budget_left():
    # P-001: investment 20 000 000 yuan × rate 0.3 (grade A) = 6 000 000 ≤ project cap 20 000 000;
    # first in priority, so the whole 2026 budget 240 000 000 is left before it → allocated 6 000 000.
    # P-002: type not covered → not eligible, 0 yuan.
    funding = [
        {"year": "2026", "project_id": "P-001", "park_code": CODE, "project_type": "green_direct_supply",
         "investment_yuan": 20_000_000.0, "basis_half": "2026-H1", "grade": "A", "score": 100.0, "eligible": True,
         "reason": "eligible", "rate": 0.3, "requested_yuan": 6_000_000.0, "allocated_yuan": 6_000_000.0,
         "priority": 1.0, "standard_version": OLD, "budget_yuan": 240_000_000, "budget_left_yuan": 240_000_000},
        {"year": "2026", "project_id": "P-002", "park_code": CODE, "project_type": "other",
         "investment_yuan": 5_000_000.0, "basis_half": "2026-H1", "grade": "A", "score": 100.0, "eligible": False,
         "reason": "type_not_covered", "rate": math.nan, "requested_yuan": math.nan, "allocated_yuan": 0.0,
         "priority": math.nan, "standard_version": OLD, "budget_yuan": 240_000_000,
         "budget_left_yuan": 234_000_000},
    ]
    lines = explain(inputs("2026-H1", assessment=assessment("2026-H1"), funding=funding))
    got = section(lines, "funding")
    assert got["item"].tolist() == ["project P-001", "project P-002"]
    assert lines["section"].tolist()[-2:] == ["funding", "funding"]  # the last section
    eligible = one(got, "project P-001")
    assert (eligible["value"], eligible["unit"], eligible["standard_version"]) == ("6000000", "yuan", OLD)
    assert eligible["note_en"] == (
        "2026 project, basis 2026-H1 grade A, rate 0.3; requested 6000000 yuan; priority 1, "
        "budget left before it 240000000 of 240000000 yuan")
    assert eligible["note_zh"] == (
        "2026 年项目，依据 2026-H1 等级 A，比例 0.3；申请 6000000 元；优先序 1，此前预算余额 240000000 / 240000000 元")
    refused = one(got, "project P-002")
    assert (refused["value"], refused["unit"]) == ("0", "yuan")
    assert refused["note_en"] == "2026 project, not eligible: type_not_covered (basis 2026-H1 grade A)"
    assert refused["note_zh"] == "2026 年项目，不予支持：type_not_covered（依据 2026-H1 等级 A）"


def test_a_year_end_half_lists_its_funding_after_the_outcome():
    funding = [{"year": "2027", "project_id": "P-9", "park_code": CODE, "basis_half": "2026-H2", "grade": "C",
                "eligible": False, "reason": "grade_too_low", "rate": None, "requested_yuan": None,
                "allocated_yuan": 0, "priority": None, "standard_version": "IM-ZCP-2026.1",
                "budget_yuan": None, "budget_left_yuan": None}]
    lines = explain(inputs("2026-H2", assessment=assessment("2026-H2", grade="C", outcome="keep"),
                           quarter_grades={"2026-Q3": "C", "2026-Q4": "C"}, funding=funding))
    tail = lines.tail(2)
    assert tail["section"].tolist() == ["outcome", "funding"]
    assert tail["note_en"].iloc[1] == "2027 project, not eligible: grade_too_low (basis 2026-H2 grade C)"


# --- (5) factors per rulebook version ------------------------------------------------------------
# The window's own rulebook (IM-ZCP-2026.1, equivalent convention): one line per key, in carrier order,
# a key two carriers share once (green direct and on-site both read tce.electricity.equivalent and
# co2.green_electricity).
FACTORS_OLD = [
    ("electricity_convention", "equivalent", None),
    ("tce.electricity.equivalent", "0.3", "tce/MWh"),
    ("co2.grid_electricity", "0.6096", "tCO2/MWh"),
    ("co2.green_electricity", "0", "tCO2/MWh"),
    ("tce.raw_coal", "0.7143", "tce/t"),
    ("co2.raw_coal", "1.9003", "tCO2/t"),
    ("tce.natural_gas", "13.3", "tce/10^4 m3"),
    ("co2.natural_gas", "21.622", "tCO2/10^4 m3"),
    ("tce.diesel", "1.4571", "tce/t"),
    ("co2.diesel", "3.0959", "tCO2/t"),
    ("tce.gasoline", "1.4714", "tce/t"),
    ("co2.gasoline", "2.9251", "tCO2/t"),
    ("tce.purchased_heat", "0.03412", "tce/GJ"),
    ("co2.purchased_heat", "0.11", "tCO2/GJ"),
]
# IM-ZCP-2026.2: calorific electricity (0.1229 tce/MWh) and grid factor 0.5703, the rest as before.
FACTORS_NEW = [
    ("electricity_convention", "calorific", None),
    ("tce.electricity.calorific", "0.1229", "tce/MWh"),
    ("co2.grid_electricity", "0.5703", "tCO2/MWh"),
    *FACTORS_OLD[3:],
]


def factor_lines(lines: pd.DataFrame) -> pd.DataFrame:
    return section(lines, "factors")


def test_a_quarter_computed_under_its_own_rulebook_gives_one_set_of_factors_without_version_notes():
    for kw in ({}, {"month_books": {"IM-ZCP-2025.9": ({}, None)}}):  # a book no month used changes nothing
        got = factor_lines(explain(inputs("2026-Q1", assessment=assessment("2026-Q1"), **kw)))
        assert list(zip(got["item"], got["value"], got["unit"])) == FACTORS_OLD
        assert set(got["source_file"]) == {RULEBOOK_FILE[0]}
        assert set(got["source_sha256"]) == {RULEBOOK_FILE[1]}
        assert set(got["standard_version"]) == {OLD}
        first = got.iloc[0]
        assert first["note_zh"] == "电力折标口径。来源：choice: 等价值 (equivalent) or 当量值 (calorific)"
        assert first["note_en"] == (
            "electricity conversion convention; source: choice: 等价值 (equivalent) or 当量值 (calorific)")
        assert got.iloc[2]["note_en"] == (
            "CO2 emission factor; source: choice: MEE/NBS 2023 national factor excluding market-traded non-fossil "
            "power (published 2025); IM provincial 0.6479 is the alternative")
        assert got.iloc[1]["note_zh"] == "折标准煤系数。来源：choice: 等价值, ~300 gce/kWh average thermal supply coal use"
        assert not got["note_en"].str.contains("computed under").any()
        assert not got["note_zh"].str.contains("计算；").any()


def test_a_quarter_without_any_month_in_force_gives_the_windows_factors():
    got = factor_lines(explain(inputs("2026-Q1", months=[])))
    assert list(zip(got["item"], got["value"], got["unit"])) == FACTORS_OLD
    assert not got["note_en"].str.contains("computed under").any()


def test_a_quarter_whose_months_were_computed_under_two_rulebooks_gives_each_ones_factors_and_file():
    # 2026-Q2 is scored under IM-ZCP-2026.2 (in force on 2026-06-30); 2026-04 and 2026-05 were computed
    # under IM-ZCP-2026.1 (in force on their first days), 2026-06 under IM-ZCP-2026.2.
    inp = inputs("2026-Q2", std=NEW_STD, standard_file=NEW_FILE, assessment=assessment("2026-Q2"),
                 versions={"2026-04": OLD, "2026-05": OLD, "2026-06": NEW_STD.version},
                 month_books={OLD: (ref_rows(STD.to_frame()), RULEBOOK_FILE)})
    got = factor_lines(explain(inp))
    assert list(zip(got["item"], got["value"], got["unit"], got["standard_version"])) == [
        *[(*f, OLD) for f in FACTORS_OLD], *[(*f, "IM-ZCP-2026.2") for f in FACTORS_NEW]]
    old, new = got.iloc[:len(FACTORS_OLD)], got.iloc[len(FACTORS_OLD):]
    assert set(zip(old["source_file"], old["source_sha256"])) == {RULEBOOK_FILE}
    assert set(zip(new["source_file"], new["source_sha256"])) == {NEW_FILE}
    assert old.iloc[0]["note_en"] == (
        "2026-04–2026-05 computed under IM-ZCP-2026.1; electricity conversion convention; "
        "source: choice: 等价值 (equivalent) or 当量值 (calorific)")
    assert old.iloc[0]["note_zh"] == (
        "2026-04–2026-05 按 IM-ZCP-2026.1 计算；电力折标口径。来源：choice: 等价值 (equivalent) or 当量值 (calorific)")
    assert new.iloc[0]["note_en"] == (
        "2026-06 computed under IM-ZCP-2026.2; electricity conversion convention; source: notice 2026: 当量值")
    assert new.iloc[2]["note_en"] == (
        "2026-06 computed under IM-ZCP-2026.2; CO2 emission factor; source: MEE/NBS 2024 national factor")
    assert new.iloc[1]["note_zh"] == "2026-06 按 IM-ZCP-2026.2 计算；折标准煤系数。来源：GB/T 2589 当量值"
    assert old["note_en"].str.startswith("2026-04–2026-05 computed under IM-ZCP-2026.1; ").all()
    assert new["note_en"].str.startswith("2026-06 computed under IM-ZCP-2026.2; ").all()
    # the rest of the explanation (thresholds, caps) reads the window's own rulebook file
    thresholds = section(explain(inp), "thresholds")
    assert set(thresholds["standard_version"]) == {"IM-ZCP-2026.2"}
    assert set(thresholds["source_file"]) == {None, NEW_FILE[0]}  # None: the derived annualised energy
    assert one(thresholds, "threshold.regional")["source_file"] == NEW_FILE[0]


def test_a_quarter_whose_months_all_used_an_older_rulebook_lists_only_that_one_with_its_months():
    # 2026-Q3 is scored under IM-ZCP-2026.3 (in force from 2026-09-01); 2026-07 and 2026-08 were
    # computed under IM-ZCP-2026.2, and 2026-09, the one month 2026.3 would have computed, is missing
    later = dataclasses.replace(NEW_STD, version="IM-ZCP-2026.3", effective_from=dt.date(2026, 9, 1))
    inp = inputs("2026-Q3", std=later, standard_file=("standards/IM-ZCP-2026.3.yaml", "e5" * 32),
                 months=["2026-07", "2026-08"], versions={m: NEW_STD.version for m in ("2026-07", "2026-08")},
                 month_books={NEW_STD.version: (ref_rows(NEW_STD.to_frame()), NEW_FILE)})
    got = factor_lines(explain(inp))
    assert list(zip(got["item"], got["value"])) == [(i, v) for i, v, _ in FACTORS_NEW]
    assert set(got["standard_version"]) == {"IM-ZCP-2026.2"}
    assert set(got["source_file"]) == {NEW_FILE[0]}
    assert got["note_en"].str.startswith("2026-07–2026-08 computed under IM-ZCP-2026.2; ").all()
