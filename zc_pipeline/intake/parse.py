"""Parse landing files into submissions, submitted values and validation issues.

One path in two steps. `read_landing_file` takes one file's records, cells as written and the
issues its shape and labels raise (plain Python, per file); `check_files` checks, converts and
measures the cells of any number of files as one columnar batch, so the per-frame cost of pandas
and pandera is paid once per batch, not once per file. `parse_landing_file` is both steps for
one file. Nothing here raises on a broken file: every problem becomes an issue with its rule,
place and bilingual message, and a file error yields exactly one rejected record.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zc_pipeline.domain.measures import CARRIER_FIELDS, QUANTITY_FIELDS, energy_and_co2
from zc_pipeline.domain.periods import month_start
from zc_pipeline.intake import schemas
from zc_pipeline.intake.catalogue import Issues
from zc_pipeline.intake.ids import NO_LINE, file_sha256, submission_id
from zc_pipeline.intake.landing import text_name
from zc_pipeline.intake.readers import (
    ECON_ITEMS, ENERGY_HEADER, FIELD_BY_NAME, NUMBER_PATTERN, OPTIONAL_FIELDS, SHEET_ECON,
    SHEET_ENERGY, SHEET_INFO, Cell, CsvContent, FileProblem, Unreadable, field_for_label,
    is_blank, match_unit, nfkc, normalize_number, parse_date, parse_period, problem,
    read_batch_csv, read_workbook, split_label,
)
from zc_pipeline.standards import Standard

RECORD_COLUMNS = [
    "submission_id", "source_row", "park_code", "period", "submitted_on", "source_format",
    "status", "error_count", "warning_count", *QUANTITY_FIELDS,
]
VALUE_COLUMNS = [
    "submission_id", "source_row", "field", "value_as_written", "unit_as_written",
    "canonical_value", "sheet", "row", "column",
]
ISSUE_COLUMNS = [
    "submission_id", "source_row", "sheet", "row", "column", "value", "severity", "rule_id",
    "message_zh", "message_en",
]
_CELL_COLUMNS = ["rec", "field", "value_as_written", "text", "unit_as_written", "factor",
                 "sheet", "row", "column", "unreadable"]


@dataclass
class ParsedFile:
    """What one file holds: `records` (submissions), `values` (as written), `issues`."""

    records: pd.DataFrame
    values: pd.DataFrame
    issues: pd.DataFrame
    source_sha256: str
    source_format: str  # xlsx | csv
    file_error: bool
    source_file: str = ""

    @property
    def error_count(self) -> int:
        return int((self.issues["severity"] == "error").sum())

    @property
    def warning_count(self) -> int:
        return int((self.issues["severity"] == "warning").sum())

    @property
    def verdict(self) -> str:
        """accepted | partial | rejected: how many of the file's records were accepted."""
        status = self.records["status"]
        if len(status) and (status == "rejected").all():
            return "rejected"
        return "partial" if (status == "rejected").any() else "accepted"


# ---- messages ----------------------------------------------------------------------------------

def fmt_num(x: float) -> str:
    """A number for a message: integers plain, others to at most 4 decimals."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.4f}".rstrip("0").rstrip(".")


def fmt_pct(x: float) -> str:
    return f"{x * 100:.1f}%"


class _Collector(Issues):
    """A monthly file's issues, keyed by its record key (`rec`) and placed by sheet, row, column."""

    def add(self, rec, rule_id, *, sheet=None, row=None, column=None, value=None, **context):
        fields = {"sheet": sheet or "", "row": row if row is not None else "",
                  "column": column or "", "value": "" if value is None else value, **context}
        self.record(rule_id, {"rec": rec, "sheet": sheet, "row": row, "column": column, "value": value},
                    **fields)

    def add_problem(self, rec, p: dict) -> None:
        self.add(rec, p["rule_id"], sheet=p["sheet"], row=p["row"], column=p["column"],
                 value=p["value"], **p["context"])


def _label_ctx(field: str) -> dict:
    return {"label": FIELD_BY_NAME[field].label_zh, "field": field}


# ---- step 1: one file as read ------------------------------------------------------------------

