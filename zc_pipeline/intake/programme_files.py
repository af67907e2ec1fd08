"""Readers for the programme files: spot-check results (FILES.md §4) and funding applications (§5).

CSV, UTF-8 (BOM allowed) or GB18030, header in canonical names. Every data row comes back with its
`source_row` (the line a text editor shows, header = 1) and a `status` (accepted | rejected);
rejected rows are kept, and every problem is an issue row naming the rule (`rules_programme.py`).
The field rules are pandera checks (`verification_rules`, `funding_rules`) run on the values as
read; a key repeated across rows (V017, G013) rejects all its rows, found once the rows are read.
"""
from __future__ import annotations

import csv
import math
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import pandas as pd
import pandera.pandas as pa

from zc_pipeline.intake.catalogue import Issues, rule
from zc_pipeline.intake.landing import text_name
from zc_pipeline.intake.readers import (NUMBER_PATTERN, FileProblem, csv_lines, decode_csv, nfkc, normalize_number,
                                        parse_date, parse_period)
from zc_pipeline.intake.schemas import FieldRule, every_value, rule_failures
from zc_pipeline.domain.periods import months_of
from zc_pipeline.standards import Standard

VERIFICATION_COLUMNS = ("park_code", "period", "verified_energy_tce", "verified_co2_t", "inspector", "verified_on")
FUNDING_COLUMNS = ("project_id", "park_code", "project_name", "project_type", "investment_10k_yuan", "applied_on")
ISSUE_COLUMNS = ("source_row", "sheet", "row", "column", "value", "severity", "rule_id", "message_zh", "message_en")
# FILES.md §5: the project types a funding file may name, with their Chinese names.
PROJECT_TYPES = {"green_direct_supply": "绿电直供设施", "ccus_demo": "碳捕集示范", "other": "其他"}

_PARK_CODE = re.compile(r"\d{6}-P\d{3}")
_NUMBER = re.compile(NUMBER_PATTERN)


@dataclass(frozen=True)
class ParsedProgrammeFile:
    rows: pd.DataFrame  # one row per data line, with source_row and status accepted|rejected
    issues: pd.DataFrame  # ISSUE_COLUMNS

    @property
    def file_rejected(self) -> bool:
        """True when a file error rejected the whole file (every row is then rejected)."""
        return any(rule(r).level == "file" for r in self.issues["rule_id"])


def parse_decimal(text: str) -> Decimal | None:
    """A number as written (full-width digits, thousands separators allowed); None when not a number."""
    t = normalize_number(text)
    return Decimal(t) if _NUMBER.match(t) else None


# --- reading ---------------------------------------------------------------------------------------

