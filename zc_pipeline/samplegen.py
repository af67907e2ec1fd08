"""Seeded generator of a realistic, messy sample region (registry, landing files, MANIFEST.json).

    python -m zc_pipeline.samplegen --out sample_data --parks 36 --seed 20260101 \
        [--csv-share F] [--from 2025-01 --to 2026-06]

Everything is derived from `random.Random(seed)` and the parameters: the same call writes
byte-identical files (workbook timestamps and zip entry dates are fixed, iteration is sorted, no
wall clock). The first 36 parks are a hand-designed Inner Mongolia region carrying every messy case
of FILES.md; further parks (benchmarks) are generic and, from 500 parks on, report almost only
through batch CSVs (one per league-city and month).

`MANIFEST.json` lists every messy case with its file(s), park, month and what a correct pipeline
must conclude, the expected submission counts per landing month, and — marked as estimates — the
rebounds, spot-check draw and grades that samplegen's own small re-implementation of STANDARD
§3–§8 predicts (the pipeline is the authority on those).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import math
import random
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from zc_pipeline.standards import load_standard

GENERATOR_VERSION = 1
FIXED_TIMESTAMP = dt.datetime(2026, 1, 1, 0, 0, 0)
BASE_MONTH = "2025-01"  # trends are laid out over 2025-01 .. 2026-06
TREND_SPAN = 17

LEAGUE_CITIES = [
    ("150100", "呼和浩特市", "Hohhot"),
    ("150200", "包头市", "Baotou"),
    ("150300", "乌海市", "Wuhai"),
    ("150400", "赤峰市", "Chifeng"),
    ("150500", "通辽市", "Tongliao"),
    ("150600", "鄂尔多斯市", "Ordos"),
    ("150700", "呼伦贝尔市", "Hulunbuir"),
    ("150800", "巴彦淖尔市", "Bayannur"),
    ("150900", "乌兰察布市", "Ulanqab"),
    ("152200", "兴安盟", "Hinggan"),
    ("152500", "锡林郭勒盟", "Xilingol"),
    ("152900", "阿拉善盟", "Alxa"),
]
CITY_NAME = {c: zh for c, zh, _ in LEAGUE_CITIES}

# (canonical field, 能源品种, unit family, canonical unit, rounding decimals of the canonical value)
CARRIERS = [
    ("grid_electricity_mwh", "电网购电", "electricity", "MWh", 1),
    ("green_direct_mwh", "绿电直供", "electricity", "MWh", 1),
    ("green_onsite_mwh", "自发自用绿电", "electricity", "MWh", 1),
    ("green_certificate_mwh", "绿证电量", "electricity", "MWh", 1),
    ("raw_coal_t", "原煤", "mass", "t", 1),
    ("natural_gas_10k_m3", "天然气", "gas", "万m³", 2),
    ("diesel_t", "柴油", "mass", "t", 2),
    ("gasoline_t", "汽油", "mass", "t", 2),
    ("purchased_heat_gj", "外购热力", "heat", "GJ", 0),
]
CARRIER_FIELDS = [c[0] for c in CARRIERS]
CARRIER_ZH = {c[0]: c[1] for c in CARRIERS}
ECONOMY = [
    ("value_added_10k_yuan", "工业增加值(万元)"),
    ("retrofit_planned", "节能改造计划项目数"),
    ("retrofit_completed", "节能改造完成项目数"),
    ("reported_co2_t", "自报二氧化碳排放量(吨)"),
]
QUANTITY_FIELDS = CARRIER_FIELDS + [e[0] for e in ECONOMY]
CSV_ALIASES = {
    "park_code": "园区代码", "period": "报告期", "submitted_on": "填报日期",
    **{c[0]: c[1] for c in CARRIERS}, **{e[0]: e[1] for e in ECONOMY},
}
CSV_FIELDS = ["park_code", "period", "submitted_on"] + QUANTITY_FIELDS
# Chinese header with its unit in brackets (half- or full-width), canonical units only.
CSV_UNIT_HEADERS = {
    "grid_electricity_mwh": "电网购电(MWh)", "green_direct_mwh": "绿电直供（MWh）",
    "green_onsite_mwh": "自发自用绿电(MWh)", "green_certificate_mwh": "绿证电量（MWh）",
    "raw_coal_t": "原煤(t)", "natural_gas_10k_m3": "天然气(万m³)", "diesel_t": "柴油(t)",
    "gasoline_t": "汽油(t)", "purchased_heat_gj": "外购热力(GJ)",
}
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Cumulative share of the year's planned retrofits completed by month 1..12.
RETROFIT_CURVES = {
    "front": [0.25, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 1, 1, 1, 1],
    "steady": [0.1, 0.15, 0.25, 0.35, 0.4, 0.5, 0.6, 0.7, 0.75, 0.85, 0.9, 1],
    "late": [0, 0, 0.1, 0.1, 0.2, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6],
    "none": [0] * 12,
}
# Day of the following month a park usually submits on (inclusive range).
SUBMIT_DAYS = {"prompt": (2, 8), "normal": (4, 10), "sloppy": (6, 16), "late": (11, 25)}
SEASON = {1: 1.0, 2: 0.88, 3: 0.97, 4: 1.0, 5: 1.01, 6: 1.02, 7: 1.03, 8: 1.03, 9: 1.01,
          10: 1.0, 11: 1.01, 12: 1.02}
REPORTERS = ["王建国", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴刚",
             "乌云", "巴特尔", "其其格", "苏日娜", "孙磊", "高峰"]
INSPECTORS = ["自治区零碳园区专家组-张明", "自治区零碳园区专家组-其木格", "自治区零碳园区专家组-王磊",
              "自治区零碳园区专家组-李晓红", "第三方核查机构-中环联合(内蒙古)"]


# --------------------------------------------------------------------------------------------
# month helpers (kept local so the generator needs neither Dagster nor a clock)
def add_months(month: str, n: int) -> str:
    idx = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def month_index(month: str) -> int:
    return (int(month[:4]) - 2025) * 12 + int(month[5:7]) - 1


def month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def month_end(month: str) -> dt.date:
    return month_start(add_months(month, 1)) - dt.timedelta(days=1)


def following_day(month: str, day: int) -> dt.date:
    return month_start(add_months(month, 1)).replace(day=day)


def half_months(half: str) -> list[str]:
    y, h = half[:4], int(half[-1])
    return [f"{y}-{m:02d}" for m in range(1 + 6 * (h - 1), 7 + 6 * (h - 1))]


def quarter_months(q: str) -> list[str]:
    y, n = q[:4], int(q[-1])
    return [f"{y}-{m:02d}" for m in range(3 * n - 2, 3 * n + 1)]


# --------------------------------------------------------------------------------------------
# the region
@dataclass
class Profile:
    elec: float  # MWh per month, all sources (2025-01 level)
    green: dict  # month index -> green share knots (linear in between, flat outside)
    mix: tuple = (0.6, 0.2, 0.2)  # green split: direct, onsite, certificates
    coal: float = 0.0  # t / month
    gas: float = 0.0  # 10^4 m3 / month
    diesel: float = 0.0
    gasoline: float = 0.0
    heat: float = 0.0  # GJ / month
    fuel_end: float = 1.0  # fuel multiplier reached at 2026-06
    va: float = 10000.0  # value added, 10k yuan / month
    plan: tuple = (4, 4)  # retrofits planned for 2025, 2026 (later years repeat the last)
    curve: str = "steady"
    submit: str = "normal"
    report_co2: bool = False
    units: dict = field(default_factory=dict)  # workbook units: family or field -> unit
    zero_rows: bool = False  # workbook lists carriers that are 0 explicitly


@dataclass
class Park:
    code: str
    name: str
    city: str
    category: str
    profile: Profile
    channel: str = "xlsx"  # xlsx | csv
    scope: str = "whole"
    parent: str = ""
    on_list: bool = True
    enrolled_on: dt.date = dt.date(2025, 1, 1)
    baseline_year: int = 2025
    target_green_share: float | None = None  # None: baseline + uplift
    target_date: dt.date = dt.date(2026, 12, 31)
    baseline_green_override: float | None = None
    core: bool = False
    baseline_cpe: float = 0.0
    baseline_green: float = 0.0


def _p(elec, g, **kw) -> Profile:
    if isinstance(g, tuple):
        g = {0: g[0], TREND_SPAN: g[1]}
    return Profile(elec=elec, green=g, **kw)


def core_parks() -> list[Park]:
    """The hand-designed 36-park region (3 per league-city), in priority order for small runs."""
    P = Park
    parks = [
        P("150100-P001", "呼和浩特经济技术开发区", "150100", "regional",
          _p(90000, {0: 0.30, 11: 0.36, 12: 0.56, 17: 0.62}, coal=3500, gas=300, heat=30000, fuel_end=0.75, va=180000,
             plan=(8, 10), curve="front", submit="prompt", report_co2=True,
             units={"electricity": "kWh"})),
        P("150100-P002", "和林格尔新区云计算产业园", "150100", "regional",
          _p(120000, (0.70, 0.88), mix=(0.7, 0.1, 0.2), diesel=30, va=90000, plan=(5, 6),
             curve="front", submit="prompt")),
        P("150100-P003", "托克托工业园区", "150100", "pilot",
          _p(60000, (0.10, 0.14), coal=30000, gas=50, fuel_end=1.02, va=40000, plan=(6, 6),
             curve="late", submit="sloppy")),
        P("150200-P001", "包头稀土高新技术产业开发区", "150200", "national",
          _p(150000, (0.45, 0.74), coal=3000, gas=150, heat=40000, fuel_end=0.7, va=220000,
             plan=(10, 12), curve="front", submit="prompt", report_co2=True),
          channel="csv", baseline_year=2024, target_green_share=0.80),
        P("150200-P002", "包头金属深加工园区", "150200", "regional",
          _p(70000, (0.22, 0.42), coal=12000, gas=200, diesel=40, heat=20000, fuel_end=0.8,
             va=90000, plan=(6, 8), curve="front", submit="normal"), channel="csv",
          baseline_year=2024),
        P("150200-P003", "包头铝业产业园", "150200", "pilot",
          _p(400000, (0.18, 0.30), gas=100, va=120000, plan=(4, 4), curve="steady",
             submit="normal"), channel="csv"),
        P("150300-P001", "乌海高新技术产业开发区", "150300", "regional",
          _p(110000, (0.15, 0.25), coal=60000, gas=300, fuel_end=0.95, va=100000, plan=(6, 8),
             curve="steady", submit="normal", report_co2=True, units={"raw_coal_t": "万t"})),
        P("150300-P002", "乌海低碳产业园", "150300", "pilot",
          _p(30000, (0.40, 0.62), coal=1500, gas=40, va=25000, plan=(3, 4), curve="front",
             submit="prompt")),
        P("150300-P003", "乌海市海南工业园区", "150300", "pilot",
          _p(50000, (0.08, 0.10), coal=25000, heat=10000, fuel_end=1.05, va=30000, plan=(5, 5),
             curve="late", submit="late")),
        P("150400-P001", "赤峰高新技术产业开发区", "150400", "regional",
          _p(60000, (0.30, 0.55), coal=4000, gas=120, heat=15000, fuel_end=0.75, va=80000,
             plan=(6, 6), curve="front", submit="prompt",
             units={"electricity": "万kWh", "natural_gas_10k_m3": "立方米"})),
        P("150400-P002", "赤峰元宝山工业园区", "150400", "pilot",
          _p(80000, (0.20, 0.32), coal=20000, fuel_end=0.9, va=50000, plan=(4, 5),
             curve="steady", submit="normal")),
        P("150400-P003", "赤峰红山产业园", "150400", "pilot",
          _p(25000, (0.28, 0.45), gas=60, diesel=10, va=30000, plan=(0, 0), curve="none",
             submit="normal", zero_rows=True)),
        P("150500-P001", "霍林郭勒工业园区", "150500", "national",
          _p(350000, (0.40, 0.66), mix=(0.8, 0.05, 0.15), coal=8000, fuel_end=0.8, va=150000,
             plan=(6, 8), curve="front", submit="prompt", report_co2=True),
          baseline_year=2024, target_green_share=0.75),
        P("150500-P002", "通辽经济技术开发区", "150500", "regional",
          _p(90000, (0.20, 0.38), coal=15000, gas=250, heat=25000, fuel_end=0.8, va=120000,
             plan=(8, 8), curve="front", submit="normal", report_co2=True), baseline_year=2024),
        P("150500-P003", "通辽科尔沁工业园区", "150500", "pilot",
          _p(40000, (0.15, 0.22), coal=9000, va=35000, plan=(4, 4), curve="steady",
             submit="sloppy")),
        P("150600-P001", "鄂尔多斯零碳产业园", "150600", "national",
          _p(60000, (0.93, 0.97), mix=(0.75, 0.2, 0.05), gas=20, diesel=5, va=70000,
             plan=(4, 4), curve="front", submit="prompt", report_co2=True),
          channel="csv", baseline_year=2024, target_green_share=0.98),
        P("150600-P002", "达拉特经济开发区", "150600", "regional",
          _p(130000, {0: 0.27, 11: 0.31, 17: 0.42}, coal=20000, gas=200, fuel_end=0.85,
             va=110000, plan=(6, 10), curve="front", submit="normal"),
          channel="csv", target_green_share=0.50, baseline_green_override=0.30),
        P("150600-P003", "鄂尔多斯蒙苏经济开发区", "150600", "regional",
          _p(60000, (0.10, 0.16), coal=120000, gas=500, diesel=60, fuel_end=0.97, va=200000,
             plan=(10, 12), curve="steady", submit="normal", report_co2=True), channel="csv"),
        P("150700-P001", "呼伦贝尔经济技术开发区", "150700", "pilot",
          _p(35000, (0.25, 0.42), coal=6000, heat=30000, fuel_end=0.85, va=40000, plan=(4, 4),
             curve="front", submit="normal")),
        P("150700-P002", "扎兰屯工业园区", "150700", "pilot",
          _p(15000, (0.20, 0.22), coal=3000, va=10000, plan=(3, 3), curve="late",
             submit="late")),
        P("150700-P003", "满洲里进出口加工园区", "150700", "pilot",
          _p(20000, (0.30, 0.45), gas=30, va=25000, plan=(2, 3), curve="front",
             submit="prompt"), on_list=False),
        P("150800-P001", "巴彦淖尔经济技术开发区", "150800", "regional",
          _p(45000, {0: 0.40, 11: 0.48, 12: 0.62, 17: 0.70}, coal=2000, gas=60, fuel_end=0.8, va=50000, plan=(5, 6),
             curve="front", submit="prompt")),
        P("150800-P002", "乌拉特后旗工业园区", "150800", "pilot",
          _p(70000, (0.30, 0.45), coal=10000, va=30000, plan=(4, 4), curve="steady",
             submit="normal")),
        P("150800-P003", "杭锦后旗工业园区", "150800", "pilot",
          _p(20000, (0.25, 0.40), gas=20, va=20000, plan=(3, 3), curve="steady",
             submit="normal")),
        P("150900-P001", "乌兰察布大数据产业园", "150900", "regional",
          _p(60000, (0.50, 0.72), diesel=20, gas=40, va=60000, plan=(5, 6), curve="front",
             submit="prompt")),
        P("150900-P002", "察哈尔高新技术产业开发区", "150900", "regional",
          _p(55000, {0: 0.35, 6: 0.37, 7: 0.52, 17: 0.60}, coal=5000, gas=90, fuel_end=0.8, va=45000, plan=(5, 5),
             curve="steady", submit="normal", units={"natural_gas_10k_m3": "m³"})),
        P("150900-P003", "乌兰察布大数据产业园数据中心园中园", "150900", "pilot",
          _p(100000, (0.86, 0.93), mix=(0.8, 0.1, 0.1), diesel=15, va=20000, plan=(2, 2),
             curve="front", submit="prompt"),
          scope="sub_park", parent="150900-P001", target_green_share=0.95),
        P("152200-P001", "兴安盟经济技术开发区", "152200", "pilot",
          _p(30000, (0.30, 0.40), coal=4000, heat=8000, va=20000, plan=(3, 4), curve="steady",
             submit="normal")),
        P("152200-P002", "乌兰浩特工业园区", "152200", "pilot",
          _p(20000, (0.20, 0.25), coal=6000, heat=12000, va=15000, plan=(4, 4), curve="late",
             submit="late")),
        P("152200-P003", "科右中旗工业园区", "152200", "pilot",
          _p(12000, (0.40, 0.60), gas=10, va=8000, plan=(2, 3), curve="front", submit="normal"),
          enrolled_on=dt.date(2025, 7, 1)),
        P("152500-P001", "锡林浩特经济技术开发区", "152500", "regional",
          _p(40000, (0.45, 0.68), coal=5000, heat=20000, fuel_end=0.8, va=35000, plan=(4, 5),
             curve="front", submit="normal"), channel="csv", baseline_year=2024),
        P("152500-P002", "二连浩特口岸工业园区", "152500", "pilot",
          _p(15000, (0.35, 0.50), diesel=50, gasoline=20, va=18000, plan=(2, 2),
             curve="steady", submit="normal"), channel="csv"),
        P("152500-P003", "乌拉盖工业园区", "152500", "pilot",
          _p(25000, (0.30, 0.40), coal=8000, va=12000, plan=(3, 3), curve="late",
             submit="sloppy"), channel="csv"),
        P("152900-P001", "阿拉善高新技术产业开发区", "152900", "regional",
          _p(100000, (0.30, 0.48), coal=30000, gas=400, fuel_end=0.85, va=70000, plan=(6, 6),
             curve="steady", submit="normal", units={"natural_gas_10k_m3": "m3"})),
        P("152900-P002", "阿拉善孪井滩风光新能源产业园", "152900", "regional",
          _p(25000, (0.88, 0.93), mix=(0.6, 0.35, 0.05), diesel=8, va=15000, plan=(2, 2),
             curve="front", submit="prompt"), target_green_share=0.95),
        P("152900-P003", "阿拉善腾格里经济技术开发区", "152900", "pilot",
          _p(35000, (0.25, 0.35), coal=8000, gas=60, va=20000, plan=(3, 3), curve="steady",
             submit="sloppy")),
    ]
    for p in parks:
        p.core = True
    # priority: keep the parks carrying special roles first when fewer than 36 are asked for
    first = ["150600-P003", "150600-P002", "150900-P001", "150900-P003", "150700-P003",
             "152200-P003", "150600-P001", "150100-P002", "152900-P002", "150200-P001"]
    order = {c: i for i, c in enumerate(first)}
    return sorted(parks, key=lambda p: (order.get(p.code, 100), p.code))


CSV_CITY_STYLE = {  # city -> (encoding, header style, thousands separators)
    "150200": ("utf-8-sig", "canonical", False),
    "150600": ("gb18030", "zh_units", True),
    "152500": ("utf-8", "zh", False),
}
EXTRA_CSV_STYLES = [("utf-8", "canonical", False), ("utf-8-sig", "zh", False),
                    ("gb18030", "zh_units", False), ("utf-8", "zh_units", True)]


def _extra_park(rng: random.Random, code: str, city: str, n: int) -> Park:
    kind = rng.choices(["green", "mixed", "coal", "grid"], [1, 3, 2, 2])[0]
    elec = round(rng.uniform(8000, 150000), -2)
    if kind == "green":
        g0 = rng.uniform(0.6, 0.85)
        prof = _p(elec, (g0, min(0.97, g0 + rng.uniform(0.03, 0.12))), diesel=rng.uniform(0, 20))
    elif kind == "mixed":
        g0 = rng.uniform(0.2, 0.5)
        prof = _p(elec, (g0, g0 + rng.uniform(0.0, 0.2)), coal=rng.uniform(1000, 15000),
                  gas=rng.uniform(0, 200), heat=rng.uniform(0, 20000),
                  fuel_end=rng.uniform(0.75, 1.02))
    elif kind == "coal":
        g0 = rng.uniform(0.08, 0.25)
        prof = _p(elec, (g0, g0 + rng.uniform(0.0, 0.1)), coal=rng.uniform(10000, 60000),
                  gas=rng.uniform(0, 300), fuel_end=rng.uniform(0.85, 1.05))
    else:
        g0 = rng.uniform(0.1, 0.35)
        prof = _p(elec * 3, (g0, g0 + rng.uniform(0.0, 0.15)), gas=rng.uniform(0, 100))
    prof.va = round(rng.uniform(5000, 150000), -2)
    p = rng.randint(0, 10)
    prof.plan = (p, max(0, p + rng.randint(-1, 2)))
    prof.curve = "none" if p == 0 else rng.choice(["front", "steady", "steady", "late"])
    prof.submit = rng.choices(["prompt", "normal", "sloppy", "late"], [3, 5, 2, 1])[0]
    prof.report_co2 = rng.random() < 0.4
    category = rng.choices(["national", "regional", "pilot"], [1, 4, 10])[0]
    suffix = rng.choice(["工业园区", "产业园", "经济开发区", "循环经济园区", "新材料产业园"])
    return Park(code, f"{CITY_NAME[city][:-1] if CITY_NAME[city].endswith('市') else CITY_NAME[city]}"
                f"第{n}{suffix}", city, category, prof)


def build_region(rng: random.Random, n_parks: int, csv_share: float | None) -> list[Park]:
    if not 1 <= n_parks <= 12 * 999:
        raise ValueError("parks must be between 1 and 11988 (P001..P999 per league-city)")
    parks = core_parks()[:n_parks]
    codes = {p.code for p in parks}
    if any(p.scope == "sub_park" and p.parent not in codes for p in parks):
        for p in parks:  # a sub-park without its parent in a tiny region becomes a whole park
            if p.scope == "sub_park" and p.parent not in codes:
                p.scope, p.parent = "whole", ""
    next_no = {c: 4 for c, _, _ in LEAGUE_CITIES}
    i = 0
    while len(parks) < n_parks:
        city = LEAGUE_CITIES[i % 12][0]
        i += 1
        if next_no[city] > 999:
            continue
        code = f"{city}-P{next_no[city]:03d}"
        parks.append(_extra_park(rng, code, city, next_no[city]))
        next_no[city] += 1
    extras = [p for p in parks if not p.core]
    share = csv_share if csv_share is not None else (1.0 if n_parks >= 500 else 0.25)
    for p in extras:
        p.channel = "csv" if rng.random() < share else "xlsx"
    if csv_share is not None:  # explicit share also moves ordinary core parks
        for p in parks:
            if p.core and not _has_pinned_channel(p.code):
                p.channel = "csv" if rng.random() < csv_share else "xlsx"
    return sorted(parks, key=lambda p: p.code)


def _has_pinned_channel(code: str) -> bool:
    return code in PINNED_XLSX or code in PINNED_CSV


# core parks whose messy cases need their channel
PINNED_XLSX = {"150100-P001", "150100-P002", "150100-P003", "150300-P001", "150300-P002",
               "150400-P001", "150400-P002", "150400-P003", "150500-P001", "150500-P002",
               "150700-P001", "150700-P002", "150800-P001", "150800-P002", "150800-P003",
               "150900-P001", "150900-P002", "152200-P001", "152200-P003", "152900-P001",
               "152900-P002"}
PINNED_CSV = {"150200-P002", "150200-P003", "150600-P003", "152500-P001", "152500-P002",
              "152500-P003", "150600-P002", "150200-P001", "150600-P001"}


# --------------------------------------------------------------------------------------------
# physical truth
def _interp(knots: dict, i: int) -> float:
    ks = sorted(knots)
    if i <= ks[0]:
        return knots[ks[0]]
    if i >= ks[-1]:
        return knots[ks[-1]]
    for a, b in zip(ks, ks[1:]):
        if a <= i <= b:
            return knots[a] + (knots[b] - knots[a]) * (i - a) / (b - a)
    raise AssertionError


def _r(x: float, nd: int) -> float:
    v = round(x, nd)
    return float(int(v)) if nd == 0 else v


def physical_month(park: Park, month: str, rng: random.Random) -> dict:
    """What the park really consumed in `month` (canonical units)."""
    pr = park.profile
    i = month_index(month)
    p = max(0.0, min(1.5, i / TREND_SPAN))
    act = SEASON[int(month[5:7])] * (1 + rng.uniform(-0.02, 0.02))
    g = _interp(pr.green, i)
    g = min(0.995, g + rng.uniform(-0.004, 0.004) * (1 - g))
    # designed physical events
    if park.code == "150800-P001" and month == "2025-08":
        g -= 0.08  # wind curtailment: rebound, rectified next month
    if park.code == "150300-P002" and month >= "2026-03":
        g -= 0.12  # a green-power contract lapsed and was only partly renewed: lasting rebound
    elec = pr.elec * act
    d, o, c = pr.mix
    green = elec * g
    vals = {
        "green_direct_mwh": green * d,
        "green_onsite_mwh": green * o,
        "green_certificate_mwh": green * c,
    }
    vals["grid_electricity_mwh"] = elec - vals["green_direct_mwh"] - vals["green_onsite_mwh"]
    fuel_mult = 1 + (pr.fuel_end - 1) * p
    for f, base in (("raw_coal_t", pr.coal), ("natural_gas_10k_m3", pr.gas),
                    ("diesel_t", pr.diesel), ("gasoline_t", pr.gasoline),
                    ("purchased_heat_gj", pr.heat)):
        vals[f] = base * act * fuel_mult * (1 + rng.uniform(-0.005, 0.005))
    if park.code == "152900-P002" and month >= "2025-10":
        vals["natural_gas_10k_m3"] += 60 * act  # new gas-fired process heat: lasting rebound
    out = {}
    for f, _, _, _, nd in CARRIERS:
        out[f] = _r(vals[f], nd)
    out["green_certificate_mwh"] = min(out["green_certificate_mwh"], out["grid_electricity_mwh"])
    out["value_added_10k_yuan"] = _r(pr.va * act * (1 + 0.04 * p) * (1 + rng.uniform(-0.01, 0.01)), 1)
    year, mo = int(month[:4]), int(month[5:7])
    planned = pr.plan[min(year - 2025, len(pr.plan) - 1)] if year >= 2025 else pr.plan[0]
    out["retrofit_planned"] = planned
    out["retrofit_completed"] = int(planned * RETROFIT_CURVES[pr.curve][mo - 1] + 1e-9)
    out["reported_co2_t"] = None
    if pr.report_co2:
        out["reported_co2_t"] = _r(measures(out)["co2_t"] * (1 + rng.uniform(-0.03, 0.03)), 0)
    return out


def add_into(parent: dict, child: dict) -> dict:
    """The parent park's figures include its sub-park's."""
    out = dict(parent)
    for f, _, _, _, nd in CARRIERS:
        out[f] = _r(parent[f] + child[f], nd)
    out["value_added_10k_yuan"] = _r(parent["value_added_10k_yuan"] + child["value_added_10k_yuan"], 1)
    if out.get("reported_co2_t") is not None:
        out["reported_co2_t"] = _r(out["reported_co2_t"] + measures(child)["co2_t"], 0)
    return out


_STD = None


def _factors():
    global _STD
    if _STD is None:
        std = load_standard()
        tce = {
            "electricity": std.tce_electricity, "raw_coal_t": std.num("tce.raw_coal"),
            "natural_gas_10k_m3": std.num("tce.natural_gas"), "diesel_t": std.num("tce.diesel"),
            "gasoline_t": std.num("tce.gasoline"), "purchased_heat_gj": std.num("tce.purchased_heat"),
        }
        co2 = {
            "grid": std.num("co2.grid_electricity"), "raw_coal_t": std.num("co2.raw_coal"),
            "natural_gas_10k_m3": std.num("co2.natural_gas"), "diesel_t": std.num("co2.diesel"),
            "gasoline_t": std.num("co2.gasoline"), "purchased_heat_gj": std.num("co2.purchased_heat"),
        }
        units = {fam: std.unit_factors(fam) for fam in ("electricity", "mass", "gas", "heat")}
        _STD = (std, tce, co2, units)
    return _STD


FUELS = ["raw_coal_t", "natural_gas_10k_m3", "diesel_t", "gasoline_t", "purchased_heat_gj"]


def measures(v: dict) -> dict:
    """STANDARD §3 for one month (or for summed quantities)."""
    _, tce, co2, _ = _factors()
    elec = v["grid_electricity_mwh"] + v["green_direct_mwh"] + v["green_onsite_mwh"]
    cert = min(v["green_certificate_mwh"], v["grid_electricity_mwh"])
    green = v["green_direct_mwh"] + v["green_onsite_mwh"] + cert
    energy = elec * tce["electricity"] + sum(v[f] * tce[f] for f in FUELS)
    c = (v["grid_electricity_mwh"] - cert) * co2["grid"] + sum(v[f] * co2[f] for f in FUELS)
    return {
        "electricity_mwh": elec, "green_mwh": green, "energy_tce": energy, "co2_t": c,
        "green_share": green / elec if elec else None,
        "carbon_per_energy": c / energy if energy else None,
    }


# --------------------------------------------------------------------------------------------
# writers
class _FixedZip(zipfile.ZipFile):
    """A ZipFile whose entries carry a fixed date, so equal content gives equal bytes."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zi = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            zi.compress_type = self.compression
            zi.external_attr = 0o600 << 16
            zinfo_or_arcname = zi
        return super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:
            return self.writestr(arcname or Path(filename).name, fh.read())


