"""park_what_if gets the stored-row checks of every table, reported on the two assets that write it."""
import dagster as dg
import pandas as pd
import pytest

from zc_pipeline.defs.checks import ASSET_CHECKS
from zc_pipeline.quality.table_checks import Context, evaluate
from zc_pipeline.standards import load_standard
from zc_pipeline_tests.support.frames import stored

STD = load_standard()
CHECKS = {"schema"}  # keys, ranges and ratios are the schema's; the table has no GX expectation of its own


def what_if_rows() -> pd.DataFrame:
    # one park that a lever lifts from B to A, one capped, one at the top grade
    base = {"period": "2026-Q1", "run_id": "r", "standard_version": "IM-ZCP-2026.1"}
    return stored("park_what_if", [
        {**base, "park_code": "150200-P001", "grade": "B", "score": 75.0, "target_grade": "A", "green_share": 0.145,
         "green_share_needed": 0.241184, "extra_green_mwh": 288.552, "carbon_per_energy": 1.73736,
         "carbon_per_energy_needed": 0.207686, "co2_less_t": 1376.7066},
        {**base, "park_code": "150200-P002", "grade": "C", "score": 86.7, "target_grade": "B", "green_share": 0.1,
         "carbon_per_energy": 1.8288, "green_reason": "capped:missing_report",
         "carbon_reason": "capped:missing_report", "reason": "capped:missing_report"},
        {**base, "park_code": "150100-P001", "grade": "A", "score": 85.0, "green_share": 0.2,
         "carbon_per_energy": 1.6256, "green_reason": "top_grade", "carbon_reason": "top_grade",
         "reason": "top_grade"},
    ])


def run(tmp_path, rows):
    outcomes = evaluate(tmp_path, "park_what_if", rows, Context(std_by_version=lambda v: STD), "test")
    return {o.check: o for o in outcomes}


def test_the_what_if_assets_carry_the_table_s_checks_per_window():
    specs = {}
    for checks in ASSET_CHECKS:
        for spec in checks.check_specs:
            specs.setdefault(spec.asset_key, set()).add(spec.name)
    assert specs[dg.AssetKey("park_quarter_what_if")] == specs[dg.AssetKey("park_half_what_if")] == CHECKS
    assert dg.AssetKey("park_what_if") not in specs  # the table has no asset of its own name


def test_valid_rows_pass(tmp_path):
    out = run(tmp_path, what_if_rows())
    assert set(out) == CHECKS and all(o.passed for o in out.values()), {k: o.metadata for k, o in out.items()}


@pytest.mark.parametrize(
    "check, breakage",
    [
        ("schema", lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True)),
        ("schema", lambda f: f.assign(green_share_needed=[1.2, None, None])),
        ("schema", lambda f: f.assign(co2_less_t=[-1.0, None, None])),
        ("schema", lambda f: f.assign(reason=[None, "capped:bad_luck", "top_grade"])),
        ("schema", lambda f: f.assign(period="2026-03")),  # a month is not an assessed window
    ],
)
def test_each_check_fails_on_a_broken_row(tmp_path, check, breakage):
    assert not run(tmp_path, breakage(what_if_rows()))[check].passed
