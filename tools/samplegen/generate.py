"""One call that writes a whole sample region: registry, landing files and MANIFEST.json."""
from __future__ import annotations

import json
import random
from pathlib import Path

from tools.samplegen.csv_batches import write_csvs
from tools.samplegen.expectations import Estimator, manifest_of
from tools.samplegen.programme import write_funding, write_interviews, write_lists, write_verifications
from tools.samplegen.region import Region, build_region, physical_truth, set_baselines, write_registry
from tools.samplegen.submissions import plan_submissions, resolve
from zc_pipeline.domain.periods import month_range


def generate_region(out_dir, *, parks: int = 36, seed: int = 20260101, first: str = "2025-01",
                    last: str = "2026-06", csv_share: float | None = None) -> dict:
    """Write registry/, landing/ and MANIFEST.json under out_dir; return the manifest."""
    out = Path(out_dir)
    rng = random.Random(seed)
    months = month_range(first, last)
    if not months:
        raise ValueError("empty month range")
    R = Region(out, build_region(rng, parks, csv_share), months, rng)
    physical_truth(R, seed)
    set_baselines(R, seed)
    write_registry(R)
    plan_submissions(R)
    write_csvs(R)
    resolve(R)
    est = Estimator(R)
    verifications = write_verifications(R, est)
    spot_fail = {h: {fr["park"] for fr in v["failing_rows"] if fr["sampled_predicted"]}
                 for h, v in verifications.items()}
    lists, city_changes = write_lists(R)
    funding = write_funding(R, est, spot_fail, city_changes)
    lifecycle = {"lists": lists, "interviews": write_interviews(R, est)}
    manifest = manifest_of(R, est, seed, first, last, csv_share, verifications, funding, spot_fail, lifecycle)
    (out / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1,
                                                  sort_keys=False) + "\n", encoding="utf-8")
    return manifest