class _MemoryExcelWriter(ExcelWriter):
    """openpyxl's writer with worksheets serialised in memory (no temp files, no file mtimes)."""

    def write_worksheet(self, ws):
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def workbook_bytes(wb: Workbook) -> bytes:
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    wb.properties.creator = "zc_pipeline.samplegen"
    buf = io.BytesIO()
    with _FixedZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        _MemoryExcelWriter(wb, archive).save()  # save() closes the archive
    return buf.getvalue()


def write_workbook(path, *, park_code, park_name, period, submitted_on, reporter, energy_rows,
                   economy, omit_sheets=(), info_order=None) -> Path:
    """Write one 月度自测表 (FILES.md §2) deterministically.

    period: 'YYYY-MM' text or a date/datetime (written as an Excel date); submitted_on: date;
    energy_rows: [(能源品种, 计量单位, 消费量), ...]; economy: [(项目, 数值), ...] or a dict.
    omit_sheets: sheet names left out (for invalid-file fixtures); info_order: order of the
    基本信息 rows (default 园区代码, 园区名称, 报告期, 填报日期, 填报人).
    """
    wb = Workbook()
    wb.remove(wb.active)
    info = {"园区代码": park_code, "园区名称": park_name, "报告期": period,
            "填报日期": submitted_on, "填报人": reporter}
    if "基本信息" not in omit_sheets:
        ws = wb.create_sheet("基本信息")
        ws.append(["项目", "内容"])
        for key in info_order or list(info):
            ws.append([key, info[key]])
            cell = ws.cell(row=ws.max_row, column=2)
            if isinstance(info[key], (dt.date, dt.datetime)):
                cell.number_format = "yyyy-mm-dd"
        ws.column_dimensions["A"].width = 12
        ws.column_dimensions["B"].width = 36
    if "能源消费" not in omit_sheets:
        ws = wb.create_sheet("能源消费")
        ws.append(["能源品种", "计量单位", "消费量"])
        for row in energy_rows:
            ws.append(list(row))
        ws.column_dimensions["A"].width = 14
        ws.column_dimensions["C"].width = 16
    if "经济与改造" not in omit_sheets:
        ws = wb.create_sheet("经济与改造")
        ws.append(["项目", "数值"])
        items = economy.items() if isinstance(economy, dict) else economy
        for k, v in items:
            ws.append([k, v])
        ws.column_dimensions["A"].width = 26
    data = workbook_bytes(wb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _unit_for(park: Park, f: str) -> str:
    fam = {c[0]: c[2] for c in CARRIERS}[f]
    canonical = {c[0]: c[3] for c in CARRIERS}[f]
    return park.profile.units.get(f) or park.profile.units.get(fam) or canonical


def _as_written(value: float, unit: str, f: str) -> float | int:
    fam = {c[0]: c[2] for c in CARRIERS}[f]
    factor = _factors()[3][fam][unit]
    w = Decimal(repr(float(value))) / Decimal(repr(factor))
    w = w.normalize()
    return int(w) if w == w.to_integral_value() else float(w)


def energy_rows_for(park: Park, values: dict, units: dict | None = None) -> list:
    rows = []
    for f in CARRIER_FIELDS:
        v = values[f]
        if v == 0 and not park.profile.zero_rows:
            continue
        unit = (units or {}).get(f) or _unit_for(park, f)
        rows.append((CARRIER_ZH[f], unit, _as_written(v, unit, f)))
    return rows


def economy_rows_for(values: dict) -> list:
    rows = []
    for f, label in ECONOMY:
        v = values.get(f)
        if v is None:
            continue
        rows.append((label, int(v) if f != "value_added_10k_yuan" and float(v).is_integer() else v))
    return rows


def fmt_num(v, thousands: bool = False) -> str:
    """Plain decimal text of a (rounded) number: 12345.6, 18972, or 18,972 with separators."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = format(v, ",") if thousands else repr(v)
    if "e" in s or "E" in s:  # never scientific notation
        s = f"{Decimal(repr(v)):{',' if thousands else ''}f}"
    return s


# --------------------------------------------------------------------------------------------
@dataclass
class Submission:
    """One expected `submission` row (what a correct pipeline records)."""
    file: str
    folder: str
    fmt: str
    park: str | None
    period: str | None
    submitted_on: dt.date | None
    status: str  # accepted | rejected (before in-force resolution)
    values: dict | None = None
    source_row: int | None = None
    level: str | None = None  # file | record (for rejected)
    why: str = ""
    seq: int = 0
    final: str = ""  # in_force | superseded | rejected


class Region:
    def __init__(self, out: Path, parks: list[Park], months: list[str], rng: random.Random):
        self.out, self.parks, self.months, self.rng = out, parks, months, rng
        self.by_code = {p.code: p for p in parks}
        self.subs: list[Submission] = []
        self.cases: list[dict] = []
        self.csv_rows: dict = {}  # (city, month, fileno) -> (submitted_on, [rows]) ; fileno 0 = main
        self.truth: dict = {}  # (park, month) -> physical values
        self.seen: set = set()

    # ---- helpers
    def rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()

    def add_case(self, **case):
        self.cases.append(case)

    def submit_date(self, park: Park, month: str) -> dt.date:
        lo, hi = SUBMIT_DAYS[park.profile.submit]
        day = self.rng.randint(lo, hi)
        if month == self.months[-1]:
            day = min(day, 14)  # never after the recommended as-of date
        return following_day(month, day)

    def reporter(self, park: Park) -> str:
        h = int(hashlib.sha256(park.code.encode()).hexdigest()[:8], 16)
        return REPORTERS[h % len(REPORTERS)]

    def xlsx(self, park: Park, month: str, values: dict, submitted_on: dt.date, *, name=None,
             period=None, units=None, status="accepted", level=None, why="", omit=(),
             code=None, track=True) -> str:
        fname = name or f"{park.code}_{month}.xlsx"
        path = self.out / "landing" / month / fname
        order = None
        if int(hashlib.sha256(park.code.encode()).hexdigest()[:2], 16) % 3 == 0:
            order = ["报告期", "园区代码", "园区名称", "填报人", "填报日期"]
        write_workbook(path, park_code=code or park.code, park_name=park.name,
                       period=period if period is not None else month, submitted_on=submitted_on,
                       reporter=self.reporter(park), energy_rows=energy_rows_for(park, values, units),
                       economy=economy_rows_for(values), omit_sheets=omit, info_order=order)
        rel = self.rel(path)
        if track:
            p_read = period if isinstance(period, str) else month
            self.subs.append(Submission(rel, month, "xlsx", code or park.code, p_read, submitted_on,
                                        status, values if status == "accepted" else None,
                                        None, level, why))
        return rel


# --------------------------------------------------------------------------------------------
def generate_region(out_dir, *, parks: int = 36, seed: int = 20260101, first: str = "2025-01",
                    last: str = "2026-06", csv_share: float | None = None) -> dict:
    """Write registry/, landing/ and MANIFEST.json under out_dir; return the manifest."""
    out = Path(out_dir)
    rng = random.Random(seed)
    months = month_range(first, last)
    if not months:
        raise ValueError("empty month range")
    region_parks = build_region(rng, parks, csv_share)
    R = Region(out, region_parks, months, rng)
    by_code = R.by_code

    # physical truth (sub-parks before their parents)
    order = sorted(region_parks, key=lambda p: (p.scope != "sub_park", p.code))
    for p in order:
        prng = random.Random(f"{seed}|{p.code}")
        for m in months:
            R.truth[(p.code, m)] = physical_month(p, m, prng)
    for p in region_parks:
        if p.scope == "sub_park" and p.parent in by_code:
            for m in months:
                R.truth[(p.parent, m)] = add_into(R.truth[(p.parent, m)], R.truth[(p.code, m)])
    _set_baselines(R, seed)
    _write_registry(R)
    _plan_submissions(R)
    _write_csvs(R)
    _resolve(R)
    est = Estimator(R)
    verifications = _write_verifications(R, est)
    spot_fail = {h: {fr["park"] for fr in v["failing_rows"] if fr["sampled_predicted"]}
                 for h, v in verifications.items()}
    funding = _write_funding(R, est, spot_fail)
    manifest = _manifest(R, est, seed, first, last, csv_share, verifications, funding, spot_fail)
    (out / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1,
                                                  sort_keys=False) + "\n", encoding="utf-8")
    return manifest


def _set_baselines(R: Region, seed: int) -> None:
    """Baselines consistent with each park's physical data (2025 sums; 2024 extrapolated)."""
    for p in R.parks:
        prng = random.Random(f"{seed}|baseline|{p.code}")
        m25 = [f"2025-{m:02d}" for m in range(1, 13)]
        have = [R.truth[(p.code, m)] for m in m25 if (p.code, m) in R.truth]
        if not have:  # month range without 2025: simulate the year
            have = [physical_month(p, m, random.Random(f"{seed}|b|{p.code}|{m}")) for m in m25]
        tot = {f: sum(v[f] for v in have) for f in CARRIER_FIELDS}
        ms = measures(tot)
        if p.baseline_year == 2025:
            cpe, green = ms["carbon_per_energy"], ms["green_share"]
        else:  # 2024: the year before was dirtier and less green
            first3 = {f: sum(v[f] for v in have[:3]) for f in CARRIER_FIELDS}
            m3 = measures(first3)
            cpe = m3["carbon_per_energy"] * (1.06 + prng.uniform(0, 0.04))
            green = max(0.0, m3["green_share"] - 0.03)
        p.baseline_cpe = round(cpe, 4)
        p.baseline_green = round(p.baseline_green_override if p.baseline_green_override is not None
                                 else green, 3)
        if p.target_green_share is None:
            p.target_green_share = round(min(0.95, p.baseline_green + (0.08 + 0.12 * prng.random())), 2)
        p.target_green_share = max(p.target_green_share, p.baseline_green)


def _write_registry(R: Region) -> None:
    reg = R.out / "registry"
    reg.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["league_city_code", "name_zh", "name_en"])
    for row in LEAGUE_CITIES:
        w.writerow(row)
    (reg / "league_cities.csv").write_bytes(buf.getvalue().encode("utf-8"))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["park_code", "park_name", "league_city_code", "category", "scope",
                "parent_park_code", "on_cultivation_list", "enrolled_on", "baseline_year",
                "baseline_carbon_per_energy", "baseline_green_share", "target_green_share",
                "target_date"])
    for p in R.parks:
        w.writerow([p.code, p.name, p.city, p.category, p.scope, p.parent,
                    "true" if p.on_list else "false", p.enrolled_on.isoformat(), p.baseline_year,
                    f"{p.baseline_cpe:.4f}", f"{p.baseline_green:.3f}",
                    f"{p.target_green_share:.2f}", p.target_date.isoformat()])
    (reg / "parks.csv").write_bytes(buf.getvalue().encode("utf-8"))


