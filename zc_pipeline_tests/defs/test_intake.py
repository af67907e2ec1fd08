"""Intake through Dagster (issue 4): month re-runs are idempotent, resubmissions supersede, history stays.

A three-park region, months 2026-01 and 2026-02, materialized with `dg.materialize` on SQLite and
PostgreSQL; the warehouse is compared as full sorted table dumps between runs.
"""
from __future__ import annotations

import datetime as dt

import dagster as dg
import openpyxl
import pandas as pd
import pytest

from zc_pipeline.definitions import build_definitions
from zc_pipeline.settings import load_settings
from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.writer import dump_sorted, read_table
from zc_pipeline_tests.support.region import RegionPark, batch_csv, broken_workbook, workbook, write_registry

REFERENCE = ["dim_league_city", "dim_park", "ref_standard"]
MONTH = ["landing_file", "submission", "submitted_value", "validation_issue", "park_month", "month_over_month_warning"]
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
AS_OF = dt.date(2026, 3, 20)  # after February's deadline (10 March); every 填报日期 below is on or before it

X1 = RegionPark("150100-P001", "呼和浩特测试园区")  # workbooks, mixed units
X2 = RegionPark("150200-P001", "包头测试园区")  # batch CSV
X3 = RegionPark("150200-P002", "包头第二测试园区")  # batch CSV, then a workbook resubmission
PARKS = [X1, X2, X3]

# Tables compared between runs, each without the columns that record *when* or *which run*.
DUMPS = {
    "landing_file": ("first_seen_at",),
    "submission": ("received_at", "run_id"),
    "submitted_value": (),
    "validation_issue": ("run_id",),
    "park_month": ("run_id",),
}


def x1_energy(coal_rows: tuple) -> list[tuple]:
    """X1's carriers, in the units a park officer might use (canonical in comments)."""
    return [
        ("电网购电", "kWh", 1200000),  # 1 200 000 kWh × 0.001 = 1200 MWh
        ("绿电直供", "万kWh", 30),  # 30 万kWh × 10 = 300 MWh
        ("绿证电量", "MWh", 200),  # 200 MWh
        coal_rows,
        ("天然气", "m³", 50000),  # 50 000 m³ × 0.0001 = 5 万m³
        ("柴油", "t", 2),
        ("汽油", "t", 1),
        ("外购热力", "GJ", 1000),
    ]


X1_ECONOMY = {"value_added_10k_yuan": 20000, "retrofit_planned": 4, "retrofit_completed": 1, "reported_co2_t": 58000}


def build_region(data_dir, with_broken: bool = True) -> None:
    write_registry(data_dir, PARKS)
    # January: X1's coal is 1500 t, 1/20 of February's 30 000 t -> W001 on February's coal row.
    workbook(data_dir, "2026-01", X1, dt.date(2026, 2, 5), x1_energy(("原煤", "t", 1500)), X1_ECONOMY)
    batch_csv(data_dir, "2026-01", [
        {"park_code": X2.code, "submitted_on": "2026-02-06", "grid_electricity_mwh": 1000, "raw_coal_t": 500,
         "value_added_10k_yuan": 5000},
        {"park_code": X3.code, "submitted_on": "2026-02-06", "grid_electricity_mwh": 2000, "value_added_10k_yuan": 8000},
    ], "batch_2026-01.csv")
    # February: X1 on the deadline day (10 March: on time), X2 the day after (11 March: late).
    workbook(data_dir, "2026-02", X1, dt.date(2026, 3, 10), x1_energy(("原煤", "万t", 3)), X1_ECONOMY)  # 3 万t = 30 000 t
    batch_csv(data_dir, "2026-02", [
        {"park_code": X2.code, "submitted_on": "2026-03-11", "grid_electricity_mwh": 1000, "raw_coal_t": 500,
         "value_added_10k_yuan": 5000},
        {"park_code": X3.code, "submitted_on": "2026-03-05", "grid_electricity_mwh": 2000, "value_added_10k_yuan": 8000},
    ], "batch_2026-02.csv")
    if with_broken:
        broken_workbook(data_dir, "2026-02")


