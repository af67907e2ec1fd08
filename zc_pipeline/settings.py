"""Run settings from environment or flags: data folder, warehouse URL, state folder, as-of date, rulebook."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from zc_pipeline.domain.periods import TIMEZONE
from zc_pipeline.errors import UserError
from zc_pipeline.standards import load_rulebooks

DEMO_AS_OF = dt.date(2026, 7, 15)  # after June 2026's deadline: the demo's output never moves


def today_shanghai() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def parse_as_of(value: str | dt.date | None) -> dt.date:
    if value is None or value == "":
        return today_shanghai()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"as-of date {str(value)!r} is not a date: write YYYY-MM-DD (--as-of or ZC_AS_OF) / "
                        f"基准日期应写作 YYYY-MM-DD") from None


def state_path(state_dir=None) -> Path:
    """The state folder (warehouse, receipts, Dagster instance, logs): flag, ZC_STATE_DIR or `.zc_state`."""
    return Path(state_dir or os.environ.get("ZC_STATE_DIR") or ".zc_state").resolve()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    state_dir: Path
    warehouse_url: str
    as_of: dt.date
    data_dir_named: bool = False  # given by flag or ZC_DATA_DIR, not the `sample_data` default
    forced_standard: str | None = None  # one rulebook forced on every period (--standard / ZC_STANDARD)

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def registry_dir(self) -> Path:
        return self.data_dir / "registry"

    @property
    def receipts_dir(self) -> Path:
        return self.state_dir / "receipts"

    @property
    def has_registry(self) -> bool:
        """True when a registry is there to read: a data folder was named, or the default one has one."""
        return self.data_dir_named or (self.registry_dir / "parks.csv").exists()


def load_settings(data_dir=None, warehouse_url=None, as_of=None, state_dir=None, standard=None) -> Settings:
    """The settings from flags, else the environment, else defaults. The rulebooks are read and
    checked here, so a broken or conflicting rulebook file, or an unknown `--standard`, stops the
    command before anything runs."""
    state = state_path(state_dir)
    named = data_dir or os.environ.get("ZC_DATA_DIR")
    data = Path(named or "sample_data").resolve()
    url = warehouse_url or os.environ.get("ZC_WAREHOUSE_URL") or f"sqlite:///{state / 'warehouse.sqlite'}"
    forced = (standard or os.environ.get("ZC_STANDARD") or "").strip() or None
    load_rulebooks(data, forced)
    return Settings(data, state, url, parse_as_of(as_of or os.environ.get("ZC_AS_OF")), bool(named), forced)