# --------------------------------------------------------------------------------------------
def _plan_submissions(R: Region) -> None:
    months = set(R.months)
    for m in R.months:
        for p in R.parks:
            code = p.code
            if month_start(m) < p.enrolled_on.replace(day=1):
                if not (code == "152200-P003" and m in ("2025-05", "2025-06")):
                    continue
            if code == "150700-P002" and "2025-07" <= m <= "2025-12":
                if m == "2025-07":
                    R.add_case(case="stopped_reporting", park=code, month=m,
                               months=[x for x in R.months if "2025-07" <= x <= "2025-12"],
                               expect="no files 2025-07..2025-12: 2025-Q3/Q4 no_report (score 0, D)")
                continue  # stopped reporting for half a year
            if code == "150400-P003" and m == "2025-11":
                R.add_case(case="missing_month", park=code, month=m,
                           expect="no submission; months_reported < months_expected (missing_report cap)")
                continue
            v = dict(R.truth[(code, m)])
            on = R.submit_date(p, m)
            if p.channel == "csv":
                _csv_row(R, p, m, v, on)
                continue
            _xlsx_submission(R, p, m, v, on, months)
    # a workbook for a park code missing from the registry
    for m in ("2026-04",):
        if m in months and "150400-P001" in R.by_code:
            p = R.by_code["150400-P001"]
            name = "150400-P009_2026-04.xlsx"
            rel = R.xlsx(p, m, R.truth[(p.code, m)], following_day(m, 6), name=name,
                         code="150400-P009", status="rejected", level="file", why="park_unknown")
            R.add_case(case="invalid_file", file=rel, park="150400-P009", month=m,
                       expect="file_error", why="park code not in the registry")