@dataclass
class FileRead:
    """One file as read, before its values are checked. Records, cells and issues are keyed by
    a record key `rec` of the file (0 for a workbook, the CSV line for a batch CSV)."""

    source_file: str
    source_sha256: str
    source_format: str
    records: dict = field(default_factory=dict)  # rec -> source_row, park_code, period, submitted_on
    cells: dict = field(default_factory=lambda: {c: [] for c in _CELL_COLUMNS})
    issues: _Collector = field(default_factory=_Collector)
    default_place: dict = field(default_factory=dict)  # field -> place of a cell not written
    file_error: bool = False

    def add_cell(self, rec, f: str, value: Cell, unit: str | None, factor: float) -> None:
        for column, item in zip(_CELL_COLUMNS, (
                rec, f, value.text, normalize_number(value.text), unit, factor, value.sheet,
                value.row, value.column, isinstance(value.raw, Unreadable))):
            self.cells[column].append(item)


def _file_error(read: FileRead, p: FileProblem) -> FileRead:
    """One rejected record (source_row NULL) that all the file's issues point to."""
    read.records = {0: {"source_row": None, "park_code": p.park_code, "period": p.period,
                        "submitted_on": None}}
    read.cells = {c: [] for c in _CELL_COLUMNS}
    read.issues = _Collector()
    for issue in p.issues:
        read.issues.add_problem(0, issue)
    read.file_error = True
    return read


def _check_submitted_on(rec, raw, text: str, where: dict, issues: _Collector, as_of: dt.date):
    """R011 when missing or not a date, R010 when after the as-of date; returns the date."""
    day = parse_date(raw)
    if day is None:
        issues.add(rec, "R011", **where, value=text)
    elif day > as_of:
        issues.add(rec, "R010", **where, value=text, as_of=as_of.isoformat())
    return day


def _not_in_registry(code: str | None, park_codes: set[str] | None) -> bool:
    """F007 / R001. `park_codes` None: the registry is unknown (a park checking its own files
    alone), and only an empty code is certainly not in it."""
    return not code if park_codes is None else code not in park_codes


def _info_place(content, item: str) -> tuple[object, str, dict]:
    cell = content.info.get(item)
    if cell is None:
        return None, "", {"sheet": SHEET_INFO, "row": None, "column": "内容"}
    return cell.raw, cell.text, {"sheet": cell.sheet, "row": cell.row, "column": cell.column}


def _read_workbook(read: FileRead, path: Path, folder_month: str | None,
                   park_codes: set[str] | None, std: Standard, as_of: dt.date) -> FileRead:
    content = read_workbook(path, std)
    raw_code, code_text, code_at = _info_place(content, "园区代码")
    park_code = nfkc(code_text) or None
    raw_period, period_text, period_at = _info_place(content, "报告期")
    period = parse_period(raw_period)
    folder_month = folder_month or period
    file_issues = []
    if _not_in_registry(park_code, park_codes):
        file_issues.append(problem("F007", **code_at, value=code_text))
    if period is None or period != folder_month:
        file_issues.append(problem("F008", **period_at, value=period_text,
                                   folder_month=folder_month or "YYYY-MM"))
    if period is not None and month_start(period) > as_of:
        file_issues.append(problem("F009", **period_at, value=period_text,
                                   as_of=as_of.isoformat()))
    if file_issues:
        raise FileProblem(file_issues, park_code=park_code, period=period)

    issues = read.issues
    rec = 0
    raw_day, day_text, day_at = _info_place(content, "填报日期")
    submitted_on = _check_submitted_on(rec, raw_day, day_text, day_at, issues, as_of)
    first_row: dict[str, int] = {}

    def repeated(f: str, label: Cell) -> bool:
        if f in first_row:
            issues.add(rec, "R006", sheet=label.sheet, row=label.row, column=label.column,
                       value=label.text, first_row=first_row[f])
            return True
        first_row[f] = label.row
        return False

    carriers = [FIELD_BY_NAME[f] for f in CARRIER_FIELDS]
    for name_cell, unit_cell, qty in content.energy:
        f = field_for_label(name_cell.text) if not is_blank(name_cell.raw) else None
        if f is None or not f.carrier:
            issues.add(rec, "R004", sheet=name_cell.sheet, row=name_cell.row,
                       column=name_cell.column, value=name_cell.text,
                       accepted="、".join(c.label_zh for c in carriers))
            continue
        if repeated(f.name, name_cell):
            continue
        factor = 1.0
        if not is_blank(qty.raw):
            accepted = f.unit_factors(std)
            unit = match_unit(unit_cell.text, accepted)
            if unit is None:
                factor = np.nan
                issues.add(rec, "R005", sheet=unit_cell.sheet, row=unit_cell.row,
                           column=unit_cell.column, value=unit_cell.text,
                           accepted="、".join(accepted), **_label_ctx(f.name))
            else:
                factor = unit[1]
        read.add_cell(rec, f.name, qty, unit_cell.text or None, factor)

    econ_fields = [FIELD_BY_NAME[f] for f in ECON_ITEMS]
    for item, value in content.econ:
        base, unit = split_label(item.text)
        f = field_for_label(base)
        if f is None or f.name not in ECON_ITEMS:
            issues.add(rec, "R004", sheet=item.sheet, row=item.row, column=item.column,
                       value=item.text, accepted="、".join(e.label_with_unit(std) for e in econ_fields))
            continue
        if repeated(f.name, item):
            continue
        factor = 1.0
        accepted = f.unit_factors(std)
        if unit is not None and match_unit(unit, accepted) is None:
            factor = np.nan
            issues.add(rec, "R005", sheet=item.sheet, row=item.row, column=item.column,
                       value=unit, accepted="、".join(accepted) or "—",
                       **_label_ctx(f.name))
        read.add_cell(rec, f.name, value, unit, factor)

    read.records = {rec: {"source_row": None, "park_code": park_code, "period": period,
                          "submitted_on": submitted_on}}
    read.default_place = {
        f: {"sheet": SHEET_ECON if f in ECON_ITEMS else SHEET_ENERGY, "row": None,
            "column": "数值" if f in ECON_ITEMS else ENERGY_HEADER[2]}
        for f in QUANTITY_FIELDS}
    return read


