"""`zc run` over a mid-year rulebook change: a region's rulebook effective 2026-07-01 with another grid
factor and regional threshold. Each month is computed under its own rulebook, each window under the
one in force on its last day; the explanation names both; a re-run rewrites nothing; removing the
file reverts exactly.

The park (regional, baseline carbon per energy B = 3, green target 0) reports, every month from June
to September 2026, 1000 MWh of grid electricity and 500 t of raw coal, on time:
- energy = 1000 × 0.300 + 500 × 0.7143 = 300 + 357.15 = 657.15 tce (the same under both rulebooks);
- CO2 under IM-ZCP-2026.1 (June) = 1000 × 0.6096 + 500 × 1.9003 = 609.6 + 950.15 = 1559.75 t;
- CO2 under IM-R-2026.2 (July on) = 1000 × 0.6479 + 950.15 = 1598.05 t.
"""
from __future__ import annotations

import datetime as dt

import pytest

from zc_pipeline.warehouse.writer import dump_sorted, read_table
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline_tests.conftest import run_sample_pipeline
from zc_pipeline_tests.support.region import RegionPark, workbook, write_registry
from zc_pipeline_tests.support.rulebooks import region_rulebook
from zc_pipeline_tests.support.views import read_view

PARK = RegionPark("150100-P001", "呼和浩特测试园区")
ENERGY = [("电网购电", "MWh", 1000), ("原煤", "t", 500)]
ECONOMY = {"value_added_10k_yuan": 20000, "retrofit_planned": 4, "retrofit_completed": 1}
MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09"]
AS_OF = dt.date(2027, 1, 15)  # every window of 2026 is due (the months run are named: --from/--to)
OLD, NEW = "IM-ZCP-2026.1", "IM-R-2026.2"
ENERGY_TCE = 657.15
CO2_OLD, CO2_NEW = 1559.75, 1598.05


