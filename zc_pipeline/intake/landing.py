"""The `landing_file` rows: every file the pipeline has seen, registered before anything reads it."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd


def text_name(name: str) -> str:
    """A file name as text that any database or workbook can store. A name that is not UTF-8 on
    disk (a zip unpacked from a Chinese Windows machine: GBK bytes) reads as GB18030; bytes that
    neither decodes are shown as \\xNN escapes."""
    raw = os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="backslashreplace")


def relative_path(path: Path, data_dir: Path) -> str:
    """The file's path inside the data folder (POSIX), or its absolute path when it lies outside."""
    try:
        return text_name(path.resolve().relative_to(data_dir.resolve()).as_posix())
    except ValueError:
        return text_name(path.resolve().as_posix())


def landing_file_frame(files: Mapping[Path, str], data_dir: Path, kind: str,
                       now: dt.datetime | None = None) -> pd.DataFrame:
    """One `landing_file` row per file ({path: SHA-256}), all first seen at `now` (default: UTC now)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    paths = list(files)
    return pd.DataFrame({
        "source_sha256": [files[p] for p in paths],
        "source_file": [relative_path(Path(p), data_dir) for p in paths],
        "size_bytes": [Path(p).stat().st_size for p in paths],
        "first_seen_at": [now] * len(paths),
        "kind": [kind] * len(paths),
    })