def _xlsx_submission(R: Region, p: Park, m: str, v: dict, on: dt.date, months: set) -> None:
    code = p.code
    rng = R.rng
    # -- pre-enrolment data (stored, ignored)
    if code == "152200-P003" and month_start(m) < p.enrolled_on:
        rel = R.xlsx(p, m, v, on)
        R.add_case(case="pre_enrolment", park=code, month=m, file=rel, enrolled_on=p.enrolled_on.isoformat(),
                   expect="accepted and in force, stored in park_month but ignored by §5–§8")
        return
    # -- on-time boundary
    if code == "150800-P001" and m == "2025-03":
        on = following_day(m, 10)
        rel = R.xlsx(p, m, v, on)
        R.add_case(case="deadline_day", park=code, month=m, file=rel, submitted_on=on.isoformat(),
                   expect="on_time true (submitted exactly on the 10th)")
        return
    if code == "150800-P002" and m == "2025-03":
        on = following_day(m, 11)
        rel = R.xlsx(p, m, v, on)
        R.add_case(case="late", park=code, month=m, file=rel, submitted_on=on.isoformat(),
                   expect="on_time false (one day after the deadline)")
        return
    # -- Excel date as 报告期
    if code == "150900-P001" and m == "2025-03":
        rel = R.xlsx(p, m, v, on, period=dt.datetime(2025, 3, 1))
        R.add_case(case="period_excel_date", park=code, month=m, file=rel,
                   expect="accepted; 报告期 is an Excel date (2025-03-01) read as 2025-03")
        return
    # -- resubmission with different numbers
    if code == "150100-P002" and m == "2025-05":
        first = dict(v)
        first["grid_electricity_mwh"] = _r(v["grid_electricity_mwh"] * 1.06, 1)
        first["diesel_t"] = _r(v["diesel_t"] * 1.3, 2)
        on1 = following_day(m, 4)
        on2 = following_day(m, 8)
        f1 = R.xlsx(p, m, first, on1)
        f2 = R.xlsx(p, m, v, on2, name=f"{code}_{m}_v2.xlsx")
        R.add_case(case="resubmission", park=code, month=m, in_force_file=f2, superseded_file=f1,
                   submitted_on={"superseded": on1.isoformat(), "in_force": on2.isoformat()},
                   expect="v2 in force, v1 superseded, both accepted, on time")
        return
    # -- late resubmission: the in-force one is late, so the month is late
    if code == "150400-P002" and m == "2026-01":
        first = dict(v)
        first["raw_coal_t"] = _r(v["raw_coal_t"] * 0.9, 1)
        on1, on2 = following_day(m, 7), following_day(m, 20)
        f1 = R.xlsx(p, m, first, on1)
        f2 = R.xlsx(p, m, v, on2, name=f"{code}_{m}_v2.xlsx")
        R.add_case(case="resubmission", park=code, month=m, in_force_file=f2, superseded_file=f1,
                   submitted_on={"superseded": on1.isoformat(), "in_force": on2.isoformat()},
                   expect="v2 in force and late: the month is not on time although v1 was")
        return
    # -- rejected resubmission never displaces the accepted one
    if code == "150500-P002" and m == "2025-10":
        on1, on2 = following_day(m, 6), following_day(m, 9)
        f1 = R.xlsx(p, m, v, on1)
        bad = dict(v)
        bad["raw_coal_t"] = -abs(v["raw_coal_t"])
        f2 = R.xlsx(p, m, bad, on2, name=f"{code}_{m}_v2.xlsx", status="rejected",
                    level="record", why="negative quantity")
        R.add_case(case="resubmission_rejected", park=code, month=m, in_force_file=f1,
                   rejected_file=f2, field="raw_coal_t", value=bad["raw_coal_t"],
                   expect="v2 rejected (negative quantity); v1 stays in force")
        return
    # -- period not the folder's month, then a correction
    if code == "150700-P001" and m == "2025-08":
        prev = add_months(m, -1)
        f1 = R.xlsx(p, m, v, on, period=prev, status="rejected", level="file",
                    why="period not the folder's month")
        on2 = following_day(m, 12)
        f2 = R.xlsx(p, m, v, on2, name=f"{code}_{m}_更正.xlsx")
        R.add_case(case="invalid_file", file=f1, park=code, month=m, period_written=prev,
                   expect="file_error", why="period not the folder's month")
        R.add_case(case="late", park=code, month=m, file=f2, submitted_on=on2.isoformat(),
                   expect="corrected file accepted and in force, late (12th)")
        return
    # -- missing sheet, then a correction
    if code == "150800-P003" and m == "2026-02":
        f1 = R.xlsx(p, m, v, following_day(m, 3), status="rejected", level="file",
                    why="missing sheet 经济与改造", omit=("经济与改造",))
        f2 = R.xlsx(p, m, v, following_day(m, 6), name=f"{code}_{m}_v2.xlsx")
        R.add_case(case="invalid_file", file=f1, park=code, month=m, missing_sheet="经济与改造",
                   expect="file_error", why="missing sheet", corrected_by=f2)
        return
    # -- corrupt workbook (random bytes), then a re-upload
    if code == "150300-P002" and m == "2025-12":
        path = R.out / "landing" / m / f"{code}_{m}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(rng.getrandbits(8) for _ in range(4096)))
        rel = R.rel(path)
        R.subs.append(Submission(rel, m, "xlsx", None, None, None, "rejected", level="file",
                                 why="unreadable workbook"))
        f2 = R.xlsx(p, m, v, following_day(m, 7), name=f"{code}_{m}_重新上传.xlsx")
        R.add_case(case="invalid_file", file=rel, park=None, month=m, expect="file_error",
                   why="corrupt .xlsx (random bytes); park and period unreadable",
                   corrected_by=f2)
        return
    # -- warnings
    if code == "152200-P001" and m in ("2025-09",):
        bad = dict(v)
        bad["grid_electricity_mwh"] = _r(v["grid_electricity_mwh"] * 1000, 1)
        rel = R.xlsx(p, m, bad, on)
        R.add_case(case="warning", park=code, month=m, file=rel, field="grid_electricity_mwh",
                   rule="carrier more than 10x the previous month (a kWh figure written as MWh)",
                   value=bad["grid_electricity_mwh"], expect="accepted with a warning")
        return
    if code == "152200-P001" and m == "2025-10":
        rel = R.xlsx(p, m, v, on)
        R.add_case(case="warning", park=code, month=m, file=rel, field="grid_electricity_mwh",
                   rule="carrier less than 0.1x the previous month in force (2025-09 was 1000x)",
                   expect="accepted with a warning")
        return
    if code == "150100-P003" and m == "2026-01":
        bad = dict(v)
        bad["value_added_10k_yuan"] = 0
        rel = R.xlsx(p, m, bad, on)
        R.add_case(case="warning", park=code, month=m, file=rel, field="value_added_10k_yuan",
                   rule="value added 0 with energy > 0", expect="accepted with a warning")
        return
    if code == "150500-P001" and m == "2025-07":
        bad = dict(v)
        bad["reported_co2_t"] = _r(measures(v)["co2_t"] * 1.25, 0)
        rel = R.xlsx(p, m, bad, on)
        R.add_case(case="warning", park=code, month=m, file=rel, field="reported_co2_t",
                   rule="reported CO2 more than 10% away from computed (+25%)",
                   value=bad["reported_co2_t"], expect="accepted with a warning")
        return
    if code in ("150300-P003", "152200-P002") and on.day > 10 and (code, "late") not in R.seen:
        R.seen.add((code, "late"))
        rel = R.xlsx(p, m, v, on)
        R.add_case(case="late", park=code, month=m, file=rel, submitted_on=on.isoformat(),
                   expect="on_time false")
        return
    rel = R.xlsx(p, m, v, on)
    if p.profile.units and (code, "units") not in R.seen:
        R.seen.add((code, "units"))
        units = {f: _unit_for(p, f) for f in CARRIER_FIELDS if v[f] and _unit_for(p, f) != {c[0]: c[3] for c in CARRIERS}[f]}
        R.add_case(case="mixed_units", park=code, month=m, file=rel, units=units,
                   canonical={f: v[f] for f in units},
                   as_written={f: _as_written(v[f], units[f], f) for f in units},
                   expect="converted to canonical units (same in every month of this park)")


