"""The `zc` resource: settings, rulebook, registry and warehouse engine for every asset."""

import datetime as dt
from pathlib import Path

import dagster as dg
import pandas as pd
import sqlalchemy as sa

from zc_pipeline.intake.registry import Registry, read_registry
from zc_pipeline.settings import parse_as_of
from zc_pipeline.standards import DEFAULT_VERSION, Standard, load_standard
from zc_pipeline.warehouse.bi import create_views
from zc_pipeline.warehouse.engine import create_all, make_engine

_ENGINES: dict[tuple[str, str | None], sa.Engine] = {}


class ZcResource(dg.ConfigurableResource):
    """Where the data and the warehouse are, which rulebook applies and the as-of date."""

    data_dir: str
    warehouse_url: str
    warehouse_schema: str | None = None
    state_dir: str
    as_of: str = ""  # ISO date; empty = today in Asia/Shanghai
    standard_version: str = DEFAULT_VERSION
    # `zc run` renders the Data Docs once at its end instead of after every check step
    defer_data_docs: bool = False

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
    def std(self) -> Standard:
        return load_standard(self.standard_version)

    def engine(self) -> sa.Engine:
        key = (self.warehouse_url, self.warehouse_schema)
        if key not in _ENGINES:
            engine = make_engine(self.warehouse_url, schema=self.warehouse_schema)
            create_all(engine)
            create_views(engine, only_changed=True)  # BI reads the same views on SQLite and PostgreSQL
            _ENGINES[key] = engine
        return _ENGINES[key]

    def registry(self) -> Registry:
        return read_registry(self.data_path / "registry")

    def dim_park(self) -> pd.DataFrame:
        from zc_pipeline.warehouse.writer import read_table

        return read_table(self.engine(), "dim_park")
