"""Versioned rulebooks: every factor, threshold, weight, band, limit, deadline day and budget.

Several rulebooks are installed at once (the package's own and a region's `<data dir>/standards/`),
each in force from its `effective_from` (a month's first day) until the next one's: a month is
computed under the rulebook in force on its first day, a window under the one in force on its last
day (docs/rulebooks.md).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from zc_pipeline.domain.periods import month_start as period_start
from zc_pipeline.domain.periods import score_window
from zc_pipeline.errors import UserError

STANDARDS_DIR = Path(__file__).parent
DEFAULT_VERSION = "IM-ZCP-2026.1"  # the package's first rulebook: the schema a region's file is checked against
FORCED_MARK = "+forced"
# The rulebook's vocabulary (STANDARD §5, §6), the same in every version: the grades, best first
# (`grade.<letter>` is each band's minimum score, D has none), and the caps (`cap.<name>` is the
# grade each allows at best, `cap.precedence` orders them).
GRADES = ("A", "B", "C", "D")
CAPS = ("no_report", "spot_check_failed", "missing_report", "rebound_unrectified")


@dataclass(frozen=True)
class Standard:
    """One rulebook version: typed access to its entries plus its content hash."""

    version: str
    effective_from: dt.date
    entries: dict[str, dict] = field(repr=False)
    sha256: str = ""
    source_file: str = ""  # where it was read from: `zc_pipeline/standards/<file>` or `standards/<file>` of the data folder
    # forced for a what-if run (--standard / ZC_STANDARD) whatever its effective_from; its version
    # then carries FORCED_MARK, so every row computed under it says so
    forced: bool = False

    def __getitem__(self, key: str):
        try:
            return self.entries[key]["value"]
        except KeyError:
            raise KeyError(f"rulebook {self.version} has no entry {key!r}") from None

    def get(self, key: str, default=None):
        entry = self.entries.get(key)
        return default if entry is None else entry["value"]

    def for_period(self, period: str) -> Standard:
        """Itself: rules that take the installed rulebooks (`Rulebooks.for_period`) take one rulebook too."""
        return self

    def num(self, key: str) -> float:
        return float(self[key])

    def int(self, key: str) -> int:
        return int(self[key])

    def prefixed(self, prefix: str) -> dict[str, object]:
        """Entries under `prefix.` keyed by the rest of their key."""
        n = len(prefix) + 1
        return {k[n:]: e["value"] for k, e in self.entries.items() if k.startswith(prefix + ".")}

    @property
    def tce_electricity(self) -> float:
        return self.num(f"tce.electricity.{self['electricity_convention']}")

    def budget(self, year: int) -> int | None:
        value = self.get(f"funding.budget.{year}")
        return None if value is None else int(value)

    def funding_basis(self, year: int | str) -> str:
        """The half whose grades the year's fund follows, e.g. `2026-H1`."""
        return f"{year}-{self['funding.basis_half']}"

    def names(self, key: str) -> list[str]:
        """A list entry written as comma-separated names, e.g. `regional,pilot`."""
        return [t.strip() for t in str(self[key]).split(",") if t.strip()]

    def flag(self, key: str) -> bool:
        """A yes/no entry (true | false); anything else is an error, never read as true."""
        value = self[key]
        text = str(value).strip().lower()
        if text not in ("true", "false"):
            raise ValueError(f"rulebook {self.version}: entry {key!r} must be true or false, not {value!r}")
        return text == "true"

    def covered_project_types(self) -> list[str]:
        return self.names("funding.covered_types")

    def cap_precedence(self) -> list[str]:
        """The caps in the order that names one of them when two lower the grade equally (§6)."""
        return self.names("cap.precedence")

    def unit_factors(self, quantity: str) -> dict[str, float]:
        """The spellings a quantity may be written in (canonical first) -> factor to its canonical unit."""
        return {u: float(v) for u, v in self.prefixed(f"unit.{quantity}").items()}

    def to_frame(self) -> pd.DataFrame:
        """Rows of `ref_standard`."""
        return pd.DataFrame(
            [
                {
                    "standard_version": self.version,
                    "sha256": self.sha256,
                    "source_file": self.source_file,
                    "key": key,
                    "value": str(e["value"]),
                    "unit": e.get("unit", "") or "",
                    "source": e.get("source", "") or "",
                    "effective_from": _as_date(e.get("effective_from", self.effective_from)),
                }
                for key, e in self.entries.items()
            ]
        )


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def standard_path(version: str = DEFAULT_VERSION) -> Path:
    return STANDARDS_DIR / f"{version}.yaml"


class RulebookError(UserError):
    """A rulebook file that cannot be used: each line names the file and the key."""


