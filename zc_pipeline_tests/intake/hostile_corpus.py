"""A corpus of hostile landing files: one small region month, one defect per file, each with its outcome.

`build_region(data_dir)` writes a registry and the landing folder `landing/2026-03/` and returns the
`Defect` cases (FILES.md §2, §3; the rule ids are those of `intake/rules_monthly.py`).

Every defect has its own park, `150100-P<n>`; a batch CSV that should be partly accepted also holds a
good line of a companion park, `150200-P<n>`; a few clean files carry `150300-P<n>`. So a value stored
under the wrong park, or a file that takes another down, shows in `park_month` at once.

The quantities of every park-month are the good month of `intake_builders` (CO2 1757.1269 t),
except value added = 5000 + n and retrofit_planned = 10 + n for the park's number n (companions:
n + 200), which change neither energy nor CO2 but tell every park's row apart.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from zc_pipeline_tests.intake.intake_builders import (
    CSV_HEADER, CSV_HEADER_ZH, GOOD_ENERGY, build_csv, build_workbook, good_csv_row,
)
from zc_pipeline_tests.support.region import RegionPark, write_registry

MONTH = "2026-03"
AS_OF = dt.date(2026, 4, 20)  # after March's deadline (10 April); every good 填报日期 is 2026-04-05
LANDING = f"landing/{MONTH}"
ANY = ...  # an issue's place or value left unchecked

# The canonical quantities of a good park-month (intake_builders.GOOD_ENERGY in canonical units).
ENERGY = {
    "grid_electricity_mwh": 1000.0, "green_direct_mwh": 200.0, "green_onsite_mwh": 50.0,
    "green_certificate_mwh": 100.0, "raw_coal_t": 500.0, "natural_gas_10k_m3": 10.0, "diesel_t": 2.0,
    "gasoline_t": 1.0, "purchased_heat_gj": 300.0,
}
# energy_tce = 1250 MWh × 0.300 + 500 × 0.7143 + 10 × 13.3 + 2 × 1.4571 + 1 × 1.4714 + 300 × 0.03412
#            = 375 + 357.15 + 133 + 2.9142 + 1.4714 + 10.236 = 879.7716
GOOD_ENERGY_TCE = 879.7716
# co2_t = (1000 − 100) × 0.6096 + 500 × 1.9003 + 10 × 21.622 + 2 × 3.0959 + 1 × 2.9251 + 300 × 0.11
#       = 548.64 + 950.15 + 216.22 + 6.1918 + 2.9251 + 33 = 1757.1269
GOOD_CO2_T = 1757.1269
EVIL = "=cmd|' /C calc'!A0"  # what a spreadsheet would run if the text became a formula


def quantities(n: int, **changes: float) -> dict[str, float]:
    """Park number n's canonical quantities as written in its good month, with changes."""
    q = {**ENERGY, "value_added_10k_yuan": 5000.0 + n, "retrofit_planned": 10.0 + n,
         "retrofit_completed": 4.0, "reported_co2_t": 1750.0}
    q.update({k: float(v) for k, v in changes.items()})
    return q


@dataclass(frozen=True)
class Issue:
    """An expected issue: rule and severity always; sheet, row, column, value unless ANY."""

    rule_id: str
    severity: str
    sheet: object = ANY
    row: object = ANY
    column: object = ANY
    value: object = ANY


def err(rule_id, sheet=ANY, row=ANY, column=ANY, value=ANY) -> Issue:
    return Issue(rule_id, "error", sheet, row, column, value)


def warn(rule_id, sheet=ANY, row=ANY, column=ANY, value=ANY) -> Issue:
    return Issue(rule_id, "warning", sheet, row, column, value)


@dataclass(frozen=True)
class Record:
    """An expected `submission` row of the file: CSV line (None for a workbook or a file error)."""

    source_row: int | None
    status: str  # accepted | rejected | superseded
    park_code: object = ANY
    period: object = ANY


