"""Readers for the programme files: spot-check results (FILES.md §4), funding applications (§5),
league-city list changes and interviews (§6).

CSV, UTF-8 (BOM allowed) or GB18030, header in canonical names (§6 files: or their Chinese names). Every data row comes back with its
`source_row` (the line a text editor shows, header = 1) and a `status` (accepted | rejected);
rejected rows are kept, and every problem is an issue row naming the rule (`rules_programme.py`).
The field rules are pandera checks (`verification_rules`, `funding_rules`) run on the values as
read; a key repeated across rows (V017, G013) rejects all its rows, found once the rows are read.
"""
from __future__ import annotations

import csv
import datetime as dt
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
from zc_pipeline.domain.periods import add_months, month_start, months_of
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
        fields = dict.fromkeys(("limit", "half", "period", "key", "allowed", "city"), "")
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
               issues: _Issues, aliases: dict[str, str] | None = None) -> tuple[list[dict], bool]:
    """Data rows as {column: stripped text, source_row}, and whether a file error occurred.

    `aliases`: other header names (Chinese) -> canonical column."""
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
    header = [(aliases or {}).get(h, h) for h in header]
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


# --- FILES.md §6: list changes and interviews ------------------------------------------------------

LIST_CHANGE_COLUMNS = ("park_code", "action", "effective_on", "reason")
LIST_ALIASES = {"园区代码": "park_code", "操作": "action", "生效日期": "effective_on", "原因": "reason"}
ACTIONS = {"add": "add", "remove": "remove", "纳入": "add", "移出": "remove"}
INTERVIEW_FILE_COLUMNS = ("park_code", "alert_period", "interviewed_on", "note")
INTERVIEW_ALIASES = {"园区代码": "park_code", "反弹月份": "alert_period", "约谈日期": "interviewed_on", "备注": "note"}
_LIST_FILE = re.compile(r"^(\d{6})_(\d{4}-\d{2}-\d{2})\.csv$", re.IGNORECASE)
_INTERVIEW_FILE = re.compile(r"^(\d{4})\.csv$", re.IGNORECASE)


def file_year(name: str) -> str | None:
    """The year a list or interview file's name gives (`<city>_<YYYY-MM-DD>.csv`, `<YYYY>.csv`), else None."""
    m = _LIST_FILE.match(name) or _INTERVIEW_FILE.match(name)
    return m[m.lastindex][:4] if m else None


def list_file_city(name: str, cities: set[str]) -> str | None:
    """The league-city a list file's name gives (`<code>_<YYYY-MM-DD>.csv`), None when the name is not one."""
    m = _LIST_FILE.match(name)
    return m[1] if m and m[1] in cities and parse_date(m[2]) is not None else None


def list_rules(parks: dict[str, str], enrolled: dict[str, dt.date], city: str | None) -> list[FieldRule]:
    """Field rules of a list file (`parks`: park_code -> its league-city; `enrolled`: -> its enrolment
    day), in the order a row's issues are listed."""
    def other_city(f: pd.DataFrame) -> pd.Series:
        known = f["park_code"].isin(parks)
        return ~known | f["park_code"].map(parks).eq(city) | (city is None)  # no city named: L006 says so

    def before_enrolment(f: pd.DataFrame) -> pd.Series:
        return pd.Series([d is None or p not in enrolled or d >= enrolled[p]
                          for p, d in zip(f["park_code"], f["effective_on"])], index=f.index)

    return [
        FieldRule("L010", "park_code", every_value(lambda s: s.isin(parks))),
        FieldRule("L011", "park_code", every_value(other_city), row=True),
        FieldRule("L012", "action", _was_read()),
        FieldRule("L013", "effective_on", _was_read()),
        FieldRule("L015", "effective_on", every_value(before_enrolment), row=True),
    ]


