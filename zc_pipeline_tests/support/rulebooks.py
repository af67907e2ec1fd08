"""A region's own rulebook for tests: the package's file with a new version, start and values."""
from __future__ import annotations

import re
from pathlib import Path

from zc_pipeline.standards import DEFAULT_VERSION, standard_path


def region_rulebook(data_dir: Path, version: str, effective_from: str, **values) -> Path:
    """Write `<data_dir>/standards/<version>.yaml`: the package's rulebook with `version`,
    `effective_from` and each `key=value` (keys with dots written with `__`, e.g.
    `co2__grid_electricity=0.6479`) replaced; returns the file."""
    text = standard_path(DEFAULT_VERSION).read_text(encoding="utf-8")
    text = text.replace(f"version: {DEFAULT_VERSION}", f"version: {version}", 1)
    text = re.sub(r"^effective_from: .*$", f"effective_from: {effective_from}", text, count=1, flags=re.M)
    for name, value in values.items():
        key = name.replace("__", ".")
        text, n = re.subn(rf"(\{{key: {re.escape(key)}, value: )[^,]+,", rf"\g<1>{value},", text)
        assert n == 1, f"no entry {key} in the package's rulebook"
    path = Path(data_dir) / "standards" / f"{version}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