@dataclass(frozen=True)
class Defect:
    """One defective landing file and what validation and the pipeline must make of it."""

    name: str
    file_name: str
    records: tuple[Record, ...]
    issues: tuple[Issue, ...]
    stored: dict[str, dict[str, float]] = field(default_factory=dict)  # park -> park_month quantities
    not_stored: tuple[str, ...] = ()  # parks named by this file that get no park_month row
    extra_files: tuple[str, ...] = ()  # other files the case needs (a resubmission), themselves clean

    @property
    def verdict(self) -> str:
        """accepted | partial | rejected, as `zc validate` prints it (a superseded version was accepted)."""
        rejected = [r.status == "rejected" for r in self.records]
        return "rejected" if all(rejected) else "partial" if any(rejected) else "accepted"

    @property
    def rule_ids(self) -> set[tuple[str, str]]:
        return {(i.rule_id, i.severity) for i in self.issues}

    @property
    def source_file(self) -> str:
        return f"{LANDING}/{self.file_name}"


@dataclass
class Region:
    data_dir: Path
    defects: list[Defect]
    clean: dict[str, dict[str, float]]  # park -> quantities of the clean files
    clean_files: list[str] = field(default_factory=list)

    @property
    def month_dir(self) -> Path:
        return self.data_dir / "landing" / MONTH

    def expected_park_month(self) -> dict[str, dict[str, float]]:
        out = dict(self.clean)
        for d in self.defects:
            out.update(d.stored)
        return out


# ---- builders -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """Where a case writes: its number, park and companion park."""

    n: int
    month_dir: Path

    @property
    def park(self) -> str:
        return f"150100-P{self.n:03d}"

    @property
    def companion(self) -> str:
        return f"150200-P{self.n:03d}"

    @property
    def cn(self) -> int:
        return self.n + 200  # the companion's number in `quantities`


def econ_rows(n: int, **values) -> list[tuple]:
    """经济与改造 rows of park n (value added 5000 + n, planned 10 + n), with replaced values."""
    rows = {"工业增加值(万元)": 5000 + n, "节能改造计划项目数": 10 + n, "节能改造完成项目数": 4,
            "自报二氧化碳排放量(吨)": 1750}
    rows.update(values)
    return list(rows.items())


def energy_rows(**values) -> list[tuple]:
    """能源消费 rows in canonical units; values: 能源品种 -> (unit, quantity) replacing that row."""
    return [(label, *values[label]) if label in values else (label, unit, q)
            for label, unit, q in GOOD_ENERGY]


def workbook(s: Slot, name: str | None = None, *, park=None, n=None, info=None, energy=None,
             econ=None, **kw) -> Path:
    """The park's good month as a 月度自测表 (name `<park>_<month>.xlsx`), with changes."""
    park, n = park or s.park, s.n if n is None else n
    info = {"园区代码": park, "园区名称": f"园区{park[-3:]}", **(info or {})}
    return build_workbook(s.month_dir / (name or f"{park}_{MONTH}.xlsx"), info=info,
                          energy=energy_rows() if energy is None else energy,
                          econ=econ_rows(n) if econ is None else econ, **kw)


def csv_row(park: str, n: int, **overrides: str) -> list[str]:
    """A good batch line of park n (canonical header order), with cells replaced."""
    return good_csv_row(park, **{"value_added_10k_yuan": str(5000 + n),
                                 "retrofit_planned": str(10 + n), **overrides})


def csv_text(rows: list[list[str]], header=CSV_HEADER) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def batch(s: Slot, name: str, bad: list[str], *, companion_first=False, **kw) -> Path:
    """A batch CSV: the defect park's line and a good line of the companion park."""
    good = csv_row(s.companion, s.cn)
    rows = [good, bad] if companion_first else [bad, good]
    return build_csv(s.month_dir / name, rows, **kw)


def partial(s: Slot, *issues: Issue, bad_line=2, good_line=3) -> dict:
    """Outcome of a batch CSV whose defect line is rejected and whose companion line is accepted."""
    return dict(
        records=(Record(bad_line, "rejected", s.park, MONTH), Record(good_line, "accepted", s.companion, MONTH)),
        issues=issues, stored={s.companion: quantities(s.cn)}, not_stored=(s.park,))


