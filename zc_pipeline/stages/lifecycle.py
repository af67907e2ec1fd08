"""The programme's lifecycle without Dagster (STANDARD §13): the league-cities' list files read and
recorded, the cultivation list's history built from them, the registry and the stored year-end
outcomes, and the interview files read against the rebound alerts."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.domain import cultivation
from zc_pipeline.standards import Rulebooks, Standard
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import fit_to_table, lock_partition, read_table, replace_partition

LIST_FOLDER, INTERVIEW_FOLDER = "lists", "interviews"


def _files(data_dir: Path, folder: str) -> list[Path]:
    where = Path(data_dir) / "landing" / folder
    return sorted(p for p in where.glob("*") if p.is_file() and not p.name.startswith((".", "~$"))) if where.is_dir() else []


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame(columns=[c.name for c in TABLES[table].columns])


def _period(path: Path, as_of: dt.date) -> str:
    """The year a file's issues are filed under: the one in its name, else the as-of year."""
    from zc_pipeline.intake.programme_files import file_year

    return file_year(path.name) or str(as_of.year)


def _stamped(conn: sa.Connection, path: Path, data_dir: Path, kind: str, parsed, run_id: str,
             receipts_dir: Path | None, as_of: dt.date) -> pd.DataFrame:
    """Record the file and its issues (receipt when it has one); its rows with their file and run."""
    from zc_pipeline.intake.landing import relative_path
    from zc_pipeline.stages.programme_intake import record_programme_file

    sha = record_programme_file(conn, path, data_dir, kind, _period(path, as_of), parsed, run_id, receipts_dir)
    return parsed.rows.assign(source_file=relative_path(path, data_dir), source_sha256=sha, run_id=run_id)


def record_list_changes(engine: sa.Engine, data_dir: Path, receipts_dir: Path | None, dim_park: pd.DataFrame,
                        cities: set[str], std: Standard, as_of: dt.date, run_id: str) -> pd.DataFrame:
    """Read every `landing/lists/*.csv`, record each file and its issues, and replace list_change with their rows."""
    from zc_pipeline.intake.programme_files import read_list_file

    with engine.begin() as conn:
        frames = [_stamped(conn, path, data_dir, "list", read_list_file(path, registry=dim_park, cities=cities, std=std),
                           run_id, receipts_dir, as_of)
                  for path in _files(data_dir, LIST_FOLDER)]
        rows = fit_to_table(pd.concat(frames, ignore_index=True) if frames else _empty("list_change"), "list_change")
        replace_partition(conn, "list_change", rows, {})
    return rows


def list_history(bind, dim_park: pd.DataFrame, rulebooks: Rulebooks) -> pd.DataFrame:
    """The cultivation list's history from the registry, the accepted list_change rows and the stored
    year-end removals: what every "on the list on day D?" of a run asks."""
    changes = read_table(bind, "list_change", where={"status": "accepted"})
    city = changes.assign(source=cultivation.CITY_LIST)[cultivation.CHANGE_COLUMNS]
    city["effective_on"] = pd.to_datetime(city["effective_on"]).dt.date
    halves = read_table(bind, "park_half_assessment", where={"outcome": "remove_from_list"})
    year_end = cultivation.year_end_removals(halves, rulebooks.for_period)
    return cultivation.history(dim_park, city, year_end)


def write_cultivation_list(engine: sa.Engine, dim_park: pd.DataFrame, rulebooks: Rulebooks, run_id: str) -> pd.DataFrame:
    """Replace cultivation_list with the history as the warehouse now has it; returns the rows.

    The table's turn is taken before its inputs are read: of two runs at once, the later one sees
    the other's year-end outcomes and list rows (none is left stale)."""
    with engine.begin() as conn:
        lock_partition(conn, "cultivation_list", {})
        rows = list_history(conn, dim_park, rulebooks).assign(run_id=run_id)
        replace_partition(conn, "cultivation_list", rows, {})
    return rows


def read_interviews(conn: sa.Connection, data_dir: Path, receipts_dir: Path | None, dim_park: pd.DataFrame,
                    alerts: pd.DataFrame, std: Standard, as_of: dt.date, run_id: str) -> pd.DataFrame:
    """Read every `landing/interviews/*.csv` against `alerts`, record each file and its issues, and
    replace rebound_interview with their rows; returns them."""
    from zc_pipeline.intake.programme_files import read_interview_file

    keys = set(zip(alerts["park_code"], alerts["period"]))
    frames = [_stamped(conn, path, data_dir, "interview",
                       read_interview_file(path, registry=dim_park, alerts=keys, as_of=as_of, std=std),
                       run_id, receipts_dir, as_of)
              for path in _files(data_dir, INTERVIEW_FOLDER)]
    rows = fit_to_table(pd.concat(frames, ignore_index=True) if frames else _empty("rebound_interview"),
                        "rebound_interview")
    replace_partition(conn, "rebound_interview", rows, {})
    return rows
