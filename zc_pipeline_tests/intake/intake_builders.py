"""Builders of small monthly files, written with openpyxl / csv directly (FILES.md §2, §3)."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl

PARK = "150100-P001"
OTHER_PARK = "150200-P002"
MONTH = "2026-03"
AS_OF = dt.date(2026, 4, 20)

# A good park-month. CO2 (STANDARD §3) of these quantities:
#   (1000 - 100) × 0.6096 = 548.64   grid net of certificates
#   500 × 1.9003 = 950.15  coal;  10 × 21.622 = 216.22  gas;  2 × 3.0959 = 6.1918  diesel
#   1 × 2.9251 = 2.9251  gasoline;  300 × 0.11 = 33  heat            -> 1757.1269 t
GOOD_ENERGY = [
    ("电网购电", "MWh", 1000), ("绿电直供", "MWh", 200), ("自发自用绿电", "MWh", 50),
    ("绿证电量", "MWh", 100), ("原煤", "t", 500), ("天然气", "万m³", 10), ("柴油", "t", 2),
    ("汽油", "t", 1), ("外购热力", "GJ", 300),
]
GOOD_ECON = [("工业增加值(万元)", 5000), ("节能改造计划项目数", 10), ("节能改造完成项目数", 4),
             ("自报二氧化碳排放量(吨)", 1750)]
GOOD_CO2 = 1757.1269

CSV_HEADER = [
    "park_code", "period", "submitted_on", "grid_electricity_mwh", "green_direct_mwh",
    "green_onsite_mwh", "green_certificate_mwh", "raw_coal_t", "natural_gas_10k_m3", "diesel_t",
    "gasoline_t", "purchased_heat_gj", "value_added_10k_yuan", "retrofit_planned",
    "retrofit_completed", "reported_co2_t",
]
CSV_HEADER_ZH = [
    "园区代码", "报告期", "填报日期", "电网购电(MWh)", "绿电直供（MWh）", "自发自用绿电", "绿证电量(MWh)",
    "原煤(t)", "天然气(万m³)", "柴油", "汽油(t)", "外购热力(GJ)", "工业增加值(万元)", "节能改造计划项目数",
    "节能改造完成项目数", "自报二氧化碳排放量(吨)",
]


def good_csv_row(park=PARK, period=MONTH, **overrides) -> list[str]:
    row = dict(zip(CSV_HEADER, [park, period, "2026-04-05", "1000", "200", "50", "100", "500",
                                "10", "2", "1", "300", "5000", "10", "4", "1750"]))
    row.update(overrides)
    return [row[h] for h in CSV_HEADER]


def build_workbook(path: Path, *, info=None, energy=None, econ=None, drop_sheet=None,
                   energy_header=("能源品种", "计量单位", "消费量")) -> Path:
    info = {"园区代码": PARK, "园区名称": "测试园区", "报告期": MONTH,
            "填报日期": dt.date(2026, 4, 5), "填报人": "张三", **(info or {})}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本信息"
    ws.append(["项目", "内容"])
    for k, v in info.items():
        if v is not None:
            ws.append([k, v])
    ws = wb.create_sheet("能源消费")
    ws.append(list(energy_header))
    for r in GOOD_ENERGY if energy is None else energy:
        ws.append(list(r))
    ws = wb.create_sheet("经济与改造")
    ws.append(["项目", "数值"])
    for r in GOOD_ECON if econ is None else econ:
        ws.append(list(r))
    if drop_sheet:
        del wb[drop_sheet]
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def build_csv(path: Path, rows, *, header=CSV_HEADER, encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path