def rejected_workbook(s: Slot, *issues: Issue, park=ANY, period=ANY) -> dict:
    """Outcome of a workbook rejected whole: one rejected row naming `park` and `period`."""
    return dict(records=(Record(None, "rejected", park, period),), issues=issues, not_stored=(s.park,))


def accepted_workbook(s: Slot, *issues: Issue, **changes: float) -> dict:
    """Outcome of the park's workbook accepted: stored with `changes` to its quantities."""
    return dict(records=(Record(None, "accepted", s.park, MONTH),), issues=issues,
                stored={s.park: quantities(s.n, **changes)})


def rejected_file(s: Slot, *issues: Issue) -> dict:
    """Outcome of a file unreadable as a whole: one rejected row, park and period as far as read."""
    return dict(records=(Record(None, "rejected"),), issues=issues, not_stored=(s.park,))


CASES: list[Callable[[Slot], Defect]] = []


def case(fn: Callable[[Slot], Defect]) -> Callable[[Slot], Defect]:
    CASES.append(fn)
    return fn


def _zip_members(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist())


# ---- workbook file errors -----------------------------------------------------------------------

@case
def zip_bomb(s):
    # a real workbook of the park plus 96 MiB of zeros: ~100 kB on disk, 100 663 296 bytes of them
    # unpacked, over the 100 000 000-byte limit (limit.uncompressed_bytes)
    path = workbook(s, f"{s.park}_bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
            block = bytes(1 << 20)
            for _ in range(96):
                fh.write(block)
    unpacked = _zip_members(path)
    assert unpacked > 100_000_000
    return Defect("zip_bomb", path.name, **rejected_file(s, err("F011", None, None, None, str(unpacked))))


@case
def encrypted_workbook(s):
    # what Excel writes for a password-protected workbook: an OLE container with an EncryptedPackage stream
    path = s.month_dir / f"{s.park}_locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
                     + b"\0" * 64 + s.park.encode())
    return Defect("encrypted_workbook", path.name, **rejected_file(s, err("F002", None, None, None)))


@case
def legacy_xls(s):
    path = s.month_dir / f"{s.park}_{MONTH}.xls"  # an Excel 97-2003 file: OLE, not a zip
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le")
                     + b"\0" * 64 + s.park.encode())
    return Defect("legacy_xls", path.name, **rejected_file(s, err("F001", None, None, None)))


@case
def random_bytes_named_xlsx(s):
    path = s.month_dir / f"{s.park}_noise.xlsx"
    path.write_bytes(random.Random(s.n).randbytes(3000))
    return Defect("random_bytes_named_xlsx", path.name, **rejected_file(s, err("F001", None, None, None)))


@case
def truncated_zip(s):
    path = workbook(s, f"{s.park}_cut.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the upload broke off half way: no central directory
    return Defect("truncated_zip", path.name, **rejected_file(s, err("F001", None, None, None)))


@case
def empty_workbook_file(s):
    path = s.month_dir / f"{s.park}_empty.xlsx"
    path.write_bytes(b"")
    return Defect("empty_workbook_file", path.name, **rejected_file(s, err("F001", None, None, None)))


@case
def zip_without_workbook(s):
    path = s.month_dir / f"{s.park}_notes.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes.txt", f"{s.park} March figures to follow")
    return Defect("zip_without_workbook", path.name, **rejected_file(s, err("F001", None, None, None)))


@case
def pdf_in_the_month_folder(s):
    path = s.month_dir / f"{s.park}_scan.pdf"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Title (" + s.park.encode() + b") >> endobj\n")
    return Defect("pdf_in_the_month_folder", path.name, **rejected_file(s, err("F001", None, None, None)))


@case
def missing_sheet(s):
    path = workbook(s, drop_sheet="经济与改造")
    # 基本信息 is readable, so the rejected row still names the park and the month
    return Defect("missing_sheet", path.name,
                  **rejected_workbook(s, err("F003", "经济与改造", None, None), park=s.park, period=MONTH))


@case
def missing_header_column(s):
    path = workbook(s, energy_header=("能源品种", "单位", "消费量"))
    return Defect("missing_header_column", path.name,
                  **rejected_workbook(s, err("F004", "能源消费", None, "计量单位")))


