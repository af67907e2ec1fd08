"""The grade_explanation table: every published quarter and half grade explained line by line, one row
per park and window (BI reads the lines through the view v_grade_explanation)."""

import dagster as dg
import pandas as pd

from zc_pipeline.defs.common import PREVIEW_ROWS, table_metadata
from zc_pipeline.defs.resources import ZcResource



@dg.asset(
    group_name="assessment",
    deps=[
        dg.AssetDep("park_quarter_assessment", partition_mapping=dg.AllPartitionMapping()),
        dg.AssetDep("park_half_assessment", partition_mapping=dg.AllPartitionMapping()),
        dg.AssetDep("park_month", partition_mapping=dg.AllPartitionMapping()),
        dg.AssetDep("funding_allocation", partition_mapping=dg.AllPartitionMapping()),
        "ref_standard",
    ],
    kinds={"sqlalchemy", "pandas"},
    owners=["team:assessment"],
    pool="warehouse",
)
def grade_explanation(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """Line-by-line explanation of each quarter and half grade; only windows whose assessment was re-run are rewritten."""
    from zc_pipeline.stages.explanations import explain_runs, stale_windows
    from zc_pipeline.warehouse.writer import insert_new, read_table, replace_partition

    engine = zc.engine()
    # The assessment run each window was explained from lives in this asset's metadata, not in the
    # table, so equal inputs give equal rows; a window is rewritten when its assessment run changed.
    current, stale, pairs = stale_windows(engine, _previous_runs(context))
    written, lines, preview = 0, 0, None

    def tallied(frame: pd.DataFrame) -> pd.DataFrame:
        """A run's rows as written (with this run's id), counted for the metadata."""
        nonlocal written, lines, preview
        frame = frame.assign(run_id=context.run.run_id)
        written, lines = written + len(frame), lines + int(frame["line_count"].sum())
        if preview is None:  # each row's first lines: a row holds a whole explanation
            preview = frame.head(PREVIEW_ROWS).assign(lines=lambda f: f["lines"].str.slice(0, 160) + "…")
        return frame

    # only the stale windows' rows are read (a later run rewrites a quarter or two, not the history)
    runs = explain_runs(engine, zc.as_of_date, pairs)
    for period, frame, last in runs:
        # a window is replaced in one transaction, written run by run as the runs come and let go:
        # it opens with the window's first run and commits with its last
        with engine.begin() as conn:
            replace_partition(conn, "grade_explanation", tallied(frame), {"period": period})
            while not last:
                _, frame, last = next(runs)
                if insert_new(conn, "grade_explanation", tallied(frame)) != len(frame):  # its old rows are gone
                    raise RuntimeError(f"grade_explanation {period}: a run repeats parks already written")
    for period in sorted(set(stale) - {window for _, window in pairs}):  # no park assessed: its old lines go
        with engine.begin() as conn:
            replace_partition(conn, "grade_explanation", pd.DataFrame(), {"period": period})
    # nothing rewritten: no rows, but the table's columns (an empty period, not the whole table)
    frame = preview if preview is not None else read_table(engine, "grade_explanation", where={"period": []})
    return dg.MaterializeResult(metadata=table_metadata(
        frame, rows=written, lines=lines, periods_rewritten=", ".join(stale) or "none",
        windows_rewritten=dg.MetadataValue.json(stale),
        assessment_runs=dg.MetadataValue.json(current),
    ))


def rewritten_windows(instance: dg.DagsterInstance) -> list[str] | None:
    """The windows the last materialization of grade_explanation rewrote (None: never materialized).

    Its asset checks read those windows only: the others were checked when they were written, the
    key includes the window, and the whole table grows with every year and every park.
    """
    value = _last_metadata(instance, "windows_rewritten")
    return list(value) if value is not None else None


def _previous_runs(context: dg.AssetExecutionContext) -> dict:
    """{window: assessment run_id} recorded by this asset's last materialization."""
    return dict(_last_metadata(context.instance, "assessment_runs") or {})


def _last_metadata(instance: dg.DagsterInstance, key: str):
    """The value of one metadata entry of grade_explanation's last materialization (None: none)."""
    event = instance.get_latest_materialization_event(dg.AssetKey("grade_explanation"))
    if event is None or event.asset_materialization is None:
        return None
    value = event.asset_materialization.metadata.get(key)
    return value.value if value is not None else None
