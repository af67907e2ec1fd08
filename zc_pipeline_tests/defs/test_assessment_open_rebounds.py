"""city_quarter_summary.open_rebounds counts every alert open or overdue at the end of the quarter, of
whatever month — also one dated before the six months the quarter's scores read.

Two parks, each a rebound in October 2025 (carbon_per_energy, STANDARD §7; 0.300 tce and 0.6096 t per
MWh of grid electricity, 0.7143 tce and 1.9003 t per tonne of raw coal):
  September, grid 1000 MWh: 300 tce, 609.6 t, 609.6 / 300 = 2.032
  October, grid 1000 MWh + coal 500 t: 657.15 tce, 1559.75 t, 1559.75 / 657.15 = 2.3735 > 2.032 × 1.05 = 2.1336
  rectify by the end of m+3 = 2026-01-31
- H (Hohhot) reports nothing after October: at the end of 2025-Q4 (December) January has not ended,
  so the alert is open; at the end of 2026-Q1 (March) January has ended: overdue. Counted in both.
- B (Baotou) is back at 2.032 <= 2.032 in November: rectified, counted in neither.
2026-Q1 scores January–March; its old code read October–March only and never saw H's alert (it needs
September).
"""
from __future__ import annotations

import datetime as dt

import dagster as dg

from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.defs.region import region_defs
from zc_pipeline_tests.support.region import RegionPark, workbook, write_registry

H = RegionPark("150100-P001", "呼和浩特测试园区")
B = RegionPark("150200-P001", "包头测试园区")
GRID = [("电网购电", "MWh", 1000)]
GRID_AND_COAL = [("电网购电", "MWh", 1000), ("原煤", "t", 500)]
ECONOMY = {"value_added_10k_yuan": 20000, "retrofit_planned": 4, "retrofit_completed": 1}
MONTHS = {"2025-09": {H: GRID, B: GRID}, "2025-10": {H: GRID_AND_COAL, B: GRID_AND_COAL}, "2025-11": {B: GRID}}


def test_open_rebounds_count_an_overdue_alert_of_any_earlier_month(tmp_path):
    data = tmp_path / "data"
    write_registry(data, [H, B])
    for month, parks in MONTHS.items():
        submitted = dt.date(int(month[:4]), int(month[5:]) + 1, 5)
        for park, energy in parks.items():
            workbook(data, month, park, submitted, energy, ECONOMY)
    settings, defs = region_defs(tmp_path, dt.date(2026, 4, 15))  # Q1's deadline (10 April) has passed
    with dg.instance_for_test() as instance:
        for month in MONTHS:  # the month job, as the schedule or the sensor runs it
            assert defs.resolve_job_def("month_job").execute_in_process(partition_key=month, instance=instance).success
        for quarter in ("2025-10", "2026-01"):  # 2025-Q4 and 2026-Q1 (Dagster keys: their first month)
            assert defs.resolve_job_def("quarter_job").execute_in_process(partition_key=quarter, instance=instance).success
    summary = read_table(make_engine(settings.warehouse_url), "city_quarter_summary")
    counts = {(r.league_city_code, r.quarter): r.open_rebounds for r in summary.itertuples()}
    assert counts == {("150100", "2025-Q4"): 1, ("150200", "2025-Q4"): 0,
                      ("150100", "2026-Q1"): 1, ("150200", "2026-Q1"): 0}
