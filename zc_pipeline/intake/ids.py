"""Stable identifiers: file digests, submission ids and issue ids."""
from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# A monthly file's record without a line (a workbook, a rejected file) has always been hashed with
# this mark; kept, so that the ids stored in every warehouse stay what they are.
NO_LINE = "<NA>"


def submission_id(source_sha256: str, source_row: int | str | None) -> str:
    """Stable id of one submission: the file's digest and its CSV line (`NO_LINE` for a monthly
    file's record without one; None for a programme file's file-level record)."""
    row = "" if source_row is None else source_row
    return hashlib.sha256(f"{source_sha256}|{row}".encode()).hexdigest()[:24]
