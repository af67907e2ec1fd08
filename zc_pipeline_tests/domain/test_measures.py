"""STANDARD §3 monthly measures against hand-computed numbers (factors from IM-ZCP-2026.1)."""
import math

import pandas as pd
import pytest

from zc_pipeline.domain.measures import co2_of, compute_park_month
from zc_pipeline.standards import load_standard

STD = load_standard()


def _row(**q):
    base = dict(park_code="150600-P001", period="2026-03", submission_id="s1", source_sha256="h", on_time=True,
                grid_electricity_mwh=0.0, green_direct_mwh=0.0, green_onsite_mwh=0.0, green_certificate_mwh=0.0,
                raw_coal_t=0.0, natural_gas_10k_m3=0.0, diesel_t=0.0, gasoline_t=0.0, purchased_heat_gj=0.0,
                value_added_10k_yuan=0.0, retrofit_planned=0.0, retrofit_completed=0.0, reported_co2_t=math.nan)
    base.update(q)
    return base


def test_every_measure_of_a_mixed_park_month():
    pm = compute_park_month(pd.DataFrame([_row(
        grid_electricity_mwh=1000, green_direct_mwh=200, green_onsite_mwh=50, green_certificate_mwh=300,
        raw_coal_t=500, natural_gas_10k_m3=2, diesel_t=10, purchased_heat_gj=1000,
        value_added_10k_yuan=5000, retrofit_planned=4, retrofit_completed=3, reported_co2_t=1800,
    )]), STD).iloc[0]
    # electricity = 1000 + 200 + 50 = 1250 MWh; certified = min(300, 1000) = 300
    assert pm.electricity_mwh == pytest.approx(1250)
    assert pm.certified_mwh == pytest.approx(300)
    # green = 200 + 50 + 300 = 550 -> share 550 / 1250 = 0.44
    assert pm.green_mwh == pytest.approx(550)
    assert pm.green_share == pytest.approx(0.44)
    # energy = 1250*0.300 + 500*0.7143 + 2*13.3 + 10*1.4571 + 1000*0.03412
    #        = 375 + 357.15 + 26.6 + 14.571 + 34.12 = 807.441 tce
    assert pm.energy_tce == pytest.approx(807.441)
    # co2 = (1000-300)*0.6096 + 500*1.9003 + 2*21.622 + 10*3.0959 + 1000*0.11
    #     = 426.72 + 950.15 + 43.244 + 30.959 + 110 = 1561.073 t
    assert pm.co2_t == pytest.approx(1561.073)
    # 1561.073 / 807.441 = 1.9333586... (807.441 * 1.9333586 = 1561.0730)
    assert pm.carbon_per_energy == pytest.approx(1.9333586, rel=1e-7)
    # 1561.073 / 5000 = 0.3122146
    assert pm.carbon_per_value_added == pytest.approx(0.3122146)
    # 3 / 4 = 0.75
    assert pm.retrofit_rate == pytest.approx(0.75)
    # (1800 - 1561.073) / 1561.073 = 238.927 / 1561.073 = 0.1530530...
    assert pm.co2_reporting_gap == pytest.approx(0.1530530, rel=1e-6)


def test_certificates_never_exceed_grid_and_zero_denominators_give_null():
    pm = compute_park_month(pd.DataFrame([
        _row(grid_electricity_mwh=100, green_certificate_mwh=150),  # certified = min(150, 100) = 100
        _row(park_code="150600-P002"),  # nothing at all: every ratio NULL
    ]), STD)
    a, b = pm.iloc[0], pm.iloc[1]
    assert a.certified_mwh == 100 and a.green_share == pytest.approx(1.0)
    # all grid power is certificate-covered: co2 = (100 - 100) * 0.6096 = 0
    assert a.co2_t == 0 and a.carbon_per_energy == 0
    assert pd.isna(a.co2_reporting_gap)  # not reported
    for col in ("green_share", "carbon_per_energy", "carbon_per_value_added", "retrofit_rate", "co2_reporting_gap"):
        assert pd.isna(b[col]), col


def test_calorific_convention_changes_only_the_electricity_factor():
    # 当量值: 1000 MWh * 0.1229 = 122.9 tce (equivalent convention would give 300)
    from dataclasses import replace

    entries = dict(STD.entries)
    entries["electricity_convention"] = dict(entries["electricity_convention"], value="calorific")
    std = replace(STD, entries=entries)
    pm = compute_park_month(pd.DataFrame([_row(grid_electricity_mwh=1000)]), std).iloc[0]
    assert pm.energy_tce == pytest.approx(122.9)


def test_co2_of_one_record():
    # 10 t raw coal * 1.9003 + 100 MWh grid * 0.6096 = 19.003 + 60.96 = 79.963
    assert co2_of({"raw_coal_t": 10, "grid_electricity_mwh": 100}, STD) == pytest.approx(79.963)
