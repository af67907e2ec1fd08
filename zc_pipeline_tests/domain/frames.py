"""Small frame builders for the domain tests: only the columns the rules read, sensible defaults."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from zc_pipeline.standards import load_standard

STD = load_standard()


def park(code: str, **kw) -> dict:
    """A dim_park row: a regional whole park of Hohhot on the list, enrolled 2025-01-01."""
    return {
        "park_code": code,
        "park_name": code,
        "league_city_code": code[:6],
        "category": "regional",
        "scope": "whole",
        "parent_park_code": None,
        "on_cultivation_list": True,
        "enrolled_on": dt.date(2025, 1, 1),
        "baseline_year": 2025,
        "baseline_carbon_per_energy": 1.0,
        "baseline_green_share": 0.3,
        "target_green_share": 0.5,
        "target_date": dt.date(2026, 12, 31),
    } | kw


def month(code: str, period: str, **kw) -> dict:
    """A park_month row; carbon_per_energy and green_share follow from the quantities given."""
    row = {
        "park_code": code,
        "period": period,
        "electricity_mwh": 1000.0,
        "certified_mwh": 0.0,
        "green_mwh": 500.0,
        "energy_tce": 1000.0,
        "co2_t": 400.0,
        "retrofit_planned": 0.0,
        "retrofit_completed": 0.0,
        "on_time": True,
        "submission_id": f"{code}|{period}",
    } | kw
    row.setdefault("carbon_per_energy", row["co2_t"] / row["energy_tce"] if row["energy_tce"] else None)
    return row


def dim(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def months(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(month("x", "2026-01")))
    return frame.astype({"carbon_per_energy": float})


def cpe_series(code: str, values: dict[str, float]) -> pd.DataFrame:
    """park_month rows for one park with the given carbon_per_energy per month."""
    return months(*(month(code, m, co2_t=v * 1000.0, carbon_per_energy=v) for m, v in values.items()))
