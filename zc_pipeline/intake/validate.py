"""Offline checks for `zc validate`, and the blank monthly template parks fill in."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Font

from zc_pipeline.domain.measures import CARRIER_FIELDS
from zc_pipeline.intake.parse import ParsedFile, parse_landing_file
from zc_pipeline.intake.readers import (
    ECON_HEADER, ECON_ITEMS, ENERGY_HEADER, FIELD_BY_NAME, INFO_HEADER,
    INFO_ITEMS, SHEET_ECON, SHEET_ENERGY, SHEET_INFO,
)
from zc_pipeline.standards import Standard

_MONTH_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MONTHLY_SUFFIXES = (".xlsx", ".csv")


@dataclass
class FileVerdict:
    """The outcome for one file: accepted | partial | rejected, counts and the receipt written."""

    path: Path
    verdict: str
    records: int
    errors: int
    warnings: int
    receipt: Path | None
    parsed: ParsedFile

    @property
    def rejected(self) -> bool:
        """True when any of the file's park-months was rejected."""
        return self.verdict != "accepted"

    def describe(self) -> str:
        """One line for the terminal, in Chinese and English."""
        zh = {"accepted": "接受", "partial": "部分接受", "rejected": "拒收"}[self.verdict]
        line = (f"{self.path}: {zh} / {self.verdict} — {self.records} records, "
                f"{self.errors} errors, {self.warnings} warnings")
        return line + (f"; receipt {self.receipt}" if self.receipt else "")


def folder_month_of(path: Path) -> str | None:
    """The landing folder's month (`landing/2026-03/x.xlsx` -> 2026-03), if it names one."""
    name = path.parent.name
    return name if _MONTH_DIR.match(name) else None


def _expand(paths) -> list[Path]:
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix.lower() in MONTHLY_SUFFIXES)
        else:
            out.append(p)
    return out


def validate_files(paths, *, registry: pd.DataFrame, std: Standard, as_of: dt.date,
                   receipts_dir: str | Path | None) -> list[FileVerdict]:
    """Check files with the pipeline's rules; write a receipt for each file with issues."""
    from zc_pipeline.intake.receipts import write_receipt

    verdicts = []
    for path in _expand(paths):
        parsed = parse_landing_file(path, folder_month=folder_month_of(path), registry=registry,
                                    std=std, as_of=as_of)
        receipt = None
        if receipts_dir is not None and len(parsed.issues):
            receipt = write_receipt(parsed, path,
                                    Path(receipts_dir) / f"{path.stem}.receipt.xlsx")
        verdicts.append(FileVerdict(path, parsed.verdict, len(parsed.records),
                                    parsed.error_count, parsed.warning_count, receipt, parsed))
    return verdicts


def write_blank_template(path: str | Path, *, park_code: str, park_name: str,
                         period: str) -> Path:
    """A monthly self-test workbook in the template layout, quantities left empty."""
    wb = openpyxl.Workbook()
    sheets = [(SHEET_INFO, INFO_HEADER), (SHEET_ENERGY, ENERGY_HEADER), (SHEET_ECON, ECON_HEADER)]
    info = {"园区代码": park_code, "园区名称": park_name, "报告期": period}
    for i, (title, header) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(list(header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 16
    ws = wb[SHEET_INFO]
    for item in INFO_ITEMS:
        ws.append([item, info.get(item)])
        if item == "报告期":
            ws.cell(row=ws.max_row, column=2).number_format = "@"  # YYYY-MM text, not a date
    ws = wb[SHEET_ENERGY]
    ws.column_dimensions["C"].width = 14
    for f in CARRIER_FIELDS:
        spec = FIELD_BY_NAME[f]
        ws.append([spec.label_zh, spec.units[0], None])
    ws = wb[SHEET_ECON]
    for f in ECON_ITEMS:
        spec = FIELD_BY_NAME[f]
        ws.append([f"{spec.label_zh}({spec.fixed_units[0]})" if spec.fixed_units else spec.label_zh,
                   None])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
