"""Two runs at once, in OS processes: months on SQLite and PostgreSQL (warehouse and instance), and
the warehouse writes two runs share (creating the warehouse, refreshing the reference tables)."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from tools.samplegen.region import LEAGUE_CITIES
from zc_pipeline.definitions import build_definitions
from zc_pipeline.runner import REPO_DAGSTER_YAML
from zc_pipeline.settings import load_settings
from zc_pipeline.warehouse.engine import create_all, make_engine
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import dump_sorted, insert_new, read_table, replace_partition
from zc_pipeline_tests.conftest import PG_DEFAULT_URL, PG_URL_ENV, SAMPLE_DIR, _require_pg, pg_admin_engine
from zc_pipeline_tests.deployment import DEPLOY_DIR, dagster_pg_env

WORKER = Path(__file__).with_name("_month_worker.py")
MONTHS = ["2026-01", "2026-02"]


def test_two_processes_two_months_no_lock_errors(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_DAGSTER_YAML, home / "dagster.yaml")  # the project's instance: SQLite storage, pools
    # The instance exists before runs are launched (as under `zc ui` or after any `zc run`): two
    # processes creating a brand-new SQLite instance at once would race in its schema migrations.
    dg.DagsterInstance.from_config(str(home)).dispose()
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    procs = [
        subprocess.Popen([sys.executable, str(WORKER), m, str(SAMPLE_DIR), url, str(tmp_path / "state"), str(barrier),
                          str(len(MONTHS))], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for m in MONTHS
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert "database is locked" not in out + err
        assert p.returncode == 0, err[-3000:]
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert all(r["success"] for r in reports)
    # the runs really overlapped in time
    assert max(r["started"] for r in reports) < min(r["ended"] for r in reports)
    engine = make_engine(url)
    assert set(read_table(engine, "park_month")["period"]) == set(MONTHS)
    assert set(read_table(engine, "submission")["period"].dropna()) >= set(MONTHS)


# --- two runs of different months started together: both succeed, tables as if run one after the other ---
TOGETHER = Path(__file__).with_name("_together.py")
AS_OF = "2026-05-15"  # after April's deadline: February's run also assesses Q1, April's completes no window
# Not neighbours: a month's 10x warnings compare it with the month before, so February then March
# differs from March then February even one after the other.
APART = ["2026-02", "2026-04"]
ZC_ENV = ("DAGSTER_HOME", "ZC_DATA_DIR", "ZC_STATE_DIR", "ZC_WAREHOUSE_URL", "ZC_WAREHOUSE_SCHEMA", "ZC_AS_OF",
          "ZC_EXECUTOR")


def together(tmp_path: Path, commands: list[list[str]], env: dict[str, str]) -> list[dict]:
    """Start `_together.py` once per command, all released at the same moment; their JSON reports."""
    barrier = Path(tempfile.mkdtemp(dir=tmp_path, prefix="barrier"))
    base = {k: v for k, v in os.environ.items() if k not in ZC_ENV}
    procs = [subprocess.Popen([sys.executable, str(TOGETHER), str(barrier), str(len(commands)), *c],
                              env={**base, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c in commands]
    try:
        # longer than zc run's own limit on a pool wait (ZC_POOL_WAIT_SECONDS, 600 s): its message shows
        outputs = [p.communicate(timeout=900) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    reports = []
    for command, p, (out, err) in zip(commands, procs, outputs):
        assert p.returncode == 0, f"{command} failed:\n{out[-3000:]}\n{err[-3000:]}"
        reports.append(json.loads(out.strip().splitlines()[-1]))
    if len(reports) > 1:  # the runs really overlapped
        assert max(r["started"] for r in reports) < min(r["ended"] for r in reports)
    return reports


def one_after_the_other(tmp_path: Path, commands: list[list[str]], env: dict[str, str]) -> None:
    for command in commands:
        together(tmp_path, [command], env)


def dump(engine: sa.Engine, name: str):
    """A table's rows sorted, without what differs between two runs of the same data: run ids and times."""
    table = TABLES[name]
    volatile = ["run_id", *(c.name for c in table.columns if isinstance(c.type, sa.DateTime))]
    return dump_sorted(engine, name, drop=volatile)


def assert_same_tables(engine: sa.Engine, expected: sa.Engine, at_least: int = 10) -> None:
    filled = 0
    for name in sorted(TABLES):
        got, want = dump(engine, name), dump(expected, name)
        assert got.equals(want), f"{name}: two runs at once differ from the same runs one after the other"
        filled += bool(len(want))
    assert filled >= at_least  # reference, intake, monthly facts, reminders (and Q1 for `zc run`) have rows


