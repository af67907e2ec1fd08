"""Shared fixtures: a fresh warehouse on SQLite and on PostgreSQL (`.ci/pg.sh start`)."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from zc_pipeline.warehouse.engine import create_all, make_engine

PG_URL_ENV = "ZC_TEST_PG_URL"
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
_pg_reachable: dict[str, str | None] = {}  # url -> None if reachable, else the error


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pg: needs the PostgreSQL test server (.ci/pg.sh start)")


@dataclass(frozen=True)
class WarehouseTarget:
    url: str
    schema: str | None  # PostgreSQL only: this test's own schema

    @property
    def backend(self) -> str:
        return "postgresql" if self.schema else "sqlite"


def pg_admin_engine(url: str) -> sa.Engine:
    """Plain engine on the test server (no schema translation), for setup and teardown."""
    return sa.create_engine(url, connect_args={"connect_timeout": 3}, poolclass=sa.NullPool)


def _require_pg(url: str) -> None:
    if url not in _pg_reachable:
        try:
            with pg_admin_engine(url).connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            _pg_reachable[url] = None
        except Exception as exc:  # any failure to connect means "no server"
            _pg_reachable[url] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    error = _pg_reachable[url]
    if error:
        message = f"PostgreSQL not reachable at {url} ({error}); run .ci/pg.sh start"
        if os.environ.get("ZC_REQUIRE_PG") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def warehouse_target(request, tmp_path, monkeypatch) -> Iterator[WarehouseTarget]:
    """An empty warehouse location; on PostgreSQL a fresh schema `zc_t_<random>`, dropped afterwards.

    ZC_WAREHOUSE_SCHEMA is set to that schema, so `make_engine(url)` finds it too.
    """
    if request.param == "sqlite":
        monkeypatch.delenv("ZC_WAREHOUSE_SCHEMA", raising=False)
        yield WarehouseTarget(f"sqlite:///{tmp_path / 'warehouse.sqlite'}", None)
        return
    url = os.environ.get(PG_URL_ENV) or PG_DEFAULT_URL
    _require_pg(url)
    schema = f"zc_t_{secrets.token_hex(6)}"
    monkeypatch.setenv("ZC_WAREHOUSE_SCHEMA", schema)
    yield WarehouseTarget(url, schema)
    admin = pg_admin_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def warehouse_url(warehouse_target: WarehouseTarget) -> str:
    """URL of an empty warehouse (parametrized: sqlite, postgresql)."""
    return warehouse_target.url


@pytest.fixture
def warehouse_engine(warehouse_target: WarehouseTarget) -> Iterator[sa.Engine]:
    """Engine on a warehouse with every table created."""
    engine = make_engine(warehouse_target.url, warehouse_target.schema)
    create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def warehouse_env(warehouse_target: WarehouseTarget, monkeypatch, tmp_path) -> WarehouseTarget:
    """ZC_WAREHOUSE_URL / ZC_WAREHOUSE_SCHEMA / ZC_STATE_DIR point at this test's warehouse."""
    monkeypatch.setenv("ZC_WAREHOUSE_URL", warehouse_target.url)
    if warehouse_target.schema:
        monkeypatch.setenv("ZC_WAREHOUSE_SCHEMA", warehouse_target.schema)
    monkeypatch.setenv("ZC_STATE_DIR", str(tmp_path / "state"))
    return warehouse_target
