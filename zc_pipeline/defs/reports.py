"""Reports for people: league-city quarterly workbooks, the region's half-year bulletin, park report
cards and rectification notices — files under `<state folder>/reports/`, listed in report_file."""
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pandas as pd

from zc_pipeline.defs.common import RULEBOOK
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.partitions import half_from_dagster, half_partitions, quarter_from_dagster, quarter_partitions

# Every report asset writes files and their rows of the one table report_file.
GROUP = "reports"
_spec = dict(group_name=GROUP, owners=["team:reports"], pool="warehouse",
             metadata={"dagster/table_name": "report_file"})
LISTED_FILES = 5  # up to this many files each get a path entry of their own in the metadata

TREND_SOURCE = dg.AssetKey("park_month")
WINDOW_MONTHS = ((quarter_partitions, 3), (half_partitions, 6))


def trend_span(months: int) -> Callable[[dg.AssetSpec], dg.AssetSpec]:
    """A spec mapper giving each report that charts a trend its months: the last `months` (the
    rulebooks' `report.trend_months`) ending with the window. The windows before it are read too,
    so re-running one of those months marks the report stale. Set where the definitions are built
    with the installed rulebooks."""

    def widen(spec: dg.AssetSpec) -> dg.AssetSpec:
        per_window = next((n for window, n in WINDOW_MONTHS if spec.partitions_def == window), None)
        if spec.group_name != GROUP or per_window is None or TREND_SOURCE not in {d.asset_key for d in spec.deps}:
            return spec
        span = dg.TimeWindowPartitionMapping(start_offset=1 - months // per_window)
        return spec.replace_attributes(deps=[dg.AssetDep(d.asset_key, partition_mapping=span)
                                             if d.asset_key == TREND_SOURCE else d for d in spec.deps])

    return widen


def files_metadata(rows: pd.DataFrame, state_dir: str, **extra) -> dict:
    """Where the files are, for the UI: a linked list, the folder, and each file when there are few."""
    root = Path(state_dir).resolve()
    meta: dict = {"dagster/row_count": dg.MetadataValue.int(len(rows))}
    if len(rows):
        lines = ["| file | sha256 |", "|---|---|"]
        lines += [f"| [{path}]({(root / path).as_uri()}) | `{sha[:16]}` |" for path, sha in zip(rows["path"], rows["sha256"])]
        meta["files"] = dg.MetadataValue.md("\n".join(lines))
        meta["folder"] = dg.MetadataValue.path(str(root / Path(rows["path"].iloc[0]).parent))
        if len(rows) <= LISTED_FILES:
            for path in rows["path"]:
                meta[Path(path).name] = dg.MetadataValue.path(str(root / path))
    meta.update(extra)
    return meta


@dg.asset(
    partitions_def=quarter_partitions,
    deps=["park_quarter_assessment", "city_quarter_summary", "park_quarter_what_if", "rebound_alert", "missing_report",
          "dim_park", "dim_league_city", "park_month", RULEBOOK],
    kinds={"excel"},
    **_spec,
)
def city_quarter_workbook(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """Each league-city's quarterly evaluation workbook (xlsx): ranked parks, native charts, rebounds, missing reports, what-if."""
    from zc_pipeline.stages.reports import city_quarter_workbooks

    quarter = quarter_from_dagster(context.partition_key)
    rows = city_quarter_workbooks(zc.engine(), Path(zc.state_dir), quarter, zc.rulebook(quarter), zc.as_of_date, context.run.run_id)
    return dg.MaterializeResult(metadata=files_metadata(rows, zc.state_dir, quarter=quarter))


@dg.asset(
    partitions_def=half_partitions,
    deps=["park_half_assessment", "region_half_summary", "spot_check_sample", "spot_check_result",
          "park_quarter_assessment", "funding_allocation", "dim_park", "dim_league_city",
          "park_month", RULEBOOK],
    kinds={"html"},
    **_spec,
)
def region_bulletin(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """The region's mid-year (H1) or year-end (H2) bulletin: one self-contained, printable HTML file with inline SVG charts."""
    from zc_pipeline.stages.reports import region_bulletin as build

    half = half_from_dagster(context.partition_key)
    rows = build(zc.engine(), Path(zc.state_dir), half, zc.rulebook(half), zc.as_of_date, context.run.run_id)
    return dg.MaterializeResult(metadata=files_metadata(rows, zc.state_dir, half=half))


@dg.asset(
    partitions_def=half_partitions,
    deps=["park_half_assessment", "park_half_what_if", "dim_park", "dim_league_city",
          "park_month", RULEBOOK],
    kinds={"html"},
    **_spec,
)
def park_report_card(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """Each park's one-page report card for the half: months against threshold and target path, grade history, what-if."""
    from zc_pipeline.stages.reports import park_report_cards

    half = half_from_dagster(context.partition_key)
    rows = park_report_cards(zc.engine(), Path(zc.state_dir), half, zc.rulebook(half), zc.as_of_date, context.run.run_id)
    return dg.MaterializeResult(metadata=files_metadata(rows, zc.state_dir, half=half))


@dg.asset(deps=["rebound_alert", "dim_park", "dim_league_city",
                dg.AssetDep(RULEBOOK.asset_key, partition_mapping=dg.AllPartitionMapping())], kinds={"docx"}, **_spec)
def rectification_notice(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """A rectification notice (整改通知, docx) per rebound alert, with its status as the alert table holds it."""
    from zc_pipeline.stages.reports import rectification_notices

    rows = rectification_notices(zc.engine(), Path(zc.state_dir), zc.rulebooks, context.run.run_id)
    counts = rows["period"].value_counts().sort_index().to_dict() if len(rows) else {}
    return dg.MaterializeResult(metadata=files_metadata(rows, zc.state_dir, alerts_by_month=dg.MetadataValue.json(counts)))