def _region_may_add(key: str, quantities: set[str]) -> bool:
    """Keys a region may add beside the package's: a spelling of a known quantity's unit
    (`unit.<quantity>.<spelling>`) and a year's budget (`funding.budget.<YYYY>`); every other key
    must be one the package's rulebook has, so a misspelt key is an error, not a default."""
    parts = key.split(".")
    return ((len(parts) == 3 and parts[0] == "unit" and parts[1] in quantities and bool(parts[2]))
            or (len(parts) == 3 and parts[:2] == ["funding", "budget"] and len(parts[2]) == 4 and parts[2].isdigit()))


def _problems(doc, name: str, reference: Standard | None) -> list[str]:
    """Why the parsed YAML `doc` of file `name` is not a usable rulebook (empty when it is)."""
    if not isinstance(doc, dict):
        return [f"{name}: not a rulebook (a mapping with version, effective_from and entries)"]
    out = []
    version = doc.get("version")
    if not version:
        out.append(f"{name}: key 'version' is missing")
    elif Path(name).stem != str(version):
        out.append(f"{name}: key 'version' is {version!r} but the file must be named {version}.yaml")
    try:
        start = doc.get("effective_from")
        if isinstance(start, dt.datetime):  # a time of day: a rulebook takes effect on a day, not an instant
            raise ValueError(start)
        start = _as_date(start)
        if start.day != 1:
            out.append(f"{name}: key 'effective_from' is {start}; a rulebook takes effect on a month's first day")
    except (TypeError, ValueError):
        out.append(f"{name}: key 'effective_from' must be a date YYYY-MM-01, not {str(doc.get('effective_from'))!r}")
    entries = doc.get("entries")
    if not isinstance(entries, list):
        return [*out, f"{name}: key 'entries' must be a list of {{key, value, unit, source}}"]
    seen: dict[str, object] = {}
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or "key" not in entry or "value" not in entry:
            out.append(f"{name}: entry {n} needs a key and a value")
        elif entry["key"] in seen:
            out.append(f"{name}: key {entry['key']!r} appears twice")
        else:
            seen[str(entry["key"])] = entry["value"]
    precedence = sorted(c.strip() for c in str(seen.get("cap.precedence", "")).split(","))
    if "cap.precedence" in seen and precedence != sorted(CAPS):
        out.append(f"{name}: key 'cap.precedence' must name each cap once: {', '.join(CAPS)}")
    if reference is not None:
        quantities = {k.split(".")[1] for k in reference.entries if k.startswith("unit.")}
        for key in reference.entries:
            if key not in seen and not key.startswith("funding.budget."):  # each year's budget is its own
                out.append(f"{name}: key {key!r} is missing")
        for key, value in seen.items():
            if key not in reference.entries and not _region_may_add(key, quantities):
                out.append(f"{name}: key {key!r} is not a rulebook key (see {reference.version})")
            elif _is_number(reference.get(key, 0)) and not _is_number(value):
                out.append(f"{name}: key {key!r} must be a number, not {value!r}")
    return out


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _parse(text: bytes, name: str = "rulebook", reference: Standard | None = None, source_file: str = "") -> Standard:
    """The rulebook in `text`, or RulebookError listing every problem (file `name` and key)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RulebookError(f"{name}: not valid YAML{where} / 评价规则文件格式错误") from None
    problems = _problems(doc, name, reference)
    if problems:
        raise RulebookError("\n".join([f"rulebook {name} cannot be used / 评价规则文件不可用:", *problems]))
    entries = {str(e["key"]): e for e in doc["entries"]}
    return Standard(str(doc["version"]), _as_date(doc["effective_from"]), entries, hashlib.sha256(text).hexdigest(),
                    source_file)


@lru_cache(maxsize=8)
def load_standard(version: str = DEFAULT_VERSION) -> Standard:
    """Load a rulebook shipped with the package by its version."""
    path = standard_path(version)
    return _parse(path.read_bytes(), path.name, source_file=f"zc_pipeline/standards/{path.name}")


def load_standard_file(path: str | Path, reference: Standard | None = None) -> Standard:
    """A rulebook file checked against `reference` (every key it has, numbers where it has numbers)."""
    path = Path(path)
    return _parse(path.read_bytes(), path.name, reference, source_file=f"standards/{path.name}")


def base_version(version: str) -> str:
    """The rulebook version a row's `standard_version` names (a forced run's mark removed)."""
    return version.removesuffix(FORCED_MARK)


@dataclass(frozen=True)
class Rulebooks:
    """The installed rulebooks, in effective order, and the one a period is computed under."""

    books: tuple[Standard, ...]
    forced_version: str | None = None
    folder: str = ""  # the region's standards/ folder the books were read from, if any

    def __post_init__(self):
        if self.forced_version is not None:
            self.get(self.forced_version)

    def get(self, version: str) -> Standard:
        for book in self.books:
            if book.version == base_version(version):
                return book
        installed = ", ".join(b.version for b in self.books)
        raise RulebookError(f"no rulebook {version!r} is installed; installed: {installed} / 没有该版本的评价规则")

    def in_force(self, day: dt.date) -> Standard:
        """The rulebook whose effective_from is the latest on or before `day` (the forced one if any)."""
        if self.forced_version is not None:
            return dataclasses.replace(self.get(self.forced_version),
                                       version=base_version(self.forced_version) + FORCED_MARK, forced=True)
        found = [b for b in self.books if b.effective_from <= day]
        if not found:
            raise RulebookError(f"no rulebook is in force on {day}: the earliest takes effect on "
                                f"{self.books[0].effective_from} / {day} 没有生效的评价规则")
        return found[-1]

    def for_period(self, period: str) -> Standard:
        """A month's rulebook is the one in force on its first day; a quarter's, half's or year's the
        one in force on its last day (rulebooks take effect on a month's first day, so the rulebook
        of the window's last month)."""
        return self.in_force(period_start(score_window(period)[-1]))

    def to_frame(self) -> pd.DataFrame:
        """Rows of `ref_standard`: every installed version."""
        return pd.concat([b.to_frame() for b in self.books], ignore_index=True)

    def digest(self) -> str:
        """One hash over the installed files and the forced version (the unpartitioned assets' source version)."""
        text = "\n".join(f"{b.source_file} {b.sha256}" for b in self.books) + f"\nforced {self.forced_version}"
        return hashlib.sha256(text.encode()).hexdigest()


def check_new(installed: Rulebooks, path: Path) -> tuple[Standard, str, str | None]:
    """(the rulebook in `path`, the first month it would govern, the last or None) once installed
    beside `installed` — the same checks `load_rulebooks` makes, on the set it would then read;
    RulebookError naming file and key when it cannot be. A file already installed (in the region's
    folder) is checked as itself, not as a second copy."""
    book = load_standard_file(path, load_standard(DEFAULT_VERSION))
    itself = bool(installed.folder) and Path(path).resolve().parent == Path(installed.folder).resolve()
    others = [b for b in installed.books if not (itself and b.source_file == book.source_file)]
    problems = _conflicts([*others, dataclasses.replace(book, source_file=Path(path).name)])  # named as given
    if problems:
        raise RulebookError("\n".join([f"rulebook {path.name} cannot be installed / 评价规则文件不可安装:", *problems]))
    later = [b.effective_from for b in others if b.effective_from > book.effective_from]
    last = None
    if later:
        day = min(later) - dt.timedelta(days=1)
        last = f"{day.year:04d}-{day.month:02d}"
    return book, f"{book.effective_from.year:04d}-{book.effective_from.month:02d}", last


def _conflicts(books: list[Standard]) -> list[str]:
    """Two files of one version, or two in force from one day: one line per clash, naming the files."""
    problems = []
    for attr in ("version", "effective_from"):
        by: dict[object, list[str]] = {}
        for b in books:
            by.setdefault(getattr(b, attr), []).append(b.source_file)
        problems += [f"{' and '.join(files)}: key '{attr}' is {value} in both" for value, files in by.items()
                     if len(files) > 1]
    return problems


def load_rulebooks(data_dir: Path | None = None, forced: str | None = None) -> Rulebooks:
    """The package's rulebooks and the region's `<data_dir>/standards/*.yaml`, each checked against the
    package's default; a broken file, two files of one version or two in force from one day is a
    RulebookError naming the files, and nothing runs on them."""
    return _load_rulebooks(str(data_dir) if data_dir else "", _folder_state(data_dir), forced or None)


def _folder_state(data_dir: Path | None) -> tuple:
    """What the cache of `_load_rulebooks` is keyed on: the region's files and their content (a
    change time can stay the same across an edit: a copy keeping times, two writes in one tick)."""
    folder = Path(data_dir) / "standards" if data_dir else None
    if folder is None or not folder.is_dir():
        return ()
    return tuple((f.name, hashlib.sha256(f.read_bytes()).hexdigest()) for f in sorted(folder.glob("*.yaml")))


@lru_cache(maxsize=8)
def _load_rulebooks(data_dir: str, _state: tuple, forced: str | None) -> Rulebooks:
    reference = load_standard(DEFAULT_VERSION)
    books = [load_standard(p.stem) for p in sorted(STANDARDS_DIR.glob("*.yaml"))]
    if data_dir and (Path(data_dir) / "standards").is_dir():
        books += [load_standard_file(f, reference) for f in sorted((Path(data_dir) / "standards").glob("*.yaml"))]
    problems = _conflicts(books)
    if problems:
        raise RulebookError("\n".join(["rulebooks in conflict / 评价规则文件相互冲突:", *problems]))
    folder = Path(data_dir) / "standards" if data_dir else None
    return Rulebooks(tuple(sorted(books, key=lambda b: b.effective_from)), forced,
                     str(folder) if folder is not None and folder.is_dir() else "")