def read_list_file(path: str | Path, *, registry: pd.DataFrame, cities: set[str], std: Standard) -> ParsedProgrammeFile:
    """Read `landing/lists/<league_city_code>_<YYYY-MM-DD>.csv`: the city's adds and removes."""
    path = Path(path)
    issues = _Issues(text_name(path.name))
    city = list_file_city(path.name, cities)
    if city is None:
        issues.add("L006")
    raw_rows, file_error = _read_rows(path, "L", LIST_CHANGE_COLUMNS, std, issues, LIST_ALIASES)
    rejected: set[int] = set()
    raw = _well_formed(raw_rows, rejected)
    read = {"park_code": _read(raw, "park_code"), "action": _read(raw, "action", lambda t: ACTIONS.get(nfkc(t).lower())),
            "effective_on": _read(raw, "effective_on", parse_date)}
    parks = dict(zip(registry["park_code"], registry["league_city_code"]))
    enrolled = dict(zip(registry["park_code"], pd.to_datetime(registry["enrolled_on"]).dt.date))
    _check_rows(list_rules(parks, enrolled, city), raw, read, issues, rejected, city=city or "",
                allowed=", ".join(ACTIONS))
    rows = [{
        "source_row": r["source_row"], "league_city_code": city, "park_code": r["park_code"],
        "action": action or r["action"], "effective_on": on, "reason": r["reason"],
    } for r, action, on in zip(raw, read["action"], read["effective_on"])]
    _reject_repeats(rows, ("park_code",), "L014", issues, rejected)
    return _finish(rows, rejected, file_error or city is None,
                   ["source_row", "league_city_code", *LIST_CHANGE_COLUMNS], issues)


def interview_rules(parks: set[str], alerts: set[tuple[str, str]], as_of: dt.date) -> list[FieldRule]:
    """Field rules of an interview file, in the order a row's issues are listed."""
    def no_alert(f: pd.DataFrame) -> pd.Series:
        asked = f["park_code"].isin(parks) & f["alert_period"].notna()
        return ~asked | pd.Series([k in alerts for k in zip(f["park_code"], f["alert_period"])], index=f.index)

    def before_month_end(f: pd.DataFrame) -> pd.Series:
        return pd.Series([m is None or d is None or d >= month_start(add_months(m, 1))
                          for m, d in zip(f["alert_period"], f["interviewed_on"])], index=f.index)

    return [
        FieldRule("I010", "park_code", every_value(lambda s: s.isin(parks))),
        FieldRule("I011", "alert_period", _was_read()),
        FieldRule("I012", "alert_period", every_value(no_alert), row=True),
        FieldRule("I013", "interviewed_on", _was_read()),
        FieldRule("I014", "interviewed_on", every_value(before_month_end), row=True),
        FieldRule("I015", "interviewed_on", every_value(lambda s: s.isna() | s.map(lambda d: d is None or d <= as_of))),
    ]


def read_interview_file(path: str | Path, *, registry, alerts: set[tuple[str, str]], as_of: dt.date,
                        std: Standard) -> ParsedProgrammeFile:
    """Read `landing/interviews/<YYYY>.csv`; `alerts` = (park_code, period) keys of the rebound alerts."""
    path = Path(path)
    issues = _Issues(text_name(path.name))
    named = _INTERVIEW_FILE.match(path.name) is not None
    if not named:
        issues.add("I006")
    raw_rows, file_error = _read_rows(path, "I", INTERVIEW_FILE_COLUMNS, std, issues, INTERVIEW_ALIASES)
    rejected: set[int] = set()
    raw = _well_formed(raw_rows, rejected)
    read = {"park_code": _read(raw, "park_code"), "alert_period": _read(raw, "alert_period", parse_period),
            "interviewed_on": _read(raw, "interviewed_on", parse_date)}
    _check_rows(interview_rules(_park_codes(registry), alerts, as_of), raw, read, issues, rejected,
                limit=as_of.isoformat())
    rows = [{
        "source_row": r["source_row"], "park_code": r["park_code"], "alert_period": period or r["alert_period"],
        "interviewed_on": on, "note": r["note"],
    } for r, period, on in zip(raw, read["alert_period"], read["interviewed_on"])]
    _reject_repeats(rows, ("park_code", "alert_period"), "I016", issues, rejected)
    return _finish(rows, rejected, file_error or not named, ["source_row", *INTERVIEW_FILE_COLUMNS], issues)
