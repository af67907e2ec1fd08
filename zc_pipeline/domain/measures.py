"""Monthly measures of STANDARD §1–§3 for one park and one month, vectorised over a frame."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from zc_pipeline.standards import Standard

ELECTRICITY_FIELDS = ("grid_electricity_mwh", "green_direct_mwh", "green_onsite_mwh", "green_certificate_mwh")
# fuel field -> rulebook carrier name (tce.<carrier>, co2.<carrier>)
FUEL_FIELDS = {
    "raw_coal_t": "raw_coal",
    "natural_gas_10k_m3": "natural_gas",
    "diesel_t": "diesel",
    "gasoline_t": "gasoline",
    "purchased_heat_gj": "purchased_heat",
}
CARRIER_FIELDS = ELECTRICITY_FIELDS + tuple(FUEL_FIELDS)
QUANTITY_FIELDS = CARRIER_FIELDS + (
    "value_added_10k_yuan",
    "retrofit_planned",
    "retrofit_completed",
    "reported_co2_t",
)
# the unit each quantity is stored in (submitted_value.canonical_value, park_month), as explanations print it
CANONICAL_UNITS = {
    "grid_electricity_mwh": "MWh", "green_direct_mwh": "MWh", "green_onsite_mwh": "MWh",
    "green_certificate_mwh": "MWh", "raw_coal_t": "t", "natural_gas_10k_m3": "10^4 m3", "diesel_t": "t",
    "gasoline_t": "t", "purchased_heat_gj": "GJ", "value_added_10k_yuan": "10^4 yuan",
    "retrofit_planned": "projects", "retrofit_completed": "projects", "reported_co2_t": "tCO2",
}
DERIVED_FIELDS = (
    "electricity_mwh",
    "certified_mwh",
    "green_mwh",
    "energy_tce",
    "co2_t",
    "carbon_per_energy",
    "carbon_per_value_added",
    "green_share",
    "retrofit_rate",
    "co2_reporting_gap",
)
LINEAGE_FIELDS = ("on_time", "submission_id", "source_sha256")
PARK_MONTH_COLUMNS = ("park_code", "period") + QUANTITY_FIELDS + DERIVED_FIELDS + LINEAGE_FIELDS


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NULL where the denominator is 0 or NULL (STANDARD §3)."""
    den = denominator.astype("float64")
    return (numerator.astype("float64") / den.where(den != 0)).astype("float64")


def is_null(value) -> bool:
    """A scalar read from a frame or the warehouse is NULL: None, pandas' NA, or NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def energy_and_co2(q: pd.DataFrame, std: Standard) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(electricity_mwh, certified_mwh, energy_tce, co2_t) of quantity rows in canonical units."""
    grid = q["grid_electricity_mwh"].astype("float64")
    electricity = grid + q["green_direct_mwh"] + q["green_onsite_mwh"]
    certified = np.minimum(q["green_certificate_mwh"].astype("float64"), grid)
    energy = electricity * std.tce_electricity
    co2 = (grid - certified) * std.num("co2.grid_electricity")
    for field, carrier in FUEL_FIELDS.items():
        energy = energy + q[field] * std.num(f"tce.{carrier}")
        co2 = co2 + q[field] * std.num(f"co2.{carrier}")
    return electricity.astype("float64"), certified.astype("float64"), energy.astype("float64"), co2.astype("float64")


def compute_park_month(in_force: pd.DataFrame, std: Standard) -> pd.DataFrame:
    """park_month rows from in-force submissions (quantities already canonical)."""
    df = in_force.copy()
    for field in QUANTITY_FIELDS:
        if field not in df:
            df[field] = np.nan if field == "reported_co2_t" else 0.0
        df[field] = pd.to_numeric(df[field]).astype("float64")
        if field != "reported_co2_t":
            df[field] = df[field].fillna(0.0)
    electricity, certified, energy, co2 = energy_and_co2(df, std)
    df["electricity_mwh"] = electricity
    df["certified_mwh"] = certified
    df["green_mwh"] = df["green_direct_mwh"] + df["green_onsite_mwh"] + certified
    df["energy_tce"] = energy
    df["co2_t"] = co2
    df["carbon_per_energy"] = ratio(co2, energy)
    df["carbon_per_value_added"] = ratio(co2, df["value_added_10k_yuan"])
    df["green_share"] = ratio(df["green_mwh"], electricity)
    df["retrofit_rate"] = ratio(df["retrofit_completed"], df["retrofit_planned"])
    df["co2_reporting_gap"] = ratio(df["reported_co2_t"] - co2, co2)
    df["on_time"] = df["on_time"].astype(bool)
    return df[list(PARK_MONTH_COLUMNS)].sort_values(["park_code", "period"]).reset_index(drop=True)


def _one(quantities: dict) -> pd.DataFrame:
    return pd.DataFrame([{f: float(quantities.get(f) or 0.0) for f in CARRIER_FIELDS}])


def co2_of(quantities: dict, std: Standard) -> float:
    """CO2 (t) of one record's canonical quantities."""
    return float(energy_and_co2(_one(quantities), std)[3].iloc[0])


def energy_tce_of(quantities: dict, std: Standard) -> float:
    """Energy (tce) of one record's canonical quantities."""
    return float(energy_and_co2(_one(quantities), std)[2].iloc[0])
