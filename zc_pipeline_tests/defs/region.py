"""A four-park region for the operations tests: one good workbook, one rejected CSV, one silence, one late enrolment."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from zc_pipeline.definitions import build_definitions
from zc_pipeline.settings import load_settings
from zc_pipeline_tests.support.region import RegionPark, batch_csv, workbook, write_registry

MONTH = "2026-03"
GOOD = RegionPark("150100-P001", "呼和浩特测试园区")
REJECTED = RegionPark("150200-P001", "包头测试园区")
SILENT = RegionPark("150200-P002", "包头第二测试园区")
LATE = RegionPark("150300-P001", "乌海新园区", enrolled_on=dt.date(2026, 4, 1))  # not expected for March
PARKS = [GOOD, REJECTED, SILENT, LATE]
ENERGY = [("电网购电", "MWh", 1000), ("原煤", "t", 500)]
ECONOMY = {"value_added_10k_yuan": 20000, "retrofit_planned": 4, "retrofit_completed": 1}


def build_region(data_dir: Path) -> None:
    write_registry(data_dir, PARKS)
    workbook(data_dir, MONTH, GOOD, dt.date(2026, 4, 3), ENERGY, ECONOMY)
    # negative coal (R003) and certificates above grid electricity (R007): the park-month is rejected
    batch_csv(data_dir, MONTH, [{"park_code": REJECTED.code, "submitted_on": "2026-04-05", "grid_electricity_mwh": 100,
                                "green_certificate_mwh": 150, "raw_coal_t": -5, "value_added_10k_yuan": 100,
                                "retrofit_planned": 1, "retrofit_completed": 0}], name="150200_batch_2026-03.csv")


def region_defs(tmp_path: Path, as_of: dt.date):
    settings = load_settings(data_dir=tmp_path / "data", state_dir=tmp_path / "state", as_of=as_of,
                             warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    return settings, build_definitions(settings)
