"""The rulebook files as a versioned, observable source: a content change shows what must be re-run."""

import hashlib
import warnings
from pathlib import Path

import dagster as dg

from zc_pipeline.standards import STANDARDS_DIR

STANDARD_FILES_KEY = dg.AssetKey("standard_files")


def standards_digest(folder: Path = STANDARDS_DIR) -> tuple[str, dict[str, str]]:
    """(sha256 over the rulebook files, {file name: its sha256})."""
    files = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.glob("*.yaml"))}
    combined = hashlib.sha256("\n".join(f"{n} {h}" for n, h in files.items()).encode()).hexdigest()
    return combined, files


def standard_files_source(folder: Path = STANDARDS_DIR, key: dg.AssetKey = STANDARD_FILES_KEY):
    """Observable source asset over the rulebook YAML files; its data version is their content hash."""

    def _standard_files():
        digest, files = standards_digest(folder)
        return dg.ObserveResult(data_version=dg.DataVersion(digest[:16]),
                                metadata={"files": dg.MetadataValue.json(files), "folder": str(folder)})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)  # observable source assets are beta; the staleness test pins it
        return dg.observable_source_asset(
            key=key,
            group_name="reference",
            description="The versioned rulebooks (factors, thresholds, weights, caps, budgets) in zc_pipeline/standards/.",
        )(_standard_files)


standard_files = standard_files_source()


def record_standard_files(instance: dg.DagsterInstance, folder: Path = STANDARDS_DIR,
                          key: dg.AssetKey = STANDARD_FILES_KEY) -> str:
    """Report an observation of the rulebook files (data version = content hash) without a run; returns it."""
    digest, files = standards_digest(folder)
    version = digest[:16]
    instance.report_runless_asset_event(
        dg.AssetObservation(asset_key=key, tags={"dagster/data_version": version},
                            metadata={"files": dg.MetadataValue.json(files), "folder": str(folder)})
    )
    return version
