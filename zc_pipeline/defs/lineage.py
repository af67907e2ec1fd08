"""The rulebooks as versioned, observable sources: a change shows exactly what must be re-run.

`standard_files` stands for every installed rulebook file (ref_standard reads them all);
`rulebook_in_force` is partitioned by month, its data version the hash of the rulebook that month
is computed under. Every month, quarter, half and year asset reads the months it covers, so a new
or changed rulebook marks stale exactly the months it governs and the windows over them, and
nothing else (docs/rulebooks.md).
"""

import warnings
from collections.abc import Callable

import dagster as dg
from dagster._core.definitions.data_version import extract_data_version_from_entry

from zc_pipeline.partitions import month_partitions
from zc_pipeline.standards import FORCED_MARK, Rulebooks, Standard

STANDARD_FILES_KEY = dg.AssetKey("standard_files")
RULEBOOK_IN_FORCE_KEY = dg.AssetKey("rulebook_in_force")


def files_metadata(rulebooks: Rulebooks) -> dict:
    return {"files": dg.MetadataValue.json({b.source_file: b.sha256 for b in rulebooks.books}),
            "forced": rulebooks.forced_version or ""}


def data_version(book: Standard) -> str:
    """A month's data version: its rulebook's content hash, marked when forced."""
    return f"{book.sha256[:16]}{FORCED_MARK if book.forced else ''}"


def _quiet(build):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)  # observable source assets are beta; the staleness test pins it
        return build()


def rulebook_sources(rulebooks: Callable[[], Rulebooks]) -> list[dg.SourceAsset]:
    """The two observable sources over the rulebooks `rulebooks()` reads (when the UI observes them)."""

    def _standard_files():
        books = rulebooks()
        return dg.ObserveResult(data_version=dg.DataVersion(books.digest()[:16]), metadata=files_metadata(books))

    def _rulebook_in_force(context):
        books = rulebooks()
        keys = month_partitions.get_partition_keys(dynamic_partitions_store=context.instance)
        return dg.DataVersionsByPartition({m: dg.DataVersion(data_version(books.for_period(m))) for m in keys})

    files = _quiet(lambda: dg.observable_source_asset(
        key=STANDARD_FILES_KEY, group_name="reference",
        description="Every installed rulebook (factors, thresholds, weights, caps, budgets): the package's "
                    "zc_pipeline/standards/ and the data folder's standards/.",
    )(_standard_files))
    in_force = _quiet(lambda: dg.observable_source_asset(
        key=RULEBOOK_IN_FORCE_KEY, group_name="reference", partitions_def=month_partitions,
        description="The rulebook each month is computed under: the latest effective_from on or before "
                    "the month's first day (or the one forced by --standard).",
    )(_rulebook_in_force))
    return [files, in_force]


def record_rulebooks(instance: dg.DagsterInstance, rulebooks: Rulebooks, months: list[str]) -> dict[str, str]:
    """Report observations of both sources without a run (what `zc run` does first), each month's
    only when its version changed; returns {month: version} of the months reported."""
    instance.report_runless_asset_event(dg.AssetObservation(
        asset_key=STANDARD_FILES_KEY, tags={"dagster/data_version": rulebooks.digest()[:16]},
        metadata=files_metadata(rulebooks)))
    reported = {}
    for month in months:
        book = rulebooks.for_period(month)
        version = data_version(book)
        latest = instance.get_latest_data_version_record(RULEBOOK_IN_FORCE_KEY, is_source=True, partition_key=month)
        if latest is None or extract_data_version_from_entry(latest.event_log_entry) != dg.DataVersion(version):
            instance.report_runless_asset_event(dg.AssetObservation(
                asset_key=RULEBOOK_IN_FORCE_KEY, partition=month, tags={"dagster/data_version": version},
                metadata={"standard_version": book.version}))
            reported[month] = version
    return reported
