"""Missing-report reminders (month partitions): the table and one workbook per league-city."""

import dagster as dg

from zc_pipeline.defs.common import RULEBOOK, table_metadata
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.partitions import month_partitions
from zc_pipeline.stages.reminders import record_missing_reports



@dg.asset(
    group_name="monthly",
    partitions_def=month_partitions,
    deps=["submission", "validation_issue", "dim_park", "dim_league_city", "rebound_alert", RULEBOOK],
    pool="warehouse",
    kinds={"sqlalchemy", "pandas", "excel"},
    owners=["team:data"],
)
def missing_report(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """Parks that have not submitted the month, or only had it rejected, once its deadline has passed; the
    city workbooks also list rebound interviews overdue."""
    month = context.partition_key
    done = record_missing_reports(zc.engine(), zc.state_dir, month, zc.dim_park(), zc.rulebook(month), zc.as_of_date,
                                  context.run.run_id)
    table, rows, written = done.table, done.rows, done.workbooks
    reasons = rows["reason"].value_counts().to_dict() if len(rows) else {}
    return dg.MaterializeResult(
        metadata=table_metadata(
            table, as_of=str(zc.as_of_date), workbooks=dg.MetadataValue.json(written),
            interviews_overdue=len(done.interviews),
            **{f"reason_{k}": int(v) for k, v in reasons.items()},
        )
    )
