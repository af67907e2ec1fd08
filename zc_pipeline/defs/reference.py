"""Reference layer: the registry (league-cities, parks) and the rulebook in force."""

from pathlib import Path

import dagster as dg

from zc_pipeline.defs.common import table_metadata
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.intake.landing import landing_file_frame
from zc_pipeline.intake.registry import RegistryError
from zc_pipeline.warehouse.writer import insert_new, replace_partition



@dg.multi_asset(
    specs=[
        dg.AssetSpec("dim_league_city", group_name="reference", kinds={"sqlalchemy", "pandas"},
                     description="The 12 league-cities (盟市) with their GB/T 2260 codes.", owners=["team:data"]),
        dg.AssetSpec("dim_park", group_name="reference", kinds={"sqlalchemy", "pandas"},
                     description="Enrolled parks: category, scope, cultivation list, enrolment and baselines.",
                     owners=["team:data"]),
    ],
    pool="warehouse",
)
def registry_tables(context: dg.AssetExecutionContext, zc: ZcResource):
    """Read and validate the registry; a registry with errors stops the run with every problem listed."""
    try:
        reg = zc.registry()
    except RegistryError as exc:
        context.log.error(str(exc))
        raise dg.Failure(
            description="registry rejected / 园区登记表有误", metadata={"issues": dg.MetadataValue.md(exc.issues.to_markdown(index=False))}
        ) from exc
    parks = reg.parks.assign(registry_sha256=reg.sha256)
    files = landing_file_frame({Path(path): sha for path, sha in reg.files.items()}, zc.data_path, "registry")
    engine = zc.engine()
    with engine.begin() as conn:
        replace_partition(conn, "dim_league_city", reg.league_cities, {})
        replace_partition(conn, "dim_park", parks, {})
        insert_new(conn, "landing_file", files)
    yield dg.MaterializeResult(asset_key="dim_league_city", metadata=table_metadata(reg.league_cities))
    yield dg.MaterializeResult(
        asset_key="dim_park", metadata=table_metadata(reg.parks, registry_sha256=reg.sha256)
    )


@dg.asset(group_name="reference", kinds={"sqlalchemy", "pandas"}, owners=["team:data"],
          deps=["standard_files"], pool="warehouse")
def ref_standard(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """Every factor, threshold, weight, band, limit and budget of the rulebook in force, with unit and source."""
    books = zc.rulebooks
    frame = books.to_frame()
    with zc.engine().begin() as conn:
        replace_partition(conn, "ref_standard", frame, {})  # the installed versions, no more
    return dg.MaterializeResult(metadata=table_metadata(
        frame, standards=dg.MetadataValue.json({b.version: {"effective_from": b.effective_from.isoformat(),
                                                             "file": b.source_file, "sha256": b.sha256}
                                                for b in books.books})))
