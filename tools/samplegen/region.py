"""The region: league-cities, parks and their profiles, each park's physical months, the registry.

Every number here is the generator's own (profiles, seasons, submission habits); the rulebook's
factors are read through `zc_pipeline.standards` and the domain's measures.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from zc_pipeline.domain.measures import co2_of, energy_and_co2
from zc_pipeline.domain.periods import add_months, month_start
from zc_pipeline.standards import load_standard

TREND_SPAN = 17  # trends are laid out over 2025-01 (month index 0) .. 2026-06

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


def month_index(month: str) -> int:
    """Months since the trends' first month (2025-01 is 0)."""
    return (int(month[:4]) - 2025) * 12 + int(month[5:7]) - 1


def following_day(month: str, day: int) -> dt.date:
    """Day `day` of the month after `month` (submission and verification dates)."""
    return month_start(add_months(month, 1)).replace(day=day)


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
          # baseline just under its 2025 share (0.8829): the year-end 2025 green path is met, so it is accredited
          scope="sub_park", parent="150900-P001", target_green_share=0.95, baseline_green_override=0.880),
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


def round_to(x: float, nd: int) -> float:
    """`x` rounded to `nd` decimals, a float either way (as the files write quantities)."""
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
        out[f] = round_to(vals[f], nd)
    out["green_certificate_mwh"] = min(out["green_certificate_mwh"], out["grid_electricity_mwh"])
    out["value_added_10k_yuan"] = round_to(pr.va * act * (1 + 0.04 * p) * (1 + rng.uniform(-0.01, 0.01)), 1)
    year, mo = int(month[:4]), int(month[5:7])
    planned = pr.plan[min(year - 2025, len(pr.plan) - 1)] if year >= 2025 else pr.plan[0]
    out["retrofit_planned"] = planned
    out["retrofit_completed"] = int(planned * RETROFIT_CURVES[pr.curve][mo - 1] + 1e-9)
    out["reported_co2_t"] = None
    if pr.report_co2:
        out["reported_co2_t"] = round_to(co2_of(out, load_standard()) * (1 + rng.uniform(-0.03, 0.03)), 0)
    return out


def add_into(parent: dict, child: dict) -> dict:
    """The parent park's figures include its sub-park's."""
    out = dict(parent)
    for f, _, _, _, nd in CARRIERS:
        out[f] = round_to(parent[f] + child[f], nd)
    out["value_added_10k_yuan"] = round_to(parent["value_added_10k_yuan"] + child["value_added_10k_yuan"], 1)
    if out.get("reported_co2_t") is not None:
        out["reported_co2_t"] = round_to(out["reported_co2_t"] + co2_of(child, load_standard()), 0)
    return out



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
    on_time: bool = False


class Region:
    """The run's state: parks, months, physical truth, and the submissions and cases being written."""

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


def physical_truth(R: Region, seed: int) -> None:
    """Each park's physical months; a parent park's figures include its sub-park's."""
    for p in sorted(R.parks, key=lambda p: (p.scope != "sub_park", p.code)):  # sub-parks first
        prng = random.Random(f"{seed}|{p.code}")
        for m in R.months:
            R.truth[(p.code, m)] = physical_month(p, m, prng)
    for p in R.parks:
        if p.scope == "sub_park" and p.parent in R.by_code:
            for m in R.months:
                R.truth[(p.parent, m)] = add_into(R.truth[(p.parent, m)], R.truth[(p.code, m)])


def set_baselines(R: Region, seed: int) -> None:
    """Baselines consistent with each park's physical data (2025 sums; 2024 extrapolated)."""
    for p in R.parks:
        prng = random.Random(f"{seed}|baseline|{p.code}")
        m25 = [f"2025-{m:02d}" for m in range(1, 13)]
        have = [R.truth[(p.code, m)] for m in m25 if (p.code, m) in R.truth]
        if not have:  # month range without 2025: simulate the year
            have = [physical_month(p, m, random.Random(f"{seed}|b|{p.code}|{m}")) for m in m25]
        tot = {f: sum(v[f] for v in have) for f in CARRIER_FIELDS}
        if p.baseline_year == 2025:
            cpe, green = _carbon_and_green(tot)
        else:  # 2024: the year before was dirtier and less green
            cpe3, green3 = _carbon_and_green({f: sum(v[f] for v in have[:3]) for f in CARRIER_FIELDS})
            cpe = cpe3 * (1.06 + prng.uniform(0, 0.04))
            green = max(0.0, green3 - 0.03)
        p.baseline_cpe = round(cpe, 4)
        p.baseline_green = round(p.baseline_green_override if p.baseline_green_override is not None
                                 else green, 3)
        if p.target_green_share is None:
            p.target_green_share = round(min(0.95, p.baseline_green + (0.08 + 0.12 * prng.random())), 2)
        p.target_green_share = max(p.target_green_share, p.baseline_green)


def _carbon_and_green(quantities: dict) -> tuple[float, float]:
    """(carbon_per_energy, green_share) of summed quantities, by the domain's STANDARD §3 measures."""
    q = pd.DataFrame([quantities])
    electricity, certified, energy, co2 = (s.iloc[0] for s in energy_and_co2(q, load_standard()))
    green = q["green_direct_mwh"].iloc[0] + q["green_onsite_mwh"].iloc[0] + certified
    return float(co2 / energy), float(green / electricity)


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    """A UTF-8 CSV with \\n line ends (the registry and programme files)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def write_registry(R: Region) -> None:
    """registry/league_cities.csv and registry/parks.csv."""
    reg = R.out / "registry"
    write_csv(reg / "league_cities.csv", ["league_city_code", "name_zh", "name_en"], LEAGUE_CITIES)
    write_csv(reg / "parks.csv",
              ["park_code", "park_name", "league_city_code", "category", "scope", "parent_park_code",
               "on_cultivation_list", "enrolled_on", "baseline_year", "baseline_carbon_per_energy",
               "baseline_green_share", "target_green_share", "target_date"],
              [[p.code, p.name, p.city, p.category, p.scope, p.parent, "true" if p.on_list else "false",
                p.enrolled_on.isoformat(), p.baseline_year, f"{p.baseline_cpe:.4f}", f"{p.baseline_green:.3f}",
                f"{p.target_green_share:.2f}", p.target_date.isoformat()] for p in R.parks])
