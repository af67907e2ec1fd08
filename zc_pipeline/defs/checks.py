"""Asset checks on every warehouse table the assets write, per partition.

Each asset's op gets one multi-asset check step: a blocking pandera `schema` check per table, then
the table's Great Expectations suite, whose expectations report to named checks
(carbon_per_energy_consistent, submission_in_force, ...). Severity and blocking are chosen in
quality/expectations.py (CHECKS) and explained in docs/quality.md. Each GX result links its Data
Docs page.
"""

import warnings

import dagster as dg

from zc_pipeline.defs.assessment import WHAT_IF_ASSETS
from zc_pipeline.defs.explain import rewritten_windows
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.partitions import (
    from_dagster_key,
    half_partitions,
    month_partitions,
    quarter_partitions,
    year_partitions,
)
from zc_pipeline.quality.expectations import CHECKS, table_checks

KINDS = {"month": month_partitions, "quarter": quarter_partitions, "half": half_partitions, "year": year_partitions}

# (check step name, assets written by one asset op — each named by its table but for ASSET_TABLES —,
# partition kind or None)
TARGETS = [
    ("registry_checks", ("dim_league_city", "dim_park"), None),
    ("ref_standard_checks", ("ref_standard",), None),
    ("intake_checks", ("landing_file", "submission", "submitted_value", "validation_issue"), "month"),
    ("park_month_checks", ("park_month",), "month"),
    ("rebound_alert_checks", ("rebound_alert", "rebound_interview"), None),
    ("list_change_checks", ("list_change",), None),
    ("cultivation_list_checks", ("cultivation_list",), None),
    ("quarter_assessment_checks", ("park_quarter_assessment", "city_quarter_summary", WHAT_IF_ASSETS["quarter"]),
     "quarter"),
    ("half_assessment_checks", ("park_half_assessment", "region_half_summary", WHAT_IF_ASSETS["half"],
                                "park_accreditation", "national_nomination", "factor_priority"), "half"),
    ("spot_check_sample_checks", ("spot_check_sample",), "half"),
    ("spot_check_result_checks", ("spot_check_result",), "half"),
    ("funding_allocation_checks", ("funding_allocation",), "year"),
    ("grade_explanation_checks", ("grade_explanation",), None),
]


# assets writing one partitioning's rows of a shared table: asset -> table
ASSET_TABLES = {asset: "park_what_if" for asset in WHAT_IF_ASSETS.values()}
# unpartitioned tables written window by window: their checks read the windows last rewritten
WINDOWED = {"grade_explanation": rewritten_windows}


def _metadata(outcome, state_dir: str) -> dict:
    from zc_pipeline.quality.gx import docs_index

    meta: dict = {}
    for key, value in outcome.metadata.items():
        if key == "data_docs":
            if value is not None:
                meta["data_docs"] = dg.MetadataValue.url(value.as_uri())
                meta["data_docs_path"] = dg.MetadataValue.path(str(value))
        elif key == "failure_cases":
            meta[key] = dg.MetadataValue.md(f"```\n{value}\n```")
        elif key == "failed_expectations":
            meta[key] = dg.MetadataValue.json(value)
        else:
            meta[key] = value
    meta["data_docs_index"] = dg.MetadataValue.path(str(docs_index(state_dir)))
    return meta


def build_checks(name: str, assets: tuple[str, ...], kind: str | None) -> dg.AssetChecksDefinition:
    partitions_def = KINDS[kind] if kind else None
    with warnings.catch_warnings():
        # Partitioned checks are a preview API; per-partition status in the UI is what auditors need.
        warnings.simplefilter("ignore", dg.PreviewWarning)
        specs = [
            dg.AssetCheckSpec(check, asset=asset, blocking=CHECKS[check].blocking,
                              description=CHECKS[check].description, partitions_def=partitions_def)
            for asset in assets
            for check in table_checks(ASSET_TABLES.get(asset, asset))
        ]

    @dg.multi_asset_check(name=name, specs=specs, can_subset=True,
                          description=f"Schema and data-quality checks of {', '.join(assets)}.")
    def _checks(context: dg.AssetCheckExecutionContext, zc: ZcResource):
        from zc_pipeline.quality.gx import flush_docs
        from zc_pipeline.quality.table_checks import check_partition

        period = from_dagster_key(context.partition_key, kind) if kind else None
        selected = context.selected_asset_check_keys
        outcomes = []
        for asset in assets:
            table = ASSET_TABLES.get(asset, asset)
            only = {k.name for k in selected if k.asset_key.to_user_string() == asset}
            if only:
                windows = WINDOWED[table](context.instance) if table in WINDOWED else None
                outcomes += [(asset, o) for o in check_partition(
                    zc.engine(), zc.state_dir, table, period, zc.rulebooks, zc.as_of_date, context.run.run_id, only,
                    build_docs=False, windows=windows)]
        if not zc.defer_data_docs:
            flush_docs(zc.state_dir)  # one Data Docs rebuild per step, before the links are shown
        for asset, o in outcomes:
            yield dg.AssetCheckResult(
                asset_key=asset, check_name=o.check, passed=o.passed,
                severity=dg.AssetCheckSeverity(o.severity), metadata=_metadata(o, zc.state_dir),
            )

    return _checks


ASSET_CHECKS = [build_checks(*t) for t in TARGETS]
