"""Synthetic regions from the sample generator, cached under bench/.cache/ (one folder per parameter set)."""
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
    span = months_of_region(months)
    name = f"{parks}-{seed}" if months == 12 else f"{parks}-{seed}-{months}m"
    # at >= 500 parks the generator sends the extra parks to batch CSV (writing 120k workbooks
    # would take longer than reading them); the core parks keep their workbooks
    return _cached(cache_dir / name, {"parks": parks, "seed": seed, "first": span[0], "last": span[-1]})


def workbook_region(parks: int, seed: int, first: str, last: str, cache_dir: Path = CACHE_DIR) -> Path:
    """The realistic month: every park sends its own workbook (csv_share=0; only the generator's
    pinned CSV parks keep their batch file). Cached apart from `region`'s CSV-heavy regions."""
    return _cached(cache_dir / f"{parks}-{seed}-workbooks-{first}-{last}",
                   {"parks": parks, "seed": seed, "first": first, "last": last, "csv_share": 0})


def _cached(out: Path, wanted: dict) -> Path:
    """`generate_region(out, **wanted)` unless `out` holds a complete region made with `wanted`."""
    from tools.samplegen.generate import generate_region

    stamp = out / ".complete"
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return out
    shutil.rmtree(out, ignore_errors=True)
    generate_region(out, **wanted)
    stamp.write_text(json.dumps(wanted))
    return out
