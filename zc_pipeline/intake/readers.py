"""Readers for the monthly self-test workbook and the batch CSV (FILES.md §2, §3).

Readers keep every cell's text as written and where it was; they judge only the file's shape
(sheets, headers, encoding, limits) and raise `FileProblem` for a file error. Values are judged
in `parse.py`.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import python_calamine

from zc_pipeline.domain.measures import QUANTITY_FIELDS
from zc_pipeline.domain.periods import is_month
from zc_pipeline.intake.landing import text_name
from zc_pipeline.standards import Standard


@dataclass(frozen=True)
class Field:
    """One input quantity: canonical name and Chinese label (FILES.md §2, §3); the units it may be
    written in are the rulebook's `unit.<name>.*` entries."""

    name: str
    label_zh: str
    short: str = ""  # FILES.md canonical carrier name, e.g. grid_electricity
    carrier: bool = False  # a row of the 能源消费 sheet

    def unit_factors(self, std: Standard) -> dict[str, float]:
        """Accepted unit (in the rulebook's order, canonical first) -> factor to the canonical unit."""
        return std.unit_factors(self.name)

    def canonical_units(self, std: Standard) -> list[str]:
        return [u for u, f in self.unit_factors(std).items() if f == 1]

    def label_with_unit(self, std: Standard) -> str:
        """How the 经济与改造 sheet labels the item: `工业增加值(万元)`, or the bare label without a unit."""
        units = self.unit_factors(std)
        return f"{self.label_zh}({next(iter(units))})" if units else self.label_zh