@case
def park_not_in_registry(s):
    path = workbook(s, f"{s.park}_unknown.xlsx", info={"园区代码": "150100-P999"})
    return Defect("park_not_in_registry", path.name,
                  **rejected_workbook(s, err("F007", "基本信息", 2, "内容", "150100-P999"),
                                      park="150100-P999", period=MONTH))


@case
def missing_park_code(s):
    path = workbook(s, f"{s.park}_nocode.xlsx", info={"园区代码": None})
    return Defect("missing_park_code", path.name,
                  **rejected_workbook(s, err("F007", "基本信息", None, "内容", ""), park=None, period=MONTH))


@case
def period_not_the_folders_month(s):
    path = workbook(s, info={"报告期": "2026-02"})
    return Defect("period_not_the_folders_month", path.name,
                  **rejected_workbook(s, err("F008", "基本信息", 4, "内容", "2026-02"), park=s.park,
                                      period="2026-02"))


@case
def period_in_the_future(s):
    # May 2026 starts after the as-of date 2026-04-20, and is not the folder's month either
    path = workbook(s, info={"报告期": "2026-05"})
    return Defect("period_in_the_future", path.name,
                  **rejected_workbook(s, err("F008", "基本信息", 4, "内容", "2026-05"),
                                      err("F009", "基本信息", 4, "内容", "2026-05"), park=s.park,
                                      period="2026-05"))


# ---- batch CSV file errors ----------------------------------------------------------------------

@case
def csv_bad_encoding(s):
    path = s.month_dir / f"{s.park}_latin.csv"
    path.write_bytes(csv_text([csv_row(s.park, s.n)]).encode() + b"\xff\xfe\x80\x81,\x80\n")
    return Defect("csv_bad_encoding", path.name, **rejected_file(s, err("F006", path.name, None, None)))


@case
def csv_duplicate_column(s):
    header = ["park_code", "园区代码", *CSV_HEADER[1:]]  # the park code twice
    row = csv_row(s.park, s.n)
    path = build_csv(s.month_dir / f"{s.park}_dupcol.csv", [[row[0], *row]], header=header)
    return Defect("csv_duplicate_column", path.name,
                  **rejected_file(s, err("F005", path.name, 1, "园区代码", "园区代码")))


@case
def csv_header_unit_not_canonical(s):
    header = ["电网购电(kWh)" if h == "grid_electricity_mwh" else h for h in CSV_HEADER]
    path = build_csv(s.month_dir / f"{s.park}_kwh.csv", [csv_row(s.park, s.n, grid_electricity_mwh="1000000")],
                     header=header)
    return Defect("csv_header_unit_not_canonical", path.name,
                  **rejected_file(s, err("F013", path.name, 1, "电网购电(kWh)", "电网购电(kWh)")))


@case
def csv_missing_column(s):
    i = CSV_HEADER.index("diesel_t")
    row = csv_row(s.park, s.n)
    path = build_csv(s.month_dir / f"{s.park}_nodiesel.csv", [row[:i] + row[i + 1:]],
                     header=CSV_HEADER[:i] + CSV_HEADER[i + 1:])
    return Defect("csv_missing_column", path.name,
                  **rejected_file(s, err("F004", path.name, 1, "diesel_t")))


@case
def csv_blank_lines_only(s):
    path = s.month_dir / f"{s.park}_blank.csv"
    path.write_bytes(b"\r\n \r\n,,\r\n")  # no header at all: every column is missing
    return Defect("csv_blank_lines_only", path.name, **rejected_file(s, err("F004", path.name, 1, "park_code")))


@case
def csv_too_many_rows(s):
    # 50 001 data lines, above limit.rows = 50 000 (the same good line repeated: no line is looked at)
    path = s.month_dir / f"{s.park}_rows.csv"
    line = ",".join(csv_row(s.park, s.n)) + "\n"
    path.write_text(",".join(CSV_HEADER) + "\n" + line * 50_001, encoding="utf-8")
    return Defect("csv_too_many_rows", path.name, **rejected_file(s, err("F012", path.name, None, None, "50001")))


