"""Engine settings: SQLite WAL, busy timeout, explicit BEGIN IMMEDIATE; PostgreSQL schema; describe()."""
from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from zc_pipeline.warehouse.engine import create_all, default_url, describe, make_engine, schema_of
from zc_pipeline.warehouse.tables import TABLES


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -65536  # 64 MiB (negative: KiB), not the default 2 MiB


def test_sqlite_write_transaction_takes_the_lock_at_begin(tmp_path):
    path = tmp_path / "w.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_all(engine)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with engine.begin():  # nothing executed yet: BEGIN IMMEDIATE already holds the write lock
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # free again after commit
    other.execute("ROLLBACK")
    other.close()


def test_sqlite_transactional_ddl_rolls_back(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE scratch (x INTEGER)")
            raise RuntimeError("abort")
    assert "scratch" not in sa.inspect(engine).get_table_names()


def test_default_url_is_a_sqlite_file_in_the_state_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("ZC_WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("ZC_STATE_DIR", str(tmp_path / "state"))
    assert default_url() == f"sqlite:///{tmp_path / 'state' / 'warehouse.sqlite'}"
    engine = make_engine()
    create_all(engine)
    assert (tmp_path / "state" / "warehouse.sqlite").exists()
    assert describe(engine) == f"SQLite {tmp_path / 'state' / 'warehouse.sqlite'}"


def test_postgres_schema_choice_and_masked_password(monkeypatch):
    url = "postgresql+psycopg://bi:s3cret@db.example:5432/zc"
    monkeypatch.delenv("ZC_WAREHOUSE_SCHEMA", raising=False)
    assert schema_of(make_engine(url)) == "zc"
    monkeypatch.setenv("ZC_WAREHOUSE_SCHEMA", "zc_env")
    assert schema_of(make_engine(url)) == "zc_env"
    engine = make_engine(url, schema="zc_arg")
    assert schema_of(engine) == "zc_arg"
    assert "s3cret" not in describe(engine)
    assert describe(engine) == "PostgreSQL postgresql+psycopg://bi:***@db.example:5432/zc schema zc_arg"


def test_env_fixture_reaches_make_engine(warehouse_env):
    engine = make_engine()
    create_all(engine)
    assert engine.url.render_as_string(hide_password=False) == sa.make_url(warehouse_env.url).render_as_string(
        hide_password=False
    )
    assert schema_of(engine) == warehouse_env.schema
    assert "park_month" in sa.inspect(engine).get_table_names(schema=warehouse_env.schema)
    engine.dispose()


def test_create_all_is_repeatable(warehouse_engine):
    create_all(warehouse_engine)
    create_all(warehouse_engine)


def test_a_warehouse_from_an_older_release_gets_the_new_columns_and_keeps_its_rows(warehouse_engine):
    """grade_history without `as_of` (as written before rulebooks over time): opening it adds the
    column, NULL in the rows already there."""
    import datetime as dt

    from zc_pipeline.warehouse.writer import read_table

    schema = schema_of(warehouse_engine)
    name = f'"{schema}".grade_history' if schema else "grade_history"
    with warehouse_engine.begin() as conn:
        conn.execute(sa.text(f"ALTER TABLE {name} DROP COLUMN as_of"))
        conn.execute(sa.text(f"INSERT INTO {name} (park_code, level, period, grade, score, standard_version, run_id, "
                             "issued_at) VALUES ('150100-P001', 'quarter', '2026-Q1', 'B', 74.2, 'IM-ZCP-2026.1', 'r', "
                             ":at)"), {"at": dt.datetime(2026, 4, 20, 2, 0)})
    create_all(warehouse_engine)
    rows = read_table(warehouse_engine, "grade_history")
    assert rows[["park_code", "grade", "as_of"]].values.tolist() == [["150100-P001", "B", None]]
    if warehouse_engine.dialect.name == "postgresql":  # with its comment, as a fresh warehouse has it
        columns = {c["name"]: c for c in sa.inspect(warehouse_engine).get_columns("grade_history", schema=schema)}
        assert columns["as_of"]["comment"].startswith("The as-of date of the run that published it")


def test_an_explanation_table_of_an_older_release_is_made_anew(warehouse_engine):
    """grade_explanation as written before its compact form (a row per line, keyed by line_no), with
    a view of the pipeline's reading it: opening the warehouse drops both (the view would block the
    drop on PostgreSQL) and makes the table in the new layout, empty; the views come back."""
    from zc_pipeline.warehouse.bi import create_views

    schema = schema_of(warehouse_engine)
    name = f'"{schema}".grade_explanation' if schema else "grade_explanation"
    view = f'"{schema}".v_grade_explanation' if schema else "v_grade_explanation"
    with warehouse_engine.begin() as conn:
        conn.execute(sa.text(f"DROP VIEW IF EXISTS {view}"))
        conn.execute(sa.text(f"DROP TABLE {name}"))
        conn.execute(sa.text(f"CREATE TABLE {name} (park_code TEXT NOT NULL, period TEXT NOT NULL, line_no INTEGER "
                             "NOT NULL, item TEXT, PRIMARY KEY (park_code, period, line_no))"))
        conn.execute(sa.text(f"INSERT INTO {name} VALUES ('150100-P001', '2026-Q1', 1, 'grade')"))
        conn.execute(sa.text(f"CREATE VIEW {view} AS SELECT park_code, period, line_no, item FROM {name}"))
    create_all(warehouse_engine)
    columns = [c["name"] for c in sa.inspect(warehouse_engine).get_columns("grade_explanation", schema=schema)]
    assert columns == [c.name for c in TABLES["grade_explanation"].columns]
    with warehouse_engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one() == 0
    assert "v_grade_explanation" in create_views(warehouse_engine, only_changed=True)
    with warehouse_engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO {name} (park_code, period, line_count, lines) "
                             "VALUES ('150100-P001', '2026-Q1', 1, '[[\"grade\"]]')"))
    create_all(warehouse_engine)  # the new layout is kept, and its rows
    with warehouse_engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one() == 1
        assert conn.execute(sa.text(f"SELECT section FROM {view}")).scalar_one() == "grade"
