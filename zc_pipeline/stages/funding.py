"""The special fund of a year without Dagster (STANDARD §10): the applications file read (its
issues and receipt recorded) and allocated on the year's mid-year grades."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.standards import Rulebooks
from zc_pipeline.warehouse.writer import replace_partition


def allocate_year(engine: sa.Engine, data_dir: Path, receipts_dir: Path | None, half_rows: pd.DataFrame,
                  dim_park: pd.DataFrame, year: str, rulebooks: Rulebooks, run_id: str) -> pd.DataFrame:
    """Replace the year's funding_allocation rows from `landing/funding/<year>.csv`; returns them.
    "On the list" is the list's history on the basis half's last day."""
    from zc_pipeline.domain.cultivation import on_list
    from zc_pipeline.domain.funding import allocate, basis_day
    from zc_pipeline.intake.programme_files import read_funding_file
    from zc_pipeline.stages.lifecycle import list_history
    from zc_pipeline.stages.programme_intake import record_programme_file

    std = rulebooks.for_period(year)
    path = Path(data_dir) / "landing" / "funding" / f"{year}.csv"
    alloc = pd.DataFrame()
    with engine.begin() as conn:
        if path.exists():
            parsed = read_funding_file(path, year=year, registry=dim_park, std=std)
            record_programme_file(conn, path, data_dir, "funding", year, parsed, run_id, receipts_dir=receipts_dir)
            accepted = parsed.rows[parsed.rows["status"] == "accepted"]
            basis = half_rows[half_rows["half"] == std.funding_basis(year)]
            listed = on_list(list_history(conn, dim_park, rulebooks), basis_day(year, std))
            alloc = allocate(year, accepted, dim_park, basis, std, listed)
            alloc["year"] = str(year)
            alloc["run_id"] = run_id
        replace_partition(conn, "funding_allocation", alloc, {"year": str(year)})
    return alloc
