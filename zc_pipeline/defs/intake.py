"""Intake layer (month partitions): every landing file registered, parsed, validated and recorded."""

import dagster as dg

from zc_pipeline.defs import progress
from zc_pipeline.defs.common import PREVIEW_ROWS, RULEBOOK, table_metadata
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.stages.month_intake import record_month
from zc_pipeline.partitions import month_partitions
from zc_pipeline.warehouse.writer import count_rows, read_table

_spec = dict(group_name="intake", kinds={"sqlalchemy", "pandas"}, owners=["team:data"], deps=["dim_park", RULEBOOK])


@dg.multi_asset(
    specs=[
        dg.AssetSpec("landing_file", description="Every file ever seen: path, SHA-256, size, first seen.", **_spec),
        dg.AssetSpec("submission", description="Every version of every park-month ever received, with its status.", **_spec),
        dg.AssetSpec("submitted_value", description="Each input quantity as written, with unit and place.", **_spec),
        dg.AssetSpec("validation_issue", description="Every error and warning: place, rule, message zh/en.", **_spec),
    ],
    partitions_def=month_partitions,
    pool="warehouse",
)
def intake(context: dg.AssetExecutionContext, zc: ZcResource):
    """Register, parse and validate the month's landing files; choose the submission in force."""
    month = context.partition_key
    engine = zc.engine()
    with progress.counter(f"{month} intake", "files") as on_parsed:
        summary = record_month(
            engine,
            data_dir=zc.data_path,
            month=month,
            registry=zc.dim_park(),
            std=zc.rulebook(month),
            as_of=zc.as_of_date,
            run_id=context.run.run_id,
            receipts_dir=zc.receipts_dir,
            on_parsed=on_parsed,
        )
    for rej in summary.rejected_files:
        context.log.warning(f"rejected {rej['file']}: [{rej['rule_id']}] {rej['message_en']}")
    subs = read_table(engine, "submission", where={"period": month})
    issues = read_table(engine, "validation_issue", where={"period": month})
    files = read_table(engine, "landing_file")
    files = files[files["source_file"].str.startswith(f"landing/{month}/")]
    # a row per quantity of every submission of the month: count them, and read the preview's submissions only
    ids = list(subs["submission_id"]) or [""]
    value_count = count_rows(engine, "submitted_value", where={"submission_id": ids})
    values_head = read_table(engine, "submitted_value", where={"submission_id": ids[:PREVIEW_ROWS]})
    common = {
        "files_seen": summary.files_seen,
        "files_new": summary.files_new,
        "submissions_new": summary.submissions_new,
        "receipts": dg.MetadataValue.json(summary.receipts),
        "as_of": str(zc.as_of_date),
    }
    status_counts = subs["status"].value_counts().to_dict() if len(subs) else {}
    yield dg.MaterializeResult(asset_key="landing_file", metadata=table_metadata(files, **common))
    yield dg.MaterializeResult(
        asset_key="submission",
        metadata=table_metadata(subs, **{f"status_{k}": int(v) for k, v in status_counts.items()}),
    )
    yield dg.MaterializeResult(asset_key="submitted_value", metadata=table_metadata(values_head, rows=value_count))
    yield dg.MaterializeResult(
        asset_key="validation_issue",
        metadata=table_metadata(
            issues,
            errors=int((issues["severity"] == "error").sum()) if len(issues) else 0,
            warnings=int((issues["severity"] == "warning").sum()) if len(issues) else 0,
        ),
    )
