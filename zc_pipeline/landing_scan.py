"""Which landing partitions changed, by content (pure: no Dagster).

Every file is routed to the partition whose run reads it: `landing/<YYYY-MM>/*` -> that month,
`landing/verifications/<YYYY>-H<n>.csv` -> that half, `landing/funding/<YYYY>.csv` -> that year,
every file of `landing/lists/` and `landing/interviews/` -> the unpartitioned lifecycle run of its folder.
A partition's digest is the SHA-256 of the sorted set of its files' content hashes, so a file
touched but unchanged, or the same content copied or moved to another name within the partition,
leaves the digest (and the run key) unchanged. Hashing is the expensive part: a file whose
(size, mtime_ns) equals the stat cache's entry reuses the cached hash.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from zc_pipeline.domain.periods import is_month
from zc_pipeline.intake.ids import file_sha256

_HALF_FILE = re.compile(r"^(\d{4})-H([12])\.csv$", re.IGNORECASE)
_YEAR_FILE = re.compile(r"^(\d{4})\.csv$", re.IGNORECASE)
LIFECYCLE_FOLDERS = ("lists", "interviews")  # FILES.md §6: read whole by lifecycle_job

# stat cache: relative path -> [size, mtime_ns, sha256]
StatCache = dict[str, list]


@dataclass(frozen=True)
class Partition:
    kind: str  # month | half | year | lifecycle
    period: str  # warehouse key: 2026-03 | 2026-H1 | 2026; lifecycle: the folder (lists | interviews)

    @property
    def key(self) -> str:
        """Cursor key, e.g. `month:2026-03`."""
        return f"{self.kind}:{self.period}"


@dataclass
class Scan:
    digests: dict[str, str]  # Partition.key -> digest of its files' contents
    cache: StatCache
    hashed: list[str] = field(default_factory=list)  # files whose content was read this time
    ignored: list[str] = field(default_factory=list)  # files that route nowhere


def route(relative: str) -> Partition | None:
    """Partition a landing file (path relative to the landing folder) belongs to, or None."""
    parts = relative.split("/")
    if len(parts) != 2 or parts[1].startswith((".", "~$")):
        return None
    folder, name = parts
    if is_month(folder):
        return Partition("month", folder)
    if folder == "verifications" and (m := _HALF_FILE.match(name)):
        return Partition("half", f"{m.group(1)}-H{m.group(2)}")
    if folder == "funding" and (m := _YEAR_FILE.match(name)):
        return Partition("year", m.group(1))
    if folder in LIFECYCLE_FOLDERS:
        return Partition("lifecycle", folder)  # every file of the folder is read each time (a wrong one: L001/I001)
    return None


def _files(landing_dir: Path) -> list[Path]:
    if not landing_dir.is_dir():
        return []
    top = list(landing_dir.iterdir())
    return sorted([p for p in top if p.is_file()] + [p for d in top if d.is_dir() for p in d.iterdir() if p.is_file()])


def scan(landing_dir: Path, cache: StatCache | None = None) -> Scan:
    """Digest of every partition in the landing folder; hash only files whose size or mtime_ns moved."""
    cache = cache or {}
    new_cache: StatCache = {}
    hashes: dict[str, set[str]] = {}
    result = Scan({}, new_cache)
    for path in _files(landing_dir):
        rel = path.relative_to(landing_dir).as_posix()
        part = route(rel)
        if part is None:
            if not path.name.startswith((".", "~$")):
                result.ignored.append(rel)
            continue
        st = path.stat()
        old = cache.get(rel)
        if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            sha = old[2]
        else:
            sha = file_sha256(path)
            result.hashed.append(rel)
        new_cache[rel] = [st.st_size, st.st_mtime_ns, sha]
        hashes.setdefault(part.key, set()).add(sha)
    result.digests = {k: digest(v) for k, v in sorted(hashes.items())}
    return result


def digest(content_hashes: set[str]) -> str:
    """One partition's content digest (short: it goes into run keys and the cursor)."""
    return hashlib.sha256("\n".join(sorted(content_hashes)).encode()).hexdigest()[:16]


def parse_partition_key(key: str) -> Partition:
    kind, period = key.split(":", 1)
    return Partition(kind, period)


def load_json(text: str | None) -> dict:
    return json.loads(text) if text else {}


def dump_json(value: dict) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
