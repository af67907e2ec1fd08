"""Spot checks (half partitions) and the special fund (year partitions)."""
import dagster as dg
import pandas as pd

from zc_pipeline.defs.common import table_metadata
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.domain.windows import window_is_due
from zc_pipeline.partitions import half_from_dagster, half_partitions, months_of, year_partitions
from zc_pipeline.standards import load_standard
from zc_pipeline.warehouse.writer import read_table, replace_partition

STD = load_standard()
_spec = dict(kinds={"sqlalchemy", "pandas"}, owners=["team:assessment"], code_version=STD.sha256[:16])


@dg.asset(
    group_name="assessment",
    partitions_def=half_partitions,
    ins={"park_month": dg.AssetIn(input_manager_key="warehouse_reader")},  # the half's own six months
    deps=["rebound_alert", "validation_issue", "dim_park"],
    pool="warehouse",
    **_spec,
)
def spot_check_sample(context: dg.AssetExecutionContext, zc: ZcResource, park_month: pd.DataFrame) -> dg.MaterializeResult:
    """The experts' random sample of a half (STANDARD §8), drawn once when the half is first assessed and kept."""
    from zc_pipeline.domain.spot_checks import draw_sample, risk_weights

    half = half_from_dagster(context.partition_key)
    engine = zc.engine()
    kept = read_table(engine, "spot_check_sample", where={"half": half})
    if len(kept) or not window_is_due(half, zc.as_of_date, zc.std):
        why = "kept: drawn earlier" if len(kept) else "not due yet"
        return dg.MaterializeResult(metadata=table_metadata(kept, half=half, draw=why))
    months = months_of(half)
    alerts = read_table(engine, "rebound_alert")
    warnings = read_table(engine, "validation_issue", where={"period": months, "severity": "warning"})
    weights = risk_weights(half, park_month, alerts, warnings, zc.std, dim_park=zc.dim_park())
    sample = draw_sample(half, weights, zc.std).assign(run_id=context.run.run_id)
    with engine.begin() as conn:
        replace_partition(conn, "spot_check_sample", sample, {"half": half})
    return dg.MaterializeResult(metadata=table_metadata(sample, half=half, draw="drawn now", eligible=len(weights)))


@dg.asset(
    group_name="assessment",
    partitions_def=half_partitions,
    ins={
        "park_month": dg.AssetIn(input_manager_key="warehouse_reader"),
        "spot_check_sample": dg.AssetIn(input_manager_key="warehouse_reader"),
    },
    deps=["dim_park"],
    pool="warehouse",
    **_spec,
)
def spot_check_result(context: dg.AssetExecutionContext, zc: ZcResource, park_month: pd.DataFrame,
                      spot_check_sample: pd.DataFrame) -> dg.MaterializeResult:
    """The expert teams' on-site figures compared with the in-force CO2 (every verification row kept)."""
    from zc_pipeline.domain.spot_checks import verify
    from zc_pipeline.intake.programme_files import read_verification_file
    from zc_pipeline.stages.programme_intake import record_programme_file

    half = half_from_dagster(context.partition_key)
    engine = zc.engine()
    path = zc.data_path / "landing" / "verifications" / f"{half}.csv"
    results = pd.DataFrame()
    rejected_rows = 0
    with engine.begin() as conn:
        if path.exists():
            in_force = set(zip(park_month["park_code"], park_month["period"]))
            parsed = read_verification_file(path, half=half, registry=zc.dim_park(), in_force=in_force, std=zc.std)
            record_programme_file(conn, path, zc.data_path, "verification", half, parsed, context.run.run_id,
                                  receipts_dir=zc.receipts_dir)
            accepted = parsed.rows[parsed.rows["status"] == "accepted"]
            rejected_rows = int((parsed.rows["status"] == "rejected").sum())
            results = verify(half, spot_check_sample, accepted, park_month, zc.std, dim_park=zc.dim_park())
            results["run_id"] = context.run.run_id
        replace_partition(conn, "spot_check_result", results, {"half": half})
    return dg.MaterializeResult(metadata=table_metadata(results, half=half, rejected_rows=rejected_rows,
                                                         file=str(path) if path.exists() else "none"))


@dg.asset(
    group_name="funding",
    partitions_def=year_partitions,
    ins={"park_half_assessment": dg.AssetIn(input_manager_key="warehouse_reader")},
    deps=["dim_park"],
    pool="warehouse",
    **_spec,
)
def funding_allocation(context: dg.AssetExecutionContext, zc: ZcResource,
                       park_half_assessment: pd.DataFrame) -> dg.MaterializeResult:
    """The special fund (STANDARD §10): eligibility, rates, cap, priority and allocation within the budget."""
    from zc_pipeline.domain.funding import allocate
    from zc_pipeline.intake.programme_files import read_funding_file
    from zc_pipeline.stages.programme_intake import record_programme_file

    year = context.partition_key
    engine = zc.engine()
    path = zc.data_path / "landing" / "funding" / f"{year}.csv"
    alloc = pd.DataFrame()
    with engine.begin() as conn:
        if path.exists():
            parsed = read_funding_file(path, year=year, registry=zc.dim_park(), std=zc.std)
            record_programme_file(conn, path, zc.data_path, "funding", year, parsed, context.run.run_id,
                                  receipts_dir=zc.receipts_dir)
            accepted = parsed.rows[parsed.rows["status"] == "accepted"]
            h1 = park_half_assessment[park_half_assessment["half"] == f"{year}-H1"]
            alloc = allocate(year, accepted, zc.dim_park(), h1, zc.std)
            alloc["year"] = str(year)
            alloc["run_id"] = context.run.run_id
        replace_partition(conn, "funding_allocation", alloc, {"year": str(year)})
    budget = zc.std.budget(int(year))
    spent = int(alloc["allocated_yuan"].sum()) if len(alloc) else 0
    return dg.MaterializeResult(metadata=table_metadata(alloc, year=year, budget_yuan=budget or 0, allocated_yuan=spent))