class _Issues(Issues):
    """A programme file's issues, placed by its name (as the sheet), CSV line and column."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def add(self, rule_id: str, *, source_row: int | None = None, row: int | None = None,
            column: str | None = None, value: object = None, **context) -> None:
        fields = dict.fromkeys(("limit", "half", "period", "key", "allowed"), "")
        place = row if row is not None else source_row
        fields.update(context, file=self.file, column=column or "", value="" if value is None else value,
                      row="" if place is None else place)
        self.record(rule_id, {"source_row": source_row, "sheet": self.file, "row": place, "column": column,
                              "value": None if value is None else str(value)}, **fields)

    def frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self.rows, columns=list(ISSUE_COLUMNS))
        for col in ("source_row", "row"):
            out[col] = out[col].astype("Int64")
        return out.sort_values("row", kind="stable", na_position="first", ignore_index=True)


def _read_rows(path: Path, prefix: str, columns: tuple[str, ...], std: Standard,
               issues: _Issues) -> tuple[list[dict], bool]:
    """Data rows as {column: stripped text, source_row}, and whether a file error occurred."""
    try:
        size = path.stat().st_size
        if size > std.int("limit.file_bytes"):
            issues.add(f"{prefix}005", value=size, limit=std.int("limit.file_bytes"))
            return [], True
        text, _ = decode_csv(path.read_bytes())
    except OSError as exc:
        issues.add(f"{prefix}001", value=exc.strerror or type(exc).__name__)
        return [], True
    except FileProblem:
        issues.add(f"{prefix}002")
        return [], True
    try:
        header_line, records, malformed = csv_lines(text, line_breaks=True)
    except csv.Error as exc:  # the header line itself
        issues.add(f"{prefix}001", value=str(exc))
        return [], True
    header = [nfkc(h) for h in header_line[1]] if header_line else []
    file_error = False
    for col in columns:
        if col not in header:
            issues.add(f"{prefix}003", row=1, column=col, allowed=", ".join(columns))
            file_error = True
    width = max((i for i, h in enumerate(header) if h), default=-1) + 1
    rows = []
    for line, cells in records:
        values = {h: c.strip() for h, c in zip(header, cells) if h in columns}
        row = {"source_row": line, **{c: values.get(c, "") for c in columns}}
        if line in malformed:  # broken quoting (R014): no field of the line is read
            p = malformed[line]
            row = {"source_row": line, **dict.fromkeys(columns, ""), "malformed": True}
            issues.add(p["rule_id"], source_row=line, value=p["value"])
        elif len(cells) < width or any(c.strip() for c in cells[width:]):
            # a field too many or too few would shift or blank the values (R013)
            row = {"source_row": line, **dict.fromkeys(columns, ""), "malformed": True}
            issues.add("R013", source_row=line, value=str(len(cells)), expected=width)
        rows.append(row)
    if len(rows) > std.int("limit.rows"):
        issues.add(f"{prefix}004", value=len(rows), limit=std.int("limit.rows"))
        file_error = True
    return rows, file_error


def _well_formed(raw_rows: list[dict], rejected: set[int]) -> list[dict]:
    """The rows whose fields can be read; a malformed line (R013, R014) is rejected as it is."""
    rejected.update(r["source_row"] for r in raw_rows if r.get("malformed"))
    return [r for r in raw_rows if not r.get("malformed")]


def _number(text: str) -> Decimal | None:
    """A finite number as written; None for anything else (`1e999` is beyond any float)."""
    number = parse_decimal(text)
    return number if number is not None and math.isfinite(float(number)) else None


def _park_codes(registry: pd.DataFrame | Iterable[str]) -> set[str]:
    return set(registry["park_code"]) if isinstance(registry, pd.DataFrame) else set(registry)


def _finish(rows: list[dict], rejected: set[int], file_error: bool, columns: list[str],
            issues: _Issues) -> ParsedProgrammeFile:
    # a malformed line (rejected, none of its fields read) is a row of its own, fields empty
    read = {r["source_row"] for r in rows}
    rows = sorted([*rows, *({"source_row": line} for line in rejected - read)],
                  key=lambda r: r["source_row"])
    frame = pd.DataFrame(rows, columns=columns)
    frame["status"] = [
        "rejected" if file_error or r["source_row"] in rejected else "accepted" for r in rows
    ]
    return ParsedProgrammeFile(frame, issues.frame())


def _reject_repeats(rows: list[dict], key_columns: tuple[str, ...], rule_id: str, issues: _Issues,
                    rejected: set[int]) -> None:
    """Every row whose key occurs more than once is rejected: none of them can be taken as the right one."""
    column = key_columns[-1]
    counts = Counter(tuple(r[c] for c in key_columns) for r in rows)
    for r in rows:
        if counts[tuple(r[c] for c in key_columns)] > 1:
            issues.add(rule_id, source_row=r["source_row"], column=column, value=r[column], key=r["park_code"])
            rejected.add(r["source_row"])


def _check_rows(rules: list[FieldRule], raw: list[dict], read: dict[str, list], issues: _Issues,
                rejected: set[int], **context) -> None:
    """Run `rules` on the values as read (`read`, one list per column; None = could not be read)
    and file an issue with the value as written for each failure; errors reject their row."""
    for i, column, rule_id in rule_failures(rules, pd.DataFrame(read, dtype=object)).itertuples(index=False):
        line = raw[i]["source_row"]
        issues.add(rule_id, source_row=line, column=column, value=raw[i][column], key=raw[i]["park_code"], **context)
        if rule(rule_id).level != "warning":
            rejected.add(line)


def _read(raw: list[dict], column: str, parse=None) -> list:
    """A column's values as read: by `parse` (None where it cannot read the text), or the text."""
    return [parse(r[column]) if parse else r[column] for r in raw]


def _was_read() -> pa.Check:
    """The text could be read as what the column holds (a month, a number, a date, a project type)."""
    return every_value(pd.Series.notna)


def verification_rules(parks: set[str], half_months: set[str], in_force: set[tuple[str, str]]) -> list[FieldRule]:
    """Field rules of a spot-check file, in the order a row's issues are listed."""
    def not_in_force(f: pd.DataFrame) -> pd.Series:
        asked = f["period"].isin(half_months) & f["park_code"].isin(parks)
        return asked & ~pd.Series([k in in_force for k in zip(f["park_code"], f["period"])], index=f.index)

    numbers = ("verified_energy_tce", "verified_co2_t")
    return [
        # not pa.Check.isin: it copies its list of values (all the parks) every time it runs
        FieldRule("V010", "park_code", every_value(lambda s: s.isin(parks))),
        FieldRule("V011", "period", _was_read()),
        FieldRule("V012", "period", pa.Check.isin(sorted(half_months))),  # a period not read passes: V011
        FieldRule("V013", "period", every_value(lambda f: ~not_in_force(f)), row=True),
        *(r for c in numbers for r in (FieldRule("V014", c, _was_read()), FieldRule("V015", c, pa.Check.ge(0)))),
        FieldRule("V016", "verified_on", _was_read()),
    ]