# ---- value checks, both formats -----------------------------------------------------------------

def _check_values(cells: pd.DataFrame, recs: dict, issues: _Collector, std: Standard,
                  default_place: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Numeric, sign, cross-field checks and warnings: (quantities by record, written cells).
    `default_place[rec][field]`: where a cell the record does not write would have been."""
    cells = cells.reset_index(drop=True)
    written = cells["text"] != ""
    unreadable = cells["unreadable"].astype(bool)
    for c in cells[unreadable].itertuples():
        issues.add(c.rec, "R015", sheet=c.sheet, row=c.row, column=c.column,
                   value=c.value_as_written, **_label_ctx(c.field))
    texts = cells.loc[written & ~unreadable, ["text"]]
    for i in schemas.failures(schemas.value_text_schema(), texts)["index"]:
        c = cells.loc[i]
        issues.add(c.rec, "R009", sheet=c.sheet, row=c.row, column=c.column,
                   value=c.value_as_written, **_label_ctx(c.field))
    numeric = written & ~unreadable & cells["text"].str.fullmatch(NUMBER_PATTERN)
    with np.errstate(over="ignore", invalid="ignore"):
        value = pd.to_numeric(cells["text"].where(numeric), errors="coerce") * cells["factor"]
    # a number beyond the plausible range (or beyond float: inf) is an error, and nothing
    # non-finite is kept: its canonical value is left empty
    limit = cells["field"].map({f: float(v) for f, v in std.prefixed("plausible_max").items()})
    implausible = numeric & (np.isinf(value) | (value.abs() > limit))  # NaN: an unknown unit (R005)
    for c in cells[implausible].itertuples():
        entry = std.entries[f"plausible_max.{c.field}"]
        issues.add(c.rec, "R016", sheet=c.sheet, row=c.row, column=c.column,
                   value=c.value_as_written, limit=fmt_num(float(entry["value"])),
                   unit=entry["unit"], **_label_ctx(c.field))
    value = value.where(np.isfinite(value))
    blank = cells["field"].map({f: np.nan if f in OPTIONAL_FIELDS else 0.0
                                for f in QUANTITY_FIELDS})
    cells["canonical_value"] = value.where(written, blank)
    signs = cells.loc[numeric & ~implausible, ["canonical_value"]]
    for i in schemas.failures(schemas.value_sign_schema(), signs)["index"]:
        c = cells.loc[i]
        issues.add(c.rec, "R003", sheet=c.sheet, row=c.row, column=c.column,
                   value=c.value_as_written, **_label_ctx(c.field))

    # the first cell of each (record, field) counts; a repeat is an error reported by the reader
    first = cells.drop_duplicates(["rec", "field"])
    q = first.pivot(index="rec", columns="field", values="canonical_value")
    seen = first.assign(one=1.0).pivot(index="rec", columns="field", values="one")
    q = q.reindex(index=list(recs), columns=list(QUANTITY_FIELDS))
    seen = seen.reindex(index=list(recs), columns=list(QUANTITY_FIELDS)).notna()
    for f in QUANTITY_FIELDS:
        if f not in OPTIONAL_FIELDS:
            q[f] = q[f].mask(~seen[f], 0.0)
    places = first.set_index(["rec", "field"])

    def place(rec, f):
        if (rec, f) in places.index:
            c = places.loc[(rec, f)]
            return {"sheet": c.sheet, "row": c.row, "column": c.column,
                    "value": c.value_as_written}
        return {**default_place[rec][f], "value": ""}

    for rec in q.index[q["green_certificate_mwh"] > q["grid_electricity_mwh"]]:
        issues.add(rec, "R007", **place(rec, "green_certificate_mwh"),
                   certificate=fmt_num(q.at[rec, "green_certificate_mwh"]),
                   grid=fmt_num(q.at[rec, "grid_electricity_mwh"]))
    for rec in q.index[q["retrofit_completed"] > q["retrofit_planned"]]:
        issues.add(rec, "R008", **place(rec, "retrofit_completed"),
                   completed=fmt_num(q.at[rec, "retrofit_completed"]),
                   planned=fmt_num(q.at[rec, "retrofit_planned"]))

    # warnings flag accepted records only: on a rejected one they would echo its errors
    rejected = {i["rec"] for i in issues.rows if i["severity"] == "error"}
    ok = ~q.index.isin(list(rejected))
    _, _, energy, co2 = energy_and_co2(q.fillna({f: 0.0 for f in CARRIER_FIELDS}), std)
    for rec in q.index[ok & (q["value_added_10k_yuan"] == 0) & (energy > 0)]:
        issues.add(rec, "W002", **place(rec, "value_added_10k_yuan"),
                   energy_tce=fmt_num(round(energy[rec], 4)))
    gap = (q["reported_co2_t"] - co2).abs() / co2.where(co2 != 0)
    limit = std.num("warning.co2_gap")
    for rec in q.index[ok & (gap > limit)]:
        issues.add(rec, "W003", **place(rec, "reported_co2_t"),
                   reported=fmt_num(q.at[rec, "reported_co2_t"]),
                   computed=fmt_num(round(co2[rec], 4)), gap=fmt_pct(gap[rec]),
                   limit=fmt_pct(limit))
    return q, cells[written]




def _read_csv(read: FileRead, path: Path, folder_month: str | None, park_codes: set[str] | None,
              std: Standard, as_of: dt.date) -> FileRead:
    content: CsvContent = read_batch_csv(path, std)
    sheet, cols = content.sheet, content.columns
    lines = [line for line, _ in content.rows]
    keys = pd.DataFrame(
        {k: [nfkc(content.cell(cells, k)) for _, cells in content.rows]
         for k in ("park_code", "period")}, index=lines, dtype="str")
    valid_periods = [p for p in keys["period"] if parse_period(p)]
    folder_month = folder_month or (valid_periods[0] if valid_periods else None)
    codes = set(keys["park_code"])

    def single(values: set[str]) -> str | None:
        return next(iter(values)) if len(values) == 1 else None

    if folder_month is not None and month_start(folder_month) > as_of:
        hits = [line for line in lines if keys.at[line, "period"] == folder_month]
        line = hits[0] if hits else None
        raw = content.cell(content.rows[lines.index(line)][1], "period") if hits else folder_month
        raise FileProblem(
            [problem("F009", sheet=sheet, row=line, column=cols["period"].header, value=raw,
                     as_of=as_of.isoformat())],
            park_code=single(codes), period=folder_month)

    issues = read.issues
    by_line = dict(content.rows)
    day_column = cols["submitted_on"].header
    # a malformed line (R013, R014) is a rejected record whose fields are not read: its
    # park code and period are kept as far as they split, to say whose line was rejected
    malformed = content.malformed
    for (line, cells), code, period in zip(content.rows, keys["park_code"], keys["period"]):
        if line in malformed:
            issues.add_problem(line, malformed[line])
            day = None
        else:
            day_text = content.cell(cells, "submitted_on")
            where = {"sheet": sheet, "row": line, "column": day_column}
            day = _check_submitted_on(line, day_text, day_text, where, issues, as_of)
        # the period is stored only as a month: a line's other text ("2026/03", or the rest of a
        # malformed line) stays in its issue, where it cannot break the table's schema
        read.records[line] = {"source_row": line, "park_code": code or None,
                              "period": parse_period(period), "submitted_on": day}
    keys = keys[~keys.index.isin(list(malformed))]

    known = codes - {""} if park_codes is None else park_codes  # registry unknown: R001 for an empty code only
    schema = schemas.csv_record_schema(known, folder_month or "YYYY-MM")
    for line, name, rule_id in schemas.failures(schema, keys).itertuples(index=False):
        issues.add(line, rule_id, sheet=sheet, row=line, column=cols[name].header,
                   value=content.cell(by_line[line], name), folder_month=folder_month or "")

    dup = keys[keys.duplicated(["park_code", "period"], keep=False)]
    for (code, period), group in dup.groupby(["park_code", "period"], sort=False):
        listed = "、".join(str(x) for x in group.index)
        for line in group.index:
            issues.add(line, "R012", sheet=sheet, row=line, column=cols["park_code"].header,
                       value=content.cell(by_line[line], "park_code"), park_code=code,
                       period=period, rows=listed)

    for f in (f for f in QUANTITY_FIELDS if f in cols):  # field by field, line by line
        written = [str("" if line in malformed else content.cell(cells, f))
                   for line, cells in content.rows]
        n = len(written)
        for column, items in zip(_CELL_COLUMNS, (
                lines, [f] * n, written, [normalize_number(t) for t in written], [cols[f].unit] * n,
                [1.0] * n,  # CSV values are in the canonical unit of their column
                [sheet] * n, lines, [cols[f].header] * n, [False] * n)):
            read.cells[column].extend(items)
    read.default_place = {f: {"sheet": sheet, "row": None,
                              "column": cols[f].header if f in cols else f} for f in QUANTITY_FIELDS}
    return read


def registry_codes(registry: pd.DataFrame | None) -> set[str] | None:
    """The registered park codes a file is checked against; None = no registry at hand."""
    if registry is None:
        return None
    return {str(c).strip() for c in registry["park_code"].dropna().tolist()}


def read_landing_file(path: str | Path, *, folder_month: str | None, park_codes: set[str] | None,
                      std: Standard, as_of: dt.date, sha256: str | None = None,
                      source_file: str | None = None) -> FileRead:
    """Read a monthly workbook or batch CSV; `folder_month` None = take the file's own period;
    `park_codes` None = no registry at hand: whether a park code is registered is not checked."""
    path = Path(path)
    fmt = "csv" if path.suffix.lower() == ".csv" else "xlsx"
    read = FileRead(source_file or str(path), sha256 or file_sha256(path), fmt)
    reader = _read_csv if fmt == "csv" else _read_workbook
    try:
        return reader(read, path, folder_month, park_codes, std, as_of)
    except FileProblem as p:
        return _file_error(read, p)
    except Exception as exc:  # a broken file must never stop a run: it is rejected with the reason
        reason = f"{type(exc).__name__}: {exc}"[:200]
        return _file_error(read, FileProblem([problem(
            "F001", sheet=text_name(path.name) if fmt == "csv" else None, reason=reason)]))


# ---- step 2: the cells of many files, checked as one batch ---------------------------------------

@dataclass
class ParsedBatch:
    """The frames of many files; column `file` is the position of a row's file in `files`."""

    files: list[FileRead]
    records: pd.DataFrame
    values: pd.DataFrame
    issues: pd.DataFrame

    def parsed_file(self, i: int) -> ParsedFile:
        """File `i`'s frames on their own, as `parse_landing_file` gives them."""
        def rows(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["file"] == i].drop(columns="file").reset_index(drop=True)

        read = self.files[i]
        return ParsedFile(rows(self.records), rows(self.values), rows(self.issues),
                          read.source_sha256, read.source_format, read.file_error,
                          read.source_file)


def check_files(reads: list[FileRead], std: Standard) -> ParsedBatch:
    """Check, convert and measure the cells of `reads` as one batch."""
    # every record gets a batch-wide key, in file order and within a file in reading order
    recs, cell_parts, issue_rows, default_place = {}, [], [], {}
    for i, read in enumerate(reads):
        key = {rec: len(recs) + n for n, rec in enumerate(read.records)}
        for rec, info in read.records.items():
            recs[key[rec]] = {**info, "file": i, "source_sha256": read.source_sha256,
                              "source_format": read.source_format, "file_error": read.file_error}
            default_place[key[rec]] = read.default_place
        cells = dict(read.cells)
        cells["rec"] = [key[r] for r in cells["rec"]]
        cell_parts.append(cells)
        issue_rows += [{**row, "rec": key[row["rec"]]} for row in read.issues.rows]
    cells = pd.DataFrame({c: [x for part in cell_parts for x in part[c]] for c in _CELL_COLUMNS})
    cells = cells.astype({"rec": "int64", "field": "str", "value_as_written": "str", "text": "str",
                          "factor": "float64", "sheet": "str", "row": "int64", "column": "str",
                          "unreadable": bool})
    issues = _Collector()
    issues.rows = issue_rows
    q, written = _check_values(cells, recs, issues, std, default_place)

    ids = {rec: submission_id(info["source_sha256"], NO_LINE if info["source_row"] is None else info["source_row"])
           for rec, info in recs.items()}
    records = _records_frame(recs, ids, q, issues.rows)
    ordered = sorted(issues.rows, key=lambda row: _issue_order(row, recs[row["rec"]]["file_error"]))
    return ParsedBatch(list(reads), records, _keyed(written, VALUE_COLUMNS, recs, ids),
                       _keyed(pd.DataFrame(ordered, columns=["rec", *ISSUE_COLUMNS[2:]]),
                              ISSUE_COLUMNS, recs, ids))


def parse_landing_file(path: str | Path, *, folder_month: str | None, registry: pd.DataFrame | None,
                       std: Standard, as_of: dt.date) -> ParsedFile:
    """Read and check one monthly workbook or batch CSV (see `read_landing_file`)."""
    read = read_landing_file(path, folder_month=folder_month, park_codes=registry_codes(registry),
                             std=std, as_of=as_of)
    return check_files([read], std).parsed_file(0)


_SHEET_ORDER = {SHEET_INFO: 0, SHEET_ENERGY: 1, SHEET_ECON: 2}


def _issue_order(i: dict, file_error: bool):
    """Per record: errors first, then in reading order (sheet, row), then rule; a file error's
    issues in the order the reader found them."""
    if file_error:
        return (i["rec"],)
    return (i["rec"], i["severity"] == "warning", _SHEET_ORDER.get(i["sheet"], 0),
            i["row"] or 0, i["rule_id"])


def _keyed(frame: pd.DataFrame, columns: list[str], recs: dict, ids: dict) -> pd.DataFrame:
    """`frame` (keyed by `rec`) with its file, source_row and submission_id, in `columns` order."""
    frame = frame.copy()
    frame["file"] = frame["rec"].map({rec: info["file"] for rec, info in recs.items()}).astype("int64")
    frame["source_row"] = frame["rec"].map(
        {rec: info["source_row"] for rec, info in recs.items()}).astype("Int64")
    frame["submission_id"] = frame["rec"].map(ids).astype(object)
    frame["row"] = frame["row"].astype("Int64")
    if "canonical_value" in frame:
        frame["canonical_value"] = frame["canonical_value"].astype(float)
    return frame[["file", *columns]].reset_index(drop=True)


def _records_frame(recs: dict, ids: dict, quantities: pd.DataFrame,
                   issue_rows: list[dict]) -> pd.DataFrame:
    counts = Counter((i["rec"], i["severity"]) for i in issue_rows)
    keys = list(recs)
    frame = pd.DataFrame(
        {
            "file": [recs[k]["file"] for k in keys],
            "submission_id": [ids[k] for k in keys],
            "source_row": pd.array([recs[k]["source_row"] for k in keys], dtype="Int64"),
            **{c: [recs[k][c] for k in keys]
               for c in ("park_code", "period", "submitted_on", "source_format")},
            "error_count": [counts[(k, "error")] for k in keys],
            "warning_count": [counts[(k, "warning")] for k in keys],
        },
        columns=["file", *(c for c in RECORD_COLUMNS if c not in QUANTITY_FIELDS and c != "status")],
    )
    frame["status"] = np.where(frame["error_count"] > 0, "rejected", "accepted")
    q = quantities.reindex(index=keys, columns=list(QUANTITY_FIELDS)).astype(float)
    q[[recs[k]["file_error"] for k in keys]] = np.nan  # a file error reads no quantity
    frame[list(QUANTITY_FIELDS)] = q.to_numpy()
    return frame[["file", *RECORD_COLUMNS]]
