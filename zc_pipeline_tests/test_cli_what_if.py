"""`zc what-if PARK PERIOD`: the park_what_if row in plain words, zh and en; a failure is one line."""
from __future__ import annotations

import math

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.cli import main
from zc_pipeline.warehouse.engine import create_all, make_engine
from zc_pipeline.warehouse.writer import replace_partition
from zc_pipeline_tests.test_cli import OTHER, PARK, no_zc_env  # noqa: F401  (no_zc_env is a fixture)

NAN = math.nan
# The four-park region's national park in 2026-Q1 (pipeline/test_assessment_dagster.py works it out):
# B 75.0; green 0.145 → 0.241184 (+288.552 MWh); carbon 1.73736 → 0.207686 (−1376.7066 t)
LEVERS = dict(grade="B", score=75.0, target_grade="A", green_share=0.145, green_share_needed=0.241184,
              extra_green_mwh=288.552, green_reason=None, carbon_per_energy=1.73736,
              carbon_per_energy_needed=0.207686, co2_less_t=1376.7066, carbon_reason=None, reason=None)
CAPPED = dict(grade="C", score=86.7, target_grade="B", green_share=0.1, green_share_needed=NAN,
              extra_green_mwh=NAN, green_reason="capped:missing_report", carbon_per_energy=1.8288,
              carbon_per_energy_needed=NAN, co2_less_t=NAN, carbon_reason="capped:missing_report",
              reason="capped:missing_report")
# A park without electricity or energy: the needed values stand, no MWh or tonnes can be named;
# its green share is out of range
NO_ENERGY = dict(grade="D", score=44.9, target_grade="C", green_share=NAN, green_share_needed=NAN,
                 extra_green_mwh=NAN, green_reason="out_of_range", carbon_per_energy=NAN,
                 carbon_per_energy_needed=1.3045, co2_less_t=NAN, carbon_reason=None, reason=None)
TOP = dict(grade="A", score=86.7, target_grade=None, green_share=0.1, green_share_needed=NAN, extra_green_mwh=NAN,
           green_reason="top_grade", carbon_per_energy=1.8288, carbon_per_energy_needed=NAN, co2_less_t=NAN,
           carbon_reason="top_grade", reason="top_grade")


def _warehouse(tmp_path, rows: dict[tuple[str, str], dict]) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'state' / 'warehouse.sqlite'}")
    create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO dim_park (park_code) VALUES (:p)"), {"p": PARK})
    frame = pd.DataFrame([{"park_code": code, "period": period, **values, "run_id": "r",
                           "standard_version": "IM-ZCP-2026.1"} for (code, period), values in rows.items()])
    for period in frame["period"].unique():
        replace_partition(engine, "park_what_if", frame[frame["period"] == period], {"period": period})
    engine.dispose()


def test_both_levers_in_english_and_chinese(tmp_path, no_zc_env, capsys):
    _warehouse(tmp_path, {(PARK, "2026-Q1"): LEVERS})
    assert main(["what-if", PARK, "2026-Q1", "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{PARK} 2026-Q1 — published B (75.0), next better grade A — IM-ZCP-2026.1",
        "  green share 14.5000% → 24.1184% reaches A: 288.6 MWh more green electricity over the window",
        "  carbon per energy 1.737360 → 0.207686 tCO2/tce or lower reaches A: 1,376.7 t less CO2 over the window",
    ]
    assert main(["what-if", PARK, "2026-Q1", "--lang", "zh"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{PARK} 2026-Q1 — 已发布等级 B（75.0 分），下一等级 A — IM-ZCP-2026.1",
        "  绿电占比 14.5000% → 24.1184% 即可达到 A，即窗口内增加绿电 288.6 MWh",
        "  单位能耗碳排放 1.737360 → 0.207686 tCO2/tce 及以下即可达到 A，即窗口内少排 CO2 1,376.7 t",
    ]
    assert main(["what-if", PARK, "2026-Q1"]) == 0  # both: each line in Chinese, then in English
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 6 and out[0].endswith("（75.0 分），下一等级 A — IM-ZCP-2026.1") and out[1].endswith("next better grade A — IM-ZCP-2026.1")


def test_capped_top_grade_and_no_energy(tmp_path, no_zc_env, capsys):
    _warehouse(tmp_path, {(PARK, "2026-Q2"): CAPPED, (PARK, "2026-H1"): TOP, (PARK, "2025-H2"): NO_ENERGY})
    assert main(["what-if", PARK, "2026-Q2", "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{PARK} 2026-Q2 — published C (86.7), next better grade B — IM-ZCP-2026.1",
        "  capped: missing_report (some expected months were not reported) keeps the grade below B; "
        "no single lever lifts it",
    ]
    assert main(["what-if", PARK, "2026-H1", "--lang", "zh"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{PARK} 2026-H1 — 已发布等级 A（86.7 分） — IM-ZCP-2026.1",
                                                    "  A 已是最高等级"]
    assert main(["what-if", PARK, "2025", "--lang", "en"]) == 0  # a year is its year-end assessment H2
    assert capsys.readouterr().out.splitlines() == [
        "2025: the year-end assessment 2025-H2, scored over Jan-Dec / 2025 年终考核即 2025-H2（1–12 月）",
        f"{PARK} 2025-H2 — published D (44.9), next better grade C — IM-ZCP-2026.1",
        "  green share —: out of range, not even 100% reaches C",
        "  carbon per energy — → 1.304500 tCO2/tce or lower reaches C (no energy in the window: no tonnes to name)",
    ]


def test_failures_are_one_line(tmp_path, no_zc_env, capsys):
    assert main(["what-if", PARK, "2026-Q1"]) == 2  # no warehouse yet
    assert capsys.readouterr().err.startswith("zc what-if: no warehouse at ")
    _warehouse(tmp_path, {(PARK, "2026-Q1"): LEVERS})
    cases = {
        ("2026-03",): "zc what-if: what-if is for an assessed window, and 2026-03 is a month: write YYYY-Qn, "
                      "YYYY-H1, YYYY-H2 or YYYY / what-if 需要考核窗口（季度或半年），2026-03 是月份",
        ("2026-Q2",): f"zc what-if: {PARK} has no assessment for 2026-Q2: the window is not assessed yet (its last "
                      "month's deadline has not passed, or `zc run` has not run it) or the park was enrolled after "
                      f"it / {PARK} 在 2026-Q2 没有考核结果（窗口尚未考核，或园区在窗口结束后才纳入）",
    }
    for (period,), message in cases.items():
        assert main(["what-if", PARK, period]) == 2
        assert capsys.readouterr().err.splitlines() == [message]
    assert main(["what-if", OTHER, "2026-Q1"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"zc what-if: park {OTHER} is not among the warehouse's parks (dim_park): check the code / "
        f"园区 {OTHER} 不在数据仓库的园区表中，请核对园区代码"]