def _csv_row(R: Region, p: Park, m: str, v: dict, on: dt.date) -> None:
    """Queue a batch-CSV row; messy record cases are injected here."""
    code = p.code
    key = (p.city, m, 0)
    city_on = R.csv_rows.get(key, (None, []))[0]
    if city_on is None:  # the city sends its batch on one day
        lo, hi = SUBMIT_DAYS["normal"]
        city_on = following_day(m, R.rng.randint(lo, min(hi, 9)))
        R.csv_rows[key] = (city_on, [])
    rows = R.csv_rows[key][1]
    row = {"park_code": code, "period": m, "submitted_on": city_on, **v, "_flags": {}}
    fixed = None
    if code == "150200-P002" and m == "2025-04":
        row["diesel_t"] = -abs(v["diesel_t"])
        row["_flags"] = {"status": "rejected", "case": "record_error", "field": "diesel_t",
                         "why": "negative quantity"}
        fixed = following_day(m, 16)
    elif code == "150200-P003" and m == "2025-09":
        dup = dict(row)
        dup["grid_electricity_mwh"] = _r(v["grid_electricity_mwh"] * 1.02, 1)
        flags = {"status": "rejected", "case": "record_error", "field": "park_code",
                 "why": "park-month repeated in one file (all its rows rejected)"}
        row["_flags"] = flags
        dup["_flags"] = dict(flags)
        rows.append(row)
        rows.append(dup)
        return
    elif code == "152500-P003" and m == "2025-11":
        row["green_certificate_mwh"] = _r(v["grid_electricity_mwh"] * 1.2, 1)
        row["_flags"] = {"status": "rejected", "case": "record_error",
                         "field": "green_certificate_mwh", "why": "green certificates above grid electricity"}
    elif code == "150600-P003" and m == "2026-03":
        row["retrofit_completed"] = v["retrofit_planned"] + 2
        row["_flags"] = {"status": "rejected", "case": "record_error", "field": "retrofit_completed",
                         "why": "retrofit_completed above retrofit_planned"}
        fixed = following_day(m, 9)
    elif code == "152500-P002" and m == "2026-02":
        row["natural_gas_10k_m3"] = "约12"
        row["_flags"] = {"status": "rejected", "case": "record_error", "field": "natural_gas_10k_m3",
                         "why": "non-numeric value"}
        fixed = following_day(m, 13)
    elif code == "152500-P001" and m == "2025-05":
        row["_flags"] = {"fullwidth": ["grid_electricity_mwh", "raw_coal_t"],
                         "thousands": ["purchased_heat_gj"], "case": "number_format"}
    rows.append(row)
    if fixed is not None:
        fkey = (p.city, m, 1)
        if fkey not in R.csv_rows:
            R.csv_rows[fkey] = (fixed, [])
        R.csv_rows[fkey][1].append({"park_code": code, "period": m, "submitted_on": fixed, **v,
                                    "_flags": {"case": "correction"}})


