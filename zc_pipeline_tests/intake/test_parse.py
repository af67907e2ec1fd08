"""Reading both formats: encodings, Chinese headers, units, number spellings, broken files."""
from __future__ import annotations

import datetime as dt
import hashlib
import math

import pytest

from zc_pipeline.intake.ids import file_sha256, submission_id
from zc_pipeline.domain.measures import co2_of, energy_tce_of
from zc_pipeline_tests.intake.intake_builders import (
    CSV_HEADER, CSV_HEADER_ZH, GOOD_ECON, GOOD_ENERGY, MONTH, OTHER_PARK, PARK, build_csv,
    build_workbook, good_csv_row,
)


def test_submission_id_is_the_documented_hash(month_dir):
    path = build_csv(month_dir / "a.csv", [good_csv_row()])
    sha = file_sha256(path)
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()
    assert submission_id(sha, 2) == hashlib.sha256(f"{sha}|2".encode()).hexdigest()[:24]
    assert submission_id(sha, None) == hashlib.sha256(f"{sha}|".encode()).hexdigest()[:24]


def test_good_workbook_quantities_and_places(month_dir, parse):
    parsed = parse(build_workbook(month_dir / "good.xlsx"))
    rec = parsed.records.iloc[0]
    assert (rec["park_code"], rec["period"], rec["submitted_on"]) == (PARK, MONTH, dt.date(2026, 4, 5))
    assert rec["grid_electricity_mwh"] == 1000 and rec["purchased_heat_gj"] == 300
    assert rec["reported_co2_t"] == 1750
    gas = parsed.values.set_index("field").loc["natural_gas_10k_m3"]
    assert (gas["value_as_written"], gas["unit_as_written"], gas["canonical_value"]) == ("10", "万m³", 10.0)
    assert (gas["sheet"], gas["row"], gas["column"]) == ("能源消费", 7, "消费量")
    assert len(parsed.values) == 13


def test_measures_match_hand_arithmetic(std):
    q = {"grid_electricity_mwh": 1000, "green_direct_mwh": 200, "green_onsite_mwh": 50,
         "green_certificate_mwh": 100, "raw_coal_t": 500, "natural_gas_10k_m3": 10,
         "diesel_t": 2, "gasoline_t": 1, "purchased_heat_gj": 300}
    # 900×0.6096 + 500×1.9003 + 10×21.622 + 2×3.0959 + 1×2.9251 + 300×0.11
    assert co2_of(q, std) == pytest.approx(1757.1269)
    # 1250×0.3 + 500×0.7143 + 10×13.3 + 2×1.4571 + 1×1.4714 + 300×0.03412
    assert energy_tce_of(q, std) == pytest.approx(879.7716)


def test_workbook_units_convert_to_canonical(month_dir, parse):
    energy = [
        ("电网购电", "kWh", "1,234,500"),  # 1 234 500 kWh × 0.001 = 1234.5 MWh
        ("绿电直供", "万kWh", 2.5),  # 2.5 × 10 = 25 MWh
        ("自发自用绿电", "MWh", 50),
        ("绿证电量", "kwh", 100000),  # 100 000 × 0.001 = 100 MWh (unit case ignored)
        ("原煤", "万t", 0.05),  # 0.05 × 10 000 = 500 t
        ("天然气", "m³", 100000),  # 100 000 m³ × 0.0001 = 10 万m³
        ("柴油", "t", "２"),  # full-width digit
        ("汽油", "t", None),  # blank = 0
        ("外购热力", "GJ", "３００"),
    ]
    parsed = parse(build_workbook(month_dir / "units.xlsx", energy=energy))
    assert parsed.issues.empty
    rec = parsed.records.iloc[0]
    assert rec["grid_electricity_mwh"] == pytest.approx(1234.5)
    assert rec["green_direct_mwh"] == pytest.approx(25)
    assert rec["green_certificate_mwh"] == pytest.approx(100)
    assert rec["raw_coal_t"] == pytest.approx(500)
    assert rec["natural_gas_10k_m3"] == pytest.approx(10)
    assert (rec["diesel_t"], rec["gasoline_t"], rec["purchased_heat_gj"]) == (2, 0, 300)
    grid = parsed.values.set_index("field").loc["grid_electricity_mwh"]
    assert (grid["value_as_written"], grid["unit_as_written"]) == ("1,234,500", "kWh")


