"""Run settings from environment or flags: data folder, warehouse URL, state folder, as-of date."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Shanghai")
DEMO_AS_OF = dt.date(2026, 7, 15)  # after June 2026's deadline: the demo's output never moves


def today_shanghai() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def parse_as_of(value: str | dt.date | None) -> dt.date:
    if value is None or value == "":
        return today_shanghai()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    state_dir: Path
    warehouse_url: str
    as_of: dt.date

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def registry_dir(self) -> Path:
        return self.data_dir / "registry"

    @property
    def receipts_dir(self) -> Path:
        return self.state_dir / "receipts"


def load_settings(data_dir=None, warehouse_url=None, as_of=None, state_dir=None) -> Settings:
    state = Path(state_dir or os.environ.get("ZC_STATE_DIR") or ".zc_state").resolve()
    data = Path(data_dir or os.environ.get("ZC_DATA_DIR") or "sample_data").resolve()
    url = warehouse_url or os.environ.get("ZC_WAREHOUSE_URL") or f"sqlite:///{state / 'warehouse.sqlite'}"
    return Settings(data, state, url, parse_as_of(as_of or os.environ.get("ZC_AS_OF")))
