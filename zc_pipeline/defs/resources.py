"""The `zc` resource: settings, rulebook, registry and warehouse engine for every asset."""

import datetime as dt
from pathlib import Path

import dagster as dg
import pandas as pd
import sqlalchemy as sa
from pydantic import PrivateAttr

from zc_pipeline.intake.registry import Registry, read_registry
from zc_pipeline.settings import parse_as_of
from zc_pipeline.standards import Rulebooks, Standard, load_rulebooks
from zc_pipeline.warehouse.bi import create_views
from zc_pipeline.warehouse.engine import create_all, make_engine


class ZcResource(dg.ConfigurableResource):
    """Where the data and the warehouse are, which rulebooks are installed and the as-of date."""

    data_dir: str
    warehouse_url: str
    warehouse_schema: str | None = None
    state_dir: str
    as_of: str = ""  # ISO date; empty = today in Asia/Shanghai
    forced_standard: str = ""  # a rulebook version forced on every period (--standard / ZC_STANDARD); empty = by date
    # `zc run` renders the Data Docs once at its end instead of after every check step
    defer_data_docs: bool = False
    _engine: sa.Engine | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._engine = self.open_engine()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def as_of_date(self) -> dt.date:
        return parse_as_of(self.as_of)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def receipts_dir(self) -> Path:
        return Path(self.state_dir) / "receipts"

    @property
    def rulebooks(self) -> Rulebooks:
        """The installed rulebooks: the package's and the data folder's `standards/` (checked when read)."""
        return load_rulebooks(self.data_path, self.forced_standard or None)

    def rulebook(self, period: str) -> Standard:
        """The rulebook a month, quarter, half or year is computed under (docs/rulebooks.md)."""
        return self.rulebooks.for_period(period)

    def open_engine(self) -> sa.Engine:
        """A new engine on the warehouse, its tables and BI views created if missing; the caller disposes it."""
        engine = make_engine(self.warehouse_url, schema=self.warehouse_schema)
        create_all(engine)
        create_views(engine, only_changed=True)  # BI reads the same views on SQLite and PostgreSQL
        return engine

    def engine(self) -> sa.Engine:
        """The run's engine (opened at setup, disposed at teardown); outside a run, opened on first use."""
        if self._engine is None:
            self._engine = self.open_engine()
        return self._engine

    def registry(self) -> Registry:
        return read_registry(self.data_path / "registry")

    def dim_park(self) -> pd.DataFrame:
        from zc_pipeline.warehouse.writer import read_table

        return read_table(self.engine(), "dim_park")
