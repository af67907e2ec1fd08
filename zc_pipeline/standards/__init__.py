"""Versioned rulebooks: every factor, threshold, weight, band, limit, deadline day and budget."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

STANDARDS_DIR = Path(__file__).parent
DEFAULT_VERSION = "IM-ZCP-2026.1"
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

    def __getitem__(self, key: str):
        try:
            return self.entries[key]["value"]
        except KeyError:
            raise KeyError(f"rulebook {self.version} has no entry {key!r}") from None

    def get(self, key: str, default=None):
        entry = self.entries.get(key)
        return default if entry is None else entry["value"]

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

    def covered_project_types(self) -> list[str]:
        return [t.strip() for t in str(self["funding.covered_types"]).split(",") if t.strip()]

    def cap_precedence(self) -> list[str]:
        """The caps in the order that names one of them when two lower the grade equally (§6)."""
        return [c.strip() for c in str(self["cap.precedence"]).split(",") if c.strip()]

    def unit_factors(self, quantity: str) -> dict[str, float]:
        """The spellings a quantity may be written in (canonical first) -> factor to its canonical unit."""
        return {u: float(v) for u, v in self.prefixed(f"unit.{quantity}").items()}

    def to_frame(self) -> pd.DataFrame:
        """Rows of `ref_standard`."""
        return pd.DataFrame(
            [
                {
                    "standard_version": self.version,
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


def _parse(text: bytes) -> Standard:
    doc = yaml.safe_load(text)
    entries: dict[str, dict] = {}
    for entry in doc["entries"]:
        if entry["key"] in entries:
            raise ValueError(f"duplicate rulebook entry {entry['key']!r}")
        entries[entry["key"]] = entry
    precedence = [c.strip() for c in str(entries.get("cap.precedence", {}).get("value", "")).split(",")]
    if sorted(precedence) != sorted(CAPS):
        raise ValueError(f"rulebook entry 'cap.precedence' must name each cap once: {', '.join(CAPS)}")
    return Standard(str(doc["version"]), _as_date(doc["effective_from"]), entries, hashlib.sha256(text).hexdigest())


@lru_cache(maxsize=8)
def load_standard(version: str = DEFAULT_VERSION) -> Standard:
    """Load a rulebook shipped with the package by its version."""
    return _parse(standard_path(version).read_bytes())


def load_standard_file(path: str | Path) -> Standard:
    return _parse(Path(path).read_bytes())