def read_verification_file(path: str | Path, *, half: str, registry, in_force: set[tuple[str, str]],
                           std: Standard) -> ParsedProgrammeFile:
    """Read `landing/verifications/<half>.csv`; `in_force` = (park_code, period) keys of park_month."""
    path = Path(path)
    issues = _Issues(text_name(path.name))
    raw_rows, file_error = _read_rows(path, "V", VERIFICATION_COLUMNS, std, issues)
    rejected: set[int] = set()
    raw = _well_formed(raw_rows, rejected)
    read = {"park_code": _read(raw, "park_code"), "period": _read(raw, "period", parse_period),
            **{c: _read(raw, c, _number) for c in ("verified_energy_tce", "verified_co2_t")},
            "verified_on": _read(raw, "verified_on", parse_date)}
    rules = verification_rules(_park_codes(registry), set(months_of(half)), in_force)
    _check_rows(rules, raw, read, issues, rejected, half=half)
    rows = [{
        "source_row": r["source_row"], "half": half, "park_code": r["park_code"],
        "period": period or r["period"], "verified_energy_tce": None if energy is None else float(energy),
        "verified_co2_t": None if co2 is None else float(co2), "inspector": r["inspector"], "verified_on": on,
    } for r, period, energy, co2, on in zip(raw, read["period"], read["verified_energy_tce"], read["verified_co2_t"],
                                            read["verified_on"])]
    _reject_repeats(rows, ("park_code", "period"), "V017", issues, rejected)
    columns = ["source_row", "half", *VERIFICATION_COLUMNS]
    parsed = _finish(rows, rejected, file_error, columns, issues)
    for col in ("verified_energy_tce", "verified_co2_t"):
        parsed.rows[col] = parsed.rows[col].astype("float64")
    return parsed


def funding_rules(parks: set[str]) -> list[FieldRule]:
    """Field rules of a funding file, in the order a row's issues are listed."""
    def well_formed(codes: pd.Series) -> pd.Series:
        return codes.str.fullmatch(_PARK_CODE.pattern)

    return [
        FieldRule("G012", "project_id", every_value(lambda s: s != "")),
        FieldRule("G011", "park_code", every_value(well_formed)),
        FieldRule("G010", "park_code", every_value(lambda s: ~well_formed(s) | s.isin(parks))),  # a warning
        FieldRule("G014", "project_type", _was_read()),
        FieldRule("G015", "investment_10k_yuan", _was_read()),
        FieldRule("G016", "investment_10k_yuan", pa.Check.ge(0)),
        FieldRule("G017", "applied_on", _was_read()),
    ]


def read_funding_file(path: str | Path, *, year: int | str, registry, std: Standard) -> ParsedProgrammeFile:
    """Read `landing/funding/<year>.csv`. The investment stays the decimal text as written (never float)."""
    path = Path(path)
    issues = _Issues(text_name(path.name))
    raw_rows, file_error = _read_rows(path, "G", FUNDING_COLUMNS, std, issues)
    types = {**{t: t for t in [*PROJECT_TYPES, *std.covered_project_types()]},
             **{zh: t for t, zh in PROJECT_TYPES.items()}}
    rejected: set[int] = set()
    raw = _well_formed(raw_rows, rejected)
    read = {"project_id": _read(raw, "project_id"), "park_code": _read(raw, "park_code"),
            "project_type": _read(raw, "project_type", types.get),
            "investment_10k_yuan": _read(raw, "investment_10k_yuan", _number),
            "applied_on": _read(raw, "applied_on", parse_date)}
    _check_rows(funding_rules(_park_codes(registry)), raw, read, issues, rejected,
                allowed=", ".join(sorted({*types.values()})))
    rows = [{
        "source_row": r["source_row"], "year": str(year), "project_id": r["project_id"],
        "park_code": r["park_code"], "project_name": r["project_name"],
        "project_type": project_type or r["project_type"],
        "investment_10k_yuan": r["investment_10k_yuan"] if investment is None else str(investment),
        "applied_on": applied_on,
    } for r, project_type, investment, applied_on in zip(raw, read["project_type"], read["investment_10k_yuan"],
                                                         read["applied_on"])]
    _reject_repeats([r for r in rows if r["project_id"]], ("project_id",), "G013", issues, rejected)
    return _finish(rows, rejected, file_error, ["source_row", "year", *FUNDING_COLUMNS], issues)
