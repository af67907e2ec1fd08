"""One bad file per monthly rule: the issue's rule, sheet, row, column and value are exact."""
from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile

import pandas as pd
import pytest

from zc_pipeline.intake.catalogue import all_rules
from zc_pipeline.intake.month_over_month import month_over_month_warnings
from zc_pipeline_tests.intake.intake_builders import (
    CSV_HEADER, GOOD_ECON, GOOD_ENERGY, MONTH, PARK, build_csv, build_workbook, good_csv_row,
)


def with_limit(std, key, value):
    entries = {**std.entries, key: {**std.entries[key], "value": value}}
    return dataclasses.replace(std, entries=entries)


def replace_row(rows, label, new):
    return [new if r[0] == label else r for r in rows]


# Each builder makes a bad file in `d` (a landing/2026-03 folder) and returns the parsed
# issues plus the expected place (sheet, row, column, value) of the rule's first issue.
def f001(d, parse, std):
    path = d / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 4)
    return parse(path).issues, (None, None, None, None)


def f002(d, parse, std):
    path = d / "locked.xlsx"  # an OLE container holding an EncryptedPackage stream
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
                     + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64)
    return parse(path).issues, (None, None, None, None)


def f003(d, parse, std):
    path = build_workbook(d / "f003.xlsx", drop_sheet="经济与改造")
    return parse(path).issues, ("经济与改造", None, None, None)


def f004(d, parse, std):
    path = build_workbook(d / "f004.xlsx", energy_header=("能源品种", "单位", "消费量"))
    return parse(path).issues, ("能源消费", None, "计量单位", None)


def f005(d, parse, std):
    header = ["park_code", "园区代码", *CSV_HEADER[1:]]  # the park code twice
    row = good_csv_row()
    path = build_csv(d / "f005.csv", [[row[0], *row]], header=header)
    return parse(path).issues, ("f005.csv", 1, "园区代码", "园区代码")


def f006(d, parse, std):
    path = d / "f006.csv"
    path.write_bytes(b"park_code,period\n\xff\xfe\x80\x81,2026-03\n")  # neither UTF-8 nor GB18030
    return parse(path).issues, ("f006.csv", None, None, None)


def f007(d, parse, std):
    path = build_workbook(d / "f007.xlsx", info={"园区代码": "150100-P999"})
    return parse(path).issues, ("基本信息", 2, "内容", "150100-P999")


def f008(d, parse, std):
    path = build_workbook(d / "f008.xlsx", info={"报告期": "2026-02"})
    return parse(path).issues, ("基本信息", 4, "内容", "2026-02")


def f009(d, parse, std):
    # folder and file both say May 2026; the run's as-of date is 2026-04-20
    path = build_workbook(d.parent / "2026-05" / "f009.xlsx", info={"报告期": "2026-05"})
    return parse(path, folder_month="2026-05").issues, ("基本信息", 4, "内容", "2026-05")


def f010(d, parse, std):
    path = d / "f010.csv"
    path.write_bytes(b"x" * 150)  # 150 bytes on disk, limit lowered to 100
    issues = parse(path, std_=with_limit(std, "limit.file_bytes", 100)).issues
    return issues, ("f010.csv", None, None, "150")


def f011(d, parse, std):
    path = d / "f011.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/padding.bin", b"a" * 5000)  # unpacks to 5000 bytes, limit 1000
    issues = parse(path, std_=with_limit(std, "limit.uncompressed_bytes", 1000)).issues
    return issues, (None, None, None, "5000")


def f012(d, parse, std):
    rows = [good_csv_row(), good_csv_row("150200-P002"), good_csv_row("150100-P003")]
    path = build_csv(d / "f012.csv", rows)
    issues = parse(path, std_=with_limit(std, "limit.rows", 2)).issues
    return issues, ("f012.csv", None, None, "3")


def f013(d, parse, std):
    header = [("电网购电(kWh)" if h == "grid_electricity_mwh" else h) for h in CSV_HEADER]
    path = build_csv(d / "f013.csv", [good_csv_row()], header=header)
    return parse(path).issues, ("f013.csv", 1, "电网购电(kWh)", "电网购电(kWh)")


def r001(d, parse, std):
    path = build_csv(d / "r001.csv", [good_csv_row("150100-P999")])
    return parse(path).issues, ("r001.csv", 2, "park_code", "150100-P999")