@pytest.mark.parametrize("unit, written, expected", [
    ("立方米", 250000, 25),  # 250 000 × 0.0001 = 25 万m³
    ("m3", 50000, 5),  # 50 000 × 0.0001 = 5
    ("万立方米", 3, 3),
    ("万m3", 4, 4),
])
def test_gas_unit_aliases(month_dir, parse, unit, written, expected):
    energy = [("天然气", unit, written) if r[0] == "天然气" else r for r in GOOD_ENERGY]
    parsed = parse(build_workbook(month_dir / "gas.xlsx", energy=energy))
    assert parsed.records.iloc[0]["status"] == "accepted"
    assert parsed.records.iloc[0]["natural_gas_10k_m3"] == pytest.approx(expected)


def test_report_period_may_be_an_excel_date(month_dir, parse):
    parsed = parse(build_workbook(month_dir / "d.xlsx", info={"报告期": dt.datetime(2026, 3, 15)}))
    assert parsed.issues.empty and parsed.records.iloc[0]["period"] == MONTH


def test_missing_carrier_means_zero_and_blank_reported_co2_is_not_reported(month_dir, parse):
    econ = [r for r in GOOD_ECON if not r[0].startswith("自报")]
    parsed = parse(build_workbook(month_dir / "m.xlsx", energy=GOOD_ENERGY[:4], econ=econ))
    rec = parsed.records.iloc[0]
    assert parsed.issues.empty
    assert (rec["raw_coal_t"], rec["purchased_heat_gj"]) == (0, 0)
    assert math.isnan(rec["reported_co2_t"])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_with_chinese_headers(month_dir, parse, encoding):
    row = good_csv_row()
    row[3] = "１，２３４．５"  # full-width 1,234.5 under 电网购电(MWh)
    row[4] = "1,000"  # 绿电直供（MWh）
    row[15] = ""  # reported CO2 blank = not reported
    bad = good_csv_row(OTHER_PARK, diesel_t="两吨")
    path = build_csv(month_dir / f"zh-{encoding}.csv", [row, bad], header=CSV_HEADER_ZH,
                     encoding=encoding)
    parsed = parse(path)
    first, second = parsed.records.iloc[0], parsed.records.iloc[1]
    assert first["status"] == "accepted"
    assert first["grid_electricity_mwh"] == pytest.approx(1234.5)
    assert first["green_direct_mwh"] == 1000
    assert math.isnan(first["reported_co2_t"])
    assert (second["status"], second["source_row"]) == ("rejected", 3)
    issue = parsed.issues.iloc[0]
    assert (issue["rule_id"], issue["row"], issue["column"], issue["value"]) == ("R009", 3, "柴油", "两吨")
    grid = parsed.values[(parsed.values["field"] == "grid_electricity_mwh")].iloc[0]
    assert (grid["column"], grid["unit_as_written"], grid["value_as_written"]) == (
        "电网购电(MWh)", "MWh", "１，２３４．５")
    direct = parsed.values[(parsed.values["field"] == "green_direct_mwh")].iloc[0]
    assert direct["column"] == "绿电直供（MWh）"


def test_csv_blank_numeric_is_zero(month_dir, parse):
    path = build_csv(month_dir / "b.csv", [good_csv_row(diesel_t="", retrofit_planned=" ",
                                                        retrofit_completed="")])
    rec = parse(path).records.iloc[0]
    assert (rec["diesel_t"], rec["retrofit_planned"], rec["retrofit_completed"]) == (0, 0, 0)
    assert rec["status"] == "accepted"