@case
def csv_over_the_size_limit(s):
    # 20 000 001 bytes on disk, above limit.file_bytes = 20 000 000 (a good line, then blank lines)
    path = s.month_dir / f"{s.park}_big.csv"
    head = csv_text([csv_row(s.park, s.n)]).encode()
    path.write_bytes(head + b"\n" * (20_000_001 - len(head)))
    return Defect("csv_over_the_size_limit", path.name,
                  **rejected_file(s, err("F010", path.name, None, None, "20000001")))


# ---- workbook record errors ---------------------------------------------------------------------

def workbook_record_error(name: str, issue: Issue, **changes) -> None:
    """A case: the park's workbook with one change (`workbook` keywords) that rejects its one record."""
    def make(s: Slot) -> Defect:
        path = workbook(s, **changes)
        return Defect(name, path.name, **rejected_workbook(s, issue, park=s.park, period=MONTH))

    make.__name__ = name
    case(make)


# Rows: 能源消费 header 1, 电网购电 2 .. 外购热力 10, an added row 11; 基本信息 填报日期 5.
workbook_record_error("negative_value", err("R003", "能源消费", 6, "消费量", "-5"),
                      energy=energy_rows(原煤=("t", -5)))
workbook_record_error("unknown_carrier", err("R004", "能源消费", 11, "能源品种", "焦炭"),
                      energy=[*energy_rows(), ("焦炭", "t", 3)])
workbook_record_error("unknown_unit", err("R005", "能源消费", 2, "计量单位", "GWh"),
                      energy=energy_rows(电网购电=("GWh", 1)))
workbook_record_error("carrier_entered_twice", err("R006", "能源消费", 11, "能源品种", "柴油"),
                      energy=[*energy_rows(), ("柴油", "t", 1)])
workbook_record_error("certificates_above_grid", err("R007", "能源消费", 5, "消费量", "1200"),
                      energy=energy_rows(绿证电量=("MWh", 1200)))  # grid is 1000 MWh
workbook_record_error("non_numeric_text", err("R009", "能源消费", 6, "消费量", "约500"),
                      energy=energy_rows(原煤=("t", "约500")))
# the text NaN is not a number (and not a blank meaning 0)
workbook_record_error("nan_text_in_a_cell", err("R009", "能源消费", 6, "消费量", "NaN"),
                      energy=energy_rows(原煤=("t", "NaN")))
# openpyxl saves a formula with no cached result: the park's figure is unknown, not 0
workbook_record_error("formula_without_cached_value", err("R015", "能源消费", 6, "消费量", "=SUM(1,2)"),
                      energy=energy_rows(原煤=("t", "=SUM(1,2)")))
# 1e308 万kWh × 10 = 1e309 MWh: beyond any plausible figure, and not finite as a float
workbook_record_error("value_overflows_on_conversion", err("R016", "能源消费", 2, "消费量"),
                      energy=energy_rows(电网购电=("万kWh", 1e308)))
workbook_record_error("submitted_after_as_of", err("R010", "基本信息", 5, "内容", "2026-04-25"),
                      info={"填报日期": dt.date(2026, 4, 25)})  # as-of 2026-04-20
workbook_record_error("missing_submitted_on", err("R011", "基本信息", None, "内容", ""),
                      info={"填报日期": None})  # the row is left out


@case
def retrofit_completed_above_planned(s):
    planned = 10 + s.n
    path = workbook(s, econ=econ_rows(s.n, 节能改造完成项目数=planned + 2))
    return Defect("retrofit_completed_above_planned", path.name,
                  **rejected_workbook(s, err("R008", "经济与改造", 4, "数值", str(planned + 2)), park=s.park,
                                      period=MONTH))


@case
def formula_text_as_carrier_name(s):
    # a text cell (not a formula) starting with "=": the receipt must keep it as inert text
    path = workbook(s, energy=[*energy_rows(), ("placeholder", "t", 3)])
    wb = openpyxl.load_workbook(path)
    cell = wb["能源消费"].cell(row=11, column=1)
    cell.value = EVIL
    cell.data_type = "s"
    wb.save(path)
    return Defect("formula_text_as_carrier_name", path.name,
                  **rejected_workbook(s, err("R004", "能源消费", 11, "能源品种", EVIL), park=s.park, period=MONTH))


