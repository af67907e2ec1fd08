"""Check the stored rows of one partition: the pandera schema, then the table's GX suite.

Dagster-free: `defs/checks.py` turns the outcomes into AssetCheckResults; tests call `evaluate`
directly on deliberately broken frames.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.domain import periods as p
from zc_pipeline.quality.expectations import (
    CHECKS,
    completeness_expectations,
    expectations,
    prepare,
    table_checks,
)
from zc_pipeline.standards import Rulebooks, RulebookError
from zc_pipeline.warehouse.schemas import describe_failures, failure_cases
from zc_pipeline.warehouse.writer import read_table

MAX_FAILURE_ROWS = 20
LEVEL_OF = {"park_quarter_assessment": "quarter", "park_half_assessment": "half"}


@dataclass
class Outcome:
    table: str
    check: str
    passed: bool
    severity: str
    metadata: dict = field(default_factory=dict)  # plain values; "data_docs" is a Path when GX ran


@dataclass
class Context:
    """What the expectations need besides the rows (filled by `load_context` or by a test)."""

    in_force_ids: list[str] | None = None
    budget: int | None = None
    completeness: pd.DataFrame | None = None  # park_code, reported (1.0/0.0); None = not due
    completeness_min: float | None = None  # the rulebook's quality.completeness_min, with `completeness`
    grade_history: pd.DataFrame | None = None
    std_by_version: object = None
    nomination_limit: int | None = None  # the year-end half's outcome.max_nominations


def _by_version(rulebooks: Rulebooks):
    """`version -> Standard` of the installed rulebooks (None for a version no longer installed)."""
    def get(version):
        try:
            return rulebooks.get(str(version))
        except RulebookError:
            return None
    return get


def read_rows(engine: sa.Engine, table: str, period: str | None, windows: list[str] | None = None) -> pd.DataFrame:
    """The stored rows a partition of `table` wrote (the whole table when unpartitioned; only these
    `windows` of a table written window by window, like grade_explanation)."""
    if windows is not None:
        return read_table(engine, table, where={"period": windows})
    if period is None:
        return read_table(engine, table)
    if table == "landing_file":
        files = read_table(engine, "landing_file")
        return files[files["source_file"].str.startswith(f"landing/{period}/")].reset_index(drop=True)
    if table == "submitted_value":
        ids = read_table(engine, "submission", where={"period": period})["submission_id"].tolist()
        return read_table(engine, "submitted_value", where={"submission_id": ids or [""]})
    from zc_pipeline.warehouse.tables import PARTITION_COLUMNS

    column = (PARTITION_COLUMNS.get(table) or ["period"])[0]
    if column == "year" and p.period_kind(period) == "half":  # a year's table its year-end half writes
        if not period.endswith("H2"):
            return read_empty(table)  # the mid-year half writes none of it
        period = period[:4]
    return read_table(engine, table, where={column: period})


def completeness_frame(park_month: pd.DataFrame, dim_park: pd.DataFrame, month: str) -> pd.DataFrame:
    """One row per park enrolled by `month`: reported = 1.0 when it has a park_month row."""
    enrolled = dim_park[[p.month_of(d) <= month for d in dim_park["enrolled_on"]]]
    reported = set(park_month.loc[park_month["period"] == month, "park_code"])
    return pd.DataFrame({
        "park_code": enrolled["park_code"].to_numpy(),
        "reported": [1.0 if c in reported else 0.0 for c in enrolled["park_code"]],
    })


def load_context(engine: sa.Engine, table: str, period: str | None, rows: pd.DataFrame, rulebooks: Rulebooks,
                 as_of: dt.date) -> Context:
    """What the checks of a partition compare its rows with; `period`'s rulebook gives its limits."""
    ctx = Context(std_by_version=_by_version(rulebooks))
    std = rulebooks.for_period(period) if period else None
    if table == "park_month" and period:
        subs = read_table(engine, "submission", where={"period": period, "in_force": True})
        ctx.in_force_ids = subs["submission_id"].tolist()
        if p.deadline_passed(period, as_of, std.int("deadline_day")):
            ctx.completeness = completeness_frame(rows, read_table(engine, "dim_park"), period)
            ctx.completeness_min = std.num("quality.completeness_min")
    if table == "funding_allocation" and period:
        ctx.budget = std.budget(int(period))
    if table == "national_nomination" and period:
        ctx.nomination_limit = std.int("outcome.max_nominations")
    if table in LEVEL_OF and period:
        ctx.grade_history = read_table(engine, "grade_history", where={"level": LEVEL_OF[table], "period": period})
    return ctx


def _schema_outcome(table: str, rows: pd.DataFrame, check: str = "schema") -> Outcome:
    cases = failure_cases(table, rows, unique=True)
    meta = {"rows": len(rows), "failures": len(cases)}
    if len(cases):
        meta["failure_cases"] = describe_failures(cases, MAX_FAILURE_ROWS)
    return Outcome(table, check, len(cases) == 0, CHECKS[check].severity, meta)


