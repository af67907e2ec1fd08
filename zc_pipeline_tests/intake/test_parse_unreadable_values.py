"""No value is silently changed: cells that are not the number the park wrote are errors,
nothing non-finite is kept, and a malformed CSV line takes no other line with it."""
from __future__ import annotations

import math

import numpy as np
import openpyxl

from zc_pipeline_tests.intake.intake_builders import (
    GOOD_ENERGY, OTHER_PARK, PARK, build_csv, build_workbook, good_csv_row,
)


def replace_row(rows, label, new):
    return [new if r[0] == label else r for r in rows]


def rules(parsed) -> list[tuple[str, object, object, object]]:
    return [(i.rule_id, i.row, i.column, i.value) for i in parsed.issues.itertuples()]


def finite_everywhere(parsed) -> bool:
    quantities = parsed.records.select_dtypes("number").to_numpy(dtype=float)
    values = parsed.values["canonical_value"].to_numpy(dtype=float)
    return not np.isinf(quantities).any() and not np.isinf(values).any()


def test_nan_text_in_a_workbook_is_not_a_number(month_dir, parse):
    # pandas would read the text NaN as a blank cell, i.e. 0 t of raw coal
    energy = replace_row(GOOD_ENERGY, "原煤", ("原煤", "t", "NaN"))
    parsed = parse(build_workbook(month_dir / "nan.xlsx", energy=energy))
    assert rules(parsed) == [("R009", 6, "消费量", "NaN")]
    assert list(parsed.records["status"]) == ["rejected"]


def test_an_error_value_is_not_a_blank(month_dir, parse):
    path = build_workbook(month_dir / "div0.xlsx")
    wb = openpyxl.load_workbook(path)
    cell = wb["能源消费"]["C6"]  # 原煤
    cell.value, cell.data_type = "#DIV/0!", "e"
    wb.save(path)
    parsed = parse(path)
    assert rules(parsed) == [("R015", 6, "消费量", "#DIV/0!")]


def test_a_formula_with_its_computed_value_is_read_as_that_value(month_dir, parse):
    path = build_workbook(month_dir / "cached.xlsx")
    # a cached value as Excel saves it: <f>SUM(200,300)</f><v>500</v> for 原煤 (C6)
    import zipfile
    src = zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml")
    assert b"<v>500</v>" in src
    patched = src.replace(b'<c r="C6" t="n"><v>500</v></c>', b'<c r="C6"><f>SUM(200,300)</f><v>500</v></c>')
    assert patched != src
    out = month_dir / "cached2.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, patched if item.filename == "xl/worksheets/sheet2.xml" else zin.read(item))
    parsed = parse(out)
    assert parsed.issues.empty
    assert parsed.records["raw_coal_t"].tolist() == [500.0]


def test_beyond_float_in_a_csv_is_an_error_and_never_stored(month_dir, parse):
    path = build_csv(month_dir / "inf.csv", [good_csv_row(raw_coal_t="1e999"),
                                            good_csv_row(OTHER_PARK)])
    parsed = parse(path)
    assert rules(parsed) == [("R016", 2, "raw_coal_t", "1e999")]
    assert list(parsed.records["status"]) == ["rejected", "accepted"]
    assert finite_everywhere(parsed)
    kept = parsed.values.set_index(["source_row", "field"])["canonical_value"]
    assert math.isnan(kept[(2, "raw_coal_t")]) and kept[(3, "raw_coal_t")] == 500.0


def test_a_value_above_the_plausible_range_is_an_error(month_dir, parse, std):
    assert std.num("plausible_max.diesel_t") == 1e7
    path = build_csv(month_dir / "big.csv", [good_csv_row(diesel_t="20000000")])  # 2e7 t > 1e7 t
    parsed = parse(path)
    assert rules(parsed) == [("R016", 2, "diesel_t", "20000000")]


def test_a_short_line_is_rejected_not_read_as_zeros(month_dir, parse):
    short = ",".join(good_csv_row(OTHER_PARK)[:-3])  # retrofit and reported CO2 missing
    path = build_csv(month_dir / "short.csv", [good_csv_row()])
    path.write_text(path.read_text() + short + "\n", encoding="utf-8")
    parsed = parse(path)
    assert rules(parsed) == [("R013", 3, None, "13")]
    assert parsed.records[["park_code", "status"]].values.tolist() == [
        [PARK, "accepted"], [OTHER_PARK, "rejected"]]
    assert set(parsed.values["source_row"]) == {2}  # the short line's cells are not values


def test_blank_trailing_fields_beyond_the_header_are_harmless(month_dir, parse):
    path = build_csv(month_dir / "trailing.csv", [good_csv_row() + ["", ""]])
    parsed = parse(path)
    assert parsed.issues.empty and list(parsed.records["status"]) == ["accepted"]


def test_text_after_a_closing_quote_rejects_that_line_only(month_dir, parse):
    bad = ",".join(good_csv_row()).replace(",500,", ',"5"00,', 1)  # "5"00 would read as 500
    path = build_csv(month_dir / "quote.csv", [])
    path.write_text(path.read_text() + bad + "\n" + ",".join(good_csv_row(OTHER_PARK)) + "\n",
                    encoding="utf-8")
    parsed = parse(path)
    assert rules(parsed) == [("R014", 2, None, bad)]
    assert parsed.records[["park_code", "status"]].values.tolist() == [
        [PARK, "rejected"], [OTHER_PARK, "accepted"]]
    assert parsed.records.set_index("park_code").at[OTHER_PARK, "raw_coal_t"] == 500.0


def test_a_missing_sheet_keeps_whose_month_it_was(month_dir, parse):
    parsed = parse(build_workbook(month_dir / "nosheet.xlsx", drop_sheet="能源消费"))
    assert [(i.rule_id, i.sheet) for i in parsed.issues.itertuples()] == [("F003", "能源消费")]
    assert parsed.records[["park_code", "period", "status"]].values.tolist() == [
        [PARK, "2026-03", "rejected"]]
