"""The production path end to end: warehouse and Dagster instance on PostgreSQL, same tables as SQLite.

The sample region goes through `zc run` once with the warehouse in a fresh PostgreSQL schema and
the Dagster instance configured by the shipped deploy/dagster.postgres.yaml (dagster-postgres,
credentials from the environment) on a fresh database; every warehouse table is then compared
with the session's SQLite run of the same region.
"""
from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass

import pandas as pd
import pytest
import sqlalchemy as sa

from zc_pipeline.warehouse.bi import VIEW_COLUMNS
from zc_pipeline.warehouse.engine import schema_of
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import dump_sorted
from zc_pipeline_tests.conftest import PG_DEFAULT_URL, PG_URL_ENV, _require_pg, pg_admin_engine, run_sample_pipeline
from zc_pipeline_tests.deployment import DEPLOY_DIR, dagster_pg_env
from zc_pipeline_tests.support.views import read_view

# The PostgreSQL run goes first, so on two workers it overlaps the SQLite sample run, which the
# test then asks for (the session's sample run is shared across workers through a file lock).
pytestmark = [pytest.mark.pg, pytest.mark.long_first]

# Columns that legitimately differ between two runs of the same data, whatever the database:
IGNORED_COLUMNS = (
    "run_id",  # the Dagster run that wrote the row: a fresh UUID per run
    "first_seen_at",  # landing_file: wall-clock time the file was first registered
    "received_at",  # submission: wall-clock time the version was recorded
    "issued_at",  # grade_history: wall-clock time the grade was issued
)
FLOAT_RTOL = 1e-12  # same inputs, same code: only the last bits of a double may differ


@dataclass(frozen=True)
class PostgresDeployment:
    url: str
    warehouse_schema: str
    instance_db: str


@pytest.fixture
def postgres_deployment(monkeypatch, tmp_path):
    """A fresh warehouse schema and a fresh instance database on the test server, dropped afterwards."""
    url = os.environ.get(PG_URL_ENV) or PG_DEFAULT_URL
    _require_pg(url)
    token = secrets.token_hex(6)
    deployment = PostgresDeployment(url, f"zc_t_{token}", f"zc_dagster_t_{token}")
    admin = pg_admin_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{deployment.instance_db}"'))
    home = tmp_path / "state" / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(DEPLOY_DIR / "dagster.postgres.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # run_sample_pipeline sets it; monkeypatch restores it
    monkeypatch.setenv("ZC_WAREHOUSE_SCHEMA", deployment.warehouse_schema)
    for name, value in dagster_pg_env(url, deployment.instance_db).items():
        monkeypatch.setenv(name, value)
    try:
        yield deployment
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{deployment.warehouse_schema}" CASCADE'))
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{deployment.instance_db}" WITH (FORCE)'))
        admin.dispose()


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain object columns for the non-float columns, so both drivers' scalars compare by value."""
    out = frame.copy()
    for name in out.columns:
        if not pd.api.types.is_float_dtype(out[name]):
            out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


def _view_dump(engine: sa.Engine, name: str) -> pd.DataFrame:
    """A view's rows without the IGNORED_COLUMNS (nor grade_history's surrogate key), sorted by every column."""
    # typed as the tables' columns, so SQLite's text dates come back as dates, as BI's driver would type them
    frame = read_view(engine, name)
    frame = frame.drop(columns=[c for c in (*IGNORED_COLUMNS, "history_id") if c in frame.columns])
    return frame.sort_values(list(frame.columns), na_position="last", kind="mergesort").reset_index(drop=True)


def test_pipeline_on_postgresql_equals_pipeline_on_sqlite(postgres_deployment, tmp_path, request):
    import dagster as dg
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage

    pg = run_sample_pipeline(tmp_path / "state", warehouse_url=postgres_deployment.url,
                             warehouse_schema=postgres_deployment.warehouse_schema)
    try:
        # The runs went to the PostgreSQL instance the shipped config describes, and all succeeded.
        with dg.DagsterInstance.get() as instance:
            assert isinstance(instance.run_storage, PostgresRunStorage)
            assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
            runs = instance.get_runs()
            assert len(runs) == len(pg.result["timings"])  # the runner times each run it launches once
            assert {r.job_name for r in runs} == {"month_job", "quarter_job", "half_job", "year_job", "explanation_job"}
            assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
            materialized = instance.get_latest_materialization_event(dg.AssetKey("park_month"))
            assert materialized is not None and materialized.run_id in {r.run_id for r in runs}

        assert pg.engine.dialect.name == "postgresql"
        sample_run = request.getfixturevalue("sample_run")  # the SQLite run of the same region
        compared = 0
        for name in sorted(TABLES):
            sqlite_dump = _comparable(dump_sorted(sample_run.engine, name, drop=IGNORED_COLUMNS))
            pg_dump = _comparable(dump_sorted(pg.engine, name, drop=IGNORED_COLUMNS))
            assert list(pg_dump.columns) == list(sqlite_dump.columns), name
            assert len(pg_dump) == len(sqlite_dump), name
            pd.testing.assert_frame_equal(pg_dump, sqlite_dump, check_dtype=False, check_exact=False,
                                          rtol=FLOAT_RTOL, atol=0.0, obj=name)
            compared += bool(len(pg_dump))
        assert compared >= 15  # the sample region fills nearly every table
        # the BI views the pipeline created on each database show the same rows
        for name in VIEW_COLUMNS:
            sqlite_view, pg_view = (_comparable(_view_dump(r.engine, name)) for r in (sample_run, pg))
            assert len(pg_view) == len(sqlite_view) > 0, name
            pd.testing.assert_frame_equal(pg_view, sqlite_view, check_dtype=False, check_exact=False,
                                          rtol=FLOAT_RTOL, atol=0.0, obj=name)
    finally:
        pg.engine.dispose()