def _write_csvs(R: Region) -> None:
    cities = sorted({k[0] for k in R.csv_rows})
    extra_style = {c: EXTRA_CSV_STYLES[i % len(EXTRA_CSV_STYLES)] for i, c in enumerate(cities)}
    for key in sorted(R.csv_rows):
        city, m, fileno = key
        on, rows = R.csv_rows[key]
        enc, style, thousands = CSV_CITY_STYLE.get(city, extra_style[city])
        name = f"{city}_batch_{m}.csv" if fileno == 0 else f"{city}_batch_{m}_fix{fileno}.csv"
        path = R.out / "landing" / m / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if style == "canonical":
            header = CSV_FIELDS
        elif style == "zh":
            header = [CSV_ALIASES[f] for f in CSV_FIELDS]
        else:
            header = [CSV_UNIT_HEADERS.get(f, CSV_ALIASES[f]) for f in CSV_FIELDS]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n" if enc == "gb18030" else "\n")
        w.writerow(header)
        rel = R.rel(path)
        seen_pm = {}
        for i, row in enumerate(rows):
            flags = row["_flags"]
            out = []
            for f in CSV_FIELDS:
                v = row[f]
                if isinstance(v, dt.date):
                    s = v.isoformat()
                elif f in ("park_code", "period"):
                    s = v
                else:
                    s = fmt_num(v, thousands=thousands and isinstance(v, float) and abs(v) >= 1000
                                or f in flags.get("thousands", ()))
                    if f in flags.get("fullwidth", ()):
                        s = s.translate(FULL_WIDTH)
                out.append(s)
            w.writerow(out)
            src_row = i + 2
            status = flags.get("status", "accepted")
            values = {f: row[f] for f in QUANTITY_FIELDS} if status == "accepted" else None
            R.subs.append(Submission(rel, m, "csv", row["park_code"], row["period"],
                                     row["submitted_on"], status, values, src_row,
                                     "record" if status == "rejected" else None,
                                     flags.get("why", "")))
            case = flags.get("case")
            if case == "record_error":
                pm = (row["park_code"], m)
                if pm in seen_pm:
                    R.cases[seen_pm[pm]]["rows"].append(src_row)
                    R.cases[seen_pm[pm]]["values"].append(out[CSV_FIELDS.index("grid_electricity_mwh")])
                else:
                    seen_pm[pm] = len(R.cases)
                    R.add_case(case="record_error", file=rel, park=row["park_code"], month=m,
                               rows=[src_row], field=flags["field"],
                               values=[out[CSV_FIELDS.index(flags["field"])]] if flags["field"] != "park_code"
                               else [out[CSV_FIELDS.index("grid_electricity_mwh")]],
                               expect="record_error: park-month rejected", why=flags["why"],
                               encoding=enc)
            elif case == "number_format":
                R.add_case(case="number_format", file=rel, park=row["park_code"], month=m,
                           row=src_row, encoding=enc,
                           written={f: out[CSV_FIELDS.index(f)] for f in
                                    flags["fullwidth"] + flags["thousands"]},
                           canonical={f: row[f] for f in flags["fullwidth"] + flags["thousands"]},
                           expect="full-width digits and thousands separators normalised; accepted")
            elif case == "correction":
                R.add_case(case="resubmission", park=row["park_code"], month=m, in_force_file=rel,
                           in_force_row=src_row, superseded_file=None,
                           submitted_on={"in_force": row["submitted_on"].isoformat()},
                           expect="correction of a rejected batch row: accepted and in force"
                                  + (" (late)" if row["submitted_on"].day > 10 else ""))
        path.write_bytes(buf.getvalue().encode(enc))
    # record the encodings / header styles used
    styles = {}
    for key in sorted(R.csv_rows):
        city = key[0]
        enc, style, thousands = CSV_CITY_STYLE.get(city, extra_style[city])
        styles.setdefault((enc, style, thousands), f"landing/{key[1]}/{city}_batch_{key[1]}.csv"
                          if key[2] == 0 else None)
    for (enc, style, thousands), example in sorted(styles.items()):
        if example:
            R.add_case(case="csv_format", file=example, encoding=enc, header_style=style,
                       thousands_separators=thousands,
                       expect="parsed: encoding and header aliases recognised")


# --------------------------------------------------------------------------------------------
def _resolve(R: Region) -> None:
    """Final statuses: only accepted submissions compete; latest 填报日期 then path then row."""
    for i, s in enumerate(R.subs):
        s.seq = i
    groups: dict = {}
    for s in R.subs:
        if s.status == "accepted":
            groups.setdefault((s.park, s.period), []).append(s)
        else:
            s.final = "rejected"
    R.in_force = {}
    for key, subs in groups.items():
        subs.sort(key=lambda s: (s.submitted_on, s.file, s.source_row or 0))
        for s in subs[:-1]:
            s.final = "superseded"
        subs[-1].final = "in_force"
        R.in_force[key] = subs[-1]


