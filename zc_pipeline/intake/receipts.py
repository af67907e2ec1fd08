"""Receipt workbooks: what was wrong with a file, cell by cell, so the park can fix and resubmit."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from zc_pipeline.intake.landing import text_name
from zc_pipeline.intake.parse import ParsedFile
from zc_pipeline.intake.readers import NUMBER_PATTERN, normalize_number

VERDICTS = {
    "accepted": ("全部接受", "accepted"),
    "partial": ("部分接受（被拒收的行需改正后重新报送）", "partially accepted (fix and resubmit the rejected lines)"),
    "rejected": ("拒收，请改正后重新报送", "rejected, fix and resubmit"),
}
SEVERITIES = {"error": "错误 error", "warning": "提示 warning"}
ISSUE_HEADER = ["文件/file", "工作表/sheet", "行/row", "列/column", "值/value", "规则/rule",
                "严重程度/severity", "说明/message (zh)", "message (en)"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(NUMBER_PATTERN)
_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f/\\]")
NAME_BYTES = 120  # a receipt's name stays far below the 255-byte limit of common file systems
RECEIPT_SUFFIX = ".receipt.xlsx"


def receipt_name(source_name: str) -> str:
    """The receipt's file name for a landing file: `<file name>.receipt.xlsx`, the same from the
    pipeline and from `zc validate`. A long name is cut to NAME_BYTES and made unique by a hash
    of the whole name (the receipt itself keeps the original name)."""
    name = _UNSAFE_IN_NAME.sub("_", text_name(Path(str(source_name)).name))
    if len((name + RECEIPT_SUFFIX).encode("utf-8")) <= NAME_BYTES:
        return name + RECEIPT_SUFFIX
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    room = NAME_BYTES - len(f"~{digest}{RECEIPT_SUFFIX}")
    head = name.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return f"{head}~{digest}{RECEIPT_SUFFIX}"


def safe_text(value) -> object:
    """Text from a park's file, made inert: a leading = + - @ tab or CR gets a `'` prefix, except
    on a number as written (`-5`), which no spreadsheet runs and which should read as written.
    Control characters a workbook cannot hold are shown as escapes (`\\x01`)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if not value.startswith(_FORMULA_START) or _NUMBER.fullmatch(normalize_number(value)):
        return value
    return "'" + value


def _put(ws, row: int, values: list) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=safe_text(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text


def _a4(ws, *, landscape: bool) -> None:
    """Print on A4, one page wide (as many pages long as the issues need)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_options.horizontalCentered = True


def write_receipt(parsed: ParsedFile, source_path: str | Path, out_path: str | Path) -> Path:
    """Write the receipt workbook for a file (call it when the file has an error or warning)."""
    source_path, out_path = Path(source_path), Path(out_path)
    recs = parsed.records
    zh, en = VERDICTS[parsed.verdict]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "回执 summary"
    rows = [
        ["项目/item", "内容/value"],
        ["文件/file", text_name(source_path.name)],
        ["SHA-256", parsed.source_sha256],
        ["结论/verdict", f"{zh} / {en}"],
        ["记录数/records", len(recs)],
        ["接受/accepted", int((recs["status"] == "accepted").sum())],
        ["拒收/rejected", int((recs["status"] == "rejected").sum())],
        ["错误/errors", parsed.error_count],
        ["提示/warnings", parsed.warning_count],
    ]
    for i, r in enumerate(rows, start=1):
        _put(ws, i, r)
    ws["A1"].font = ws["B1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 70
    for row in ws.iter_rows(min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    _a4(ws, landscape=False)

    wi = wb.create_sheet("问题清单 issues")
    _put(wi, 1, ISSUE_HEADER)
    for cell in wi[1]:
        cell.font = Font(bold=True)
    for i, issue in enumerate(parsed.issues.itertuples(index=False), start=2):
        _put(wi, i, [text_name(source_path.name), issue.sheet,
                     None if pd.isna(issue.row) else int(issue.row), issue.column, issue.value,
                     issue.rule_id, SEVERITIES[issue.severity], issue.message_zh,
                     issue.message_en])
    for letter, width in zip("ABCDEFGHI", (24, 14, 6, 22, 18, 8, 14, 60, 60)):
        wi.column_dimensions[letter].width = width
    for row in wi.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wi.freeze_panes = "A2"
    wi.print_title_rows = "1:1"
    _a4(wi, landscape=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out_path)
    return out_path
