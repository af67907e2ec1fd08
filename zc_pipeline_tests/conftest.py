"""Shared fixtures: a fresh warehouse on SQLite and on PostgreSQL (`.ci/pg.sh start`)."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from zc_pipeline.warehouse.engine import create_all, make_engine

PG_URL_ENV = "ZC_TEST_PG_URL"
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
BROKER_URL_ENV = "ZC_TEST_BROKER_URL"
BROKER_DEFAULT_URL = "redis://127.0.0.1:56379/0"  # .ci/redis.sh
_pg_reachable: dict[str, str | None] = {}  # url -> None if reachable, else the error


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pg: needs the PostgreSQL test server (.ci/pg.sh start)")
    config.addinivalue_line("markers", "broker: needs the Redis test broker (.ci/redis.sh start)")
    config.addinivalue_line("markers", "long_first: a long test, collected first so xdist starts it at once")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long tests first: xdist hands out files in collection order, so the two longest chains
    (the PostgreSQL sample run, the SQLite sample run) start together on the two workers."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("long_first") else 1)  # stable


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


def require_broker() -> str:
    """The test broker's URL (ZC_TEST_BROKER_URL or .ci/redis.sh's); skip when it does not answer,
    fail instead under ZC_REQUIRE_BROKER=1 (CI)."""
    url = os.environ.get(BROKER_URL_ENV) or BROKER_DEFAULT_URL
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:  # no client, no server, refused: all mean "no broker"
        message = (f"Redis broker not reachable at {url} ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''});"
                   " run .ci/redis.sh start")
        if os.environ.get("ZC_REQUIRE_BROKER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def std():
    """The rulebook (IM-ZCP-2026.1), for intake and stage tests."""
    from zc_pipeline.standards import load_standard

    return load_standard()


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


# --- the sample region run once per test session (tests using it share an xdist group) -----------

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


@dataclass(frozen=True)
class PipelineRun:
    settings: object  # zc_pipeline.settings.Settings
    engine: sa.Engine
    result: dict


def run_sample_pipeline(state_dir, warehouse_url: str | None = None, data_dir=SAMPLE_DIR, as_of=None,
                        first=None, last=None, warehouse_schema=None, standard=None) -> PipelineRun:
    """`zc run` in-process on a data folder with its own state dir and Dagster instance
    (`standard`: `--standard`, one rulebook forced on every period)."""
    from zc_pipeline.runner import run_pipeline
    from zc_pipeline.settings import DEMO_AS_OF, load_settings

    os.environ["DAGSTER_HOME"] = str(state_dir / "dagster_home")
    settings = load_settings(data_dir=data_dir, as_of=as_of or DEMO_AS_OF, state_dir=state_dir,
                             warehouse_url=warehouse_url or f"sqlite:///{state_dir / 'warehouse.sqlite'}",
                             standard=standard)
    result = run_pipeline(settings, first=first, last=last, echo=lambda *_: None, warehouse_schema=warehouse_schema)
    return PipelineRun(settings, make_engine(settings.warehouse_url, schema=warehouse_schema), result)


def _session_dir(tmp_path_factory) -> Path:
    """A folder shared by every xdist worker of this test session (the session's own basetemp alone)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> PipelineRun:
    """The committed sample region through `zc run` with the demo as-of date, on SQLite.

    Run once per test session: the first worker to ask runs it under a file lock, the others wait
    and open the same state. `make test` distributes whole files (`--dist loadfile`), so a test
    module's module-scoped fixtures are built once too.
    """
    from filelock import FileLock

    from zc_pipeline.settings import DEMO_AS_OF, load_settings

    state = _session_dir(tmp_path_factory) / "sample_run"
    old = os.environ.get("DAGSTER_HOME")
    try:
        with FileLock(str(state) + ".lock"):
            done = state / ".complete"
            if done.exists():
                settings = load_settings(data_dir=SAMPLE_DIR, as_of=DEMO_AS_OF, state_dir=state,
                                         warehouse_url=f"sqlite:///{state / 'warehouse.sqlite'}")
                run = PipelineRun(settings, make_engine(settings.warehouse_url), {})
            else:
                state.mkdir(parents=True, exist_ok=True)
                run = run_sample_pipeline(state)
                done.touch()
        yield run
    finally:
        if old is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = old


@pytest.fixture
def bi_role(warehouse_target):
    """A fresh login-role name for a read-only BI role; the role and its schema are dropped afterwards."""
    role = f"zc_bi_{secrets.token_hex(4)}"
    yield role
    if warehouse_target.backend != "postgresql":
        return
    admin = pg_admin_engine(warehouse_target.url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{warehouse_target.schema}" CASCADE'))
        if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
    admin.dispose()