class Pipeline:
    """The project's Definitions on a tmp data folder and warehouse, materialized in one instance."""

    def __init__(self, tmp_path, url: str, schema: str | None):
        self.data_dir = tmp_path / "data"
        self.settings = load_settings(data_dir=self.data_dir, state_dir=tmp_path / "state", warehouse_url=url,
                                      as_of=AS_OF)
        self.defs = build_definitions(self.settings, warehouse_schema=schema)
        self.instance = dg.DagsterInstance.ephemeral()
        self.engine = make_engine(url, schema=schema)

    def materialize(self, selection, partition=None) -> dg.ExecuteInProcessResult:
        result = dg.materialize(self.defs.assets, selection=selection, partition_key=partition,
                                instance=self.instance, resources=self.defs.resources, raise_on_error=False,
                                run_config=QUIET)
        assert result.success, [e.event_specific_data.error.to_string() for e in result.all_events if e.is_step_failure]
        return result

    def month(self, month: str) -> dg.ExecuteInProcessResult:
        return self.materialize(MONTH, month)

    def dumps(self) -> dict[str, pd.DataFrame]:
        return {t: dump_sorted(self.engine, t, drop=drop) for t, drop in DUMPS.items()}

    def table(self, name: str, **where) -> pd.DataFrame:
        return read_table(self.engine, name, where=where or None)

    def month_submissions(self, month: str) -> pd.DataFrame:
        """Every submission from the month's folder (a file unreadable as a whole has period NULL)."""
        subs = self.table("submission")
        return subs[subs["source_file"].str.startswith(f"landing/{month}/")].reset_index(drop=True)


def assert_same_dumps(before: dict, after: dict) -> None:
    for table in DUMPS:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


@pytest.fixture
def pipeline(tmp_path, warehouse_target):
    p = Pipeline(tmp_path, warehouse_target.url, warehouse_target.schema)
    yield p
    p.engine.dispose()
    p.instance.dispose()


