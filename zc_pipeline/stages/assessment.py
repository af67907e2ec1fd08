"""The windows' assessments without Dagster: score a quarter or a half from its months (the
domain), stamp the rows with the run and the registry they came from, and write them, their
what-if rows and the grades that changed in one transaction."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.standards import Rulebooks
from zc_pipeline.warehouse.writer import append_grade_history, replace_partition

WINDOW_TABLES = {"quarter": ("park_quarter_assessment", "city_quarter_summary"),
          "half": ("park_half_assessment", "region_half_summary")}


@dataclass(frozen=True)
class WindowRows:
    """What one window's assessment wrote."""

    parks: pd.DataFrame
    summary: pd.DataFrame
    what_if: pd.DataFrame
    grades_appended: int
    # a half's lifecycle tables (STANDARD §13): table -> the rows written (year-end tables only at H2)
    lifecycle: dict[str, pd.DataFrame] = field(default_factory=dict)


def assess_quarter_window(engine: sa.Engine, park_month: pd.DataFrame, dim_park: pd.DataFrame, quarter: str,
                          rulebooks: Rulebooks, as_of: dt.date, run_id: str) -> WindowRows:
    """The league-city's quarterly evaluation (STANDARD §4–§7) of `quarter`, with its interviews overdue, written."""
    from zc_pipeline.domain.scoring import assess_quarter
    from zc_pipeline.domain.what_if import what_if_window
    from zc_pipeline.warehouse.writer import read_table

    std = rulebooks.for_period(quarter)
    interviews = read_table(engine, "rebound_interview", where={"status": "accepted"})
    interviews["interviewed_on"] = pd.to_datetime(interviews["interviewed_on"]).dt.date
    parks, cities = assess_quarter(park_month, dim_park, quarter, std, as_of, interviews, rulebooks)
    what_if = what_if_window(park_month, dim_park, quarter, std, as_of)
    return _record("quarter", quarter, parks, cities, what_if, dim_park, engine, run_id, as_of)


def assess_half_window(engine: sa.Engine, park_month: pd.DataFrame, dim_park: pd.DataFrame, half: str,
                       rulebooks: Rulebooks, as_of: dt.date, run_id: str, quarter_rows: pd.DataFrame,
                       spot_check_sample: pd.DataFrame, spot_check_result: pd.DataFrame) -> WindowRows:
    """The region's mid-year evaluation (H1) or year-end assessment (H2) of `half`, with the experts'
    spot-check caps, the year-end outcomes and the lifecycle tables (STANDARD §13), written.

    "On the list" is asked of the list's history (stages/lifecycle.py) for the window's last day."""
    from zc_pipeline.domain.accreditation import factor_priority
    from zc_pipeline.domain.cultivation import on_list
    from zc_pipeline.domain.outcomes import nominations
    from zc_pipeline.domain.scoring import assess_half
    from zc_pipeline.domain.windows import window_bounds
    from zc_pipeline.domain.spot_checks import park_status
    from zc_pipeline.domain.what_if import what_if_window
    from zc_pipeline.stages.lifecycle import list_history

    std = rulebooks.for_period(half)
    status = park_status(half, spot_check_sample, spot_check_result)
    failed = frozenset(status.loc[status["spot_check"] == "fail", "park_code"])
    list_rows = list_history(engine, dim_park, rulebooks)
    parks, region, accreditation = assess_half(park_month, dim_park, half, std, as_of, spot_check_failed=failed,
                                               quarter_rows=quarter_rows, list_rows=list_rows)
    if len(parks):
        parks["spot_check"] = parks["park_code"].map(status.set_index("park_code")["spot_check"]).fillna("not_sampled")
    what_if = what_if_window(park_month, dim_park, half, std, as_of, spot_check_failed=failed)
    stamp = dict(run_id=run_id, standard_version=std.version)
    lifecycle = {"factor_priority": (factor_priority(parks, on_list(list_rows, window_bounds(half)[1]), std)
                                     .assign(**stamp), {"half": half})}
    if half.endswith("H2"):
        year = half[:4]
        passed = frozenset(accreditation.loc[accreditation["accredited"], "park_code"])
        lifecycle["park_accreditation"] = (accreditation.assign(**stamp), {"year": year})
        lifecycle["national_nomination"] = (nominations(parks, passed).assign(**stamp), {"year": year})
    return _record("half", half, parks, region, what_if, dim_park, engine, run_id, as_of, lifecycle)


def _record(level: str, period: str, parks: pd.DataFrame, summary: pd.DataFrame, what_if: pd.DataFrame,
            dim_park: pd.DataFrame, engine: sa.Engine, run_id: str, as_of: dt.date,
            lifecycle: dict[str, tuple[pd.DataFrame, dict]] | None = None) -> WindowRows:
    parks = parks.assign(run_id=run_id, registry_sha256=_registry_sha(dim_park))
    summary = summary.assign(run_id=run_id)
    what_if = what_if.assign(run_id=run_id)
    appended = write_assessment(engine, level, period, parks, summary, what_if, as_of, lifecycle)
    return WindowRows(parks, summary, what_if, appended, {t: rows for t, (rows, _) in (lifecycle or {}).items()})


def write_assessment(engine: sa.Engine, level: str, period: str, park_rows: pd.DataFrame, summary_rows: pd.DataFrame,
                     what_if_rows: pd.DataFrame | None = None, as_of: dt.date | None = None,
                     lifecycle: dict[str, tuple[pd.DataFrame, dict]] | None = None) -> int:
    """Replace the window's rows (its what-if rows, and the lifecycle tables' partitions it decides)
    and append changed grades to grade_history, published as of `as_of`, in one transaction;
    returns how many grades were appended."""
    park_table, summary_table = WINDOW_TABLES[level]
    with engine.begin() as conn:
        replace_partition(conn, park_table, park_rows, {level: period})
        replace_partition(conn, summary_table, summary_rows, {level: period})
        if what_if_rows is not None:
            replace_partition(conn, "park_what_if", what_if_rows, {"period": period})
        for table, (rows, where) in (lifecycle or {}).items():
            replace_partition(conn, table, rows, where)
        if park_rows.empty:
            return 0
        return append_grade_history(conn, _grade_rows(park_rows, level, as_of), dt.datetime.now(dt.timezone.utc))


def _grade_rows(rows: pd.DataFrame, level: str, as_of: dt.date | None) -> pd.DataFrame:
    return pd.DataFrame({
        "park_code": rows["park_code"], "level": level, "period": rows[level], "grade": rows["grade"],
        "score": rows["score"], "standard_version": rows["standard_version"], "run_id": rows["run_id"],
        "as_of": as_of,
    })


def _registry_sha(dim_park: pd.DataFrame) -> str | None:
    if "registry_sha256" in dim_park and len(dim_park):
        return str(dim_park["registry_sha256"].iloc[0])
    return None
