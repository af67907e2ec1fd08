"""`zc validate`: offline verdicts and receipts; the blank template passes once filled in."""
from __future__ import annotations

import datetime as dt

import openpyxl

from zc_pipeline.intake.validate import validate_files, write_blank_template
from zc_pipeline_tests.intake.intake_builders import AS_OF, MONTH, PARK, build_csv, build_workbook, good_csv_row


def test_validate_files_takes_the_month_from_the_folder_or_the_file(tmp_path, registry, std):
    good = build_workbook(tmp_path / "landing" / MONTH / "good.xlsx")
    bad = build_csv(tmp_path / "landing" / MONTH / "bad.csv", [good_csv_row(raw_coal_t="-1")])
    moved = build_workbook(tmp_path / "landing" / "2026-02" / "moved.xlsx")  # says 2026-03
    loose = build_workbook(tmp_path / "inbox" / "loose.xlsx")  # no month folder: its own period
    receipts = tmp_path / "receipts"
    verdicts = validate_files([good, bad, moved, loose], registry=registry, std=std,
                              as_of=AS_OF, receipts_dir=receipts)
    got = {v.path.name: (v.verdict, v.errors, v.receipt is not None) for v in verdicts}
    assert got == {"good.xlsx": ("accepted", 0, False), "bad.csv": ("rejected", 1, True),
                   "moved.xlsx": ("rejected", 1, True), "loose.xlsx": ("accepted", 0, False)}
    assert sorted(p.name for p in receipts.iterdir()) == ["bad.csv.receipt.xlsx", "moved.xlsx.receipt.xlsx"]


def test_validate_files_expands_folders(tmp_path, registry, std):
    build_workbook(tmp_path / MONTH / "a.xlsx")
    build_csv(tmp_path / MONTH / "b.csv", [good_csv_row()])
    verdicts = validate_files([tmp_path], registry=registry, std=std, as_of=AS_OF,
                              receipts_dir=None)
    assert [(v.path.name, v.verdict, v.records) for v in verdicts] == [
        ("a.xlsx", "accepted", 1), ("b.csv", "accepted", 1)]


def test_blank_template_layout_and_filled_template_passes(tmp_path, registry, std):
    path = write_blank_template(tmp_path / MONTH / "template.xlsx", park_code=PARK,
                                park_name="测试园区", period=MONTH)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["基本信息", "能源消费", "经济与改造"]
    energy = [[c.value for c in r] for r in wb["能源消费"].iter_rows()]
    assert energy[0] == ["能源品种", "计量单位", "消费量"]
    assert [r[:2] for r in energy[1:]] == [
        ["电网购电", "MWh"], ["绿电直供", "MWh"], ["自发自用绿电", "MWh"], ["绿证电量", "MWh"],
        ["原煤", "t"], ["天然气", "万m³"], ["柴油", "t"], ["汽油", "t"], ["外购热力", "GJ"]]
    assert all(r[2] is None for r in energy[1:])

    # unfilled: only the missing 填报日期 is an error
    blank = validate_files([path], registry=registry, std=std, as_of=AS_OF, receipts_dir=None)[0]
    assert list(blank.parsed.issues["rule_id"]) == ["R011"]

    info = wb["基本信息"]
    for row in info.iter_rows(min_row=2):
        if row[0].value == "填报日期":
            row[1].value = dt.date(2026, 4, 8)
    for i, row in enumerate(wb["能源消费"].iter_rows(min_row=2), start=1):
        row[2].value = 10 * i  # 10, 20, ..., 90 in the template's canonical units
    wb["能源消费"]["C5"].value = 5  # certificates 5 MWh, not above grid 10 MWh
    values = {"工业增加值(万元)": 800, "节能改造计划项目数": 6, "节能改造完成项目数": 2}
    for row in wb["经济与改造"].iter_rows(min_row=2):
        row[1].value = values.get(row[0].value)
    wb.save(path)

    filled = validate_files([path], registry=registry, std=std, as_of=AS_OF, receipts_dir=None)[0]
    assert filled.verdict == "accepted" and filled.parsed.issues.empty
    rec = filled.parsed.records.iloc[0]
    assert (rec["grid_electricity_mwh"], rec["green_certificate_mwh"], rec["purchased_heat_gj"]) == (10, 5, 90)
    assert (rec["value_added_10k_yuan"], rec["retrofit_completed"]) == (800, 2)