def r002(d, parse, std):
    path = build_csv(d / "r002.csv", [good_csv_row(), good_csv_row("150200-P002", "2026-02")])
    return parse(path).issues, ("r002.csv", 3, "period", "2026-02")


def r003(d, parse, std):
    path = build_workbook(d / "r003.xlsx", energy=replace_row(GOOD_ENERGY, "原煤", ("原煤", "t", -5)))
    return parse(path).issues, ("能源消费", 6, "消费量", "-5")


def r004(d, parse, std):
    path = build_workbook(d / "r004.xlsx", energy=[*GOOD_ENERGY, ("焦炭", "t", 3)])
    return parse(path).issues, ("能源消费", 11, "能源品种", "焦炭")


def r005(d, parse, std):
    energy = replace_row(GOOD_ENERGY, "电网购电", ("电网购电", "GWh", 1))
    return parse(build_workbook(d / "r005.xlsx", energy=energy)).issues, ("能源消费", 2, "计量单位", "GWh")


def r006(d, parse, std):
    path = build_workbook(d / "r006.xlsx", energy=[*GOOD_ENERGY, ("柴油", "t", 1)])
    return parse(path).issues, ("能源消费", 11, "能源品种", "柴油")


def r007(d, parse, std):
    energy = replace_row(GOOD_ENERGY, "绿证电量", ("绿证电量", "MWh", 1200))  # grid is 1000
    return parse(build_workbook(d / "r007.xlsx", energy=energy)).issues, ("能源消费", 5, "消费量", "1200")


def r008(d, parse, std):
    econ = replace_row(GOOD_ECON, "节能改造完成项目数", ("节能改造完成项目数", 12))  # planned is 10
    return parse(build_workbook(d / "r008.xlsx", econ=econ)).issues, ("经济与改造", 4, "数值", "12")


def r009(d, parse, std):
    path = build_csv(d / "r009.csv", [good_csv_row(raw_coal_t="12吨")])
    return parse(path).issues, ("r009.csv", 2, "raw_coal_t", "12吨")


def r010(d, parse, std):
    path = build_workbook(d / "r010.xlsx", info={"填报日期": dt.date(2026, 4, 25)})  # as-of 04-20
    return parse(path).issues, ("基本信息", 5, "内容", "2026-04-25")


def r011(d, parse, std):
    path = build_workbook(d / "r011.xlsx", info={"填报日期": "下周"})
    return parse(path).issues, ("基本信息", 5, "内容", "下周")


def r012(d, parse, std):
    rows = [good_csv_row(), good_csv_row("150200-P002"), good_csv_row(diesel_t="3")]
    parsed = parse(build_csv(d / "r012.csv", rows))
    # both lines of 150100-P001 are rejected, the other park's line is accepted
    assert list(parsed.records["status"]) == ["rejected", "accepted", "rejected"]
    return parsed.issues, ("r012.csv", 2, "park_code", PARK)


def r013(d, parse, std):
    # an unquoted thousands separator: "21,420" splits into two fields, 17 against 16 columns
    bad = ",".join(good_csv_row("150200-P002")).replace(",1000,", ",21,420,", 1)
    path = d / "r013.csv"
    build_csv(path, [good_csv_row()])
    path.write_text(path.read_text() + bad + "\n", encoding="utf-8")
    parsed = parse(path)
    assert list(parsed.records["status"]) == ["accepted", "rejected"]
    return parsed.issues, ("r013.csv", 3, None, "17")


def r014(d, parse, std):
    # line 2 opens a quote it never closes; line 3 (another park) must still be read alone
    first = ",".join(good_csv_row()).replace(",2026-03,", ',"2026-03,', 1)
    path = d / "r014.csv"
    build_csv(path, [])
    path.write_text(path.read_text() + first + "\n" + ",".join(good_csv_row("150200-P002"))
                    + "\n", encoding="utf-8")
    parsed = parse(path)
    assert list(parsed.records["park_code"]) == [PARK, "150200-P002"]
    assert list(parsed.records["status"]) == ["rejected", "accepted"]
    return parsed.issues, ("r014.csv", 2, None, first)


