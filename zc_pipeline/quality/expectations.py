"""What each warehouse table is expected to satisfy: GX expectations as plain data, grouped by check.

No Great Expectations import here (it costs seconds); `gx.py` turns these into GX objects. Each
expectation names the Dagster asset check it reports to, so one GX validation per table feeds several
checks in the UI. Severities and blocking are chosen in `CHECKS` (documented in docs/quality.md).
What the table's pandera schema states (keys unique, values ≥ 0, ratios 0–1, enums, formats) is the
blocking `schema` check's alone: the suites check only what that schema cannot say.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import BigInteger, Float, Integer

from zc_pipeline.standards import GRADES
from zc_pipeline.warehouse.tables import TABLES

# carbon_per_energy is stored unrounded: any relative difference above float noise is an error.
RATIO_TOLERANCE = 1e-9


@dataclass(frozen=True)
class CheckDef:
    name: str
    severity: str  # "ERROR" | "WARN"
    blocking: bool
    description: str


CHECKS: dict[str, CheckDef] = {c.name: c for c in [
    CheckDef("schema", "ERROR", True, "pandera schema of the table: types, NOT NULL, unique key, enums, formats, "
                                      "ranges (energy, CO2, money and counts ≥ 0; ratios 0–1)."),
    CheckDef("carbon_per_energy_consistent", "ERROR", False, "carbon_per_energy = co2_t / energy_tce on every row."),
    CheckDef("submission_in_force", "ERROR", False, "Every park_month row is tied to the park-month's submission in force."),
    CheckDef("grade_consistent", "ERROR", False, "grade = band of score, unless grade_cap lowered it to the cap's limit."),
    CheckDef("funding_within_budget", "ERROR", False, "The year's allocated_yuan sum does not exceed the budget."),
    CheckDef("completeness", "WARN", False, "Share of enrolled parks reporting the month is at least 90%."),
    CheckDef("grade_history_schema", "ERROR", True, "pandera schema of the grade_history rows this window appended."),
    CheckDef("list_periods_chained", "ERROR", False, "Each park's cultivation_list periods follow one another: each "
                                                     "ends where the next begins, the status changes at each, the last "
                                                     "is open."),
    CheckDef("accreditation_consistent", "ERROR", False, "accredited exactly when no criterion failed (reasons_failed NULL)."),
    CheckDef("nominations_within_limit", "ERROR", False, "A year nominates at most outcome.max_nominations parks."),
]}
# checks of one table each, beside the ones every table of a kind gets
TABLE_CHECKS = {"cultivation_list": "list_periods_chained", "park_accreditation": "accreditation_consistent",
                "national_nomination": "nominations_within_limit"}


@dataclass(frozen=True)
class Expectation:
    check: str  # the Dagster check it reports to (key of CHECKS)
    type: str  # GX expectation class, e.g. ExpectColumnValuesToBeBetween
    kwargs: dict = field(default_factory=dict)


def _numeric_columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table].columns if isinstance(c.type, (Float, Integer, BigInteger))]


def has_carbon_ratio(table: str) -> bool:
    return {"carbon_per_energy", "co2_t", "energy_tce"} <= set(TABLES[table].c.keys())


def has_grade(table: str) -> bool:
    return {"grade", "grade_cap", "score"} <= set(TABLES[table].c.keys())


def table_checks(table: str) -> list[str]:
    """The checks a table gets (schema first), from its columns and role."""
    names = ["schema"]
    if has_carbon_ratio(table):
        names.append("carbon_per_energy_consistent")
    if table == "park_month":
        names += ["submission_in_force", "completeness"]
    if has_grade(table):
        names.append("grade_consistent")
    if table in ("park_quarter_assessment", "park_half_assessment"):
        names.append("grade_history_schema")
    if table == "funding_allocation":
        names.append("funding_within_budget")
    if table in TABLE_CHECKS:
        names.append(TABLE_CHECKS[table])
    return names


def expectations(table: str, *, budget: int | None = None, nomination_limit: int | None = None) -> list[Expectation]:
    """The GX expectations of a table's suite (columns `_cpe_residual`, `_expected_grade` and
    `_not_in_force` come from `prepare`, so a suite does not change with the partition's data and
    is registered with GX once per process)."""
    out: list[Expectation] = []
    if has_carbon_ratio(table):
        out.append(Expectation("carbon_per_energy_consistent", "ExpectColumnValuesToBeBetween",
                               {"column": "_cpe_residual", "min_value": 0, "max_value": RATIO_TOLERANCE}))
    if table == "park_month":
        out.append(Expectation("submission_in_force", "ExpectColumnValuesToNotBeNull", {"column": "submission_id"}))
        out.append(Expectation("submission_in_force", "ExpectColumnValuesToBeNull", {"column": "_not_in_force"}))
    if has_grade(table):
        out.append(Expectation("grade_consistent", "ExpectColumnPairValuesToBeEqual",
                               {"column_A": "grade", "column_B": "_expected_grade"}))
    if table == "funding_allocation":
        out.append(Expectation("funding_within_budget", "ExpectColumnSumToBeBetween",
                               {"column": "allocated_yuan", "min_value": 0, "max_value": budget or 0}))
    if table == "cultivation_list":
        out.append(Expectation("list_periods_chained", "ExpectColumnValuesToBeNull", {"column": "_chain_break"}))
    if table == "park_accreditation":
        out.append(Expectation("accreditation_consistent", "ExpectColumnValuesToBeNull", {"column": "_inconsistent"}))
    if table == "national_nomination":
        out.append(Expectation("nominations_within_limit", "ExpectTableRowCountToBeBetween",
                               {"min_value": 0, "max_value": nomination_limit or 0}))
    return out


def chain_breaks(frame: pd.DataFrame) -> pd.Series:
    """The park_code of each cultivation_list row that does not chain with its park's next one (its
    valid_to is not the next valid_from, or the status does not change), or is last but not open."""
    rows = frame.sort_values(["park_code", "valid_from"])
    nxt = rows.groupby("park_code").shift(-1)
    last = nxt["valid_from"].isna()
    to, nxt_from = rows["valid_to"].astype(str), nxt["valid_from"].astype(str)
    broken = (last & rows["valid_to"].notna()) | (~last & ((to != nxt_from) | (rows["listed"] == nxt["listed"])))
    return rows["park_code"].where(broken, None).astype(object).reindex(frame.index)


def completeness_expectations(minimum: float) -> list[Expectation]:
    """Suite `park_month_completeness`: one row per enrolled park, `reported` 1.0 or 0.0; at least
    `minimum` (the rulebook's `quality.completeness_min`) of them reporting."""
    return [Expectation("completeness", "ExpectColumnMeanToBeBetween",
                        {"column": "reported", "min_value": minimum, "max_value": 1})]


# --- derived columns ----------------------------------------------------------------------------
def cpe_residual(frame: pd.DataFrame) -> pd.Series:
    """|carbon_per_energy − co2_t/energy_tce| relative; 1.0 when exactly one side is NULL, NULL when both are."""
    co2 = pd.to_numeric(frame["co2_t"], errors="coerce").astype(float)
    energy = pd.to_numeric(frame["energy_tce"], errors="coerce").astype(float)
    stored = pd.to_numeric(frame["carbon_per_energy"], errors="coerce").astype(float)
    expected = co2 / energy.where(energy != 0)
    out = []
    for s, e in zip(stored, expected):
        if math.isnan(s) and math.isnan(e):
            out.append(math.nan)
        elif math.isnan(s) or math.isnan(e):
            out.append(1.0)
        else:
            out.append(abs(s - e) / max(abs(e), 1e-12))
    return pd.Series(out, index=frame.index, dtype=float)


def band(score: float, bands: dict[str, float]) -> str:
    """Grade band of a rounded score; `bands` = {'A': 85, 'B': 70, 'C': 60} from the rulebook.

    Deliberately not `domain.scoring.grade_of`: a check that reused the code it checks would pass with it.
    """
    for letter in GRADES[:-1]:
        if score >= bands[letter]:
            return letter
    return GRADES[-1]


def expected_grade(score, cap, bands: dict[str, float], cap_limits: dict[str, str]) -> str | None:
    """band(score), lowered to the limit of `cap` when a cap is named (a named cap never raises a grade)."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    uncapped = band(float(score), bands)
    if cap is None or (isinstance(cap, float) and math.isnan(cap)) or cap not in cap_limits:
        return uncapped
    return GRADES[max(GRADES.index(uncapped), GRADES.index(cap_limits[cap]))]


def prepare(table: str, frame: pd.DataFrame, std_by_version=None, in_force_ids=None) -> pd.DataFrame:
    """Copy of stored rows ready for GX: numeric columns as float, plus the derived check columns.

    `std_by_version(version) -> Standard` gives the grade bands and cap limits of each row's rulebook;
    `in_force_ids` are the submissions in force for park_month's period (`_not_in_force` holds the
    submission id of every row whose submission is not among them, so GX lists the offenders).
    """
    out = frame.copy()
    if table == "park_month":
        keep = set(in_force_ids or [])
        out["_not_in_force"] = pd.Series(
            [None if s in keep else s for s in out["submission_id"]], index=out.index, dtype=object)
    for c in _numeric_columns(table):
        if c in out:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    if has_carbon_ratio(table):
        out["_cpe_residual"] = cpe_residual(out) if len(out) else pd.Series(dtype=float)
    if table == "cultivation_list":
        out["_chain_break"] = chain_breaks(out) if len(out) else pd.Series(dtype=object)
    if table == "park_accreditation":
        clean = out["reasons_failed"].isna()
        out["_inconsistent"] = out["park_code"].where(out["accredited"].astype(bool) != clean, None).astype(object)
    if has_grade(table):
        expected = []
        for score, cap, version in zip(out["score"], out["grade_cap"], out.get("standard_version", [None] * len(out))):
            std = std_by_version(version) if std_by_version else None
            if std is None:
                expected.append(None)
                continue
            bands = {g: float(std[f"grade.{g}"]) for g in GRADES[:-1]}
            limits = {c: str(v) for c, v in std.prefixed("cap").items()}
            expected.append(expected_grade(score, cap, bands, limits))
        out["_expected_grade"] = pd.Series(expected, index=out.index, dtype=object)
    return out
