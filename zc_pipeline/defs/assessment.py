"""Assessment layer: the league-city's quarterly evaluation and the region's mid-year / year-end assessment."""

import datetime as dt

import dagster as dg
import pandas as pd

from zc_pipeline.defs.common import table_metadata
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.partitions import half_from_dagster, half_partitions, quarter_from_dagster, quarter_partitions
from zc_pipeline.standards import load_standard
from zc_pipeline.warehouse.writer import append_grade_history, replace_partition

STD = load_standard()
_spec = dict(group_name="assessment", kinds={"sqlalchemy", "pandas"}, owners=["team:assessment"],
             code_version=STD.sha256[:16])

# A quarter reads every month up to its end: the scores need its three months (and m-1 of the first,
# for its rebounds), city_quarter_summary.open_rebounds every alert open or overdue at its end,
# whatever the alert's month. So a re-run month makes every later quarter stale. The offset (in
# quarters) reaches the first partition (2025-01) from any quarter up to 2040-Q1; the mapping stops there.
QUARTER_MONTHS = dg.TimeWindowPartitionMapping(start_offset=-4 * 15)
# A half reads the 18 months ending with it: H2 scores Jan–Dec and January's rebound needs last December.
HALF_MONTHS = dg.TimeWindowPartitionMapping(start_offset=-2)
QUARTER_DEPS = ["dim_park", dg.AssetDep("park_month", partition_mapping=QUARTER_MONTHS)]
HALF_DEPS = [
    "dim_park",
    dg.AssetDep("park_month", partition_mapping=HALF_MONTHS),
    "park_quarter_assessment",
    "spot_check_sample",
    "spot_check_result",
]


# Both windows write rows of the one table park_what_if; an asset has one partitioning, so one asset per window kind.
WHAT_IF_ASSETS = {"quarter": "park_quarter_what_if", "half": "park_half_what_if"}
WHAT_IF_DESCRIPTION = ("{}: per park, the green share or carbon per energy that alone would reach the next better "
                       "grade (rows of the park_what_if table, written with the assessment).")
WHAT_IF_TABLE = {"dagster/table_name": "park_what_if"}


def _grade_rows(rows: pd.DataFrame, level: str, period_col: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "park_code": rows["park_code"],
            "level": level,
            "period": rows[period_col],
            "grade": rows["grade"],
            "score": rows["score"],
            "standard_version": rows["standard_version"],
            "run_id": rows["run_id"],
        }
    )


def _registry_sha(dim_park: pd.DataFrame) -> str | None:
    if "registry_sha256" in dim_park and len(dim_park):
        return str(dim_park["registry_sha256"].iloc[0])
    return None


def write_assessment(engine, park_table: str, park_rows: pd.DataFrame, summary_table: str, summary_rows: pd.DataFrame,
                     period_col: str, period: str, level: str, what_if_rows: pd.DataFrame | None = None) -> int:
    """Replace the window's rows (and its what-if rows) and append changed grades to grade_history in one transaction."""
    with engine.begin() as conn:
        replace_partition(conn, park_table, park_rows, {period_col: period})
        replace_partition(conn, summary_table, summary_rows, {period_col: period})
        if what_if_rows is not None:
            replace_partition(conn, "park_what_if", what_if_rows, {"period": period})
        if park_rows.empty:
            return 0
        return append_grade_history(conn, _grade_rows(park_rows, level, period_col), dt.datetime.now(dt.timezone.utc))


def publish(context: dg.AssetExecutionContext, zc: ZcResource, level: str, period: str, parks: pd.DataFrame,
            summary: pd.DataFrame, dim_park: pd.DataFrame, park_table: str, summary_table: str,
            what_if: pd.DataFrame):
    """Stamp the window's rows with this run and the registry, write them, and report the three assets."""
    run_id = context.run.run_id
    parks = parks.assign(run_id=run_id, registry_sha256=_registry_sha(dim_park))
    summary = summary.assign(run_id=run_id)
    what_if = what_if.assign(run_id=run_id)
    appended = write_assessment(zc.engine(), park_table, parks, summary_table, summary, level, period, level, what_if)
    grades = parks["grade"].value_counts().to_dict() if len(parks) else {}
    yield dg.MaterializeResult(
        asset_key=park_table,
        metadata=table_metadata(parks, **{level: period}, as_of=str(zc.as_of_date), grade_history_appended=appended,
                                **{f"grade_{k}": int(v) for k, v in grades.items()}),
    )
    yield dg.MaterializeResult(asset_key=summary_table, metadata=table_metadata(summary, **{level: period}))
    yield dg.MaterializeResult(asset_key=WHAT_IF_ASSETS[level],
                               metadata=table_metadata(what_if, **{level: period}))