def r015(d, parse, std):
    # openpyxl saves a formula without a computed value: a tool that does not calculate
    energy = replace_row(GOOD_ENERGY, "原煤", ("原煤", "t", "=SUM(200,300)"))
    return parse(build_workbook(d / "r015.xlsx", energy=energy)).issues, ("能源消费", 6, "消费量", "=SUM(200,300)")


def r016(d, parse, std):
    # 1e308 万kWh = 1e309 MWh overflows to inf; the plausible maximum is 1e8 MWh
    energy = replace_row(GOOD_ENERGY, "电网购电", ("电网购电", "万kWh", 1e308))
    parsed = parse(build_workbook(d / "r016.xlsx", energy=energy))
    return parsed.issues, ("能源消费", 2, "消费量", parsed.values["value_as_written"].iloc[0])


def w001(d, parse, std):
    feb = parse(build_workbook(d.parent / "2026-02" / "feb.xlsx", info={"报告期": "2026-02"}),
                folder_month="2026-02")
    energy = replace_row(GOOD_ENERGY, "原煤", ("原煤", "t", 6000))  # 6000 / 500 = 12 > 10
    mar = parse(build_workbook(d / "w001.xlsx", energy=energy))
    issues = month_over_month_warnings(mar.records, feb.records, std, values=mar.values)
    return issues, ("能源消费", 6, "消费量", "6000")


def w002(d, parse, std):
    econ = replace_row(GOOD_ECON, "工业增加值(万元)", ("工业增加值(万元)", 0))
    return parse(build_workbook(d / "w002.xlsx", econ=econ)).issues, ("经济与改造", 2, "数值", "0")


def w003(d, parse, std):
    # computed CO2 1757.1269 t (intake_builders); |2000 - 1757.1269| / 1757.1269 = 13.8% > 10%
    econ = replace_row(GOOD_ECON, "自报二氧化碳排放量(吨)", ("自报二氧化碳排放量(吨)", 2000))
    return parse(build_workbook(d / "w003.xlsx", econ=econ)).issues, ("经济与改造", 5, "数值", "2000")


CASES = {name.upper(): fn for name, fn in dict(globals()).items()
         if len(name) == 4 and name[0] in "frw" and name[1:].isdigit()}


def _none(x):
    if isinstance(x, str):
        return x
    return None if pd.isna(x) else int(x)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_reports_exact_place(rule_id, month_dir, parse, std):
    issues, (sheet, row, column, value) = CASES[rule_id](month_dir, parse, std)
    hits = issues[issues["rule_id"] == rule_id]
    assert len(hits), issues[["rule_id", "sheet", "row", "column", "value"]]
    first = hits.iloc[0]
    assert (_none(first["sheet"]), _none(first["row"]), _none(first["column"]),
            _none(first["value"])) == (sheet, row, column, value)
    rule = all_rules()[rule_id]
    assert first["severity"] == rule.severity
    assert first["message_zh"] and first["message_en"]
    # a good file of the same month, in both formats, is still accepted without issues
    for good in (build_workbook(month_dir / "good.xlsx"),
                 build_csv(month_dir / "good.csv", [good_csv_row()])):
        parsed = parse(good)
        assert parsed.issues.empty and list(parsed.records["status"]) == ["accepted"]


def test_every_monthly_rule_has_a_case():
    monthly = {rid for rid, r in all_rules().items() if r.applies_to in ("xlsx", "csv", "both")}
    assert monthly - set(CASES) == set()
    assert set(CASES) - monthly == set()


def test_rules_are_bilingual_and_well_formed():
    for rid, r in all_rules().items():
        if r.applies_to in ("xlsx", "csv", "both"):
            assert rid[0] == {"file": "F", "record": "R", "warning": "W"}[r.level]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in r.message_zh)
            assert r.message_en and not any("\u4e00" <= ch <= "\u9fff" for ch in r.message_en.split(".")[0])


def test_file_error_yields_one_rejected_record(month_dir, parse):
    parsed = parse(build_workbook(month_dir / "x.xlsx", info={"园区代码": "150100-P999"}))
    assert parsed.file_error
    assert len(parsed.records) == 1
    rec = parsed.records.iloc[0]
    assert rec["status"] == "rejected" and pd.isna(rec["source_row"])
    assert (rec["park_code"], rec["period"]) == ("150100-P999", MONTH)
    assert set(parsed.issues["submission_id"]) == {rec["submission_id"]}
    assert parsed.values.empty
