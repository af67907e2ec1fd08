"""The experts' spot checks of a half without Dagster (STANDARD §8): the sample, drawn once and
kept, and the verification file's figures compared with the in-force CO2."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.domain.periods import months_of
from zc_pipeline.domain.periods import window_is_due
from zc_pipeline.intake.landing import relative_path
from zc_pipeline.standards import FORCED_MARK, Standard
from zc_pipeline.warehouse.writer import read_table, replace_partition


@dataclass(frozen=True)
class Sample:
    rows: pd.DataFrame
    draw: str  # "drawn now" | "kept: drawn earlier" | "not due yet"
    eligible: int | None = None  # parks weighed, when drawn now


def draw_half_sample(engine: sa.Engine, park_month: pd.DataFrame, dim_park: pd.DataFrame, half: str, std: Standard,
                     as_of: dt.date, run_id: str) -> Sample:
    """The half's sample: the one kept from its first draw, else a draw once the half is due."""
    from zc_pipeline.domain.spot_checks import draw_sample, risk_weights

    kept = read_table(engine, "spot_check_sample", where={"half": half})
    if len(kept) and kept["standard_version"].str.endswith(FORCED_MARK).any() and not std.forced:
        kept = kept.head(0)  # a what-if run's draw (--standard) is not kept: the half's own rulebook draws again
    if len(kept) or not window_is_due(half, as_of, std):
        return Sample(kept, "kept: drawn earlier" if len(kept) else "not due yet")
    alerts = read_table(engine, "rebound_alert")
    warnings = read_table(engine, "validation_issue", where={"period": months_of(half), "severity": "warning"})
    weights = risk_weights(half, park_month, alerts, warnings, std, dim_park=dim_park)
    sample = draw_sample(half, weights, std).assign(run_id=run_id)
    with engine.begin() as conn:
        replace_partition(conn, "spot_check_sample", sample, {"half": half})
    return Sample(sample, "drawn now", len(weights))


@dataclass(frozen=True)
class Verification:
    results: pd.DataFrame
    rejected_rows: int
    path: Path | None  # the experts' file, when there is one


def record_verifications(engine: sa.Engine, data_dir: Path, receipts_dir: Path | None, park_month: pd.DataFrame,
                         sample: pd.DataFrame, dim_park: pd.DataFrame, half: str, std: Standard,
                         run_id: str) -> Verification:
    """Read `landing/verifications/<half>.csv` (its issues and receipt recorded), compare every
    accepted row with the in-force CO2, and replace the half's spot_check_result rows."""
    from zc_pipeline.domain.spot_checks import verify
    from zc_pipeline.intake.programme_files import read_verification_file
    from zc_pipeline.stages.programme_intake import record_programme_file

    path = Path(data_dir) / "landing" / "verifications" / f"{half}.csv"
    results, rejected_rows = pd.DataFrame(), 0
    with engine.begin() as conn:
        if path.exists():
            in_force = set(zip(park_month["park_code"], park_month["period"]))
            parsed = read_verification_file(path, half=half, registry=dim_park, in_force=in_force, std=std)
            sha = record_programme_file(conn, path, data_dir, "verification", half, parsed, run_id,
                                        receipts_dir=receipts_dir)
            accepted = parsed.rows[parsed.rows["status"] == "accepted"]
            rejected_rows = int((parsed.rows["status"] == "rejected").sum())
            results = verify(half, sample, accepted, park_month, std, dim_park=dim_park)
            results["run_id"], results["source_sha256"] = run_id, sha
            results["source_file"] = relative_path(path, Path(data_dir))
        replace_partition(conn, "spot_check_result", results, {"half": half})
    return Verification(results, rejected_rows, path if path.exists() else None)
