"""W001: a carrier more than 10x or less than 0.1x the previous month in force."""
from __future__ import annotations

import pytest

import pandas as pd

from zc_pipeline.intake.month_over_month import month_over_month_warnings
from zc_pipeline_tests.intake.intake_builders import GOOD_ENERGY, build_workbook

CARRIERS = ["grid_electricity_mwh", "green_direct_mwh", "green_onsite_mwh",
            "green_certificate_mwh", "raw_coal_t", "natural_gas_10k_m3", "diesel_t",
            "gasoline_t", "purchased_heat_gj"]


def frame(rows):
    return pd.DataFrame([{"park_code": p, "period": m, "submission_id": s,
                          **dict(zip(CARRIERS, q)), "value_added_10k_yuan": va}
                         for p, m, s, q, va in rows])


#                 grid  direct onsite cert  coal  gas diesel gasoline heat
MARCH = [("A", "2026-03", "sA3", (1000, 0, 50, 100, 500, 0, 2, 1, 300), 5000),
         ("B", "2026-03", "sB3", (1000, 0, 0, 0, 0, 0, 0, 0, 0), 1),
         ("C", "2026-03", "sC3", (1000, 0, 0, 0, 0, 0, 0, 0, 0), 1)]
PREVIOUS = [("A", "2026-02", "sA2", (50, 10, 500, 5, 6000, 7, 0, 1, 30), 1),
            ("C", "2026-01", "sC1", (1, 0, 0, 0, 0, 0, 0, 0, 0), 1)]  # not m-1: ignored


def test_ratios_outside_the_band_warn_once_per_carrier(std):
    out = month_over_month_warnings(frame(MARCH), frame(PREVIOUS), std)
    # grid 1000/50 = 20 > 10; certificates 100/5 = 20 > 10; coal 500/6000 = 0.083 < 0.1.
    # Not flagged: direct 0 now and gas 0 now (skipped), diesel 0 before (skipped),
    # onsite 50/500 = 0.1 and heat 300/30 = 10 (on the band's edges), gasoline 1/1,
    # value added 5000/1 (not a carrier); parks B (no previous) and C (previous is January).
    assert list(out["value"]) == ["1000", "100", "500"]
    assert set(out["submission_id"]) == {"sA3"}
    assert (out["rule_id"] == "W001").all() and (out["severity"] == "warning").all()
    assert out["sheet"].isna().all() and out["row"].isna().all()
    assert "20" in out.iloc[0]["message_en"] and "0.08" in out.iloc[2]["message_zh"]


def test_points_to_the_written_cell_when_values_are_given(month_dir, parse, std):
    feb = parse(build_workbook(month_dir.parent / "2026-02" / "feb.xlsx", info={"报告期": "2026-02"}),
                folder_month="2026-02")
    energy = [("电网购电", "kWh", 30_000_000) if r[0] == "电网购电" else r for r in GOOD_ENERGY]
    mar = parse(build_workbook(month_dir / "mar.xlsx", energy=energy))
    # 30 000 000 kWh = 30 000 MWh, 30× February's 1000 MWh
    out = month_over_month_warnings(mar.records, feb.records, std, values=mar.values)
    assert len(out) == 1
    w = out.iloc[0]
    assert (w["sheet"], w["row"], w["column"], w["value"]) == ("能源消费", 2, "消费量", "30000000")
    assert w["submission_id"] == mar.records.iloc[0]["submission_id"]
    assert "30" in w["message_en"]


def test_a_values_function_is_asked_only_for_the_flagged_submissions(month_dir, parse, std):
    feb = parse(build_workbook(month_dir.parent / "2026-02" / "feb.xlsx", info={"报告期": "2026-02"}),
                folder_month="2026-02")
    energy = [("电网购电", "kWh", 30_000_000) if r[0] == "电网购电" else r for r in GOOD_ENERGY]
    mar = parse(build_workbook(month_dir / "mar.xlsx", energy=energy))
    asked = []

    def values_of(ids):
        asked.append(ids)
        return mar.values[mar.values["submission_id"].isin(ids)]

    by_function = month_over_month_warnings(mar.records, feb.records, std, values=values_of)
    by_frame = month_over_month_warnings(mar.records, feb.records, std, values=mar.values)
    assert asked == [[mar.records.iloc[0]["submission_id"]]]  # the one park with a 30x grid purchase
    pd.testing.assert_frame_equal(by_function, by_frame)
    assert by_function.iloc[0]["sheet"] == "能源消费"


def test_a_values_function_is_not_asked_when_nothing_is_flagged(std):
    asked = []
    out = month_over_month_warnings(frame(MARCH[1:]), frame(PREVIOUS), std, values=lambda ids: asked.append(ids))
    # park B has no previous month, park C's previous is January: no pair, no warning
    assert out.empty and asked == []


def test_a_values_function_is_not_asked_when_every_pair_is_within_the_band(std):
    asked = []
    steady = [("A", "2026-03", "sA3", (500, 0, 50, 10, 600, 7, 0, 1, 30), 5000)]  # each carrier 10x or less of February's
    # grid 500/50 = 10, onsite 50/500 = 0.1, certificates 10/5 = 2, coal 600/6000 = 0.1, gas 7/7 = 1,
    # gasoline 1/1, heat 30/30: all on or inside the band; direct 0 now and diesel 0 before are skipped
    out = month_over_month_warnings(frame(steady), frame(PREVIOUS[:1]), std, values=lambda ids: asked.append(ids))
    assert out.empty and asked == []


@pytest.mark.parametrize("ratio, text", [(0.004, "0.004"), (0.0000123, "0.0000123"), (0.0833, "0.0833"),
                                         (20.0, "20"), (12.345, "12.35"), (1234.5, "1234.5")])
def test_a_ratio_reads_as_the_figure_not_as_zero(ratio, text):
    from zc_pipeline.intake.month_over_month import fmt_ratio

    assert fmt_ratio(ratio) == text


def test_a_tiny_month_says_how_small(std):
    # coal 3 t against 6000 t: 3 / 6000 = 0.0005 (rounded to two decimals it would read "0 times")
    march = [("A", "2026-03", "sA3", (50, 10, 500, 5, 3, 7, 0, 1, 30), 1)]
    out = month_over_month_warnings(frame(march), frame(PREVIOUS[:1]), std)
    assert out["value"].tolist() == ["3"]
    assert "0.0005 times" in out.iloc[0]["message_en"] and "0.0005 倍" in out.iloc[0]["message_zh"]
