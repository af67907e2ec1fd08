"""The seeded sample generator: determinism, registry rules, and every messy case of the manifest."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

from tools.samplegen.csv_batches import CSV_ALIASES
from tools.samplegen.generate import generate_region
from tools.samplegen.region import CARRIER_FIELDS, CARRIER_ZH, CARRIERS, following_day
from tools.samplegen.workbooks import FIXED_TIMESTAMP, write_workbook
from zc_pipeline.domain.measures import co2_of as domain_co2_of
from zc_pipeline.domain.periods import add_months, month_range, months_of
from zc_pipeline.standards import load_standard

REPO = Path(__file__).resolve().parents[2]
CITIES = {
    "150100": "呼和浩特市", "150200": "包头市", "150300": "乌海市", "150400": "赤峰市",
    "150500": "通辽市", "150600": "鄂尔多斯市", "150700": "呼伦贝尔市", "150800": "巴彦淖尔市",
    "150900": "乌兰察布市", "152200": "兴安盟", "152500": "锡林郭勒盟", "152900": "阿拉善盟",
}
CSV_ALIAS_TO_FIELD = {v: k for k, v in CSV_ALIASES.items()}
CARRIER_BY_ZH = {c[1]: c for c in CARRIERS}


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    out = tmp_path_factory.mktemp("region")
    manifest = generate_region(out)
    return out, manifest


def all_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_csv(path: Path) -> tuple[str, list[dict], list[str]]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    fields = []
    for h in header:
        base = re.sub(r"[(（][^)）]*[)）]$", "", h) if h not in CSV_ALIAS_TO_FIELD else h
        fields.append(CSV_ALIAS_TO_FIELD.get(h) or CSV_ALIAS_TO_FIELD.get(base) or h)
    return enc, [dict(zip(fields, r)) for r in rows[1:]], header


def num(s: str) -> float:
    return float(s.translate({ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}).replace(",", ""))


def read_workbook(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    info = {r[0]: r[1] for r in wb["基本信息"].iter_rows(min_row=2, values_only=True)}
    energy = {r[0]: (r[1], r[2]) for r in wb["能源消费"].iter_rows(min_row=2, values_only=True)}
    econ = {r[0]: r[1] for r in wb["经济与改造"].iter_rows(min_row=2, values_only=True)}
    return {"info": info, "energy": energy, "econ": econ}


def canonical(energy: dict) -> dict:
    std = load_standard()
    out = {f: 0.0 for f in CARRIER_FIELDS}
    for zh, (unit, value) in energy.items():
        field, _, family, _, _ = CARRIER_BY_ZH[zh]
        out[field] = value * std.unit_factors(field)[unit]
    return out


def co2_of(v: dict) -> float:
    return domain_co2_of(v, load_standard())


# ---------------------------------------------------------------------------------------------
def test_deterministic_bytes(tmp_path):
    kw = dict(parks=14, seed=7, first="2025-07", last="2025-10")
    m1 = generate_region(tmp_path / "a", **kw)
    m2 = generate_region(tmp_path / "b", **kw)
    a, b = all_files(tmp_path / "a"), all_files(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) > 20
    assert [k for k in a if a[k] != b[k]] == []
    assert m1 == m2
    generate_region(tmp_path / "c", **{**kw, "seed": 8})
    c = all_files(tmp_path / "c")
    assert any(c.get(k) != a[k] for k in a)


def test_committed_sample_data_is_current(region):
    out, _ = region
    committed = REPO / "sample_data"
    if not (committed / "MANIFEST.json").exists():
        pytest.skip("sample_data not generated")
    got = {k: v for k, v in all_files(committed).items() if k != "README.md"}
    assert got.keys() == all_files(out).keys()
    assert [k for k, v in all_files(out).items() if got[k] != v] == []


def test_workbook_timestamps_fixed(region):
    out, _ = region
    wb = openpyxl.load_workbook(out / "landing/2025-01/150100-P001_2025-01.xlsx")
    assert wb.properties.created == FIXED_TIMESTAMP == wb.properties.modified
    assert sorted(wb.sheetnames) == sorted(["基本信息", "能源消费", "经济与改造"])


# ---------------------------------------------------------------------------------------------
def test_registry_rules(region):
    out, _ = region
    with open(out / "registry/league_cities.csv", encoding="utf-8") as fh:
        cities = list(csv.DictReader(fh))
    assert {c["league_city_code"]: c["name_zh"] for c in cities} == CITIES
    assert list(cities[0]) == ["league_city_code", "name_zh", "name_en"]
    with open(out / "registry/parks.csv", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        parks = list(reader)
        assert reader.fieldnames == [
            "park_code", "park_name", "league_city_code", "category", "scope", "parent_park_code",
            "on_cultivation_list", "enrolled_on", "baseline_year", "baseline_carbon_per_energy",
            "baseline_green_share", "target_green_share", "target_date"]
    assert len(parks) == 36
    codes = [p["park_code"] for p in parks]
    assert len(set(codes)) == 36
    for p in parks:
        assert re.fullmatch(r"\d{6}-P\d{3}", p["park_code"])
        assert p["park_code"][:6] == p["league_city_code"] in CITIES
        assert p["park_name"]
        assert p["category"] in ("national", "regional", "pilot")
        assert p["scope"] in ("whole", "sub_park")
        assert bool(p["parent_park_code"]) == (p["scope"] == "sub_park")
        assert p["on_cultivation_list"] in ("true", "false")
        dt.date.fromisoformat(p["enrolled_on"])
        dt.date.fromisoformat(p["target_date"])
        assert p["baseline_year"] in ("2024", "2025")
        assert float(p["baseline_carbon_per_energy"]) > 0
        assert 0 <= float(p["baseline_green_share"]) <= float(p["target_green_share"]) <= 1
    assert {p["league_city_code"] for p in parks} == set(CITIES)
    assert {p["category"] for p in parks} == {"national", "regional", "pilot"}


def test_special_parks(region):
    out, manifest = region
    with open(out / "registry/parks.csv", encoding="utf-8") as fh:
        parks = {p["park_code"]: p for p in csv.DictReader(fh)}
    sub = [p for p in parks.values() if p["scope"] == "sub_park"]
    assert len(sub) == 1 and sub[0]["category"] == "pilot" and sub[0]["park_code"].startswith("150900")
    parent = sub[0]["parent_park_code"]
    assert parent in parks and parks[parent]["scope"] == "whole"
    assert len(list(out.glob(f"landing/*/{parent}_*.xlsx"))) >= 18  # the parent reports too
    assert len(list(out.glob(f"landing/*/{sub[0]['park_code']}_*.xlsx"))) == 18
    assert [c for c, p in parks.items() if p["on_cultivation_list"] == "false"] == ["150700-P003"]
    late = [c for c, p in parks.items() if p["enrolled_on"] != "2025-01-01"]
    assert late == ["152200-P003"] and parks[late[0]]["enrolled_on"] == "2025-07-01"
    pre = sorted(p.parent.name for p in out.glob("landing/*/152200-P003_*.xlsx"))
    assert pre[:2] == ["2025-05", "2025-06"] and "2025-04" not in pre
    green = parks["150600-P002"]
    assert (green["baseline_green_share"], green["target_green_share"], green["target_date"]) == \
        ("0.300", "0.50", "2026-12-31")
    assert green["baseline_year"] == "2025"
    # the large coal-chemical park: sum its 2025 energy from the Ordos batch CSVs with §1 factors
    std = load_standard()
    tce = {"raw_coal_t": std.num("tce.raw_coal"), "natural_gas_10k_m3": std.num("tce.natural_gas"),
           "diesel_t": std.num("tce.diesel"), "gasoline_t": std.num("tce.gasoline"),
           "purchased_heat_gj": std.num("tce.purchased_heat")}
    total = 0.0
    for m in range(1, 13):
        enc, rows, _ = read_csv(out / f"landing/2025-{m:02d}/150600_batch_2025-{m:02d}.csv")
        assert enc == "gb18030"
        row = [r for r in rows if r["park_code"] == "150600-P003"][0]
        elec = sum(num(row[f]) for f in ("grid_electricity_mwh", "green_direct_mwh", "green_onsite_mwh"))
        total += elec * std.tce_electricity + sum(num(row[f]) * k for f, k in tce.items())
    assert total > 1_000_000
    assert manifest["registry"]["special_parks"]["large_over_1m_tce"] == ["150600-P003"]
    # baselines consistent with the 2025 data for baseline-year-2025 parks
    assert 1.5 < float(parks["150600-P003"]["baseline_carbon_per_energy"]) < 3


def test_csv_encodings_and_headers(region):
    out, _ = region
    enc_b, _, head_b = read_csv(out / "landing/2025-02/150200_batch_2025-02.csv")
    assert (out / "landing/2025-02/150200_batch_2025-02.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert head_b[:3] == ["park_code", "period", "submitted_on"]
    raw = (out / "landing/2025-02/150600_batch_2025-02.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    head_o = raw.decode("gb18030").splitlines()[0]
    assert "电网购电(MWh)" in head_o and "绿电直供（MWh）" in head_o
    raw = (out / "landing/2025-02/152500_batch_2025-02.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8").startswith("园区代码,报告期,填报日期,电网购电,")


# ---------------------------------------------------------------------------------------------
def _csv_rows(out, file, park):
    _, rows, _ = read_csv(out / file)
    return [r for r in rows if r["park_code"] == park]


def test_every_manifest_case_is_in_the_files(region):
    out, manifest = region
    with open(out / "registry/parks.csv", encoding="utf-8") as fh:
        registry = {p["park_code"]: p for p in csv.DictReader(fh)}
    seen = set()
    for case in manifest["cases"]:
        kind = case["case"]
        seen.add(kind)
        if kind == "mixed_units":
            wb = read_workbook(out / case["file"])
            for field, unit in case["units"].items():
                zh = CARRIER_ZH[field]
                assert wb["energy"][zh][0] == unit
                assert wb["energy"][zh][1] == case["as_written"][field]
                assert canonical(wb["energy"])[field] == pytest.approx(case["canonical"][field])
        elif kind in ("late", "deadline_day"):
            on = dt.date.fromisoformat(case["submitted_on"])
            deadline = following_day(case["month"], 10)
            assert (on <= deadline) == (kind == "deadline_day")
            if kind == "deadline_day":
                assert on == deadline
            wb = read_workbook(out / case["file"])
            assert wb["info"]["填报日期"].date() == on
        elif kind == "resubmission":
            if case["superseded_file"] is None:  # a batch correction of a rejected row
                row = _csv_rows(out, case["in_force_file"], case["park"])[0]
                assert row["submitted_on"] == case["submitted_on"]["in_force"]
                continue
            new, old = read_workbook(out / case["in_force_file"]), read_workbook(out / case["superseded_file"])
            assert new["info"]["填报日期"] > old["info"]["填报日期"]
            assert new["info"]["园区代码"] == old["info"]["园区代码"] == case["park"]
            assert new["energy"] != old["energy"]
        elif kind == "resubmission_rejected":
            good, bad = read_workbook(out / case["in_force_file"]), read_workbook(out / case["rejected_file"])
            assert bad["info"]["填报日期"] > good["info"]["填报日期"]
            assert bad["energy"]["原煤"][1] < 0 < good["energy"]["原煤"][1]
        elif kind == "invalid_file":
            path = out / case["file"]
            folder = path.parent.name
            if case["why"].startswith("corrupt"):
                with pytest.raises(Exception):
                    openpyxl.load_workbook(path)
            elif case["why"] == "missing sheet":
                assert case["missing_sheet"] not in openpyxl.load_workbook(path).sheetnames
                assert read_workbook(out / case["corrected_by"])["info"]["报告期"] == folder
            elif case["why"] == "period not the folder's month":
                period = read_workbook(path)["info"]["报告期"]
                assert period != folder and period == case["period_written"]
            elif case["why"] == "park code not in the registry":
                code = read_workbook(path)["info"]["园区代码"]
                assert code == case["park"] and code not in registry
            else:
                raise AssertionError(case)
            assert case["expect"] == "file_error"
        elif kind == "record_error":
            _, rows, _ = read_csv(out / case["file"])
            mine = [(i + 2, r) for i, r in enumerate(rows) if r["park_code"] == case["park"]]
            assert [i for i, _ in mine] == case["rows"]
            r = mine[0][1]
            why = case["why"]
            if why == "negative quantity":
                assert num(r[case["field"]]) < 0
            elif why.startswith("green certificates"):
                assert num(r["green_certificate_mwh"]) > num(r["grid_electricity_mwh"])
            elif why.startswith("retrofit_completed"):
                assert int(r["retrofit_completed"]) > int(r["retrofit_planned"])
            elif why == "non-numeric value":
                with pytest.raises(ValueError):
                    num(r[case["field"]])
            elif why.startswith("park-month repeated"):
                assert len(mine) == 2 and mine[0][1]["period"] == mine[1][1]["period"] == case["month"]
            else:
                raise AssertionError(case)
        elif kind == "number_format":
            _, rows, _ = read_csv(out / case["file"])
            r = rows[case["row"] - 2]
            assert any(ch in "０１２３４５６７８９" for f in case["written"] for ch in r[f])
            assert any("," in r[f] for f in case["written"])
            for f, v in case["canonical"].items():
                assert num(r[f]) == pytest.approx(v)
        elif kind == "warning":
            wb = read_workbook(out / case["file"])
            v = canonical(wb["energy"])
            if case["field"] == "grid_electricity_mwh":
                prev_m = add_months(case["month"], -1)
                prev = canonical(read_workbook(out / f"landing/{prev_m}/{case['park']}_{prev_m}.xlsx")["energy"])
                ratio = v["grid_electricity_mwh"] / prev["grid_electricity_mwh"]
                assert ratio > 10 or ratio < 0.1
            elif case["field"] == "value_added_10k_yuan":
                assert wb["econ"]["工业增加值(万元)"] == 0 and v["raw_coal_t"] > 0
            elif case["field"] == "reported_co2_t":
                rep = wb["econ"]["自报二氧化碳排放量(吨)"]
                assert abs(rep - co2_of(v)) / co2_of(v) > 0.10
        elif kind == "missing_month":
            folder = out / "landing" / case["month"]
            assert not list(folder.glob(f"{case['park']}_*"))
            assert all(case["park"] not in p.read_bytes().decode("utf-8-sig", "ignore")
                       for p in folder.glob("*.csv"))
        elif kind == "stopped_reporting":
            for m in case["months"]:
                assert not list((out / "landing" / m).glob(f"{case['park']}_*"))
        elif kind == "period_excel_date":
            period = read_workbook(out / case["file"])["info"]["报告期"]
            assert isinstance(period, dt.datetime) and period.strftime("%Y-%m") == case["month"]
        elif kind == "pre_enrolment":
            assert case["month"] < case["enrolled_on"][:7] and (out / case["file"]).exists()
        elif kind == "csv_format":
            enc, rows, _ = read_csv(out / case["file"])
            assert rows and (enc == "gb18030") == (case["encoding"] == "gb18030")
        elif kind == "spot_check_discrepancy":
            _, rows, _ = read_csv(out / case["file"])
            assert [r for r in rows if r["park_code"] == case["park"] and r["period"] == case["month"]]
        elif kind == "rebound":
            assert case["park"] in registry
        else:
            raise AssertionError(f"unchecked case kind {kind}")
    assert {"mixed_units", "late", "deadline_day", "resubmission", "resubmission_rejected",
            "invalid_file", "record_error", "number_format", "warning", "missing_month",
            "period_excel_date", "pre_enrolment", "rebound"} <= seen
    whys = {c["why"] for c in manifest["cases"] if c["case"] in ("invalid_file", "record_error")}
    assert len(whys) == 9
    units = set().union(*(c["units"].values() for c in manifest["cases"] if c["case"] == "mixed_units"))
    assert {"kWh", "万kWh", "万t"} <= units and units & {"m³", "立方米", "m3"}


def test_rebounds_one_rectified_one_overdue(region):
    _, manifest = region
    statuses = {(r["park"], r["month"]): r["status_at_as_of"] for r in manifest["estimate"]["rebounds"]}
    assert statuses[("150800-P001", "2025-08")] == "rectified"
    assert statuses[("152900-P002", "2025-10")] == "overdue"
    assert "overdue" in {s for (p, m), s in statuses.items() if m.startswith("2026")}


def test_expected_counts_match_files(region):
    out, manifest = region
    per_month = manifest["expected"]["per_month"]
    assert sorted(per_month) == month_range("2025-01", "2026-06")
    for m, d in per_month.items():
        files = [p for p in (out / "landing" / m).iterdir()]
        assert d["files"] == len(files)
        assert d["submissions"] == d["in_force"] + d["superseded"] + d["rejected"]
        assert d["rejected"] == d["file_errors"] + d["record_errors"]
    t = manifest["expected"]["totals"]
    assert (t["file_errors"], t["record_errors"], t["superseded"]) == (4, 7, 2)


def test_verifications(region):
    out, manifest = region
    for half in ("2025-H1", "2025-H2", "2026-H1"):
        _, rows, header = read_csv(out / f"landing/verifications/{half}.csv")
        assert header == ["park_code", "period", "verified_energy_tce", "verified_co2_t", "inspector", "verified_on"]
        months = months_of(half)
        parks = {r["park_code"] for r in rows}
        assert 12 <= len(parks) <= 24  # roughly half of the 36
        assert {r["period"] for r in rows} == set(months)
        for p in parks:  # every month in force of each (a rejected or stopped month aside)
            assert len([r for r in rows if r["park_code"] == p]) >= 5 or p == "150700-P002"
        info = manifest["estimate"]["verifications"][half]
        assert set(info["predicted_sample"]) <= parks
        assert 1 <= len(info["failing_rows"]) <= 4
        assert all(dt.date.fromisoformat(r["verified_on"]) < dt.date(2026, 7, 15) for r in rows)


def test_funding(region):
    out, manifest = region
    _, rows, header = read_csv(out / "landing/funding/2026.csv")
    assert header == ["project_id", "park_code", "project_name", "project_type", "investment_10k_yuan", "applied_on"]
    assert 20 <= len(rows) <= 30
    assert {r["project_type"] for r in rows} == {"green_direct_supply", "ccus_demo", "other"}
    with open(out / "registry/parks.csv", encoding="utf-8") as fh:
        registry = {p["park_code"]: p for p in csv.DictReader(fh)}
    assert [r for r in rows if r["park_code"] not in registry].__len__() == 1
    assert len([r for r in rows if registry.get(r["park_code"], {}).get("on_cultivation_list") == "false"]) >= 2
    grades = {c: g["grade"] for c, g in manifest["estimate"]["grades"]["2026-H1"].items()}
    total = 0
    for r in rows:
        p = registry.get(r["park_code"])
        if p and p["on_cultivation_list"] == "true" and r["project_type"] != "other" and \
                grades.get(r["park_code"]) in ("A", "B"):
            rate = Decimal("0.30") if grades[r["park_code"]] == "A" else Decimal("0.20")
            total += min(int((Decimal(r["investment_10k_yuan"]) * 10000 * rate).quantize(Decimal(1), ROUND_HALF_UP)), 20_000_000)
    assert total > 240_000_000 * 1.2
    assert total == manifest["estimate"]["funding"]["estimated_eligible_requested_yuan"]


def test_calibration_gives_all_grades_in_both_years(region):
    """Calibration check: the estimated grades (the domain's STANDARD §5 on the planned months) give A–D in 2025 and 2026."""
    _, manifest = region
    dist = manifest["estimate"]["grade_distribution"]
    for year in ("2025", "2026"):
        found = {g for w, d in dist.items() if w.startswith(year) for g, n in d.items() if n}
        assert found == {"A", "B", "C", "D"}, (year, dist)
    assert manifest["recommended_as_of"] == "2026-07-15"


def test_write_workbook_roundtrip(tmp_path):
    path = write_workbook(tmp_path / "x.xlsx", park_code="150100-P001", park_name="测试园区",
                             period="2026-03", submitted_on=dt.date(2026, 4, 8), reporter="张三",
                             energy_rows=[("电网购电", "kWh", 1234500), ("天然气", "立方米", 5000)],
                             economy={"工业增加值(万元)": 100.5, "节能改造计划项目数": 2})
    wb = read_workbook(path)
    assert wb["info"]["报告期"] == "2026-03" and wb["info"]["填报日期"].date() == dt.date(2026, 4, 8)
    assert canonical(wb["energy"])["grid_electricity_mwh"] == pytest.approx(1234.5)
    assert canonical(wb["energy"])["natural_gas_10k_m3"] == pytest.approx(0.5)
    before = path.read_bytes()
    write_workbook(path, park_code="150100-P001", park_name="测试园区", period="2026-03",
                      submitted_on=dt.date(2026, 4, 8), reporter="张三",
                      energy_rows=[("电网购电", "kWh", 1234500), ("天然气", "立方米", 5000)],
                      economy={"工业增加值(万元)": 100.5, "节能改造计划项目数": 2})
    assert path.read_bytes() == before


def test_benchmark_mode_goes_to_batch_csv(tmp_path):
    m = generate_region(tmp_path, parks=600, first="2025-01", last="2025-02")
    csvs = sorted(p.name for p in (tmp_path / "landing/2025-01").glob("*.csv"))
    assert csvs == sorted(f"{c}_batch_2025-01.csv" for c in CITIES)
    xlsx = list((tmp_path / "landing/2025-01").glob("*.xlsx"))
    assert len(xlsx) < 40  # only the designed parks' workbooks
    assert m["parks"] == 600 and m["expected"]["per_month"]["2025-01"]["in_force"] >= 590