# ---- batch CSV record errors: the defect line rejected, the companion's line stored -------------

@case
def csv_park_not_in_registry(s):
    path = batch(s, f"{s.park}_r001.csv", csv_row("150100-P998", s.n))
    out = partial(s, err("R001", path.name, 2, "park_code", "150100-P998"))
    out["records"] = (Record(2, "rejected", "150100-P998", MONTH), out["records"][1])
    return Defect("csv_park_not_in_registry", path.name, **out)


@case
def csv_period_not_the_folders_month(s):
    path = batch(s, f"{s.park}_r002.csv", csv_row(s.park, s.n, period="2026-02"), companion_first=True)
    out = partial(s, err("R002", path.name, 3, "period", "2026-02"), bad_line=3, good_line=2)
    out["records"] = (Record(2, "accepted", s.companion, MONTH), Record(3, "rejected", s.park, "2026-02"))
    return Defect("csv_period_not_the_folders_month", path.name, **out)


@case
def csv_period_not_a_month(s):
    # 2026/03 is not YYYY-MM text: the line is rejected like any other period than the folder's
    path = batch(s, f"{s.park}_period.csv", csv_row(s.park, s.n, period="2026/03"))
    out = partial(s, err("R002", path.name, 2, "period", "2026/03"))
    out["records"] = (Record(2, "rejected", s.park), out["records"][1])  # its period: not stored as written
    return Defect("csv_period_not_a_month", path.name, **out)


def csv_cell_error(name: str, rule_id: str, column: str, written: str) -> None:
    """A case: a batch CSV whose defect line (2) has one bad cell; the companion's line (3) is good."""
    def make(s: Slot) -> Defect:
        path = batch(s, f"{s.park}_{name[4:]}.csv", csv_row(s.park, s.n, **{column: written}))
        return Defect(name, path.name, **partial(s, err(rule_id, path.name, 2, column, written)))

    make.__name__ = name
    case(make)


csv_cell_error("csv_negative_value", "R003", "raw_coal_t", "-5")
csv_cell_error("csv_non_numeric_text", "R009", "raw_coal_t", "12吨")
csv_cell_error("csv_nan_text", "R009", "diesel_t", "NaN")
csv_cell_error("csv_certificates_above_grid", "R007", "green_certificate_mwh", "1500")  # grid 1000
csv_cell_error("csv_submitted_after_as_of", "R010", "submitted_on", "2026-05-01")
csv_cell_error("csv_missing_submitted_on", "R011", "submitted_on", "")
csv_cell_error("csv_infinite_text", "R009", "purchased_heat_gj", "inf")  # text, not a number
csv_cell_error("csv_number_beyond_float", "R016", "grid_electricity_mwh", "1e999")  # a float overflow


@case
def csv_retrofit_completed_above_planned(s):
    path = batch(s, f"{s.park}_r008.csv", csv_row(s.park, s.n, retrofit_completed=str(10 + s.n + 1)))
    return Defect("csv_retrofit_completed_above_planned", path.name,
                  **partial(s, err("R008", path.name, 2, "retrofit_completed", str(10 + s.n + 1))))


@case
def csv_duplicate_park_month(s):
    # the park twice (lines 2 and 4, other diesel figures): neither can be taken, both rejected
    rows = [csv_row(s.park, s.n), csv_row(s.companion, s.cn), csv_row(s.park, s.n, diesel_t="3")]
    path = build_csv(s.month_dir / f"{s.park}_r012.csv", rows)
    return Defect(
        "csv_duplicate_park_month", path.name,
        records=(Record(2, "rejected", s.park, MONTH), Record(3, "accepted", s.companion, MONTH),
                 Record(4, "rejected", s.park, MONTH)),
        issues=(err("R012", path.name, 2, "park_code", s.park), err("R012", path.name, 4, "park_code", s.park)),
        stored={s.companion: quantities(s.cn)}, not_stored=(s.park,))