def test_month_rerun_with_resubmission_is_idempotent(pipeline):
    data = pipeline.data_dir
    build_region(data)
    pipeline.materialize(REFERENCE)
    pipeline.month("2026-01")
    pipeline.month("2026-02")  # the broken workbook is in this month: the run still succeeds

    first = pipeline.dumps()
    subs = pipeline.month_submissions("2026-02")
    # 4 submissions: X1's workbook, two CSV rows, the broken file's one rejected row
    assert len(subs) == 4
    broken = subs[subs["source_file"] == "landing/2026-02/broken.xlsx"].iloc[0]
    assert (broken["status"], broken["in_force"]) == ("rejected", False)
    assert pd.isna(broken["source_row"]) and pd.isna(broken["park_code"]) and pd.isna(broken["period"])
    assert broken["error_count"] >= 1
    accepted = subs[subs["status"] == "accepted"]
    assert sorted(accepted["park_code"]) == [X1.code, X2.code, X3.code]
    assert accepted["in_force"].all()
    broken_issues = pipeline.table("validation_issue", submission_id=broken["submission_id"])
    assert len(broken_issues) >= 1 and set(broken_issues["severity"]) == {"error"}
    assert broken_issues["rule_id"].str.match(r"^F\d{3}$").all()
    assert broken_issues["source_file"].eq("landing/2026-02/broken.xlsx").all()
    # lateness: 10 March is the deadline day (on time), 11 March is late
    on_time = dict(zip(accepted["park_code"], accepted["on_time"]))
    assert on_time == {X1.code: True, X2.code: False, X3.code: True}
    pm = pipeline.table("park_month", period="2026-02")
    assert dict(zip(pm["park_code"], pm["on_time"])) == on_time
    # the month-over-month warning: X1's coal 30 000 t against 1500 t in January (20×)
    x1_sub = accepted.loc[accepted["park_code"] == X1.code, "submission_id"].iloc[0]
    w001 = pipeline.table("validation_issue", period="2026-02")
    w001 = w001[w001["rule_id"] == "W001"]
    assert len(w001) == 1
    w = w001.iloc[0]
    assert (w["submission_id"], w["severity"], w["sheet"], w["value"]) == (x1_sub, "warning", "能源消费", "3")
    assert w["source_file"] == f"landing/2026-02/{X1.code}_2026-02.xlsx"
    assert int(pipeline.table("submission", submission_id=x1_sub)["warning_count"].iloc[0]) == 1
    # receipts: one for every file with an error or warning
    receipts = pipeline.settings.receipts_dir / "2026-02"
    assert (receipts / "broken.xlsx.receipt.xlsx").is_file()
    x1_receipt = openpyxl.load_workbook(receipts / f"{X1.code}_2026-02.xlsx.receipt.xlsx", read_only=True)
    receipt_rules = [r[5] for r in x1_receipt["问题清单 issues"].iter_rows(min_row=2, values_only=True)]
    assert receipt_rules == ["W001"]  # the warning found after intake is on the park's receipt too
    assert not (receipts / "batch_2026-02.csv.receipt.xlsx").exists()

    # --- the same month again: nothing changes, nothing is duplicated, received_at is kept
    pipeline.month("2026-02")
    assert_same_dumps(first, pipeline.dumps())
    again = pipeline.month_submissions("2026-02")
    pd.testing.assert_series_equal(subs.set_index("submission_id")["received_at"],
                                   again.set_index("submission_id")["received_at"])

    # --- a resubmission (later 填报日期, other numbers) and a rejected later version
    workbook(data, "2026-02", X3, dt.date(2026, 3, 9),
             [("电网购电", "MWh", 2500), ("原煤", "t", 100)], {"value_added_10k_yuan": 8000},
             name=f"{X3.code}_2026-02_v2.xlsx")
    batch_csv(data, "2026-02", [
        {"park_code": X2.code, "submitted_on": "2026-03-12", "grid_electricity_mwh": -5, "value_added_10k_yuan": 5000},
    ], "batch_2026-02_fix.csv")
    pipeline.month("2026-02")
    third = pipeline.dumps()
    subs3 = pipeline.month_submissions("2026-02")
    assert len(subs3) == 6 and subs3["submission_id"].is_unique
    old_x3 = subs.loc[subs["park_code"] == X3.code, "submission_id"].iloc[0]
    old_x2 = subs.loc[(subs["park_code"] == X2.code) & (subs["status"] == "accepted"), "submission_id"].iloc[0]
    s3 = subs3.set_index("submission_id")
    assert (s3.loc[old_x3, "status"], s3.loc[old_x3, "in_force"]) == ("superseded", False)
    new_x3 = s3[(s3["park_code"] == X3.code) & s3["in_force"]]
    assert len(new_x3) == 1 and new_x3["status"].iloc[0] == "accepted"
    assert new_x3["source_file"].iloc[0] == f"landing/2026-02/{X3.code}_2026-02_v2.xlsx"
    assert new_x3["submitted_on"].iloc[0] == dt.date(2026, 3, 9) and bool(new_x3["on_time"].iloc[0])
    # the rejected later version (negative grid electricity) never displaces X2's version in force
    rejected_x2 = s3[(s3["park_code"] == X2.code) & (s3["source_file"] == "landing/2026-02/batch_2026-02_fix.csv")]
    assert list(rejected_x2["status"]) == ["rejected"] and not rejected_x2["in_force"].any()
    assert (s3.loc[old_x2, "status"], s3.loc[old_x2, "in_force"]) == ("accepted", True)
    assert (receipts / "batch_2026-02_fix.csv.receipt.xlsx").is_file()
    # park_month holds the new numbers, once per park:
    #   X3: energy 2500 × 0.300 + 100 × 0.7143 = 750 + 71.43 = 821.43 tce
    #       co2    2500 × 0.6096 + 100 × 1.9003 = 1524 + 190.03 = 1714.03 t
    pm3 = pipeline.table("park_month", period="2026-02")
    assert sorted(pm3["park_code"]) == [X1.code, X2.code, X3.code]
    x3 = pm3.set_index("park_code").loc[X3.code]
    assert x3["submission_id"] == new_x3.index[0]
    assert (x3["grid_electricity_mwh"], x3["raw_coal_t"]) == (2500, 100)
    assert x3["energy_tce"] == pytest.approx(821.43, abs=1e-9)
    assert x3["co2_t"] == pytest.approx(1714.03, abs=1e-9)
    x2 = pm3.set_index("park_code").loc[X2.code]
    assert x2["submission_id"] == old_x2 and x2["grid_electricity_mwh"] == 1000
    # history: every earlier row is still there, unchanged except the superseded status
    for table in ("landing_file", "submitted_value", "validation_issue"):
        merged = first[table].merge(third[table], how="left", indicator=True)
        assert (merged["_merge"] == "both").all(), table
    assert len(third["landing_file"]) == len(first["landing_file"]) + 2
    kept = third["submission"].set_index("submission_id").loc[first["submission"]["submission_id"]]
    before = first["submission"].set_index("submission_id")
    changed = ~((kept == before) | (kept.isna() & before.isna())).all(axis=1)
    assert list(kept.index[changed]) == [old_x3]
    assert len(pipeline.table("validation_issue", rule_id="W001")) == 1
    pd.testing.assert_series_equal(s3.loc[subs["submission_id"], "received_at"],
                                   subs.set_index("submission_id")["received_at"])

    # --- and once more: identical to the previous dump
    pipeline.month("2026-02")
    assert_same_dumps(third, pipeline.dumps())


