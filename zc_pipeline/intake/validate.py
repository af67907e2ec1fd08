"""Offline checks for `zc validate`, and the blank monthly template parks fill in."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Font

from zc_pipeline.domain.measures import CARRIER_FIELDS
from zc_pipeline.domain.periods import add_months, is_month, month_of
from zc_pipeline.errors import UserError
from zc_pipeline.intake.parse import ParsedFile, parse_landing_file
from zc_pipeline.intake.readers import (
    ECON_HEADER, ECON_ITEMS, ENERGY_HEADER, FIELD_BY_NAME, INFO_HEADER,
    INFO_ITEMS, SHEET_ECON, SHEET_ENERGY, SHEET_INFO,
)
from zc_pipeline.standards import Rulebooks, Standard, load_standard

MONTHLY_SUFFIXES = (".xlsx", ".csv")
# rules a park's own machine may lack the data for: what each checks (zh, en)
NEEDS_REGISTRY = {
    "F007": ("工作簿的园区代码在园区名录中", "a workbook's park code is in the registry"),
    "R001": ("批量 CSV 的园区代码在园区名录中", "a batch CSV's park codes are in the registry"),
}
NEEDS_PREVIOUS_MONTH = {
    "W001": ("与本园区上月有效数据相比的突变", "a sudden change against the park's previous month in force"),
}
NO_REGISTRY = ("no registry here: name the region's data folder with --data-dir (or ZC_DATA_DIR) to check it / "
               "本机没有园区名录，可用 --data-dir（或 ZC_DATA_DIR）指定区域数据目录后检查")
NO_PREVIOUS_MONTH = "no previous month here: it comes with the region's data / 本机没有上月数据，需区域数据"

PreviousMonth = Callable[[str], pd.DataFrame]  # a month -> its park_month rows in force (carriers by park)


def skipped_line(rule_id: str, why: str) -> str:
    """One line naming a rule that was not checked (what it checks in English and Chinese), and why."""
    zh, en = {**NEEDS_REGISTRY, **NEEDS_PREVIOUS_MONTH}[rule_id]
    return f"skipped {rule_id} / 未检查 {rule_id} ({en} / {zh}): {why}"


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
    return name if is_month(name) else None


def _expand(paths) -> list[Path]:
    out, missing = [], []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix.lower() in MONTHLY_SUFFIXES)
        elif p.is_file():
            out.append(p)
        else:
            missing.append(str(p))
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)} / 找不到文件或目录")
    if not out:
        raise UserError(f"no .xlsx or .csv file in {', '.join(map(str, paths))} / 其中没有 .xlsx 或 .csv 文件")
    return out


def _with_month_over_month(parsed: ParsedFile, previous_month: PreviousMonth, std: Standard) -> ParsedFile:
    """The file's accepted records against the previous month in force: W001 added to its issues."""
    from zc_pipeline.intake.month_over_month import month_over_month_warnings

    current = parsed.records[parsed.records["status"] == "accepted"]
    if current.empty:
        return parsed
    months = sorted({add_months(m, -1) for m in current["period"]})
    previous = pd.concat([previous_month(m) for m in months], ignore_index=True)
    warnings = month_over_month_warnings(current, previous, std, values=parsed.values)
    if warnings.empty:
        return parsed
    issues = pd.concat([parsed.issues, warnings[parsed.issues.columns]], ignore_index=True)
    counts = warnings["submission_id"].value_counts()
    records = parsed.records.assign(
        warning_count=parsed.records["warning_count"] + parsed.records["submission_id"].map(counts).fillna(0).astype(int))
    return dataclasses.replace(parsed, records=records, issues=issues)


def validate_files(paths, *, registry: pd.DataFrame | None, std: Standard | Rulebooks, as_of: dt.date,
                   receipts_dir: str | Path | None,
                   previous_month: PreviousMonth | None = None) -> list[FileVerdict]:
    """Check files with the pipeline's rules; write a receipt for each file with issues.

    `registry` None: no registry at hand, F007 and R001 are not checked. `previous_month` None: no
    previous months at hand, W001 is not checked (see `skipped_line`). `std`: one rulebook, or the
    installed ones, of which a file is checked under its landing folder's month's, else under its
    own report month's.
    """
    from zc_pipeline.intake.receipts import receipt_name, write_receipt

    verdicts = []
    previous = functools.cache(previous_month) if previous_month is not None else None  # a month asked once
    for path in _expand(paths):
        folder_month = folder_month_of(path)
        book = std.for_period(folder_month or add_months(month_of(as_of), -1))
        parsed = parse_landing_file(path, folder_month=folder_month, registry=registry, std=book, as_of=as_of)
        periods = set(parsed.records["period"].dropna()) if len(parsed.records) else set()
        if not folder_month and len(periods) == 1 and std.for_period(next(iter(periods))) is not book:
            # a file outside a landing folder: checked again under its own report month's rulebook
            book = std.for_period(next(iter(periods)))
            parsed = parse_landing_file(path, folder_month=None, registry=registry, std=book, as_of=as_of)
        if previous is not None:
            parsed = _with_month_over_month(parsed, previous, book)
        receipt = None
        if receipts_dir is not None and len(parsed.issues):
            try:
                receipt = write_receipt(parsed, path, Path(receipts_dir) / receipt_name(path.name))
            except OSError as exc:
                raise UserError(f"cannot write the receipt of {path} in {receipts_dir}: {exc.strerror or exc} "
                                f"(--receipts names the folder) / 无法写入回执") from None
        verdicts.append(FileVerdict(path, parsed.verdict, len(parsed.records),
                                    parsed.error_count, parsed.warning_count, receipt, parsed))
    return verdicts


def write_blank_template(path: str | Path, *, park_code: str, park_name: str,
                         period: str, std: Standard | None = None) -> Path:
    """A monthly self-test workbook in the template layout, quantities left empty."""
    std = std or load_standard()
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
        ws.append([spec.label_zh, next(iter(spec.unit_factors(std))), None])
    ws = wb[SHEET_ECON]
    for f in ECON_ITEMS:
        spec = FIELD_BY_NAME[f]
        ws.append([spec.label_with_unit(std), None])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