def test_csv_folder_month_in_the_future_is_a_file_error(tmp_path, parse):
    path = build_csv(tmp_path / "2026-05" / "f.csv", [good_csv_row(period="2026-05")])
    parsed = parse(path, folder_month="2026-05")
    assert parsed.file_error
    issue = parsed.issues.iloc[0]
    assert (issue["rule_id"], issue["row"], issue["column"], issue["value"]) == ("F009", 2, "period", "2026-05")
    assert parsed.records.iloc[0]["park_code"] == PARK


def test_csv_line_numbers_skip_blank_lines(month_dir, parse):
    path = month_dir / "gaps.csv"
    path.write_text(",".join(CSV_HEADER) + "\n\n" + ",".join(good_csv_row(raw_coal_t="-1")) + "\n",
                    encoding="utf-8")
    parsed = parse(path)
    assert parsed.records.iloc[0]["source_row"] == 3
    assert (parsed.issues.iloc[0]["rule_id"], parsed.issues.iloc[0]["row"]) == ("R003", 3)


def test_header_only_csv_has_no_records(month_dir, parse):
    parsed = parse(build_csv(month_dir / "empty.csv", []))
    assert parsed.records.empty and parsed.issues.empty and not parsed.file_error


@pytest.mark.parametrize("name, content", [
    ("noise.xlsx", bytes(range(256)) * 8),
    ("empty.xlsx", b""),
    ("notes.xlsx", None),  # a zip without a workbook inside
    ("half.xlsx", "truncated"),
    ("binary.csv", bytes(range(256))),
    ("quote.csv", b'park_code,period\n"150100-P001,2026-03\n'),
    ("empty.csv", b""),
])
def test_broken_files_never_raise(month_dir, parse, name, content):
    import zipfile

    path = month_dir / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("readme.txt", "hello")
    elif content == "truncated":
        good = build_workbook(month_dir / "full.xlsx").read_bytes()
        path.write_bytes(good[: len(good) // 2])
    else:
        path.write_bytes(content)
    parsed = parse(path)
    assert parsed.file_error
    assert len(parsed.records) == 1 and parsed.records.iloc[0]["status"] == "rejected"
    assert parsed.issues["rule_id"].str.startswith("F").all()
    assert set(parsed.issues["submission_id"]) == set(parsed.records["submission_id"])


def test_several_file_errors_point_to_the_one_record(month_dir, parse):
    path = build_workbook(month_dir / "two.xlsx", info={"园区代码": "X", "报告期": "2026-02"})
    parsed = parse(path)
    assert list(parsed.issues["rule_id"]) == ["F007", "F008"]
    assert parsed.records.iloc[0]["error_count"] == 2


def test_unit_in_csv_header_other_than_canonical_rejects_file(month_dir, parse):
    header = [("天然气(m³)" if h == "natural_gas_10k_m3" else h) for h in CSV_HEADER]
    parsed = parse(build_csv(month_dir / "u.csv", [good_csv_row()], header=header))
    assert parsed.file_error and parsed.issues.iloc[0]["rule_id"] == "F013"
    assert "万m³" in parsed.issues.iloc[0]["message_zh"]


def test_every_quantity_has_one_way_of_being_written_in_the_same_order():
    """The readers' field table covers exactly the measures' quantities, in the measures' order."""
    from zc_pipeline.domain.measures import CARRIER_FIELDS, QUANTITY_FIELDS
    from zc_pipeline.intake.readers import FIELDS

    assert tuple(f.name for f in FIELDS) == QUANTITY_FIELDS
    from zc_pipeline.domain.measures import CANONICAL_UNITS

    assert tuple(CANONICAL_UNITS) == QUANTITY_FIELDS  # each quantity's stored unit, named once
    assert tuple(f.name for f in FIELDS if f.carrier) == CARRIER_FIELDS
    assert len(QUANTITY_FIELDS) == 13  # 4 electricity + 5 fuels/heat + value added, 2 retrofit counts, reported CO2