def alembic_heads(url: str) -> int:
    """Rows of a Dagster storage's alembic_version table: more than one and the storage cannot be opened."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def sqlite_storages(home: Path) -> list[Path]:
    """The SQLite databases of the project's Dagster instance (dagster.yaml: the default storage)."""
    return [home / "history" / "runs.db", home / "history" / "runs" / "index.db", home / "schedules" / "schedules.db"]


def test_zc_commands_started_together_on_a_new_state_folder_create_one_instance(tmp_path):
    """Four `zc` commands at the same moment on a state folder that does not exist yet: each prepares
    DAGSTER_HOME and opens its instance; the SQLite storage is created once, with one schema version."""
    state = tmp_path / "state"
    together(tmp_path, [["instance"]] * 4, {"ZC_DATA_DIR": str(SAMPLE_DIR), "ZC_STATE_DIR": str(state)})
    home = state / "dagster_home"
    assert (home / "dagster.yaml").read_bytes() == REPO_DAGSTER_YAML.read_bytes()
    for db in sqlite_storages(home):
        assert alembic_heads(f"sqlite:///{db}") == 1, db
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_runs() == []


@pytest.mark.long_first
def test_two_zc_runs_on_a_new_state_folder_on_sqlite(tmp_path):
    """Two `zc run`s of different months at once on a state folder that does not exist yet (no instance,
    no warehouse), then again on it: both succeed each time, the instance stays usable and the
    warehouse equals that of the same runs one after the other."""
    runs = [["zc", "run", "--from", m, "--to", m] for m in APART]
    env = {"ZC_DATA_DIR": str(SAMPLE_DIR), "ZC_AS_OF": AS_OF}
    state, baseline = tmp_path / "state", tmp_path / "one_after_the_other"
    one_after_the_other(tmp_path, runs, {**env, "ZC_STATE_DIR": str(baseline)})
    expected = make_engine(f"sqlite:///{baseline / 'warehouse.sqlite'}")

    together(tmp_path, runs, {**env, "ZC_STATE_DIR": str(state)})
    home = state / "dagster_home"
    for db in sqlite_storages(home):
        assert alembic_heads(f"sqlite:///{db}") == 1, db
    engine = make_engine(f"sqlite:///{state / 'warehouse.sqlite'}")
    assert_same_tables(engine, expected)

    together(tmp_path, runs, {**env, "ZC_STATE_DIR": str(state)})  # an existing state folder
    assert_same_tables(engine, expected)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs_done = instance.get_runs()
        assert runs_done and {r.status for r in runs_done} == {dg.DagsterRunStatus.SUCCESS}