@case
def csv_formula_injection_park_code(s):
    path = batch(s, f"{s.park}_evil.csv", csv_row(EVIL, s.n))
    out = partial(s, err("R001", path.name, 2, "park_code", EVIL))
    out["records"] = (Record(2, "rejected", EVIL, MONTH), out["records"][1])
    return Defect("csv_formula_injection_park_code", path.name, **out)


@case
def csv_line_with_an_extra_field(s):
    # grid 1,000 written without quotes: 17 fields under a 16-column header
    bad = csv_row(s.park, s.n)
    line = ",".join(bad).replace(",1000,", ",1,000,", 1)
    path = s.month_dir / f"{s.park}_r013a.csv"
    path.write_text(csv_text([]) + line + "\n" + ",".join(csv_row(s.companion, s.cn)) + "\n", encoding="utf-8")
    assert len(line.split(",")) == len(CSV_HEADER) + 1
    return Defect("csv_line_with_an_extra_field", path.name, **partial(s, err("R013", path.name, 2)))


@case
def csv_line_with_a_missing_field(s):
    bad = csv_row(s.park, s.n)[:-2]  # retrofit_completed and reported_co2_t cut off: 14 fields
    path = s.month_dir / f"{s.park}_r013b.csv"
    path.write_text(csv_text([bad, csv_row(s.companion, s.cn)]), encoding="utf-8")
    return Defect("csv_line_with_a_missing_field", path.name, **partial(s, err("R013", path.name, 2)))


@case
def csv_unterminated_quote(s):
    # line 2 opens a quote it never closes; line 3, another park, must still be read on its own
    bad = csv_row(s.park, s.n)
    line = f'{bad[0]},"{",".join(bad[1:])}'
    path = s.month_dir / f"{s.park}_r014.csv"
    path.write_text(csv_text([]) + line + "\n" + ",".join(csv_row(s.companion, s.cn)) + "\n", encoding="utf-8")
    return Defect("csv_unterminated_quote", path.name, **partial(s, err("R014", path.name, 2)))


# ---- accepted, with or without warnings ---------------------------------------------------------

@case
def value_added_zero_with_energy(s):
    path = workbook(s, econ=econ_rows(s.n, **{"工业增加值(万元)": 0}))
    return Defect("value_added_zero_with_energy", path.name,
                  **accepted_workbook(s, warn("W002", "经济与改造", 2, "数值", "0"), value_added_10k_yuan=0))


@case
def reported_co2_far_off(s):
    # |2000 − 1757.1269| / 1757.1269 = 13.8% > 10%
    path = workbook(s, econ=econ_rows(s.n, **{"自报二氧化碳排放量(吨)": 2000}))
    return Defect("reported_co2_far_off", path.name,
                  **accepted_workbook(s, warn("W003", "经济与改造", 5, "数值", "2000"), reported_co2_t=2000))


@case
def other_units_converted(s):
    energy = energy_rows(电网购电=("kWh", 1_000_000),  # 1 000 000 kWh × 0.001 = 1000 MWh
                         绿电直供=("万kWh", 20),  # 20 万kWh × 10 = 200 MWh
                         原煤=("万t", 0.05),  # 0.05 万t × 10 000 = 500 t
                         天然气=("m³", 100_000))  # 100 000 m³ × 0.0001 = 10 万m³
    path = workbook(s, energy=energy)
    return Defect("other_units_converted", path.name, **accepted_workbook(s))


@case
def full_width_digits_in_a_workbook(s):
    energy = energy_rows(原煤=("t", "５００"), 电网购电=("MWh", "1,000"))  # text cells: 500 and 1000
    path = workbook(s, energy=energy)
    return Defect("full_width_digits_in_a_workbook", path.name, **accepted_workbook(s))


@case
def csv_gb18030_chinese_header(s):
    path = build_csv(s.month_dir / f"{s.park}_gb.csv", [csv_row(s.park, s.n), csv_row(s.companion, s.cn)],
                     header=CSV_HEADER_ZH, encoding="gb18030")
    return Defect("csv_gb18030_chinese_header", path.name,
                  records=(Record(2, "accepted", s.park, MONTH), Record(3, "accepted", s.companion, MONTH)),
                  issues=(), stored={s.park: quantities(s.n), s.companion: quantities(s.cn)})


