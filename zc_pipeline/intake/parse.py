"""Parse one landing file into submissions, submitted values and validation issues.

`parse_landing_file` never raises on a broken file: every problem becomes an issue with its
rule, place and bilingual message, and a file error yields exactly one rejected record.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zc_pipeline.intake import schemas
from zc_pipeline.intake.catalogue import all_rules
from zc_pipeline.intake.ids import file_sha256, submission_id
from zc_pipeline.intake.landing import text_name
from zc_pipeline.domain.measures import CARRIER_FIELDS, QUANTITY_FIELDS
from zc_pipeline.intake.readers import (
    ECON_ITEMS, ENERGY_HEADER, FIELD_BY_NAME, NUMBER_PATTERN, OPTIONAL_FIELDS, SHEET_ECON, SHEET_ENERGY,
    SHEET_INFO, Cell, CsvContent, Unreadable,
    FileProblem, field_for_label, is_blank, match_unit, nfkc, normalize_number, parse_date,
    parse_period, problem, read_batch_csv, read_plain_workbook, read_workbook, split_label,
)
from zc_pipeline.domain.periods import month_start
from zc_pipeline.domain.measures import FUEL_FIELDS, energy_and_co2
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


# ---- measures needed by the warnings (STANDARD §1–§3) -----------------------------------------

def fmt_num(x: float) -> str:
    """A number for a message: integers plain, others to at most 4 decimals."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.4f}".rstrip("0").rstrip(".")


def fmt_pct(x: float) -> str:
    return f"{x * 100:.1f}%"


# ---- building frames ---------------------------------------------------------------------------

class _Collector:
    """Issues of one file, keyed by the internal record key (`rec`)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self._rules = all_rules()

    def add(self, rec, rule_id, *, sheet=None, row=None, column=None, value=None, **context):
        r = self._rules[rule_id]
        fields = {"sheet": sheet or "", "row": row if row is not None else "",
                  "column": column or "", "value": "" if value is None else value, **context}
        zh, en = r.messages(**fields)
        self.rows.append({"rec": rec, "sheet": sheet, "row": row, "column": column,
                          "value": value, "severity": r.severity, "rule_id": rule_id,
                          "message_zh": zh, "message_en": en})

    def add_problem(self, rec, p: dict) -> None:
        self.add(rec, p["rule_id"], sheet=p["sheet"], row=p["row"], column=p["column"],
                 value=p["value"], **p["context"])


def _with_ids(frame: pd.DataFrame, rec_to_row: dict, sha: str) -> pd.DataFrame:
    """Add source_row and submission_id to a frame keyed by the internal `rec`."""
    ids = {rec: submission_id(sha, row) for rec, row in rec_to_row.items()}
    frame["source_row"] = frame["rec"].map(rec_to_row).astype("Int64")
    frame["submission_id"] = frame["rec"].map(ids).astype(object)
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _issues_frame(rows: list[dict], rec_to_row: dict, sha: str) -> pd.DataFrame:
    frame = _with_ids(pd.DataFrame(rows, columns=["rec", *ISSUE_COLUMNS[2:]]), rec_to_row, sha)
    return frame[ISSUE_COLUMNS].reset_index(drop=True)


def _empty_values() -> pd.DataFrame:
    frame = pd.DataFrame(columns=VALUE_COLUMNS)
    frame["source_row"] = frame["source_row"].astype("Int64")
    frame["row"] = frame["row"].astype("Int64")
    frame["canonical_value"] = frame["canonical_value"].astype(float)
    return frame


def _records_frame(recs: dict, quantities: pd.DataFrame, issue_rows: list[dict], sha: str,
                   fmt: str) -> pd.DataFrame:
    counts = Counter((i["rec"], i["severity"]) for i in issue_rows)
    keys = list(recs)
    frame = pd.DataFrame(
        {
            "submission_id": [submission_id(sha, recs[k]["source_row"]) for k in keys],
            "source_row": pd.array([recs[k]["source_row"] for k in keys], dtype="Int64"),
            **{c: [recs[k][c] for k in keys] for c in ("park_code", "period", "submitted_on")},
            "source_format": fmt,
            "error_count": [counts[(k, "error")] for k in keys],
            "warning_count": [counts[(k, "warning")] for k in keys],
        },
        columns=[c for c in RECORD_COLUMNS if c not in QUANTITY_FIELDS and c != "status"],
    )
    frame["status"] = np.where(frame["error_count"] > 0, "rejected", "accepted")
    q = quantities.reindex(index=keys, columns=list(QUANTITY_FIELDS)).astype(float)
    frame[list(QUANTITY_FIELDS)] = q.to_numpy()
    return frame[RECORD_COLUMNS]


def _file_error(sha: str, fmt: str, source_file: str, p: FileProblem) -> ParsedFile:
    """One rejected record (source_row NULL) that all the file's issues point to."""
    collector = _Collector()
    for issue in p.issues:
        collector.add_problem(0, issue)
    recs = {0: {"source_row": None, "park_code": p.park_code, "period": p.period,
                "submitted_on": None}}
    records = _records_frame(recs, pd.DataFrame(), collector.rows, sha, fmt)
    issues = _issues_frame(collector.rows, {0: None}, sha)
    return ParsedFile(records, _empty_values(), issues, sha, fmt, True, source_file)