def evaluate(state_dir: str | Path, table: str, rows: pd.DataFrame, ctx: Context, run_name: str,
             only: set[str] | None = None, build_docs: bool = True) -> list[Outcome]:
    """Every check of `table` (or those in `only`) on its stored rows; GX results go to the Data Docs.

    `build_docs=False` leaves the pages to a later `gx.flush_docs` (one index rebuild per check step).
    """
    from zc_pipeline.quality.gx import Batch, validate

    wanted = [c for c in table_checks(table) if only is None or c in only]
    outcomes: list[Outcome] = []
    if "schema" in wanted:
        outcomes.append(_schema_outcome(table, rows))
    if "grade_history_schema" in wanted:
        history = ctx.grade_history if ctx.grade_history is not None else read_empty("grade_history")
        outcomes.append(_schema_outcome("grade_history", history, "grade_history_schema"))
        outcomes[-1].table = table
    gx_checks = [c for c in wanted if c not in ("schema", "grade_history_schema")]
    if not gx_checks:
        return outcomes
    suite_exps = [e for e in expectations(table, budget=ctx.budget, nomination_limit=ctx.nomination_limit)
                  if e.check in gx_checks]
    batches = [Batch(table, prepare(table, rows, ctx.std_by_version, ctx.in_force_ids), suite_exps, run_name)]
    if "completeness" in gx_checks and ctx.completeness is not None:
        batches.append(Batch(f"{table}_completeness", ctx.completeness,
                             completeness_expectations(ctx.completeness_min), run_name))
    results = validate(state_dir, batches, build_docs=build_docs)
    main = results.get(table)
    for check in gx_checks:
        source = results.get(f"{table}_completeness") if check == "completeness" else main
        meta: dict = {"rows": len(rows)}
        if source is None:  # nothing to validate (e.g. completeness before the deadline)
            meta["note"] = "not evaluated: the month's deadline has not passed" if check == "completeness" else "no expectations"
            outcomes.append(Outcome(table, check, True, CHECKS[check].severity, meta))
            continue
        verdict = source.checks.get(check)
        passed = verdict is None or verdict.passed
        if verdict is not None and verdict.failures:
            meta["failed_expectations"] = verdict.failures
        if check == "completeness":
            share = float(ctx.completeness["reported"].mean()) if len(ctx.completeness) else 1.0
            meta.update(share_reporting=round(share, 4), parks_enrolled=len(ctx.completeness),
                        minimum=ctx.completeness_min)
        meta["data_docs"] = source.page
        outcomes.append(Outcome(table, check, passed, CHECKS[check].severity, meta))
    return outcomes


def read_empty(table: str) -> pd.DataFrame:
    from zc_pipeline.warehouse.tables import TABLES

    return pd.DataFrame(columns=TABLES[table].c.keys())


def check_partition(engine: sa.Engine, state_dir: str | Path, table: str, period: str | None, rulebooks: Rulebooks,
                    as_of: dt.date, run_id: str, only: set[str] | None = None, build_docs: bool = True,
                    windows: list[str] | None = None) -> list[Outcome]:
    """Read a partition's stored rows (or those of `windows`) and evaluate the table's checks on them.

    `windows` are read and checked one at a time (a table written window by window is checked the
    same way, so a year of lines is never in memory at once), and their outcomes combined."""
    def check(rows: pd.DataFrame, name: str) -> list[Outcome]:
        ctx = load_context(engine, table, period, rows, rulebooks, as_of)
        return evaluate(state_dir, table, rows, ctx, f"{name} run {run_id[:8]}", only, build_docs)

    if windows is None:
        return check(read_rows(engine, table, period), period or "all")
    outcomes = _combined([check(read_rows(engine, table, None, [w]), w) for w in windows] or
                         [check(read_rows(engine, table, None, []), "windows")])
    for o in outcomes:
        o.metadata["windows"] = ", ".join(windows) or "none rewritten"
    return outcomes


def _combined(per_window: list[list[Outcome]]) -> list[Outcome]:
    """One outcome per check over every window: passed when each window's passed; rows and failures
    summed; the other details (failure cases, Data Docs page) of the first window that failed, or
    of the last one."""
    out = []
    for outcomes in zip(*per_window, strict=True):
        failed = [o for o in outcomes if not o.passed]
        first = failed[0] if failed else outcomes[-1]
        meta = {**first.metadata, "rows": sum(o.metadata.get("rows", 0) for o in outcomes)}
        if any("failures" in o.metadata for o in outcomes):
            meta["failures"] = sum(o.metadata.get("failures", 0) for o in outcomes)
        out.append(Outcome(first.table, first.check, not failed, first.severity, meta))
    return out