class Estimator:
    """A small private re-implementation of STANDARD §3–§8 to calibrate the sample (approximate)."""

    def __init__(self, R: Region, deadline_day: int = 10):
        self.R = R
        std = _factors()[0]
        self.std = std
        self.deadline_day = deadline_day
        last = R.months[-1]
        self.as_of = following_day(last, 15)
        self.pm = {}  # (park, month) -> dict of quantities + measures + on_time
        for (park, m), s in R.in_force.items():
            if park not in R.by_code:
                continue
            d = dict(s.values)
            d.update(measures(d))
            d["on_time"] = s.submitted_on <= following_day(m, deadline_day)
            d["sub"] = s
            self.pm[(park, m)] = d
        self.warnings = self._warnings()
        self.rebounds = self._rebounds()
        self.rebounds_by_park: dict = {}
        for rb in self.rebounds:
            self.rebounds_by_park.setdefault(rb["park"], []).append(rb)

    def counts(self, park, m):
        return (park, m) in self.pm

    def enrolled(self, park: Park, m: str) -> bool:
        return month_start(m) >= park.enrolled_on.replace(day=1)

    def _warnings(self) -> dict:
        """Warning rows per accepted submission (by seq)."""
        out = {}
        for s in self.R.subs:
            if s.status != "accepted" or s.park not in self.R.by_code:
                continue
            v = s.values
            n = []
            prev = self.pm.get((s.park, add_months(s.period, -1)))
            if prev is not None:
                for f in CARRIER_FIELDS:
                    a, b = v[f], prev[f]
                    if a and b and (a > 10 * b or a < 0.1 * b):
                        n.append(f"mom:{f}")
            ms = measures(v)
            if v["value_added_10k_yuan"] == 0 and ms["energy_tce"] > 0:
                n.append("value_added_zero")
            if v.get("reported_co2_t") is not None and ms["co2_t"]:
                if abs(v["reported_co2_t"] - ms["co2_t"]) / ms["co2_t"] > 0.10:
                    n.append("co2_gap")
            out[s.seq] = n
        return out

    def _rebounds(self) -> list[dict]:
        out = []
        for p in self.R.parks:
            for m in self.R.months:
                prev = add_months(m, -1)
                a, b = self.pm.get((p.code, m)), self.pm.get((p.code, prev))
                if a is None or b is None or not self.enrolled(p, m) or not self.enrolled(p, prev):
                    continue
                if a["carbon_per_energy"] is None or b["carbon_per_energy"] is None:
                    continue
                if a["carbon_per_energy"] > b["carbon_per_energy"] * 1.05:
                    out.append({"park": p.code, "month": m, "previous": prev,
                                "cpe": a["carbon_per_energy"], "previous_cpe": b["carbon_per_energy"]})
        return out

    def rebound_status(self, rb: dict, at_month: str) -> tuple[str, str | None]:
        m = rb["month"]
        for k in (1, 2, 3):
            mm = add_months(m, k)
            if mm > at_month:
                break
            d = self.pm.get((rb["park"], mm))
            if d is not None and d["carbon_per_energy"] is not None and \
                    d["carbon_per_energy"] <= rb["previous_cpe"]:
                return "rectified", mm
        if add_months(m, 3) <= at_month:
            return "overdue", None
        return "open", None

    def sample(self, half: str) -> tuple[list[str], dict]:
        months = half_months(half)
        eligible = []
        weights = {}
        for p in self.R.parks:
            ms = [m for m in months if (p.code, m) in self.pm and self.enrolled(p, m)]
            if not ms:
                continue
            eligible.append(p.code)
            rb = sum(1 for r in self.rebounds_by_park.get(p.code, ()) if r["month"] in months)
            wn = sum(len(self.warnings.get(self.pm[(p.code, m)]["sub"].seq, [])) for m in ms)
            weights[p.code] = 1 + 2 * rb + wn
        version = self.std.version
        seed = int(hashlib.sha256(f"{half}|{version}".encode()).hexdigest()[:16], 16)
        rng = random.Random(seed)
        keys = []
        for code in sorted(eligible):
            u = rng.random()
            keys.append((u ** (1 / weights[code]), code))
        k = math.ceil(0.25 * len(eligible))
        keys.sort(key=lambda t: (-t[0], t[1]))
        return [c for _, c in keys[:k]], weights

    def assess(self, park: Park, period: str, spot_fail: set | None = None) -> dict | None:
        if "Q" in period:
            window = quarter_months(period)
        elif period.endswith("H1"):
            window = half_months(period)
        else:
            window = [f"{period[:4]}-{m:02d}" for m in range(1, 13)]
        if any(m not in self.R.months for m in window):
            return None
        if month_start(window[-1]) < park.enrolled_on.replace(day=1):
            return None
        exp = [m for m in window if self.enrolled(park, m)]
        rep = [m for m in exp if (park.code, m) in self.pm]
        on_time = [m for m in rep if self.pm[(park.code, m)]["on_time"]]
        t_end = month_end(window[-1])
        t0 = dt.date(park.baseline_year, 12, 31)
        g0, gT, tT = park.baseline_green, park.target_green_share, park.target_date
        if tT <= t0:
            g = gT
        else:
            g = g0 + (gT - g0) * min(1, max(0, (t_end - t0).days / (tT - t0).days))
        res = {"park": park.code, "period": period, "expected": len(exp), "reported": len(rep),
               "on_time": len(on_time), "green_target": g}
        if not rep:
            res.update(score=0.0, grade="D", cap="no_report")
            return res
        tot = {f: sum(self.pm[(park.code, m)][f] for m in rep) for f in CARRIER_FIELDS}
        ms = measures(tot)
        last = self.pm[(park.code, rep[-1])]
        annual = ms["energy_tce"] * 12 / len(rep)
        large = annual >= 1_000_000
        if park.category == "national":
            T = 0.3 if large else 0.2
        else:
            T = 0.6 if large else 0.4
        ci, B = ms["carbon_per_energy"], park.baseline_cpe
        if ci is None:
            sc = 0.0
        elif ci <= T:
            sc = 40.0
        elif B <= T:
            sc = 0.0
        else:
            sc = 40 * min(1, max(0, (B - ci) / (B - T)))
        gs = ms["green_share"]
        sg = 30.0 if g == 0 else (0.0 if gs is None else 30 * min(1, max(0, gs / g)))
        sr = 20.0 if last["retrofit_planned"] == 0 else 20 * last["retrofit_completed"] / last["retrofit_planned"]
        sp = 10 * len(on_time) / len(exp)
        score = float(Decimal(repr(round(sc + sg + sr + sp, 9))).quantize(Decimal("0.1"), ROUND_HALF_UP))
        grade = "A" if score >= 85 else "B" if score >= 70 else "C" if score >= 60 else "D"
        caps = []
        if "H" in period and spot_fail and park.code in spot_fail:
            caps.append(("spot_check_failed", "D"))
        if len(rep) < len(exp):
            caps.append(("missing_report", "C"))
        for rb in self.rebounds_by_park.get(park.code, ()):
            if rb["month"] in window:
                st, _ = self.rebound_status(rb, window[-1])
                if st in ("open", "overdue"):
                    caps.append(("rebound_unrectified", "B"))
                    break
        cap = None
        final = grade
        for name, limit in caps:  # in precedence order; strictest limit wins
            if limit > final:
                final, cap = limit, name
        res.update(energy_tce=ms["energy_tce"], co2_t=ms["co2_t"], cpe=ci, threshold=T,
                   green_share=gs, score_carbon=sc, score_green=sg, score_retrofit=sr,
                   score_reporting=sp, score=score, uncapped=grade, grade=final, cap=cap)
        return res

    def windows(self) -> list[str]:
        years = sorted({m[:4] for m in self.R.months})
        out = []
        for y in years:
            out += [f"{y}-Q{n}" for n in range(1, 5)] + [f"{y}-H1", f"{y}-H2"]
        return out


# --------------------------------------------------------------------------------------------
def _write_verifications(R: Region, est: Estimator) -> dict:
    """Spot-check results for ~half the eligible parks of each half (plus every predicted draw)."""
    info = {}
    halves = sorted({f"{m[:4]}-H{1 if int(m[5:7]) <= 6 else 2}" for m in R.months})
    for half in halves:
        months = half_months(half)
        if any(m not in R.months for m in months):
            continue
        vrng = random.Random(f"{R.rng.random()}|{half}")
        sample, weights = est.sample(half)
        eligible = sorted(weights)
        others = [c for c in eligible if c not in sample and c not in ("152200-P001",)]
        vrng.shuffle(others)
        chosen = set(sample) | set(others[: max(0, len(eligible) // 2 - len(sample))])
        chosen.discard("152200-P001")  # its 1000x month would fail for a reason unrelated to checks
        # one predicted-sampled park fails (prefer a mid-grade park), plus two non-sampled parks
        pre = {c: est.assess(R.by_code[c], half) for c in sample}
        mid = [c for c in sample if pre[c] and pre[c]["grade"] in ("B", "C")]
        fail_sampled = (mid or [c for c in sample if c != "152200-P001"])[:1]
        fail_other = sorted(c for c in chosen if c not in sample)[:2]
        fails = set(fail_sampled) | set(fail_other)
        rows = []
        verified_base = month_start(add_months(months[-1], 1))
        fail_rows = []
        for code in sorted(chosen):
            bad_month = None
            if code in fails:
                in_m = [m for m in months if (code, m) in est.pm]
                bad_month = in_m[vrng.randrange(len(in_m))]
            for m in months:
                d = est.pm.get((code, m))
                if d is None:
                    continue
                if m == bad_month:
                    factor = vrng.choice([0.84, 0.86, 1.15, 1.18])
                    fail_rows.append({"park": code, "month": m, "sampled_predicted": code in sample})
                else:
                    factor = 1 + vrng.uniform(-0.04, 0.04)
                vco2 = round(d["co2_t"] * factor, 1)
                ven = round(d["energy_tce"] * (1 + vrng.uniform(-0.03, 0.03)), 1)
                room = (est.as_of - verified_base).days - 1
                von = verified_base + dt.timedelta(days=vrng.randint(min(4, room), min(45, room)))
                rows.append([code, m, f"{ven:.1f}", f"{vco2:.1f}", vrng.choice(INSPECTORS),
                             von.isoformat()])
        path = R.out / "landing" / "verifications" / f"{half}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["park_code", "period", "verified_energy_tce", "verified_co2_t", "inspector",
                    "verified_on"])
        w.writerows(rows)
        path.write_bytes(buf.getvalue().encode("utf-8"))
        info[half] = {"file": R.rel(path), "parks_with_rows": len(chosen), "rows": len(rows),
                      "eligible_parks": len(eligible), "predicted_sample": sample,
                      "predicted_risk_weights": {c: weights[c] for c in sample},
                      "failing_rows": fail_rows}
        for fr in fail_rows:
            R.add_case(case="spot_check_discrepancy", file=R.rel(path), park=fr["park"],
                       month=fr["month"],
                       expect="discrepancy > 0.10: fail if the park is sampled, otherwise stored only",
                       sampled_predicted=fr["sampled_predicted"])
    return info


def _round_half_up(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), ROUND_HALF_UP))