@pytest.fixture
def pg_deployment(tmp_path):
    """On the test server: a new database for the Dagster instance and two warehouse schema names
    (runs at once, runs one after the other), all dropped afterwards."""
    url = os.environ.get(PG_URL_ENV) or PG_DEFAULT_URL
    _require_pg(url)
    token = secrets.token_hex(6)
    deployment = SimpleNamespace(url=url, instance_db=f"zc_dagster_t_{token}", together=f"zc_t_{token}",
                                 one_after_the_other=f"zc_t_{token}_seq")
    admin = pg_admin_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{deployment.instance_db}"'))
    try:
        yield deployment
    finally:
        with admin.connect() as conn:
            for schema in (deployment.together, deployment.one_after_the_other):
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{deployment.instance_db}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.pg
@pytest.mark.long_first
def test_two_month_jobs_at_once_on_postgresql(pg_deployment, tmp_path, monkeypatch):
    """The deployment's path: month jobs of two months launched together on a new state folder, an
    empty PostgreSQL warehouse and a new PostgreSQL instance (deploy/dagster.postgres.yaml: four
    warehouse writers at a time), under the multiprocess executor (a process per step: the first
    steps of both runs create the warehouse at once), then again in process on that state. Both
    succeed each time, and the warehouse equals that of the same jobs run one after the other."""
    pg = pg_deployment
    state = tmp_path / "state"
    home = state / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(DEPLOY_DIR / "dagster.postgres.yaml", home / "dagster.yaml")
    instance_env = dagster_pg_env(pg.url, pg.instance_db)
    env = {"ZC_DATA_DIR": str(SAMPLE_DIR), "ZC_AS_OF": AS_OF, "ZC_WAREHOUSE_URL": pg.url, **instance_env}
    jobs = [["job", m] for m in APART]
    together(tmp_path, jobs, {**env, "ZC_STATE_DIR": str(state), "DAGSTER_HOME": str(home),
                              "ZC_WAREHOUSE_SCHEMA": pg.together, "ZC_EXECUTOR": "multiprocess"})
    baseline = tmp_path / "one_after_the_other"
    one_after_the_other(tmp_path, jobs, {**env, "ZC_STATE_DIR": str(baseline), "ZC_EXECUTOR": "in_process",
                                         "ZC_WAREHOUSE_SCHEMA": pg.one_after_the_other})
    engine, expected = make_engine(pg.url, pg.together), make_engine(pg.url, pg.one_after_the_other)
    try:
        assert_same_tables(engine, expected, at_least=8)
        instance_url = sa.make_url(pg.url).set(drivername="postgresql+psycopg", database=pg.instance_db)
        assert alembic_heads(instance_url) == 1

        together(tmp_path, jobs, {**env, "ZC_STATE_DIR": str(state), "DAGSTER_HOME": str(home),
                                  "ZC_WAREHOUSE_SCHEMA": pg.together, "ZC_EXECUTOR": "in_process"})
        assert_same_tables(engine, expected, at_least=8)
        for name, value in instance_env.items():
            monkeypatch.setenv(name, value)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            runs = instance.get_runs()
            assert len(runs) == 4 and {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
    finally:
        engine.dispose()
        expected.dispose()


# --- the warehouse writes two runs share ---------------------------------------------------------
CITIES = pd.DataFrame(LEAGUE_CITIES, columns=["league_city_code", "name_zh", "name_en"])


def while_open(engine: sa.Engine, first, second) -> tuple[bool, object]:
    """`first(conn)` in a transaction kept open while `second()` starts in another thread; then commit.

    Returns whether `second` was still waiting a second later, and its result.
    """
    with ThreadPoolExecutor(1) as pool:
        with engine.begin() as conn:
            first(conn)
            later = pool.submit(second)
            time.sleep(1.0)
            waited = not later.done()
        return waited, later.result(timeout=60)


def test_two_refreshes_of_a_reference_table_at_once_take_turns(warehouse_engine):
    """Two runs refreshing dim_league_city together (delete the table's rows, insert the registry's):
    the second waits for the first, and the table ends as the second wrote it, nothing left over."""
    replace_partition(warehouse_engine, "dim_league_city", CITIES, {})
    first, second = CITIES.iloc[:10], CITIES.iloc[1:]  # two registries, each without some city
    waited, inserted = while_open(
        warehouse_engine,
        lambda conn: replace_partition(conn, "dim_league_city", first, {}),
        lambda: replace_partition(warehouse_engine, "dim_league_city", second, {}),
    )
    assert waited and inserted == len(second) == 11
    assert read_table(warehouse_engine, "dim_league_city").equals(second.reset_index(drop=True))


def test_two_runs_registering_one_file_at_once_store_it_once(warehouse_engine):
    """Both runs of a month register the registry's files in landing_file: the second skips the row the
    first stored meanwhile instead of failing on its key."""
    files = pd.DataFrame([{"source_sha256": "ab" * 32, "source_file": "registry/parks.csv", "size_bytes": 2048,
                           "first_seen_at": pd.Timestamp("2026-05-15 02:00", tz="UTC"), "kind": "registry"}])
    waited, inserted = while_open(
        warehouse_engine,
        lambda conn: insert_new(conn, "landing_file", files),
        lambda: insert_new(warehouse_engine, "landing_file", files),
    )
    assert waited and inserted == 0
    assert len(read_table(warehouse_engine, "landing_file")) == 1


@pytest.mark.pg
@pytest.mark.parametrize("warehouse_target", ["postgresql"], indirect=True)
def test_two_steps_creating_a_new_postgresql_warehouse_at_once(warehouse_target):
    """The first steps of a multiprocess run each create the warehouse: the second waits while the
    first's schema and tables are not committed yet, then finds them (no duplicate schema)."""
    a, b = (make_engine(warehouse_target.url, warehouse_target.schema) for _ in range(2))
    created = threading.Event()

    @sa.event.listens_for(a, "commit")
    def _hold(_conn):  # a has created the schema and every table, not committed yet
        created.set()
        time.sleep(1.0)

    try:
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(create_all, a)
            assert created.wait(60)
            create_all(b)
            first.result(timeout=60)
        assert set(sa.inspect(b).get_table_names(schema=warehouse_target.schema)) == set(TABLES)
    finally:
        a.dispose()
        b.dispose()


def test_every_asset_that_writes_the_warehouse_is_in_the_warehouse_pool(tmp_path):
    """The instance's `warehouse` pool is what keeps SQLite to one writer at a time: reference tables too."""
    defs = build_definitions(load_settings(data_dir=SAMPLE_DIR, state_dir=tmp_path / "state", as_of=AS_OF,
                                           warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}"))
    writers = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition) and a.keys and a.is_executable
               and not a.is_observable]
    assert {"dim_league_city", "ref_standard", "park_month"} <= {k.to_user_string() for a in writers for k in a.keys}
    outside = sorted(k.to_user_string() for a in writers if a.node_def.pool != "warehouse" for k in a.keys)
    assert outside == []