@case
def csv_full_width_digits_and_thousands(s):
    # "1,000.5" -> 1000.5 MWh; "５００" -> 500 t; "３００" -> 300 GJ
    bad = csv_row(s.park, s.n, grid_electricity_mwh="1,000.5", raw_coal_t="５００", purchased_heat_gj="３００")
    path = build_csv(s.month_dir / f"{s.park}_fw.csv", [bad, csv_row(s.companion, s.cn)])
    return Defect("csv_full_width_digits_and_thousands", path.name,
                  records=(Record(2, "accepted", s.park, MONTH), Record(3, "accepted", s.companion, MONTH)),
                  issues=(), stored={s.park: quantities(s.n, grid_electricity_mwh=1000.5),
                                     s.companion: quantities(s.cn)})


@case
def superseded_by_a_resubmission(s):
    # version 1 (填报日期 04-02) is replaced by version 2 (04-08: grid 1100 MWh, value added 6000)
    first = workbook(s, info={"填报日期": dt.date(2026, 4, 2)})
    second = workbook(s, f"{s.park}_{MONTH}_v2.xlsx", info={"填报日期": dt.date(2026, 4, 8)},
                      energy=energy_rows(电网购电=("MWh", 1100)),
                      econ=econ_rows(s.n, **{"工业增加值(万元)": 6000}))
    return Defect("superseded_by_a_resubmission", first.name, records=(Record(None, "superseded", s.park, MONTH),),
                  issues=(), stored={s.park: quantities(s.n, grid_electricity_mwh=1100, value_added_10k_yuan=6000)},
                  extra_files=(second.name,))


def long_name(park: str, size: int) -> str:
    """A file name of exactly `size` UTF-8 bytes: the park, Chinese words (3 bytes each), .xlsx."""
    head, tail = f"{park}_{MONTH}_", ".xlsx"
    room = size - len(head) - len(tail)
    words = "月度自测表园区能源消费与改造情况" * 10
    name = head + words[: room // 3] + "x" * (room % 3) + tail
    assert len(name.encode()) == size
    return name


@case
def long_file_name(s):
    # a 250-byte name (the OS allows 255; `<name>.receipt.xlsx` would not fit): judged by its
    # content like any file (here: W003, |2100 − 1757.1269| / 1757.1269 = 19.5% > 10%)
    path = workbook(s, long_name(s.park, 250), econ=econ_rows(s.n, **{"自报二氧化碳排放量(吨)": 2100}))
    return Defect("long_file_name", path.name,
                  **accepted_workbook(s, warn("W003", "经济与改造", 5, "数值", "2100"), reported_co2_t=2100))


# ---- the region ---------------------------------------------------------------------------------

CLEAN_PARKS = [f"150300-P{i:03d}" for i in range(1, 6)]  # numbers 301..305 in `quantities`


def build_region(data_dir: Path) -> Region:
    """The registry, the corpus and a few clean files in `data_dir` (landing/2026-03)."""
    data_dir = Path(data_dir)
    month_dir = data_dir / "landing" / MONTH
    month_dir.mkdir(parents=True, exist_ok=True)
    defects = [make(Slot(n, month_dir)) for n, make in enumerate(CASES, start=1)]
    clean = {p: quantities(300 + i) for i, p in enumerate(CLEAN_PARKS, start=1)}
    clean_files = []
    for i, park in enumerate(CLEAN_PARKS[:3], start=1):
        clean_files.append(workbook(Slot(300 + i, month_dir), park=park).name)
    rows = [csv_row(p, 300 + i) for i, p in enumerate(CLEAN_PARKS, start=1) if i > 3]
    clean_files.append(build_csv(month_dir / "150300_batch_2026-03.csv", rows).name)
    parks = [*(Slot(n, month_dir).park for n in range(1, len(CASES) + 1)),
             *(Slot(n, month_dir).companion for n in range(1, len(CASES) + 1)), *CLEAN_PARKS]
    write_registry(data_dir, [RegionPark(code, f"园区{code}") for code in parks])
    return Region(data_dir, defects, clean, clean_files)
