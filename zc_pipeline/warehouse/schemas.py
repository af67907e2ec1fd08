"""pandera schemas of the warehouse tables: types, nullability and keys from `tables.py`, plus domain rules.

One schema per table serves twice: before every write (`check_frame`, called by the writer, on the
columns the frame has) and in the blocking asset checks (`table_schema`, on the stored rows).
Column types and NOT NULL come from the SQLAlchemy definitions; the domain rules below add what
SQL cannot say: ratios 0–1, non-negative energy and CO2, the enums of WAREHOUSE.md, key formats.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pandera.pandas as pa
from sqlalchemy import BigInteger, Boolean, Float, Integer, Table

from zc_pipeline.standards import CAPS, GRADES
from zc_pipeline.warehouse.tables import TABLES

# --- value formats --------------------------------------------------------------------------
MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
QUARTER_RE = r"^\d{4}-Q[1-4]$"
HALF_RE = r"^\d{4}-H[12]$"
YEAR_RE = r"^\d{4}$"

WHAT_IF_REASON_RE = rf"^(top_grade|out_of_range|capped:({'|'.join(CAPS)}))$"

# Columns that are fractions 0–1 wherever they appear (WAREHOUSE.md: ratios are fractions, not percent).
RATIO_COLUMNS = frozenset({
    "green_share", "baseline_green_share", "target_green_share", "green_target_at_end", "retrofit_rate", "rate",
    "green_share_needed",
})
# Energy, CO2, quantities, money and counts: never negative.
NON_NEGATIVE_COLUMNS = frozenset({
    "grid_electricity_mwh", "green_direct_mwh", "green_onsite_mwh", "green_certificate_mwh", "raw_coal_t",
    "natural_gas_10k_m3", "diesel_t", "gasoline_t", "purchased_heat_gj", "value_added_10k_yuan",
    "retrofit_planned", "retrofit_completed", "reported_co2_t",
    "electricity_mwh", "certified_mwh", "green_mwh", "energy_tce", "co2_t", "carbon_per_energy",
    "carbon_per_value_added", "baseline_carbon_per_energy", "previous_carbon_per_energy", "verified_co2_t",
    "discrepancy", "investment_yuan", "requested_yuan", "allocated_yuan", "size_bytes", "error_count",
    "warning_count", "months_expected", "months_reported", "months_on_time", "parks", "parks_reported",
    "grade_a", "grade_b", "grade_c", "grade_d", "open_rebounds", "nominations", "removals", "risk_weight",
    "score_carbon", "score_green", "score_retrofit", "score_reporting",
    "carbon_per_energy_needed", "extra_green_mwh", "co2_less_t",
})
POSITIVE_INT_COLUMNS = frozenset({"rank_in_city", "rank_in_region", "draw_order", "priority", "line_count"})
SCORE_COLUMNS = frozenset({"score", "mean_score"})  # points 0–100

# Enums and formats by column name, for every table that has the column ...
COLUMN_CHECKS: dict[str, list[pa.Check]] = {
    "grade": [pa.Check.isin(GRADES)],
    "target_grade": [pa.Check.isin(GRADES)],
    "green_reason": [pa.Check.str_matches(WHAT_IF_REASON_RE)],
    "carbon_reason": [pa.Check.str_matches(WHAT_IF_REASON_RE)],
    "grade_cap": [pa.Check.isin(CAPS)],
    "category": [pa.Check.isin(["national", "regional", "pilot"])],
    "scope": [pa.Check.isin(["whole", "sub_park"])],
    "severity": [pa.Check.isin(["error", "warning"])],
    "source_format": [pa.Check.isin(["xlsx", "csv"])],
    "level": [pa.Check.isin(["quarter", "half"])],
    "assessment": [pa.Check.isin(["mid_year", "year_end"])],
    "spot_check": [pa.Check.isin(["not_sampled", "pass", "fail", "pending"])],
    "outcome": [pa.Check.isin(["nominate_national", "remove_from_list", "keep"])],
    "result": [pa.Check.isin(["pass", "fail"])],
    "project_type": [pa.Check.isin(["green_direct_supply", "ccus_demo", "other"])],
    "quarter": [pa.Check.str_matches(QUARTER_RE)],
    "half": [pa.Check.str_matches(HALF_RE)],
    "basis_half": [pa.Check.str_matches(HALF_RE)],
    "year": [pa.Check.str_matches(YEAR_RE)],
    "previous_period": [pa.Check.str_matches(MONTH_RE)],
    "rectified_in": [pa.Check.str_matches(MONTH_RE)],
    "league_city_code": [pa.Check.str_matches(r"^\d{6}$")],
}
# Report files for people (reports/): what each is; its period is a quarter, a half or a rebound month.
REPORT_KINDS = ["city_quarter_workbook", "region_bulletin", "region_bulletin_pdf", "rectification_notice",
                "park_report_card"]
# ... and per (table, column) where the meaning differs by table (these replace COLUMN_CHECKS).
TABLE_COLUMN_CHECKS: dict[tuple[str, str], list[pa.Check]] = {
    ("submission", "status"): [pa.Check.isin(["accepted", "rejected", "superseded"])],
    ("report_file", "kind"): [pa.Check.isin(REPORT_KINDS)],
    ("report_file", "period"): [pa.Check.str_matches(f"{MONTH_RE}|{QUARTER_RE}|{HALF_RE}")],
    ("report_file", "sha256"): [pa.Check.str_matches(r"^[0-9a-f]{64}$")],
    ("rebound_alert", "status"): [pa.Check.isin(["open", "rectified", "overdue"])],
    ("landing_file", "kind"): [pa.Check.isin(["monthly", "verification", "funding", "list", "interview", "registry"])],
    ("rebound_alert", "interview_status"): [pa.Check.isin(["on_time", "late", "overdue", "pending"])],
    ("list_change", "status"): [pa.Check.isin(["accepted", "rejected"])],
    ("rebound_interview", "status"): [pa.Check.isin(["accepted", "rejected"])],
    ("cultivation_list", "source"): [pa.Check.isin(["registry", "city_list", "year_end_outcome"])],
    ("factor_priority", "tier"): [pa.Check.isin([1, 2, 3])],
    ("national_nomination", "rank"): [pa.Check.ge(1)],
    ("missing_report", "reason"): [pa.Check.isin(["not_submitted", "rejected"])],
    ("funding_allocation", "reason"): [
        pa.Check.isin(["eligible", "not_on_list", "grade_too_low", "type_not_covered", "park_unknown"])
    ],
    ("grade_history", "period"): [pa.Check.str_matches(f"{QUARTER_RE}|{HALF_RE}")],
    ("grade_explanation", "period"): [pa.Check.str_matches(f"{MONTH_RE}|{QUARTER_RE}|{HALF_RE}")],
    ("grade_explanation", "lines"): [pa.Check.str_startswith("[[")],  # a JSON array of lines
    ("park_what_if", "period"): [pa.Check.str_matches(f"{QUARTER_RE}|{HALF_RE}")],
    ("park_what_if", "reason"): [pa.Check.str_matches(WHAT_IF_REASON_RE)],
    ("submission", "source_row"): [pa.Check.ge(1)],
    # programme files (verifications, funding) file their issues under their half or year
    ("validation_issue", "period"): [pa.Check.str_matches(f"{MONTH_RE}|{QUARTER_RE}|{HALF_RE}|{YEAR_RE}")],
}
# Month periods: every table with a `period` column not listed above.
MONTH_PERIOD_CHECK = [pa.Check.str_matches(MONTH_RE)]


def _dtype(column) -> tuple[object | None, bool]:
    """(pandera dtype, coerce) for a SQLAlchemy column; None = any Python object (text, dates)."""
    type_ = column.type
    if isinstance(type_, Boolean):
        return None, False  # checked by value: bools and numpy bools, not 0/1 strings
    if isinstance(type_, (BigInteger, Integer)):
        return "Int64", True
    if isinstance(type_, Float):
        return "float64", True
    return None, False


def _checks(table: str, name: str, column) -> list[pa.Check]:
    if (table, name) in TABLE_COLUMN_CHECKS:
        checks = list(TABLE_COLUMN_CHECKS[(table, name)])
    elif name == "period":
        checks = list(MONTH_PERIOD_CHECK)
    else:
        checks = list(COLUMN_CHECKS.get(name, []))
    if name in RATIO_COLUMNS:
        checks.append(pa.Check.in_range(0, 1))
    if name in NON_NEGATIVE_COLUMNS:
        checks.append(pa.Check.ge(0))
    if name in POSITIVE_INT_COLUMNS:
        checks.append(pa.Check.ge(1))
    if name in SCORE_COLUMNS:
        checks.append(pa.Check.in_range(0, 100))
    if isinstance(column.type, Boolean):
        checks.append(pa.Check.isin([True, False], name="is_boolean"))
    return checks


def primary_key(table: Table) -> list[str]:
    """Columns that identify a row: the primary key, or the unique constraint of an append-only table."""
    pk = [c.name for c in table.primary_key.columns if c.autoincrement is not True]
    if table.name == "grade_history":
        return ["park_code", "level", "period", "issued_at"]
    return pk


@lru_cache(maxsize=None)
def table_schema(name: str, partial: bool = False, unique: bool = True) -> pa.DataFrameSchema:
    """The schema of warehouse table `name`; `partial` lets a frame omit columns (as writes may)."""
    table = TABLES[name]
    columns = {}
    for column in table.columns:
        if column.autoincrement is True and column.primary_key:
            required = False  # surrogate key the database assigns
        else:
            required = not partial
        dtype, coerce = _dtype(column)
        columns[column.name] = pa.Column(
            dtype,
            checks=_checks(name, column.name, column),
            nullable=bool(column.nullable) and not column.primary_key,
            coerce=coerce,
            required=required,
            description=column.comment,
        )
    key = primary_key(table)
    return pa.DataFrameSchema(
        columns,
        name=name,
        strict=True,
        unique=key if unique and key else None,
        description=table.comment,
    )


class FrameSchemaError(ValueError):
    """A frame breaks its table's schema; `failure_cases` says where."""

    def __init__(self, table: str, failure_cases: pd.DataFrame):
        self.table = table
        self.failure_cases = failure_cases
        super().__init__(f"{table}: {len(failure_cases)} schema failure(s), e.g.\n{describe_failures(failure_cases)}")

    def __reduce__(self):  # raised in a parse-pool worker, re-raised in the writer: must survive pickling
        return (FrameSchemaError, (self.table, self.failure_cases))


def describe_failures(cases: pd.DataFrame, limit: int = 10) -> str:
    keep = [c for c in ("column", "check", "index", "failure_case") if c in cases.columns]
    return cases[keep].head(limit).astype(str).to_string(index=False)


def failure_cases(name: str, frame: pd.DataFrame, *, partial: bool = False, unique: bool = True) -> pd.DataFrame:
    """Every failure of `frame` against the table's schema (empty frame = valid)."""
    schema = table_schema(name, partial=partial, unique=unique)
    try:
        schema.validate(frame.reset_index(drop=True), lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases.reset_index(drop=True)
    return pd.DataFrame(columns=["schema_context", "column", "check", "check_number", "failure_case", "index"])


def check_frame(name: str, frame: pd.DataFrame, *, unique: bool = False) -> None:
    """Raise FrameSchemaError if `frame` (possibly a subset of the columns) breaks the table's schema.

    Keys are left to the database by default (its primary key rejects duplicates inside the
    transaction); the stored-table checks test them with `unique=True`.
    """
    if frame.empty:
        return
    cases = failure_cases(name, frame, partial=True, unique=unique)
    if len(cases):
        raise FrameSchemaError(name, cases)
