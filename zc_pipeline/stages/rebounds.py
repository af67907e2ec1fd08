"""The rebound alerts without Dagster: recomputed from every month whenever a month changes
(WAREHOUSE.md), with their rectification status as of the as-of date, and the interview files read
against them (STANDARD §13: who was interviewed, on time or not)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.domain.interviews import with_interviews
from zc_pipeline.domain.rebounds import detect_rebounds
from zc_pipeline.standards import Rulebooks
from zc_pipeline.warehouse.writer import lock_partition, read_table, replace_partition


@dataclass(frozen=True)
class Refreshed:
    alerts: pd.DataFrame  # the rebound_alert rows written
    interviews: pd.DataFrame  # the rebound_interview rows written (accepted and rejected)


def refresh_rebound_alerts(engine: sa.Engine, dim_park: pd.DataFrame, rulebooks: Rulebooks, as_of: dt.date,
                           run_id: str, data_dir: Path, receipts_dir: Path | None = None) -> Refreshed:
    """Replace rebound_alert with the alerts of every stored month, each judged under its month's
    rulebook, and rebound_interview with the interview files read against them; returns both.

    Every month is read after taking the table's turn, in the transaction that replaces it: of two
    runs at once, the later refresh sees the other's months (none is left stale)."""
    from zc_pipeline.stages.lifecycle import read_interviews

    with engine.begin() as conn:
        lock_partition(conn, "rebound_alert", {})
        alerts = detect_rebounds(read_table(conn, "park_month"), dim_park, rulebooks, as_of)
        interviews = read_interviews(conn, data_dir, receipts_dir, dim_park, alerts, rulebooks.in_force(as_of), as_of,
                                     run_id)
        alerts = with_interviews(alerts, interviews[interviews["status"] == "accepted"], rulebooks)
        # each alert judged, and stamped, by the rulebook of its month
        alerts["run_id"] = run_id
        alerts["standard_version"] = alerts["period"].map(lambda m: rulebooks.for_period(m).version)
        replace_partition(conn, "rebound_alert", alerts, {})
    return Refreshed(alerts, interviews)
