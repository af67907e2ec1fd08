"""Receipt workbooks: content, and text from the file kept inert (no formulas)."""
from __future__ import annotations

import openpyxl
import pytest

from zc_pipeline.intake.receipts import ISSUE_HEADER, safe_text, write_receipt
from zc_pipeline_tests.intake.intake_builders import build_csv, good_csv_row


@pytest.mark.parametrize("text, safe", [
    ("=1+1", "'=1+1"), ("+1", "+1"), ("-2", "-2"), ("-1,234.5", "-1,234.5"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("150100-P001", "150100-P001"), (7, 7), (None, None),
])
def test_safe_text(text, safe):
    assert safe_text(text) == safe


def test_receipt_lists_each_problem_and_stores_no_formula(month_dir, parse, tmp_path):
    evil = '=HYPERLINK("http://x.invalid","click")'
    path = build_csv(month_dir / "batch.csv", [good_csv_row(), good_csv_row(evil)])
    parsed = parse(path)
    out = write_receipt(parsed, path, tmp_path / "receipts" / "batch.receipt.xlsx")

    wb = openpyxl.load_workbook(out)
    summary = {r[0].value: r[1].value for r in wb.worksheets[0].iter_rows(min_row=2)}
    assert summary["文件/file"] == "batch.csv"
    assert summary["SHA-256"] == parsed.source_sha256
    assert summary["结论/verdict"].startswith("部分接受") and "partially accepted" in summary["结论/verdict"]
    assert (summary["记录数/records"], summary["接受/accepted"], summary["拒收/rejected"]) == (2, 1, 1)
    assert (summary["错误/errors"], summary["提示/warnings"]) == (1, 0)

    ws = wb.worksheets[1]
    assert [c.value for c in ws[1]] == ISSUE_HEADER
    row = [c.value for c in ws[2]]
    assert row[:7] == ["batch.csv", "batch.csv", 3, "park_code", "'" + evil, "R001", "错误 error"]
    assert row[7].startswith("第 3 行") and row[8].startswith("Line 3")
    assert ws.cell(row=2, column=5).data_type == "s"
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    assert ws.max_row == 2


def test_receipt_names_are_bounded_and_keep_the_original_inside(month_dir, parse, tmp_path):
    from zc_pipeline.intake.receipts import NAME_BYTES, receipt_name

    assert receipt_name("150100-P001_2026-03.xlsx") == "150100-P001_2026-03.xlsx.receipt.xlsx"
    long = "园" * 80 + ".csv"  # 80 x 3 bytes + 4 = 244 bytes, within the OS's 255
    name = receipt_name(long)
    assert len(name.encode("utf-8")) <= NAME_BYTES and name.endswith(".receipt.xlsx")
    assert name.startswith("园" * 30) and receipt_name(long[1:]) != name
    path = build_csv(month_dir / long, [good_csv_row("150100-P999")])
    out = write_receipt(parse(path), path, tmp_path / name)
    summary = {r[0].value: r[1].value for r in openpyxl.load_workbook(out).worksheets[0].iter_rows(min_row=2)}
    assert summary["文件/file"] == long


def test_receipt_prints_on_a4_one_page_wide(month_dir, parse, tmp_path):
    path = build_csv(month_dir / "batch.csv", [good_csv_row(raw_coal_t="-5")])
    out = write_receipt(parse(path), path, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    issues = wb.worksheets[1]
    assert issues.page_setup.orientation == "landscape" and issues.print_title_rows == "$1:$1"
    assert issues.cell(row=2, column=5).value == "-5"  # as written, no apostrophe


def test_control_characters_and_undecodable_names_still_give_a_receipt(month_dir, parse, tmp_path):
    import os

    from zc_pipeline.intake.landing import text_name
    from zc_pipeline.intake.receipts import receipt_name

    assert safe_text("12\x01") == "12\\x01"
    gbk = os.fsdecode("填报.csv".encode("gbk"))  # a name unpacked from a Chinese Windows zip
    assert text_name(gbk) == "填报.csv"
    assert text_name(os.fsdecode(b"\xff\xfe.csv")) == "\\xff\\xfe.csv"
    path = build_csv(month_dir / gbk, [good_csv_row(raw_coal_t="12\x01")])
    out = write_receipt(parse(path), path, tmp_path / receipt_name(path.name))
    assert out.name == "填报.csv.receipt.xlsx"
    wb = openpyxl.load_workbook(out)
    assert [c.value for c in wb.worksheets[1][2]][:5] == ["填报.csv", "填报.csv", 2, "raw_coal_t", "12\\x01"]
