"""A tiny hand-built region for the Dagster end-to-end tests: registry CSVs and month files in a tmp dir.

Builders only write files (FILES.md §1–§3); the tests state the expected warehouse rows by hand.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from tools.samplegen.region import LEAGUE_CITIES
from tools.samplegen.workbooks import write_workbook

PARK_HEADER = ["park_code", "park_name", "league_city_code", "category", "scope", "parent_park_code",
               "on_cultivation_list", "enrolled_on", "baseline_year", "baseline_carbon_per_energy",
               "baseline_green_share", "target_green_share", "target_date"]
CSV_HEADER = ["park_code", "period", "submitted_on", "grid_electricity_mwh", "green_direct_mwh",
              "green_onsite_mwh", "green_certificate_mwh", "raw_coal_t", "natural_gas_10k_m3", "diesel_t",
              "gasoline_t", "purchased_heat_gj", "value_added_10k_yuan", "retrofit_planned",
              "retrofit_completed", "reported_co2_t"]
ECONOMY_LABELS = {"value_added_10k_yuan": "工业增加值(万元)", "retrofit_planned": "节能改造计划项目数",
                  "retrofit_completed": "节能改造完成项目数", "reported_co2_t": "自报二氧化碳排放量(吨)"}


@dataclass(frozen=True)
class RegionPark:
    code: str
    name: str
    category: str = "regional"
    scope: str = "whole"
    parent: str = ""
    baseline_cpe: str = "3"  # written as text, exactly as in the registry file
    baseline_green: str = "0"
    target_green: str = "0"
    enrolled_on: dt.date = dt.date(2025, 1, 1)
    baseline_year: int = 2025
    target_date: dt.date = dt.date(2026, 12, 31)
    on_list: bool = True

    @property
    def city(self) -> str:
        return self.code[:6]


def write_registry(data_dir: Path, parks: list[RegionPark]) -> None:
    """registry/league_cities.csv (all 12) and registry/parks.csv."""
    reg = Path(data_dir) / "registry"
    reg.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["league_city_code", "name_zh", "name_en"])
    w.writerows(LEAGUE_CITIES)
    (reg / "league_cities.csv").write_text(buf.getvalue(), encoding="utf-8")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PARK_HEADER)
    for p in parks:
        w.writerow([p.code, p.name, p.city, p.category, p.scope, p.parent, "true" if p.on_list else "false",
                    p.enrolled_on.isoformat(), p.baseline_year, p.baseline_cpe, p.baseline_green,
                    p.target_green, p.target_date.isoformat()])
    (reg / "parks.csv").write_text(buf.getvalue(), encoding="utf-8")


def month_dir(data_dir: Path, month: str) -> Path:
    d = Path(data_dir) / "landing" / month
    d.mkdir(parents=True, exist_ok=True)
    return d


def workbook(data_dir: Path, month: str, park: RegionPark, submitted_on: dt.date, energy: list[tuple],
             economy: dict, name: str | None = None) -> Path:
    """One 月度自测表 in landing/<month>/; energy: [(能源品种, 计量单位, 消费量)], economy: canonical field -> value."""
    path = month_dir(data_dir, month) / (name or f"{park.code}_{month}.xlsx")
    return write_workbook(path, park_code=park.code, park_name=park.name, period=month, submitted_on=submitted_on,
                          reporter="测试员", energy_rows=energy,
                          economy=[(ECONOMY_LABELS[k], v) for k, v in economy.items()])


def batch_csv(data_dir: Path, month: str, rows: list[dict], name: str) -> Path:
    """A batch CSV (canonical header, UTF-8) in landing/<month>/; each row: park_code, submitted_on and quantities."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for r in rows:
        r = {"period": month, **r}
        w.writerow(["" if r.get(c) is None else str(r[c]) for c in CSV_HEADER])
    path = month_dir(data_dir, month) / name
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def broken_workbook(data_dir: Path, month: str, name: str = "broken.xlsx", size: int = 2048) -> Path:
    """Random bytes named .xlsx (a fixed seed, so the file and its SHA-256 are the same every time)."""
    import random

    path = month_dir(data_dir, month) / name
    path.write_bytes(random.Random(20260215).randbytes(size))
    return path