def test_verdict_line_for_the_terminal(tmp_path, registry, std):
    bad = build_csv(tmp_path / MONTH / "bad.csv", [good_csv_row(), good_csv_row(retrofit_completed="11")])
    v = validate_files([bad], registry=registry, std=std, as_of=AS_OF, receipts_dir=tmp_path / "r")[0]
    # both lines are 150100-P001: R012 on each; line 3 also R008 (completed 11 > planned 10)
    assert (v.verdict, v.rejected, v.records, v.errors) == ("rejected", True, 2, 3)
    assert "拒收 / rejected" in v.describe() and "bad.csv.receipt.xlsx" in v.describe()


def test_without_a_registry_a_park_code_is_not_looked_up_but_an_empty_one_is_still_wrong(tmp_path, std):
    unregistered = build_workbook(tmp_path / MONTH / "unregistered.xlsx", info={"园区代码": "150100-P777"})
    no_code = build_workbook(tmp_path / MONTH / "no_code.xlsx", info={"园区代码": None})
    batch = build_csv(tmp_path / MONTH / "batch.csv", [good_csv_row(park="150100-P777"), good_csv_row(park="")])
    verdicts = validate_files([unregistered, no_code, batch], registry=None, std=std, as_of=AS_OF,
                              receipts_dir=None)
    got = {v.path.name: (v.verdict, list(v.parsed.issues["rule_id"])) for v in verdicts}
    assert got == {"unregistered.xlsx": ("accepted", []), "no_code.xlsx": ("rejected", ["F007"]),
                   "batch.csv": ("partial", ["R001"])}
    assert verdicts[2].parsed.issues["row"].tolist() == [3]  # the empty code's line


def test_with_a_registry_the_same_files_are_looked_up(tmp_path, registry, std):
    unregistered = build_workbook(tmp_path / MONTH / "unregistered.xlsx", info={"园区代码": "150100-P777"})
    batch = build_csv(tmp_path / MONTH / "batch.csv", [good_csv_row(park="150100-P777"), good_csv_row()])
    verdicts = validate_files([unregistered, batch], registry=registry, std=std, as_of=AS_OF, receipts_dir=None)
    assert [list(v.parsed.issues["rule_id"]) for v in verdicts] == [["F007"], ["R001"]]


def test_the_previous_month_given_W001_is_checked_as_in_the_pipeline(tmp_path, std):
    import pandas as pd

    from zc_pipeline.domain.measures import CARRIER_FIELDS

    book = build_workbook(tmp_path / MONTH / "park.xlsx")  # grid 1000 MWh, coal 500 t, ... in March
    asked = []

    def february(month):  # park_month of February: grid as in March, coal 20 t (500 / 20 = 25x), the rest 0
        asked.append(month)
        carriers = {f: [0.0] for f in CARRIER_FIELDS} | {"grid_electricity_mwh": [1000.0], "raw_coal_t": [20.0]}
        return pd.DataFrame({"park_code": [PARK], "period": [month], "submission_id": ["feb"], **carriers})

    [v] = validate_files([book], registry=None, std=std, as_of=AS_OF, receipts_dir=None,
                         previous_month=february)
    assert asked == ["2026-02"]
    w = v.parsed.issues
    assert w[["sheet", "column", "value", "rule_id", "severity"]].values.tolist() == [
        ["能源消费", "消费量", "500", "W001", "warning"]]
    assert "25 倍" in w.iloc[0]["message_zh"] and "25 times" in w.iloc[0]["message_en"]
    assert (v.verdict, v.warnings, int(v.parsed.records["warning_count"].iloc[0])) == ("accepted", 1, 1)


def test_a_path_that_is_not_there_is_a_user_error(tmp_path, registry, std):
    import pytest

    from zc_pipeline.errors import UserError

    with pytest.raises(UserError, match="no such file or folder: .*missing.xlsx"):
        validate_files([tmp_path / "missing.xlsx"], registry=registry, std=std, as_of=AS_OF, receipts_dir=None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no .xlsx or .csv file in"):
        validate_files([tmp_path / "empty"], registry=registry, std=std, as_of=AS_OF, receipts_dir=None)


def test_receipts_are_named_as_the_pipeline_names_them(tmp_path, registry, std):
    from zc_pipeline.intake.receipts import receipt_name

    long = "园区" * 30 + ".csv"  # 184 bytes of name: cut, with a hash
    bad = build_csv(tmp_path / MONTH / long, [good_csv_row(raw_coal_t="-1")])
    [v] = validate_files([bad], registry=registry, std=std, as_of=AS_OF, receipts_dir=tmp_path / "r")
    assert v.receipt == tmp_path / "r" / receipt_name(long)
    assert v.receipt.name != f"{long}.receipt.xlsx" and v.receipt.exists()