# ---- value checks shared by both formats -------------------------------------------------------

def _label_ctx(field: str) -> dict:
    return {"label": FIELD_BY_NAME[field].label_zh, "field": field}


def _check_values(cells: pd.DataFrame, recs: dict, issues: _Collector, std: Standard,
                  default_place: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Numeric, sign, cross-field checks and warnings: (quantities by record, written cells)."""
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
        return {**default_place[f], "value": ""}

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


def _check_submitted_on(rec, raw, text: str, where: dict, issues: _Collector, as_of: dt.date):
    """R011 when missing or not a date, R010 when after the as-of date; returns the date."""
    day = parse_date(raw)
    if day is None:
        issues.add(rec, "R011", **where, value=text)
    elif day > as_of:
        issues.add(rec, "R010", **where, value=text, as_of=as_of.isoformat())
    return day


def _values_frame(written: pd.DataFrame, rec_to_row: dict, sha: str) -> pd.DataFrame:
    if written.empty:
        return _empty_values()
    frame = _with_ids(written.copy(), rec_to_row, sha)
    frame["canonical_value"] = frame["canonical_value"].astype(float)
    return frame[VALUE_COLUMNS].reset_index(drop=True)


def _finish(sha, fmt, source_file, recs, cells: pd.DataFrame, issues: _Collector, std,
            default_place) -> ParsedFile:
    q, written = _check_values(cells, recs, issues, std, default_place)
    rec_to_row = {rec: info["source_row"] for rec, info in recs.items()}
    records = _records_frame(recs, q, issues.rows, sha, fmt)
    issues_frame = _issues_frame(sorted(issues.rows, key=_issue_order), rec_to_row, sha)
    return ParsedFile(records, _values_frame(written, rec_to_row, sha), issues_frame, sha, fmt,
                      False, source_file)


_SHEET_ORDER = {SHEET_INFO: 0, SHEET_ENERGY: 1, SHEET_ECON: 2}


def _issue_order(i: dict):
    """Per record: errors first, then in reading order (sheet, row), then rule."""
    return (i["rec"], i["severity"] == "warning", _SHEET_ORDER.get(i["sheet"], 0),
            i["row"] or 0, i["rule_id"])


# ---- workbook ----------------------------------------------------------------------------------

def _info_place(content, item: str) -> tuple[object, str, dict]:
    cell = content.info.get(item)
    if cell is None:
        return None, "", {"sheet": SHEET_INFO, "row": None, "column": "内容"}
    return cell.raw, cell.text, {"sheet": cell.sheet, "row": cell.row, "column": cell.column}


def _parse_workbook(path: Path, sha: str, folder_month: str | None, park_codes: set[str],
                    std: Standard, as_of: dt.date) -> ParsedFile:
    try:
        fast = _fast_workbook(path, sha, folder_month, park_codes, std, as_of)
    except Exception:  # anything unexpected: the full path reads and reports
        fast = None
    if fast is not None:
        return fast
    return _full_workbook(path, sha, folder_month, park_codes, std, as_of)


# ---- workbook fast path ------------------------------------------------------------------------
#
# Most workbooks are plain and clean: read without pandas (`read_plain_workbook`), and no rule
# fires. For those the frames are built directly, without the per-file pandas/pandera work of
# `_finish` (which costs several times the read). Whenever the workbook is not plain or any rule
# (file error, record error or warning) could fire, `_fast_workbook` returns None and the full
# path reads the file again and reports exactly as before. The conditions below mirror the rules
# of `_full_workbook` and `_check_values`; each is a sufficient condition for "no issue", never a
# reimplementation of how an issue is reported. test_intake_fast_path.py checks that both paths
# give identical frames on every sample workbook.

_FAST_GAP_MARGIN = 1e-9  # W003 is left to the full path when the gap is even near the limit
_EXACT_INT = 2.0 ** 53


def _numbers(texts: list[str]) -> list[float]:
    """The texts as `_check_values` converts them (pd.to_numeric's own parser)."""
    values = pd.to_numeric(np.array(texts, dtype=object), errors="coerce")
    return [float(v) for v in values]


def _fast_workbook(path: Path, sha: str, folder_month: str | None, park_codes: set[str],
                   std: Standard, as_of: dt.date) -> ParsedFile | None:
    """The ParsedFile of a plain workbook on which no rule fires; None for anything else."""
    content = read_plain_workbook(path, std)
    if content is None:
        return None
    _, code_text, _ = _info_place(content, "园区代码")
    park_code = nfkc(code_text) or None
    raw_period, _, _ = _info_place(content, "报告期")
    period = parse_period(raw_period)
    folder_month = folder_month or period
    if (_not_in_registry(park_code, park_codes) or period is None or period != folder_month
            or month_start(period) > as_of):
        return None  # F007 / F008 / F009
    submitted_on = parse_date(_info_place(content, "填报日期")[0])
    if submitted_on is None or submitted_on > as_of:
        return None  # R011 / R010

    fields, written, units, factors = [], [], [], []
    family_units: dict[str, dict[str, float]] = {}  # Field.unit_factors, once per family
    for name_cell, unit_cell, qty in content.energy:
        f = field_for_label(name_cell.text) if not is_blank(name_cell.raw) else None
        if f is None or not f.carrier or f.name in fields or is_blank(qty.raw):
            return None  # R004 / R006 / a blank quantity
        if f.family not in family_units:
            family_units[f.family] = std.unit_factors(f.family)
        unit = match_unit(unit_cell.text, {u: family_units[f.family][u] for u in f.units})
        if unit is None or not unit_cell.text:
            return None  # R005
        fields.append(f.name)
        written.append(qty)
        units.append(unit_cell.text)
        factors.append(unit[1])
    for item, value in content.econ:
        base, unit = split_label(item.text)
        f = field_for_label(base)
        if f is None or f.name not in ECON_ITEMS or f.name in fields:
            return None  # R004 / R006
        if unit is not None and match_unit(unit, f.unit_factors(std)) is None:
            return None  # R005
        fields.append(f.name)
        written.append(value)
        units.append(unit)
        factors.append(1.0)

    if not fields:
        return None  # nothing written: the full path's empty values frame
    texts = [normalize_number(c.text) for c in written]
    if not all(t and _NUMBER.fullmatch(t) for t in texts):
        return None  # blank or R009
    numbers = _numbers(texts)
    if not all(0 <= v < _EXACT_INT for v in numbers):
        return None  # R003, or a number too large for int64/float64 to agree
    canonical = [v * k for v, k in zip(numbers, factors)]
    if any(v > std.num(f"plausible_max.{f}") for f, v in zip(fields, canonical)):
        return None  # R016
    q = {f: (np.nan if f in OPTIONAL_FIELDS else 0.0) for f in QUANTITY_FIELDS}
    q.update(zip(fields, canonical))
    if q["green_certificate_mwh"] > q["grid_electricity_mwh"]:
        return None  # R007
    if q["retrofit_completed"] > q["retrofit_planned"]:
        return None  # R008
    if q["value_added_10k_yuan"] == 0:
        return None  # W002 may fire
    grid = q["grid_electricity_mwh"]
    co2 = (grid - min(q["green_certificate_mwh"], grid)) * std.num("co2.grid_electricity")
    for field, carrier in FUEL_FIELDS.items():
        co2 = co2 + q[field] * std.num(f"co2.{carrier}")
    reported = q["reported_co2_t"]
    if not np.isnan(reported) and co2 != 0:
        if abs(reported - co2) / co2 > std.num("warning.co2_gap") - _FAST_GAP_MARGIN:
            return None  # W003 may fire

    sid = submission_id(sha, None)
    n = len(fields)
    records = _frame(_RECORD_INDEX, 1, [
        _strings([sid]), _ints([None]), _strings([park_code]),
        _strings([period]), np.array([submitted_on], dtype=object), _strings(["xlsx"]),
        _strings(["accepted"]), np.zeros(1, dtype="int64"), np.zeros(1, dtype="int64"),
        *(np.array([q[f]], dtype="float64") for f in QUANTITY_FIELDS),
    ])
    values = _frame(_VALUE_INDEX, n, [
        np.array([sid] * n, dtype=object), _ints([None] * n), _strings(fields),
        _strings([c.text for c in written]), _strings(units),
        np.array(canonical, dtype="float64"), _strings([c.sheet for c in written]),
        _ints([c.row for c in written]), _strings([c.column for c in written]),
    ])
    return ParsedFile(records, values, _empty_issues(), sha, "xlsx", False, str(path))


_NUMBER = re.compile(NUMBER_PATTERN)
_STR = pd.Series(["x"]).dtype  # the dtype pandas infers for text columns (str in pandas 3)
_EMPTY_ISSUES: pd.DataFrame | None = None


def _strings(items: list) -> object:
    """A text column as pandas' inference builds it from these items (None = missing)."""
    if any(isinstance(x, str) for x in items) and all(x is None or isinstance(x, str)
                                                       for x in items):
        return pd.array(items, dtype=_STR)
    return pd.Series(items).array  # all missing, or not text: let pandas infer


def _ints(items: list) -> pd.api.extensions.ExtensionArray:
    """An Int64 column (None = missing), as `.astype("Int64")` leaves it."""
    mask = np.array([x is None for x in items], dtype=bool)
    data = np.array([0 if x is None else x for x in items], dtype="int64")
    return pd.arrays.IntegerArray(data, mask)


_RECORD_INDEX = pd.Index(RECORD_COLUMNS)
_VALUE_INDEX = pd.Index(VALUE_COLUMNS)


def _frame(columns: pd.Index, n: int, arrays: list) -> pd.DataFrame:
    """A frame of typed columns, without the per-column inference of the dict constructor."""
    try:
        return pd.DataFrame._from_arrays(arrays, columns=columns, index=pd.RangeIndex(n),
                                         verify_integrity=False)
    except (AttributeError, TypeError):  # a pandas without the private constructor
        return pd.DataFrame(dict(zip(columns, arrays)), columns=list(columns))


def _empty_issues() -> pd.DataFrame:
    """The issues frame of a file without issues, as `_issues_frame` builds it."""
    global _EMPTY_ISSUES
    if _EMPTY_ISSUES is None:
        _EMPTY_ISSUES = _issues_frame([], {}, "")
    return _EMPTY_ISSUES.copy()


# ---- workbook, full path -----------------------------------------------------------------------

def _full_workbook(path: Path, sha: str, folder_month: str | None, park_codes: set[str],
                   std: Standard, as_of: dt.date) -> ParsedFile:
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

    issues = _Collector()
    rec = 0
    raw_day, day_text, day_at = _info_place(content, "填报日期")
    submitted_on = _check_submitted_on(rec, raw_day, day_text, day_at, issues, as_of)
    cells: list[dict] = []
    first_row: dict[str, int] = {}

    def add_cell(f, value: Cell, unit: str | None, factor: float):
        cells.append({"rec": rec, "field": f, "value_as_written": value.text,
                      "text": normalize_number(value.text), "unit_as_written": unit,
                      "factor": factor, "sheet": value.sheet, "row": value.row,
                      "column": value.column, "unreadable": isinstance(value.raw, Unreadable)})

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
        add_cell(f.name, qty, unit_cell.text or None, factor)

    econ_fields = [FIELD_BY_NAME[f] for f in ECON_ITEMS]
    for item, value in content.econ:
        base, unit = split_label(item.text)
        f = field_for_label(base)
        if f is None or f.name not in ECON_ITEMS:
            issues.add(rec, "R004", sheet=item.sheet, row=item.row, column=item.column,
                       value=item.text, accepted="、".join(
                           f"{e.label_zh}({e.fixed_units[0]})" if e.fixed_units else e.label_zh
                           for e in econ_fields))
            continue
        if repeated(f.name, item):
            continue
        factor = 1.0
        if unit is not None and match_unit(unit, f.unit_factors(std)) is None:
            factor = np.nan
            issues.add(rec, "R005", sheet=item.sheet, row=item.row, column=item.column,
                       value=unit, accepted="、".join(f.fixed_units) or "—",
                       **_label_ctx(f.name))
        add_cell(f.name, value, unit, factor)

    recs = {rec: {"source_row": None, "park_code": park_code, "period": period,
                  "submitted_on": submitted_on}}
    default_place = {f: {"sheet": SHEET_ECON if f in ECON_ITEMS else SHEET_ENERGY, "row": None,
                         "column": "数值" if f in ECON_ITEMS else ENERGY_HEADER[2]}
                     for f in QUANTITY_FIELDS}
    return _finish(sha, "xlsx", str(path), recs, pd.DataFrame(cells, columns=_CELL_COLUMNS),
                   issues, std, default_place)


# ---- batch CSV ---------------------------------------------------------------------------------

def _parse_csv(path: Path, sha: str, folder_month: str | None, park_codes: set[str],
               std: Standard, as_of: dt.date) -> ParsedFile:
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

    issues = _Collector()
    recs = {}
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
        recs[line] = {"source_row": line, "park_code": code or None, "period": parse_period(period),
                      "submitted_on": day}
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

    fields = [f for f in QUANTITY_FIELDS if f in cols]
    wide = pd.DataFrame({f: ["" if line in malformed else content.cell(cells, f)
                             for line, cells in content.rows]
                         for f in fields}, index=lines)
    wide.index.name = "rec"
    long = wide.reset_index().melt(id_vars="rec", var_name="field", value_name="value_as_written")
    long["value_as_written"] = long["value_as_written"].astype(str)
    long["text"] = long["value_as_written"].map(normalize_number)
    long["unit_as_written"] = long["field"].map({f: cols[f].unit for f in fields})
    long["factor"] = 1.0  # CSV values are in the canonical unit of their column
    long["sheet"] = sheet
    long["row"] = long["rec"]
    long["column"] = long["field"].map({f: cols[f].header for f in fields})
    long["unreadable"] = False
    default_place = {f: {"sheet": sheet, "row": None,
                         "column": cols[f].header if f in cols else f} for f in QUANTITY_FIELDS}
    return _finish(sha, "csv", str(path), recs, long[_CELL_COLUMNS], issues, std, default_place)


# ---- entry point -------------------------------------------------------------------------------

def _registry_codes(registry: pd.DataFrame | None) -> set[str] | None:
    if registry is None:
        return None
    return {str(c).strip() for c in registry["park_code"].dropna().tolist()}


def _not_in_registry(code: str | None, park_codes: set[str] | None) -> bool:
    """F007 / R001. `park_codes` None: the registry is unknown (a park checking its own files
    alone), and only an empty code is certainly not in it."""
    return not code if park_codes is None else code not in park_codes


def parse_landing_file(path: str | Path, *, folder_month: str | None, registry: pd.DataFrame | None,
                       std: Standard, as_of: dt.date) -> ParsedFile:
    """Parse a monthly workbook or batch CSV; `folder_month` None = take the file's own period;
    `registry` None = no registry at hand: whether a park code is registered is not checked."""
    path = Path(path)
    sha = file_sha256(path)
    fmt = "csv" if path.suffix.lower() == ".csv" else "xlsx"
    parser = _parse_csv if fmt == "csv" else _parse_workbook
    try:
        return parser(path, sha, folder_month, _registry_codes(registry), std, as_of)
    except FileProblem as p:
        return _file_error(sha, fmt, str(path), p)
    except Exception as exc:  # a broken file must never stop a run
        reason = f"{type(exc).__name__}: {exc}"[:200]
        p = FileProblem([problem("F001", sheet=text_name(path.name) if fmt == "csv" else None,
                                 reason=reason)])
        return _file_error(sha, fmt, str(path), p)
