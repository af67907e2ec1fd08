"""Spot checks (half partitions) and the special fund (year partitions)."""
import dagster as dg
import pandas as pd

from zc_pipeline.defs.common import RULEBOOK, table_metadata
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.partitions import half_from_dagster, half_partitions, year_partitions
from zc_pipeline.stages.funding import allocate_year
from zc_pipeline.stages.spot_checks import draw_half_sample, record_verifications

_spec = dict(kinds={"sqlalchemy", "pandas"}, owners=["team:assessment"])


@dg.asset(
    group_name="assessment",
    partitions_def=half_partitions,
    ins={"park_month": dg.AssetIn(input_manager_key="warehouse_reader")},  # the half's own six months
    deps=["rebound_alert", "validation_issue", "dim_park", RULEBOOK],
    pool="warehouse",
    **_spec,
)
def spot_check_sample(context: dg.AssetExecutionContext, zc: ZcResource, park_month: pd.DataFrame) -> dg.MaterializeResult:
    """The experts' random sample of a half (STANDARD §8), drawn once when the half is first assessed and kept."""
    half = half_from_dagster(context.partition_key)
    sample = draw_half_sample(zc.engine(), park_month, zc.dim_park(), half, zc.rulebook(half), zc.as_of_date, context.run.run_id)
    extra = {} if sample.eligible is None else {"eligible": sample.eligible}
    return dg.MaterializeResult(metadata=table_metadata(sample.rows, half=half, draw=sample.draw, **extra))


@dg.asset(
    group_name="assessment",
    partitions_def=half_partitions,
    ins={
        "park_month": dg.AssetIn(input_manager_key="warehouse_reader"),
        "spot_check_sample": dg.AssetIn(input_manager_key="warehouse_reader"),
    },
    deps=["dim_park", RULEBOOK],
    pool="warehouse",
    **_spec,
)
def spot_check_result(context: dg.AssetExecutionContext, zc: ZcResource, park_month: pd.DataFrame,
                      spot_check_sample: pd.DataFrame) -> dg.MaterializeResult:
    """The expert teams' on-site figures compared with the in-force CO2 (every verification row kept)."""
    half = half_from_dagster(context.partition_key)
    done = record_verifications(zc.engine(), zc.data_path, zc.receipts_dir, park_month, spot_check_sample,
                                zc.dim_park(), half, zc.rulebook(half), context.run.run_id)
    return dg.MaterializeResult(metadata=table_metadata(done.results, half=half, rejected_rows=done.rejected_rows,
                                                         file=str(done.path) if done.path else "none"))


@dg.asset(
    group_name="funding",
    partitions_def=year_partitions,
    # the year's halves, and the previous year's: its year-end removals take effect before 30 June
    ins={"park_half_assessment": dg.AssetIn(input_manager_key="warehouse_reader",
                                            partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1))},
    deps=["dim_park", "list_change", RULEBOOK],
    pool="warehouse",
    **_spec,
)
def funding_allocation(context: dg.AssetExecutionContext, zc: ZcResource,
                       park_half_assessment: pd.DataFrame) -> dg.MaterializeResult:
    """The special fund (STANDARD §10): eligibility, rates, cap, priority and allocation within the budget."""
    year = context.partition_key
    std = zc.rulebook(year)
    alloc = allocate_year(zc.engine(), zc.data_path, zc.receipts_dir, park_half_assessment, zc.dim_park(), year,
                          zc.rulebooks, context.run.run_id)
    budget = std.budget(int(year))
    spent = int(alloc["allocated_yuan"].sum()) if len(alloc) else 0
    return dg.MaterializeResult(metadata=table_metadata(alloc, year=year, budget_yuan=budget or 0, allocated_yuan=spent))
