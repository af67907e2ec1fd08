"""Synthetic regions from the sample generator, cached under bench/.cache/<size>-<seed>/."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from zc_pipeline.domain.periods import add_months, month_range

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
FIRST_MONTH = "2025-01"


def months_of_region(months: int) -> list[str]:
    return month_range(FIRST_MONTH, add_months(FIRST_MONTH, months - 1))


def region(parks: int, seed: int, months: int, cache_dir: Path = CACHE_DIR) -> Path:
    """A region of `parks` parks over `months` months from 2025-01; generated once, then reused."""
    from tools.samplegen.generate import generate_region

    span = months_of_region(months)
    name = f"{parks}-{seed}" if months == 12 else f"{parks}-{seed}-{months}m"
    out = cache_dir / name
    stamp = out / ".complete"
    wanted = {"parks": parks, "seed": seed, "first": span[0], "last": span[-1]}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return out
    shutil.rmtree(out, ignore_errors=True)
    # at >= 500 parks the generator sends the extra parks to batch CSV (writing 120k workbooks
    # would take longer than reading them); the core parks keep their workbooks
    generate_region(out, parks=parks, seed=seed, first=span[0], last=span[-1])
    stamp.write_text(json.dumps(wanted))
    return out