def _region(data_dir):
    write_registry(data_dir, [PARK])
    for m in MONTHS:
        y, mo = int(m[:4]), int(m[5:])
        submitted = dt.date(y + mo // 12, mo % 12 + 1, 3)
        workbook(data_dir, m, PARK, submitted, ENERGY, ECONOMY)


def _run(tmp_path, name, standard=None):
    """`zc run --from 2026-06 --to 2026-09 --as-of 2027-01-15 [--standard V]` on one warehouse."""
    state = tmp_path / name
    state.mkdir(exist_ok=True)
    return run_sample_pipeline(state, data_dir=tmp_path / "data", as_of=AS_OF, first=MONTHS[0], last=MONTHS[-1],
                               warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}", standard=standard)


def _dump(engine) -> dict:
    """Every table but the append-only grade_history, sorted, run ids and clock times aside (NULL as None)."""
    out = {}
    for t in TABLES:
        if t != "grade_history":
            rows = dump_sorted(engine, t).astype(object)
            out[t] = rows.where(rows.notna(), None).to_dict("records")
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Without the region's rulebook, with it, with it again, and with it removed: one warehouse."""
    tmp = tmp_path_factory.mktemp("rulebooks")
    _region(tmp / "data")
    before = _run(tmp, "state")
    dumps = {"before": _dump(before.engine)}
    rulebook = region_rulebook(tmp / "data", NEW, "2026-07-01", co2__grid_electricity=0.6479,
                               threshold__regional=0.5)
    changed = _run(tmp, "state")
    dumps["changed"] = _dump(changed.engine)
    history = len(read_table(changed.engine, "grade_history"))
    explanation = read_view(changed.engine, "v_grade_explanation", where={"period": ["2026-H2"]},
                            order_by=["park_code", "line_no"])
    dumps["again"] = _dump(_run(tmp, "state").engine)
    history_again = len(read_table(changed.engine, "grade_history"))
    rulebook.unlink()
    reverted = _run(tmp, "state")
    dumps["reverted"] = _dump(reverted.engine)
    # a what-if re-run forcing the package's rulebook on every period, the region's file installed again
    region_rulebook(tmp / "data", NEW, "2026-07-01", co2__grid_electricity=0.6479, threshold__regional=0.5)
    forced = _run(tmp, "state", standard=OLD)
    dumps["forced"] = _dump(forced.engine)
    return {"dumps": dumps, "history": (history, history_again), "explanation": explanation,
            "forced_lines": read_view(forced.engine, "v_grade_explanation")}


def _rows(dump, table, **where):
    return [r for r in dump[table] if all(r[k] == v for k, v in where.items())]


def test_june_and_july_are_each_computed_under_their_own_rulebook(runs):
    months = {r["period"]: r for r in runs["dumps"]["changed"]["park_month"]}
    assert months["2026-06"]["standard_version"] == OLD
    assert months["2026-06"]["energy_tce"] == pytest.approx(ENERGY_TCE, abs=1e-9)
    assert months["2026-06"]["co2_t"] == pytest.approx(CO2_OLD, abs=1e-9)
    for m in ("2026-07", "2026-08", "2026-09"):
        assert months[m]["standard_version"] == NEW
        assert months[m]["energy_tce"] == pytest.approx(ENERGY_TCE, abs=1e-9)
        assert months[m]["co2_t"] == pytest.approx(CO2_NEW, abs=1e-9)


def test_windows_are_scored_under_the_rulebook_in_force_on_their_last_day(runs):
    dump = runs["dumps"]["changed"]
    (q2,) = _rows(dump, "park_quarter_assessment", quarter="2026-Q2")
    (q3,) = _rows(dump, "park_quarter_assessment", quarter="2026-Q3")
    (h2,) = _rows(dump, "park_half_assessment", half="2026-H2")
    assert (q2["standard_version"], q2["month_standard_versions"]) == (OLD, OLD)
    assert (q3["standard_version"], q3["month_standard_versions"]) == (NEW, NEW)
    assert (h2["standard_version"], h2["month_standard_versions"]) == (NEW, f"{OLD},{NEW}")
    # Q3: CI = 1598.05 / 657.15 = 2.431789…; carbon = 40 × (3 − CI) / (3 − T) with the new T = 0.5:
    # 40 × 0.568211 / 2.5 = 9.091 (under the old T = 0.4 it would be 40 × 0.568211 / 2.6 = 8.742)
    assert q3["carbon_per_energy"] == pytest.approx(CO2_NEW / ENERGY_TCE)
    assert q3["score_carbon"] == pytest.approx(40 * (3 - CO2_NEW / ENERGY_TCE) / 2.5, abs=0.05)
    # Q2 (June alone reported): CI = 1559.75 / 657.15 = 2.373507…, old T = 0.4: 40 × 0.626493 / 2.6 = 9.638
    assert q2["score_carbon"] == pytest.approx(40 * (3 - CO2_OLD / ENERGY_TCE) / 2.6, abs=0.05)
    # H2 (Jan–Dec, four months reported): CI = (1559.75 + 3 × 1598.05) / (4 × 657.15) = 6353.9 / 2628.6
    assert h2["carbon_per_energy"] == pytest.approx((CO2_OLD + 3 * CO2_NEW) / (4 * ENERGY_TCE))
    assert h2["score_carbon"] == pytest.approx(40 * (3 - 6353.9 / 2628.6) / 2.5, abs=0.05)


def test_the_year_end_explanation_names_each_months_rulebook_and_the_windows_threshold(runs):
    lines = runs["explanation"]
    grid = lines[(lines["section"] == "factors") & (lines["item"] == "co2.grid_electricity")]
    assert sorted(zip(grid["standard_version"], grid["value"])) == [(NEW, "0.6479"), (OLD, "0.6096")]
    old = grid[grid["standard_version"] == OLD].iloc[0]
    new = grid[grid["standard_version"] == NEW].iloc[0]
    assert old["source_file"] == f"zc_pipeline/standards/{OLD}.yaml"
    assert new["source_file"] == f"standards/{NEW}.yaml" and len(new["source_sha256"]) == 64
    assert "2026-06 computed under IM-ZCP-2026.1" in old["note_en"]
    assert "2026-07–2026-09 computed under IM-R-2026.2" in new["note_en"]
    threshold = lines[lines["item"] == "threshold.regional"]
    assert list(zip(threshold["standard_version"], threshold["value"])) == [(NEW, "0.5")]


def test_a_rerun_with_nothing_changed_rewrites_nothing(runs):
    assert runs["dumps"]["again"] == runs["dumps"]["changed"]
    history, again = runs["history"]
    assert again == history


def test_removing_the_regions_rulebook_reverts_every_table_exactly(runs):
    assert runs["dumps"]["reverted"] == runs["dumps"]["before"]
    assert runs["dumps"]["changed"] != runs["dumps"]["before"]


def test_a_forced_rulebook_is_used_for_every_period_and_every_row_says_so(runs):
    dump = runs["dumps"]["forced"]
    months = {r["period"]: r for r in dump["park_month"]}
    # July under the forced IM-ZCP-2026.1: 1000 × 0.6096 + 950.15 = 1559.75 t, not 1598.05
    assert months["2026-07"]["co2_t"] == pytest.approx(CO2_OLD, abs=1e-9)
    stamped = {r["standard_version"] for t in ("park_month", "park_quarter_assessment", "park_half_assessment",
                                               "grade_explanation") for r in dump[t]}
    assert stamped == {f"{OLD}+forced"}
    assert set(runs["forced_lines"]["standard_version"]) == {f"{OLD}+forced"}  # every explanation line too