@dg.multi_asset(
    specs=[
        dg.AssetSpec("park_quarter_assessment", description="Each park's quarterly evaluation: measures, score, grade, cap, rank in city.", deps=QUARTER_DEPS, **_spec),
        dg.AssetSpec("city_quarter_summary", description="Each league-city's quarter: parks, grades, sums, open rebounds.", deps=QUARTER_DEPS, **_spec),
        dg.AssetSpec(WHAT_IF_ASSETS["quarter"], description=WHAT_IF_DESCRIPTION.format("Quarters"), deps=QUARTER_DEPS,
                     metadata=WHAT_IF_TABLE, **_spec),
    ],
    ins={"park_month": dg.AssetIn(input_manager_key="warehouse_reader")},
    partitions_def=quarter_partitions,
    pool="warehouse",
)
def quarter_assessment(context: dg.AssetExecutionContext, zc: ZcResource, park_month: pd.DataFrame):
    """The league-city's quarterly evaluation (STANDARD §4–§7), once the quarter's last deadline has passed."""
    from zc_pipeline.domain.scoring import assess_quarter
    from zc_pipeline.domain.what_if import what_if_window

    quarter = quarter_from_dagster(context.partition_key)
    dim_park = zc.dim_park()
    parks, cities = assess_quarter(park_month, dim_park, quarter, zc.std, zc.as_of_date)
    what_if = what_if_window(park_month, dim_park, quarter, zc.std, zc.as_of_date)
    yield from publish(context, zc, "quarter", quarter, parks, cities, dim_park,
                       "park_quarter_assessment", "city_quarter_summary", what_if)


@dg.multi_asset(
    specs=[
        dg.AssetSpec("park_half_assessment", description="Mid-year (H1) and year-end (H2, Jan–Dec) assessment of each park, with outcomes.", deps=HALF_DEPS, **_spec),
        dg.AssetSpec("region_half_summary", description="The region's half: parks, grades, sums, nominations, removals.", deps=HALF_DEPS, **_spec),
        dg.AssetSpec(WHAT_IF_ASSETS["half"], description=WHAT_IF_DESCRIPTION.format("Halves"), deps=HALF_DEPS,
                     metadata=WHAT_IF_TABLE, **_spec),
    ],
    ins={
        "park_month": dg.AssetIn(input_manager_key="warehouse_reader"),
        "park_quarter_assessment": dg.AssetIn(input_manager_key="warehouse_reader"),
        "spot_check_sample": dg.AssetIn(input_manager_key="warehouse_reader"),
        "spot_check_result": dg.AssetIn(input_manager_key="warehouse_reader"),
    },
    partitions_def=half_partitions,
    pool="warehouse",
)
def half_assessment(context: dg.AssetExecutionContext, zc: ZcResource, park_month: pd.DataFrame,
                    park_quarter_assessment: pd.DataFrame, spot_check_sample: pd.DataFrame,
                    spot_check_result: pd.DataFrame):
    """The region's mid-year evaluation (H1) or year-end assessment (H2) with spot-check caps and outcomes."""
    from zc_pipeline.domain.scoring import assess_half
    from zc_pipeline.domain.spot_checks import park_status
    from zc_pipeline.domain.what_if import what_if_window

    half = half_from_dagster(context.partition_key)
    dim_park = zc.dim_park()
    status = park_status(half, spot_check_sample, spot_check_result)
    failed = frozenset(status.loc[status["spot_check"] == "fail", "park_code"])
    parks, region = assess_half(park_month, dim_park, half, zc.std, zc.as_of_date,
                                spot_check_failed=failed, quarter_rows=park_quarter_assessment)
    if len(parks):
        parks["spot_check"] = parks["park_code"].map(status.set_index("park_code")["spot_check"]).fillna("not_sampled")
    what_if = what_if_window(park_month, dim_park, half, zc.std, zc.as_of_date, spot_check_failed=failed)
    yield from publish(context, zc, "half", half, parks, region, dim_park, "park_half_assessment", "region_half_summary",
                       what_if)