def _write_funding(R: Region, est: Estimator, spot_fail: dict) -> dict:
    """2026 special-fund applications (~25 projects)."""
    frng = random.Random(f"{R.rng.random()}|funding")
    h1 = {}
    for p in R.parks:
        h1[p.code] = est.assess(p, "2026-H1", spot_fail.get("2026-H1", set()))
    core = [p for p in R.parks if p.core]
    good = [p for p in core if p.on_list and h1.get(p.code) and h1[p.code]["grade"] in ("A", "B")]
    weak = [p for p in core if p.on_list and p not in good]
    off = [p for p in core if not p.on_list]
    projects = []
    kinds = ["green_direct_supply", "ccus_demo"]
    names = {"green_direct_supply": ["绿电直供专线工程", "风光储一体化绿电直供项目", "源网荷储绿电直供改造"],
             "ccus_demo": ["二氧化碳捕集利用示范工程", "CCUS全流程示范项目", "燃煤锅炉烟气碳捕集示范"],
             "other": ["园区智慧能源管理平台", "余热回收利用改造", "光伏车棚建设"]}
    for i, p in enumerate(good):
        n = 2 if i < 8 else 1
        for j in range(n):
            kind = kinds[(i + j) % 2] if p.profile.coal > 0 else "green_direct_supply"
            inv = frng.choice([6800, 7500, 8800, 10500, 12000, 15600, 9999.99, 11250.5, 23000])
            projects.append((p.code, kind, inv))
    weak.sort(key=lambda p: (p.code != "150500-P001", p.code))  # spot-check-capped park first
    for p in weak[:4]:
        projects.append((p.code, frng.choice(kinds), frng.choice([3000, 4500, 6000])))
    for p in (good[:2] + weak[:1]):
        projects.append((p.code, "other", frng.choice([800, 1200, 2500])))
    for p in off:
        projects.append((p.code, "green_direct_supply", 5000))
        projects.append((p.code, "ccus_demo", 3200))
    projects.append(("150300-P099", "green_direct_supply", 6000))
    projects = projects[:27] if len(projects) > 27 else projects
    rows, expect = [], []
    budget = Decimal(240_000_000)
    total_req = Decimal(0)
    for k, (code, kind, inv) in enumerate(projects, 1):
        pid = f"ZJ2026-{k:03d}"
        pname = frng.choice(names[kind])
        applied = dt.date(2026, 7, 1) + dt.timedelta(days=frng.randint(0, 13))
        inv_s = fmt_num(inv)
        rows.append([pid, code, (R.by_code[code].name if code in R.by_code else "未登记园区") + pname,
                     kind, inv_s, applied.isoformat()])
        p = R.by_code.get(code)
        a = h1.get(code)
        if p is None:
            reason = "park_unknown"
        elif not p.on_list:
            reason = "not_on_list"
        elif kind not in ("green_direct_supply", "ccus_demo"):
            reason = "type_not_covered"
        elif a is None or a["grade"] not in ("A", "B"):
            reason = "grade_too_low"
        else:
            reason = None
        req = None
        if reason is None:
            rate = Decimal("0.30") if a["grade"] == "A" else Decimal("0.20")
            req = min(_round_half_up(Decimal(inv_s) * 10000 * rate), 20_000_000)
            total_req += req
        expect.append({"project_id": pid, "park": code, "type": kind, "investment_10k_yuan": inv_s,
                       "estimated_grade": a["grade"] if a else None,
                       "expected_ineligible_reason": reason, "estimated_requested_yuan": req})
    path = R.out / "landing" / "funding" / "2026.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["project_id", "park_code", "project_name", "project_type", "investment_10k_yuan",
                "applied_on"])
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return {"file": R.rel(path), "projects": len(rows), "budget_yuan": int(budget),
            "estimated_eligible_requested_yuan": int(total_req),
            "note": "eligibility by grade uses samplegen's estimated 2026-H1 grades; park_unknown, "
                    "not_on_list and type_not_covered are certain",
            "projects_detail": expect}


# --------------------------------------------------------------------------------------------
def _manifest(R: Region, est: Estimator, seed, first, last, csv_share, verifications, funding,
              spot_fail) -> dict:
    per_month = {}
    for s in R.subs:
        d = per_month.setdefault(s.folder, {"files": set(), "submissions": 0, "in_force": 0,
                                            "superseded": 0, "rejected": 0, "file_errors": 0,
                                            "record_errors": 0})
        d["files"].add(s.file)
        d["submissions"] += 1
        d[s.final] += 1
        if s.final == "rejected":
            d["file_errors" if s.level == "file" else "record_errors"] += 1
    for d in per_month.values():
        d["files"] = len(d["files"])
    files = sorted(p.relative_to(R.out).as_posix() for p in R.out.rglob("*") if p.is_file()
                   and p.name not in ("MANIFEST.json", "README.md"))
    warn_total = sum(len(est.warnings.get(s.seq, [])) for s in R.subs if s.final == "in_force")
    rebounds = []
    for rb in est.rebounds:
        st, rect = est.rebound_status(rb, R.months[-1])
        rebounds.append({"park": rb["park"], "month": rb["month"],
                         "carbon_per_energy": round(rb["cpe"], 6),
                         "previous_carbon_per_energy": round(rb["previous_cpe"], 6),
                         "rectify_by": month_end(add_months(rb["month"], 3)).isoformat(),
                         "status_at_as_of": st, "rectified_in": rect})
    for rb in rebounds:
        R.add_case(case="rebound", park=rb["park"], month=rb["month"],
                   expect=f"rebound alert, status {rb['status_at_as_of']} at the recommended as-of",
                   rectified_in=rb["rectified_in"])
    grades = {}
    dist = {}
    if len(R.parks) <= 400:
        for w in est.windows():
            for p in R.parks:
                a = est.assess(p, w, spot_fail.get(w))
                if a is None:
                    continue
                grades.setdefault(w, {})[p.code] = {"score": a["score"], "grade": a["grade"],
                                                    "cap": a["cap"]}
                dist.setdefault(w, {"A": 0, "B": 0, "C": 0, "D": 0})[a["grade"]] += 1
    p_by = R.by_code
    special = {
        "sub_park": [p.code for p in R.parks if p.scope == "sub_park"],
        "parent_of_sub_park": sorted({p.parent for p in R.parks if p.scope == "sub_park"}),
        "off_list": [p.code for p in R.parks if not p.on_list],
        "mid_year_enrolment": [p.code for p in R.parks if p.enrolled_on > dt.date(2025, 1, 1)],
        "large_over_1m_tce": [c for c in ("150600-P003",) if c in p_by],
        "green_path_30_to_50": [c for c in ("150600-P002",) if c in p_by],
        "stopped_reporting_2025H2": [c for c in ("150700-P002",) if c in p_by],
        "baseline_year_2024": [p.code for p in R.parks if p.baseline_year == 2024],
    }
    manifest = {
        "generator": "zc_pipeline.samplegen", "generator_version": GENERATOR_VERSION,
        "seed": seed, "parks": len(R.parks), "league_cities": 12, "first_month": first,
        "last_month": last, "csv_share": csv_share, "standard_version": est.std.version,
        "recommended_as_of": est.as_of.isoformat(),
        "note": ("cases and expected counts follow from how the files were built; sections marked "
                 "estimate come from samplegen's own approximate re-implementation of STANDARD "
                 "§3–§8 and are for calibration, not a reference"),
        "registry": {"league_cities": "registry/league_cities.csv", "parks": "registry/parks.csv",
                     "special_parks": special},
        "file_count": len(files),
        "files_by_kind": {
            "xlsx": sum(1 for f in files if f.endswith(".xlsx")),
            "csv_monthly": sum(1 for f in files if f.endswith(".csv") and f.startswith("landing/2")),
            "verification": sum(1 for f in files if "/verifications/" in f),
            "funding": sum(1 for f in files if "/funding/" in f),
        },
        "cases": R.cases,
        "expected": {
            "note": "submission rows by landing folder month; statuses after in-force resolution",
            "per_month": {m: per_month[m] for m in sorted(per_month)},
            "totals": {k: sum(d[k] for d in per_month.values())
                       for k in ("files", "submissions", "in_force", "superseded", "rejected",
                                 "file_errors", "record_errors")},
            "park_months_in_force": len(R.in_force),
            "warnings_on_in_force_estimate": warn_total,
        },
        "estimate": {
            "rebounds": rebounds,
            "verifications": verifications,
            "funding": funding,
            "grade_distribution": dist,
            "grades": grades,
        },
    }
    return manifest


# --------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m zc_pipeline.samplegen", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="sample_data")
    ap.add_argument("--parks", type=int, default=36)
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--csv-share", type=float, default=None)
    ap.add_argument("--from", dest="first", default="2025-01")
    ap.add_argument("--to", dest="last", default="2026-06")
    a = ap.parse_args(argv)
    m = generate_region(a.out, parks=a.parks, seed=a.seed, first=a.first, last=a.last,
                        csv_share=a.csv_share)
    t = m["expected"]["totals"]
    print(f"wrote {m['file_count']} files for {m['parks']} parks, {a.first}..{a.last} under {a.out}: "
          f"{t['submissions']} submissions ({t['in_force']} in force, {t['superseded']} superseded, "
          f"{t['rejected']} rejected); recommended as-of {m['recommended_as_of']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
