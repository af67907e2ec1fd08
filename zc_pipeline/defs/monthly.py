"""Monthly facts: park_month per month, month-over-month warnings, and rebound alerts."""

import dagster as dg

from zc_pipeline.defs.common import RULEBOOK, table_metadata
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.stages.month_intake import build_park_month
from zc_pipeline.partitions import add_months, month_partitions, month_with_previous

_spec = dict(kinds={"sqlalchemy", "pandas"}, owners=["team:data"])


@dg.asset(
    group_name="monthly", partitions_def=month_partitions, deps=["submission", "submitted_value", "ref_standard", RULEBOOK],
    pool="warehouse", **_spec,
)
def park_month(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """One row per park and month in force: activity in canonical units and every STANDARD §3 measure."""
    std = zc.rulebook(context.partition_key)
    pm = build_park_month(zc.engine(), context.partition_key, std, context.run.run_id)
    return dg.MaterializeResult(metadata=table_metadata(pm, standard_version=std.version, standard_sha256=std.sha256))


@dg.asset(
    group_name="monthly",
    partitions_def=month_partitions,
    deps=[dg.AssetDep("park_month", partition_mapping=month_with_previous), RULEBOOK],
    pool="warehouse",
    **_spec,
)
def month_over_month_warning(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """The 10x / 0.1x month-over-month warnings (FILES.md), added to validation_issue without a cycle."""
    from zc_pipeline.stages.month_warnings import record_month_over_month

    month = context.partition_key
    rows = record_month_over_month(zc.engine(), month, add_months(month, -1), zc.rulebook(month), context.run.run_id,
                                   receipts_dir=zc.receipts_dir)
    return dg.MaterializeResult(metadata=table_metadata(rows))


_ALERT_DEPS = [dg.AssetDep("park_month", partition_mapping=dg.AllPartitionMapping()), "dim_park",
               dg.AssetDep(RULEBOOK.asset_key, partition_mapping=dg.AllPartitionMapping())]


@dg.multi_asset(
    specs=[
        dg.AssetSpec("rebound_alert", group_name="monthly", deps=_ALERT_DEPS, **_spec,
                     description="Carbon-intensity rebounds with rectification and interview status."),
        dg.AssetSpec("rebound_interview", group_name="lifecycle", deps=_ALERT_DEPS, **_spec,
                     description="Every row of the interview files (landing/interviews/), checked against the alerts."),
    ],
    pool="warehouse",
)
def rebound_alert(context: dg.AssetExecutionContext, zc: ZcResource):
    """Carbon-intensity rebounds (STANDARD §7) with their rectification and interview status as of the as-of
    date; the interview files (landing/interviews/) are read against them into rebound_interview."""
    from zc_pipeline.stages.rebounds import refresh_rebound_alerts

    done = refresh_rebound_alerts(zc.engine(), zc.dim_park(), zc.rulebooks, zc.as_of_date, context.run.run_id,
                                  zc.data_path, zc.receipts_dir)
    alerts, rows = done.alerts, done.interviews
    counts = alerts["status"].value_counts().to_dict() if len(alerts) else {}
    interviews = alerts["interview_status"].value_counts().to_dict() if len(alerts) else {}
    yield dg.MaterializeResult(asset_key="rebound_alert", metadata=table_metadata(
        alerts, as_of=str(zc.as_of_date), **{f"status_{k}": int(v) for k, v in counts.items()},
        **{f"interview_{k}": int(v) for k, v in interviews.items()}))
    yield dg.MaterializeResult(asset_key="rebound_interview", metadata=table_metadata(
        rows, accepted=int((rows["status"] == "accepted").sum()), rejected=int((rows["status"] == "rejected").sum())))