def test_month_over_month_warning_follows_the_previous_month(pipeline):
    """W001 appears for February only once January is in; a re-run adds no second row."""
    build_region(pipeline.data_dir, with_broken=False)
    pipeline.materialize(REFERENCE)
    pipeline.month("2026-02")
    assert (pipeline.table("validation_issue", period="2026-02")["rule_id"] != "W001").all()
    pipeline.month("2026-01")
    pipeline.month("2026-02")
    pipeline.month("2026-02")
    issues = pipeline.table("validation_issue", period="2026-02")
    assert list(issues["rule_id"]) == ["W001"]


@pytest.mark.parametrize("warehouse_target", ["sqlite"], indirect=True)
def test_park_month_measures_from_a_mixed_unit_workbook(pipeline):
    """Every STANDARD §3 measure of X1's February workbook, by hand from IM-ZCP-2026.1."""
    build_region(pipeline.data_dir, with_broken=False)
    pipeline.materialize(REFERENCE)
    pipeline.month("2026-02")
    row = pipeline.table("park_month", period="2026-02").set_index("park_code").loc[X1.code]
    approx = lambda x: pytest.approx(x, rel=1e-12, abs=1e-9)  # noqa: E731
    # quantities in canonical units
    assert row["grid_electricity_mwh"] == approx(1200)  # 1 200 000 kWh × 0.001
    assert row["green_direct_mwh"] == approx(300)  # 30 万kWh × 10
    assert row["green_onsite_mwh"] == 0
    assert row["green_certificate_mwh"] == approx(200)
    assert row["raw_coal_t"] == approx(30000)  # 3 万t × 10 000
    assert row["natural_gas_10k_m3"] == approx(5)  # 50 000 m³ × 0.0001
    assert (row["diesel_t"], row["gasoline_t"], row["purchased_heat_gj"]) == (2, 1, 1000)
    assert (row["value_added_10k_yuan"], row["retrofit_planned"], row["retrofit_completed"]) == (20000, 4, 1)
    assert row["reported_co2_t"] == 58000
    # electricity_mwh = 1200 + 300 + 0 = 1500;  certified = min(200, 1200) = 200;  green = 300 + 0 + 200 = 500
    assert row["electricity_mwh"] == approx(1500)
    assert row["certified_mwh"] == approx(200)
    assert row["green_mwh"] == approx(500)
    # green_share = 500 / 1500 = 0.333…
    assert row["green_share"] == approx(1 / 3)
    # energy_tce = 1500 × 0.300 + 30000 × 0.7143 + 5 × 13.3 + 2 × 1.4571 + 1 × 1.4714 + 1000 × 0.03412
    #            = 450 + 21429 + 66.5 + 2.9142 + 1.4714 + 34.12 = 21984.0056
    assert row["energy_tce"] == approx(21984.0056)
    # co2_t = (1200 − 200) × 0.6096 + 30000 × 1.9003 + 5 × 21.622 + 2 × 3.0959 + 1 × 2.9251 + 1000 × 0.11
    #       = 609.6 + 57009 + 108.11 + 6.1918 + 2.9251 + 110 = 57845.8269
    assert row["co2_t"] == approx(57845.8269)
    # carbon_per_energy = 57845.8269 / 21984.0056 = 2.6312687…
    assert row["carbon_per_energy"] == approx(57845.8269 / 21984.0056)
    assert row["carbon_per_energy"] == pytest.approx(2.6312687, abs=1e-7)
    # carbon_per_value_added = 57845.8269 / 20000 = 2.892291345
    assert row["carbon_per_value_added"] == approx(2.892291345)
    # retrofit_rate = 1 / 4
    assert row["retrofit_rate"] == approx(0.25)
    # co2_reporting_gap = (58000 − 57845.8269) / 57845.8269 = 154.1731 / 57845.8269 = 0.0026652…
    assert row["co2_reporting_gap"] == approx(154.1731 / 57845.8269)
    assert row["co2_reporting_gap"] == pytest.approx(0.0026652, abs=5e-8)
    assert bool(row["on_time"]) is True
    sub = pipeline.table("submission", submission_id=row["submission_id"]).iloc[0]
    assert (sub["status"], sub["in_force"], sub["source_sha256"]) == ("accepted", True, row["source_sha256"])
    assert row["standard_version"] == "IM-ZCP-2026.1"
    # each input is traced to its cell as written
    values = pipeline.table("submitted_value", submission_id=row["submission_id"]).set_index("field")
    assert (values.loc["grid_electricity_mwh", "unit_as_written"], values.loc["grid_electricity_mwh", "sheet"]) == ("kWh", "能源消费")
    assert values.loc["raw_coal_t", "unit_as_written"] == "万t"
    assert values.loc["raw_coal_t", "canonical_value"] == approx(30000)
