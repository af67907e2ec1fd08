"""Assessment layer: the league-city's quarterly evaluation and the region's mid-year / year-end assessment."""

import dagster as dg
import pandas as pd

from zc_pipeline.defs.common import RULEBOOK, table_metadata
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.partitions import half_from_dagster, half_partitions, quarter_from_dagster, quarter_partitions
from zc_pipeline.stages.assessment import WINDOW_TABLES, WindowRows, assess_half_window, assess_quarter_window

_spec = dict(group_name="assessment", kinds={"sqlalchemy", "pandas"}, owners=["team:assessment"])

# A quarter reads every month up to its end: the scores need its three months (and m-1 of the first,
# for its rebounds), city_quarter_summary.open_rebounds every alert open or overdue at its end,
# whatever the alert's month. So a re-run month makes every later quarter stale. The offset (in
# quarters) reaches the first partition (2025-01) from any quarter up to 2040-Q1; the mapping stops there.
QUARTER_MONTHS = dg.TimeWindowPartitionMapping(start_offset=-4 * 15)
# A half reads the 18 months ending with it: H2 scores Jan–Dec and January's rebound needs last December.
HALF_MONTHS = dg.TimeWindowPartitionMapping(start_offset=-2)
QUARTER_DEPS = ["dim_park", dg.AssetDep("park_month", partition_mapping=QUARTER_MONTHS), RULEBOOK, "rebound_interview"]
HALF_DEPS = [
    "dim_park",
    RULEBOOK,
    dg.AssetDep("park_month", partition_mapping=HALF_MONTHS),
    "park_quarter_assessment",
    "spot_check_sample",
    "spot_check_result",
    "list_change",
    # The list on a half's last day includes the removals enacted from the year-end assessments before
    # it (STANDARD §13): a half reads the two halves before it, so a re-assessed year end makes the next
    # year's outcomes, removals enacted and priority tiers stale.
    dg.AssetDep("park_half_assessment", partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-2, end_offset=-1)),
]
LIFECYCLE_SPECS = {
    "park_accreditation": "Year-end (H2) only: each park accredited or not, with the criteria it failed.",
    "national_nomination": "Year-end (H2) only: the parks nominated for the national list, accredited first.",
    "factor_priority": "Each half: the list's parks by priority tier for energy, land and water quotas.",
}


# Both windows write rows of the one table park_what_if; an asset has one partitioning, so one asset per window kind.
WHAT_IF_ASSETS = {"quarter": "park_quarter_what_if", "half": "park_half_what_if"}
WHAT_IF_DESCRIPTION = ("{}: per park, the green share or carbon per energy that alone would reach the next better "
                       "grade (rows of the park_what_if table, written with the assessment).")
WHAT_IF_TABLE = {"dagster/table_name": "park_what_if"}


def publish(zc: ZcResource, level: str, period: str, rows: WindowRows):
    """The three assets' reports of what the window's stage wrote (stages/assessment.py)."""
    park_table, summary_table = WINDOW_TABLES[level]
    grades = rows.parks["grade"].value_counts().to_dict() if len(rows.parks) else {}
    yield dg.MaterializeResult(
        asset_key=park_table,
        metadata=table_metadata(rows.parks, **{level: period}, as_of=str(zc.as_of_date),
                                grade_history_appended=rows.grades_appended,
                                **{f"grade_{k}": int(v) for k, v in grades.items()}),
    )
    yield dg.MaterializeResult(asset_key=summary_table, metadata=table_metadata(rows.summary, **{level: period}))
    yield dg.MaterializeResult(asset_key=WHAT_IF_ASSETS[level], metadata=table_metadata(rows.what_if, **{level: period}))


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
    quarter = quarter_from_dagster(context.partition_key)
    rows = assess_quarter_window(zc.engine(), park_month, zc.dim_park(), quarter, zc.rulebooks, zc.as_of_date,
                                 context.run.run_id)
    yield from publish(zc, "quarter", quarter, rows)


@dg.multi_asset(
    specs=[
        dg.AssetSpec("park_half_assessment", description="Mid-year (H1) and year-end (H2, Jan–Dec) assessment of each park, with outcomes.", deps=HALF_DEPS, **_spec),
        dg.AssetSpec("region_half_summary", description="The region's half: parks, grades, sums, nominations, removals.", deps=HALF_DEPS, **_spec),
        dg.AssetSpec(WHAT_IF_ASSETS["half"], description=WHAT_IF_DESCRIPTION.format("Halves"), deps=HALF_DEPS,
                     metadata=WHAT_IF_TABLE, **_spec),
        *(dg.AssetSpec(name, description=text, deps=HALF_DEPS, **{**_spec, "group_name": "lifecycle"})
          for name, text in LIFECYCLE_SPECS.items()),
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
    """The region's mid-year evaluation (H1) or year-end assessment (H2) with spot-check caps and outcomes, and
    the lifecycle tables they decide: factor priority (each half), accreditation and nominations (year end)."""
    half = half_from_dagster(context.partition_key)
    rows = assess_half_window(zc.engine(), park_month, zc.dim_park(), half, zc.rulebooks, zc.as_of_date, context.run.run_id,
                              park_quarter_assessment, spot_check_sample, spot_check_result)
    yield from publish(zc, "half", half, rows)
    for name in LIFECYCLE_SPECS:
        written = rows.lifecycle.get(name)
        yield dg.MaterializeResult(asset_key=name, metadata=table_metadata(
            written if written is not None else pd.DataFrame(), half=half,
            note="written" if written is not None else "mid-year: the table is decided at year end"))
