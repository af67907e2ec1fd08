"""The one Definitions: assets, checks, jobs, schedules, sensors and resources."""
from __future__ import annotations

import warnings

import dagster as dg

from zc_pipeline.defs import (
    assessment, checks, explain, intake, lifecycle, lineage, monthly, operations, programme, reference, reminders,
    reports,
)
from zc_pipeline.defs.io import WarehouseReader
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.settings import Settings, load_settings

# the assets' code version: a new release of the rules' code marks them stale; a rulebook does
# through the data version of the rulebook in force (defs/lineage.py)
CODE_VERSION = "zc_pipeline-0.1.0"
ASSET_MODULES = (reference, intake, monthly, reminders, assessment, programme, lifecycle, explain, reports)


def build_definitions(settings: Settings | None = None, warehouse_schema: str | None = None,
                      defer_data_docs: bool = False,
                      executor: dg.ExecutorDefinition | None = dg.in_process_executor) -> dg.Definitions:
    """Definitions bound to one data folder, warehouse and as-of date (the UI and `zc run` share this).

    `defer_data_docs`: check steps leave the Data Docs pages to one `quality.gx.flush_docs` by the
    caller (`zc run` runs in one process and renders the site once, at its end).
    `executor`: in-process by default, so UI, schedule and sensor runs execute like `zc run`. A
    month's steps cannot overlap anyway (blocking schema checks gate the next asset, one warehouse
    writer at a time); intake parses in its own process pool. Dagster's default multiprocess
    executor would start a process per step, each importing the code and Great Expectations
    again, so a month would take longer for no overlap gained; and SQLite instance storage is known
    to fail under it. deploy/definitions.py passes the deployment's executor.
    """
    import os

    settings = settings or load_settings()
    zc = ZcResource(
        data_dir=str(settings.data_dir),
        warehouse_url=settings.warehouse_url,
        warehouse_schema=warehouse_schema or os.environ.get("ZC_WAREHOUSE_SCHEMA") or None,
        state_dir=str(settings.state_dir),
        as_of=settings.as_of.isoformat(),
        forced_standard=settings.forced_standard or "",
        defer_data_docs=defer_data_docs,
    )
    # every month, quarter, half and year asset reads the rulebook in force over its months (its
    # staleness follows it); the reports' trends span the longest any rulebook asks for
    books = zc.rulebooks
    trend = reports.trend_span(max(b.int("report.trend_months") for b in books.books))
    loaded = [*dg.map_asset_specs(lambda spec: trend(spec).replace_attributes(
                  code_version=CODE_VERSION), dg.load_assets_from_modules(list(ASSET_MODULES))),
              *lineage.rulebook_sources(lambda: zc.rulebooks)]
    with warnings.catch_warnings():
        # Source links in the UI are a beta API (it warns 2 + 2 per asset on every build); the
        # definitions test pins that they are attached.
        warnings.simplefilter("ignore", dg.BetaWarning)
        assets = dg.with_source_code_references(loaded)
    return dg.Definitions(
        assets=[*assets, *checks.ASSET_CHECKS],  # checks listed with the assets, so `zc run` selections include them
        jobs=operations.ALL_JOBS,
        schedules=operations.SCHEDULES,
        sensors=operations.SENSORS,
        resources={"zc": zc, "warehouse_reader": WarehouseReader(zc=zc)},
        executor=executor,
    )


defs = build_definitions()