FIELDS: tuple[Field, ...] = (
    Field("grid_electricity_mwh", "电网购电", "grid_electricity", True),
    Field("green_direct_mwh", "绿电直供", "green_direct", True),
    Field("green_onsite_mwh", "自发自用绿电", "green_onsite", True),
    Field("green_certificate_mwh", "绿证电量", "green_certificate", True),
    Field("raw_coal_t", "原煤", "raw_coal", True),
    Field("natural_gas_10k_m3", "天然气", "natural_gas", True),
    Field("diesel_t", "柴油", "diesel", True),
    Field("gasoline_t", "汽油", "gasoline", True),
    Field("purchased_heat_gj", "外购热力", "purchased_heat", True),
    Field("value_added_10k_yuan", "工业增加值"),
    Field("retrofit_planned", "节能改造计划项目数"),
    Field("retrofit_completed", "节能改造完成项目数"),
    Field("reported_co2_t", "自报二氧化碳排放量"),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
# The quantity names themselves belong to the measures (domain/measures.py); FIELDS says how each
# is written in a file, in the same order (a test holds the two together).
OPTIONAL_FIELDS = ("reported_co2_t",)  # blank = not reported (NaN), not 0

# Workbook layout (FILES.md §2).
SHEET_INFO, SHEET_ENERGY, SHEET_ECON = "基本信息", "能源消费", "经济与改造"
INFO_HEADER = ("项目", "内容")
ENERGY_HEADER = ("能源品种", "计量单位", "消费量")
ECON_HEADER = ("项目", "数值")
INFO_ITEMS = ("园区代码", "园区名称", "报告期", "填报日期", "填报人")
ECON_ITEMS = ("value_added_10k_yuan", "retrofit_planned", "retrofit_completed", "reported_co2_t")

# Batch CSV identity columns (FILES.md §3).
CSV_KEYS = {"park_code": "园区代码", "period": "报告期", "submitted_on": "填报日期"}


class FileProblem(Exception):
    """A file error: the issues (rule_id, place, value, message fields) that reject the file."""

    def __init__(self, issues: list[dict], park_code: str | None = None, period: str | None = None):
        super().__init__("; ".join(i["rule_id"] for i in issues))
        self.issues = issues
        self.park_code = park_code
        self.period = period


def problem(rule_id: str, *, sheet=None, row=None, column=None, value=None, **context) -> dict:
    """One issue as a plain dict; message fields go in `context`."""
    return {"rule_id": rule_id, "sheet": sheet, "row": row, "column": column, "value": value,
            "context": context}


# ---- text normalisation ------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
NUMBER_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


@functools.lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """Key for matching labels: NFKC (full-width brackets/digits), no whitespace, case-folded."""
    return re.sub(r"\s+", "", nfkc(text)).casefold()


def normalize_number(text: str) -> str:
    """Full-width digits, the minus sign and thousands separators normalised; '' stays ''."""
    if text.isascii() and "," not in text:
        return text.strip()
    t = nfkc(text).replace("\u2212", "-")
    return t.replace(",", "") if _THOUSANDS.match(t) else t


@dataclass(frozen=True)
class Unreadable:
    """A workbook cell with no value a reader can take: a formula saved without its computed
    value (by a tool that does not calculate) or an error value such as #DIV/0!. `text` is what
    the cell holds, so the park sees which cell and formula are meant."""

    text: str

    def __str__(self) -> str:
        return self.text


def is_blank(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def cell_text(value) -> str:
    """A cell's value as the park sees it written ('' for an empty cell)."""
    if is_blank(value):
        return "" if not isinstance(value, str) else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        value = pd.Timestamp(value).to_pydatetime()
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def parse_period(value) -> str | None:
    """`YYYY-MM` text or a date cell in that month -> 'YYYY-MM'; None when it is neither."""
    if isinstance(value, (dt.date, pd.Timestamp)) and not is_blank(value):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        t = nfkc(value)
        return t if is_month(t) else None
    return None


def parse_date(value) -> dt.date | None:
    """A date cell or date text (YYYY-MM-DD, YYYY/M/D, YYYY年M月D日) -> date; None otherwise."""
    if isinstance(value, (dt.datetime, pd.Timestamp)) and not is_blank(value):
        return pd.Timestamp(value).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = _DATE.match(nfkc(value))
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def match_unit(written: str, accepted: dict[str, float]) -> tuple[str, float] | None:
    """The accepted unit a written unit denotes (NFKC: m³ == m3; case-insensitive), with its factor."""
    key = label_key(written)
    for unit, factor in accepted.items():
        if label_key(unit) == key:
            return unit, factor
    return None


_LABEL_UNIT = re.compile(r"^(.+?)\((.+)\)$")


def split_label(text: str) -> tuple[str, str | None]:
    """'电网购电（MWh）' -> ('电网购电', 'MWh'); a label without brackets -> (label, None)."""
    t = re.sub(r"\s+", "", nfkc(text))
    m = _LABEL_UNIT.match(t)
    return (m[1], m[2]) if m else (t, None)


def field_for_label(label: str) -> Field | None:
    """A field by its Chinese label, canonical name or FILES.md carrier name (no unit part)."""
    key = label_key(label)
    for f in FIELDS:
        if key in (label_key(f.label_zh), f.name.casefold(), f.short.casefold()):
            return f
    return None


# ---- limits ------------------------------------------------------------------------------------

def check_size(path: Path, std: Standard, sheet: str) -> None:
    size = path.stat().st_size
    limit = std.int("limit.file_bytes")
    if size > limit:
        raise FileProblem([problem("F010", sheet=sheet, value=str(size), limit=limit)])


def check_rows(rows: int, std: Standard, sheet: str) -> None:
    limit = std.int("limit.rows")
    if rows > limit:
        raise FileProblem([problem("F012", sheet=sheet, value=str(rows), limit=limit)])


# ---- workbook ----------------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
LAYOUT = {SHEET_INFO: INFO_HEADER, SHEET_ENERGY: ENERGY_HEADER, SHEET_ECON: ECON_HEADER}


@dataclass
class Cell:
    """A cell's value, its text as written and its place (Excel row; column = header label)."""

    raw: object
    text: str
    sheet: str
    row: int | None
    column: str


@dataclass
class WorkbookContent:
    info: dict[str, Cell] = field(default_factory=dict)  # 基本信息 item -> its 内容 cell
    energy: list[tuple[Cell, Cell, Cell]] = field(default_factory=list)  # 能源品种, 计量单位, 消费量
    econ: list[tuple[Cell, Cell]] = field(default_factory=list)  # 项目, 数值


Grid = list[list]  # a sheet's rows from A1, every row as wide as the sheet, '' for an empty cell

_FORMULA_OR_ERROR = re.compile(rb'<f[ >/]|\bt="e"')


def _open_zip_checks(path: Path, std: Standard) -> bool:
    """File errors of the container (F001, F002, F011); whether a worksheet holds a formula or an
    error value (rare in a filled template: only such workbooks pay for `_unreadable_cells`)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if not zipfile.is_zipfile(path):
        if head == _OLE_MAGIC:
            if _ENCRYPTED_STREAM in path.read_bytes():
                raise FileProblem([problem("F002")])
            raise FileProblem([problem("F001", reason="legacy .xls or OLE file, not .xlsx")])
        raise FileProblem([problem("F001", reason="not an .xlsx workbook (zip)")])
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        unpacked = sum(info.file_size for info in infos)
        limit = std.int("limit.uncompressed_bytes")
        if unpacked > limit:
            raise FileProblem([problem("F011", value=str(unpacked), limit=limit)])
        return any(_FORMULA_OR_ERROR.search(zf.read(info))
                   for info in infos if info.filename.startswith("xl/worksheets/"))


def _cell_value(value):
    """A cell as the readers hand it on: an integral number is an int (12, not 12.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _calamine_grids(path: Path) -> dict[str, Grid]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    grids = {}
    for name in book.sheet_names:
        key = nfkc(str(name))
        if key in LAYOUT:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            grids[key] = [[_cell_value(v) for v in row] for row in rows]
    return grids


def _openpyxl_grids(path: Path) -> dict[str, Grid]:
    """The grids through openpyxl, for the few workbooks (from non-Office writers) calamine
    cannot open; an error value reads as blank, as a formula without its computed value does."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        grids = {}
        for ws in wb.worksheets:
            key = nfkc(str(ws.title))
            if key not in LAYOUT:
                continue
            rows = [["" if c.value is None or c.data_type == "e" else _cell_value(c.value)
                     for c in row] for row in ws.iter_rows()]
            while rows and all(is_blank(v) for v in rows[-1]):
                rows.pop()
            width = max((len(r) for r in rows), default=0)
            grids[key] = [r + [""] * (width - len(r)) for r in rows]
        return grids
    finally:
        wb.close()


def _read_grids(path: Path) -> dict[str, Grid]:
    """The template's sheets (by NFKC name) as grids of cell values."""
    try:
        return _calamine_grids(path)
    except (python_calamine.CalamineError, python_calamine.XmlError, python_calamine.ZipError):
        pass  # some non-Office writers trip calamine (STACK.md): openpyxl reads those
    try:
        return _openpyxl_grids(path)
    except Exception as exc:  # whatever breaks the second reader too is the file's error
        raise FileProblem([problem("F001", reason=f"{type(exc).__name__}: {exc}"[:200])]) from exc


def _unreadable_cells(path: Path, sheets: set[str]) -> dict[tuple[str, int, int], Unreadable]:
    """(sheet, row, column), 1-based, -> the formula or error value of each such cell."""
    found = {}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for ws in wb.worksheets:
            name = nfkc(str(ws.title))
            if name not in sheets:
                continue
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type in ("f", "e") and c.value is not None:
                        text = c.value if isinstance(c.value, str) else getattr(c.value, "text", None)
                        found[(name, c.row, c.column)] = Unreadable(str(text or c.value))
    finally:
        wb.close()
    return found


def _mark_unreadable(path: Path, grids: dict[str, Grid]) -> None:
    """Put an `Unreadable` where a formula or error cell reads as blank (no computed value):
    such a cell is not a blank, i.e. 0, but a value the park has not given."""
    for (name, row, col), cell in _unreadable_cells(path, set(grids)).items():
        grid = grids[name]
        i, j = row - 1, col - 1
        if i < len(grid) and j < len(grid[i]) and is_blank(grid[i][j]):
            grid[i][j] = cell


def _find_header(grid: Grid, labels: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    """(row index, label -> column index) of the first row holding all header labels."""
    wanted = {label_key(x): x for x in labels}
    for i, values in enumerate(grid):
        found = {}
        for j, v in enumerate(values):
            if isinstance(v, str) and label_key(v) in wanted:
                found.setdefault(wanted[label_key(v)], j)
        if len(found) == len(labels):
            return i, found
    return None


def _missing_labels(grid: Grid, labels: tuple[str, ...]) -> list[str]:
    """The header labels missing from the row that holds most of them."""
    best = max(({label_key(v) for v in row if isinstance(v, str)} for row in grid),
               key=lambda keys: sum(label_key(x) in keys for x in labels), default=set())
    return [x for x in labels if label_key(x) not in best]


def _sheet_rows(grid: Grid, sheet: str, labels: tuple[str, ...]) -> list[tuple[Cell, ...]]:
    """Non-blank rows below the header, as cells under each header label."""
    header_row, cols = _find_header(grid, labels)
    out = []
    for i in range(header_row + 1, len(grid)):
        cells = tuple(Cell(raw, cell_text(raw), sheet, i + 1, label)
                      for label in labels for raw in (grid[i][cols[label]],))
        if not all(is_blank(c.raw) for c in cells):
            out.append(cells)
    return out


def _info_items(grid: Grid) -> dict[str, Cell]:
    items = {}
    for item, value in _sheet_rows(grid, SHEET_INFO, INFO_HEADER):
        key = label_key(item.text)
        for name in INFO_ITEMS:
            if key == label_key(name):
                items.setdefault(name, value)
    return items


def _identity(grids: dict[str, Grid]) -> tuple[str | None, str | None]:
    """(park code, period) from 基本信息 when it is readable, so that a file rejected for
    another sheet still tells whose month it was (the reminder then says rejected, not missing)."""
    grid = grids.get(SHEET_INFO)
    if grid is None or _find_header(grid, INFO_HEADER) is None:
        return None, None
    items = _info_items(grid)
    code = items.get("园区代码")
    period = items.get("报告期")
    return (nfkc(code.text) or None if code is not None else None,
            parse_period(period.raw) if period is not None else None)


def read_workbook(path: str | Path, std: Standard) -> WorkbookContent:
    """Read the three sheets of a self-test workbook; raise FileProblem for a file error."""
    path = Path(path)
    check_size(path, std, text_name(path.name))
    holds_formulas = _open_zip_checks(path, std)
    grids = _read_grids(path)
    missing = [problem("F003", sheet=s) for s in LAYOUT if s not in grids]
    if missing:
        raise FileProblem(missing, *_identity(grids))
    if holds_formulas:
        _mark_unreadable(path, grids)
    issues = []
    for name, labels in LAYOUT.items():
        check_rows(len(grids[name]), std, name)
        if _find_header(grids[name], labels) is None:
            issues += [problem("F004", sheet=name, column=x) for x in _missing_labels(grids[name], labels)]
    if issues:
        raise FileProblem(issues, *_identity(grids))
    return WorkbookContent(
        info=_info_items(grids[SHEET_INFO]),
        energy=_sheet_rows(grids[SHEET_ENERGY], SHEET_ENERGY, ENERGY_HEADER),
        econ=_sheet_rows(grids[SHEET_ECON], SHEET_ECON, ECON_HEADER),
    )


# ---- batch CSV ---------------------------------------------------------------------------------

@dataclass
class CsvColumn:
    index: int
    header: str  # as written
    name: str  # canonical field or key
    unit: str | None  # unit as written in the header's brackets


@dataclass
class CsvContent:
    sheet: str  # the file name, standing in for a sheet in issue places
    columns: dict[str, CsvColumn]
    rows: list[tuple[int, list[str]]]  # (line as a text editor shows it, cells as written)
    encoding: str
    # line -> the problem (R013 field count, R014 quoting) that makes its cells unreliable: the
    # line is a record (counted, rejected), its cells are not read as values
    malformed: dict[int, dict] = field(default_factory=dict)

    def cell(self, cells: list[str], name: str) -> str:
        col = self.columns.get(name)
        return cells[col.index] if col is not None and col.index < len(cells) else ""


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else GB18030, by strict decoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8", "gb18030")
    errors = []
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            errors.append(f"{enc}: byte {exc.start}")
            continue
        if "\x00" in text:
            errors.append(f"{enc}: NUL bytes")
            continue
        return text, enc
    raise FileProblem([problem("F006", reason="; ".join(errors))])


def _csv_column(index: int, header: str, std: Standard) -> tuple[CsvColumn | None, dict | None]:
    """Map one header to a column; (None, issue) for a non-canonical unit; (None, None) if unknown."""
    key = label_key(header)
    for name, zh in CSV_KEYS.items():
        if key in (name, label_key(zh)):
            return CsvColumn(index, header, name, None), None
    base, unit = split_label(header)
    f = field_for_label(base) if unit is not None else field_for_label(header)
    if f is None:
        return None, None
    if unit is None:
        return CsvColumn(index, header, f.name, None), None
    canonical = f.canonical_units(std)
    if match_unit(unit, {u: 1.0 for u in canonical}) is None:
        return None, problem("F013", row=1, column=header, value=header, unit=unit,
                             canonical="/".join(canonical) or "—", field=f.name)
    return CsvColumn(index, header, f.name, unit), None


def csv_lines(text: str, *, line_breaks: bool = False) -> tuple[
        tuple[int, list[str]] | None, list[tuple[int, list[str]]], dict[int, dict]]:
    """(header, rows, malformed) with each record's first line as a text editor numbers it.

    Quoting is read strictly. A record whose quoting is broken (an unclosed quote, text after a
    closing quote) is one malformed record (R014) on its first line, and reading starts again on
    the next line: an unclosed quote takes no other line with it. A quoted line break inside a
    field is malformed too unless `line_breaks` (files with free-text columns, such as a
    project's name): no batch CSV column is free text (FILES.md §3).
    """
    lines = io.StringIO(text, newline="").readlines()
    header, rows, malformed = None, [], {}
    start = 0
    while start < len(lines):
        reader = csv.reader(iter(lines[start:]), strict=True)
        consumed = 0
        try:
            for cells in reader:
                line = start + consumed + 1
                spanned = reader.line_num - consumed
                consumed = reader.line_num
                if spanned > 1 and not line_breaks:
                    if header is None:
                        raise csv.Error("line break inside a header field")
                    _malformed_line(lines, line, rows, malformed)
                    start = line
                    break
                if not any(c.strip() for c in cells):
                    continue
                if header is None:
                    header = (line, cells)
                else:
                    rows.append((line, cells))
            else:
                break
        except csv.Error:
            line = start + consumed + 1
            if header is None:
                raise
            _malformed_line(lines, line, rows, malformed)
            start = line
    return header, rows, malformed


def _malformed_line(lines: list[str], line: int, rows: list, malformed: dict) -> None:
    """Record line `line` as malformed (R014), its fields split at every comma, quotes dropped:
    a guess at its park and period, so the rejection is told to the right park."""
    text = lines[line - 1].rstrip("\r\n")
    rows.append((line, [c.strip().strip('"') for c in text.split(",")]))
    malformed[line] = problem("R014", row=line, value=text[:200])


def read_batch_csv(path: str | Path, std: Standard) -> CsvContent:
    """Read a batch CSV; raise FileProblem for a file error."""
    path = Path(path)
    sheet = text_name(path.name)
    check_size(path, std, sheet)
    try:
        text, encoding = decode_csv(path.read_bytes())
    except FileProblem as p:
        for issue in p.issues:
            issue["sheet"] = sheet
        raise
    try:
        header, rows, malformed = csv_lines(text)
    except csv.Error as exc:  # the header line itself
        raise FileProblem([problem("F001", sheet=sheet, row=1, reason=f"CSV: {exc}")])
    if header is None:
        raise FileProblem([problem("F004", sheet=sheet, row=1, column=c)
                           for c in (*CSV_KEYS, *QUANTITY_FIELDS)])
    check_rows(len(rows), std, sheet)
    columns: dict[str, CsvColumn] = {}
    issues = []
    for i, h in enumerate(header[1]):
        col, issue = _csv_column(i, h.lstrip("\ufeff"), std)
        if issue is not None:
            issues.append({**issue, "sheet": sheet, "row": header[0]})
        elif col is not None:
            if col.name in columns:
                issues.append(problem("F005", sheet=sheet, row=header[0], column=col.header,
                                      value=col.header, field=col.name))
            else:
                columns[col.name] = col
    required = [*CSV_KEYS, *(f for f in QUANTITY_FIELDS if f not in OPTIONAL_FIELDS)]
    named = {i["context"].get("field") for i in issues}  # present, in a wrong unit (F013)
    issues += [problem("F004", sheet=sheet, row=header[0], column=name)
               for name in required if name not in columns and name not in named]
    if issues:
        raise FileProblem(issues)
    width = max(i for i, h in enumerate(header[1]) if h.strip()) + 1
    for line, cells in rows:
        if line in malformed:
            continue
        extra = [c for c in cells[width:] if c.strip()]
        if len(cells) < width or extra:
            malformed[line] = problem("R013", sheet=sheet, row=line, value=str(len(cells)),
                                      expected=width)
    for issue in malformed.values():
        issue["sheet"] = sheet
    return CsvContent(sheet, columns, rows, encoding, malformed)
