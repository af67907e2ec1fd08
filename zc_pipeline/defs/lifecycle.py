"""The programme's lifecycle (STANDARD §13): the league-cities' list changes and the cultivation list's history."""

import dagster as dg

from zc_pipeline.defs.common import RULEBOOK, table_metadata
from zc_pipeline.defs.resources import ZcResource

_spec = dict(group_name="lifecycle", kinds={"sqlalchemy", "pandas"}, owners=["team:assessment"], pool="warehouse")


@dg.asset(deps=["dim_park", "dim_league_city", dg.AssetDep(RULEBOOK.asset_key, partition_mapping=dg.AllPartitionMapping())],
          **_spec)
def list_change(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """Every row of the league-cities' list files (landing/lists/), checked: a city acts on its own registered parks."""
    from zc_pipeline.stages.lifecycle import record_list_changes
    from zc_pipeline.warehouse.writer import read_table

    cities = set(read_table(zc.engine(), "dim_league_city")["league_city_code"])
    rows = record_list_changes(zc.engine(), zc.data_path, zc.receipts_dir, zc.dim_park(), cities,
                               zc.rulebooks.in_force(zc.as_of_date), zc.as_of_date, context.run.run_id)
    counts = rows["status"].value_counts().to_dict() if len(rows) else {}
    return dg.MaterializeResult(metadata=table_metadata(rows, **{f"status_{k}": int(v) for k, v in counts.items()}))


@dg.asset(deps=["dim_park", "list_change", dg.AssetDep("park_half_assessment", partition_mapping=dg.AllPartitionMapping()),
                dg.AssetDep(RULEBOOK.asset_key, partition_mapping=dg.AllPartitionMapping())],
          **_spec)
def cultivation_list(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """The cultivation list as history: registry enrolment, city adds and removes, year-end removals enacted."""
    from zc_pipeline.stages.lifecycle import write_cultivation_list

    rows = write_cultivation_list(zc.engine(), zc.dim_park(), zc.rulebooks, context.run.run_id)
    current = rows[rows["valid_to"].isna()] if len(rows) else rows
    return dg.MaterializeResult(metadata=table_metadata(rows, on_list_now=int(current["listed"].sum()) if len(rows) else 0))
