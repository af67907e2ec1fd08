"""Receipt workbooks: content, and text from the file kept inert (no formulas)."""
from __future__ import annotations

import openpyxl
import pytest
from intake_builders import build_csv, good_csv_row

from zc_pipeline.intake.receipts import ISSUE_HEADER, safe_text, write_receipt


@pytest.mark.parametrize("text, safe", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
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
