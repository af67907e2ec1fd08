"""The rulebook IM-ZCP-2026.1 holds every number of STANDARD.md and FILES.md, each with unit and source."""
import datetime as dt
import subprocess
import sys

import pytest

from zc_pipeline.standards import CAPS, RulebookError, load_standard, load_standard_file, standard_path

STD = load_standard("IM-ZCP-2026.1")

# key -> value exactly as STANDARD.md / FILES.md state it
EXPECTED = {
    "tce.electricity.equivalent": 0.300, "tce.electricity.calorific": 0.1229, "tce.raw_coal": 0.7143,
    "tce.natural_gas": 13.300, "tce.diesel": 1.4571, "tce.gasoline": 1.4714, "tce.purchased_heat": 0.03412,
    "co2.grid_electricity": 0.6096, "co2.green_electricity": 0, "co2.raw_coal": 1.9003, "co2.natural_gas": 21.622,
    "co2.diesel": 3.0959, "co2.gasoline": 2.9251, "co2.purchased_heat": 0.11,
    "deadline_day": 10, "limit.file_bytes": 20_000_000, "limit.uncompressed_bytes": 100_000_000, "limit.rows": 50_000,
    "warning.mom_ratio_high": 10, "warning.mom_ratio_low": 0.1, "warning.co2_gap": 0.10,
    "threshold.national": 0.2, "threshold.national_large": 0.3, "threshold.regional": 0.4,
    "threshold.regional_large": 0.6, "threshold.large_energy_tce": 1_000_000,
    "weight.carbon": 40, "weight.green": 30, "weight.retrofit": 20, "weight.reporting": 10,
    "grade.A": 85, "grade.B": 70, "grade.C": 60,
    "rebound.factor": 1.05, "rebound.rectify_months": 3,
    "spot_check.fraction": 0.25, "spot_check.weight_base": 1, "spot_check.weight_per_rebound": 2,
    "spot_check.weight_per_warning": 1, "spot_check.discrepancy_limit": 0.10,
    "outcome.max_nominations": 5,
    "funding.budget.2026": 240_000_000, "funding.rate.A": 0.30, "funding.rate.B": 0.20,
    "funding.project_cap": 20_000_000,
}


@pytest.mark.parametrize("key, value", sorted(EXPECTED.items()))
def test_every_number_of_the_standard_is_in_the_rulebook(key, value):
    assert STD[key] == pytest.approx(value)


def test_every_entry_has_unit_source_and_effective_date():
    frame = STD.to_frame()
    assert len(frame) == len(STD.entries) and frame["key"].is_unique
    assert (frame["source"].str.len() > 0).all()
    assert (frame.loc[frame["key"] != "electricity_convention", "unit"].str.len() > 0).all()
    assert (frame["effective_from"] == dt.date(2025, 1, 1)).all()
    assert set(frame["standard_version"]) == {"IM-ZCP-2026.1"}


def test_caps_conventions_and_budget_helpers():
    assert (STD["cap.no_report"], STD["cap.spot_check_failed"], STD["cap.missing_report"],
            STD["cap.rebound_unrectified"]) == ("D", "D", "C", "B")
    assert STD.tce_electricity == 0.300  # 等价值 is the default convention
    assert STD.budget(2026) == 240_000_000 and STD.budget(2031) is None
    assert STD.covered_project_types() == ["green_direct_supply", "ccus_demo"]
    assert STD.unit_factors("grid_electricity_mwh") == {"MWh": 1.0, "kWh": 0.001, "万kWh": 10.0}
    assert STD.unit_factors("diesel_t") == {"t": 1.0}  # 万t is a spelling of raw coal only (FILES.md §2)
    assert len(STD.sha256) == 64


def test_cap_precedence_is_the_standards_order_of_every_cap():
    # STANDARD §6: "precedence on equal limits: no_report, spot_check_failed, missing_report, rebound_unrectified"
    assert STD.cap_precedence() == ["no_report", "spot_check_failed", "missing_report", "rebound_unrectified"]
    limits = {k for k in STD.prefixed("cap") if k != "precedence"}
    assert set(STD.cap_precedence()) == limits  # each cap with a limit has a place, once
    assert sorted(STD.cap_precedence()) == sorted(CAPS)  # the caps the warehouse's grade_cap column accepts


@pytest.mark.parametrize("precedence", ["no_report,spot_check_failed,missing_report",  # one cap left out
                                        "no_report,no_report,spot_check_failed,missing_report,rebound_unrectified"])
def test_a_rulebook_whose_precedence_does_not_name_each_cap_once_is_refused(tmp_path, precedence):
    text = standard_path().read_text(encoding="utf-8").replace(
        '"no_report,spot_check_failed,missing_report,rebound_unrectified"', f'"{precedence}"')
    (tmp_path / "IM-ZCP-2026.1.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError, match="IM-ZCP-2026.1.yaml: key 'cap.precedence' must name each cap once"):
        load_standard_file(tmp_path / "IM-ZCP-2026.1.yaml")


def test_an_unknown_key_is_a_clear_error():
    with pytest.raises(KeyError, match="IM-ZCP-2026.1 has no entry 'threshold.martian'"):
        STD["threshold.martian"]


def test_domain_and_intake_do_not_import_dagster():
    """Pure layers stay pure: importing them must not pull in Dagster."""
    code = ("import sys, pkgutil, importlib, zc_pipeline.domain as d, zc_pipeline.intake as i\n"
            "for pkg in (d, i):\n"
            "    for m in pkgutil.iter_modules(pkg.__path__):\n"
            "        importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
            "print('dagster' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
