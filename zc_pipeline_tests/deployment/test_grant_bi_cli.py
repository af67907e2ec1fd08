"""`zc db grant-bi ROLE` end to end: a login role that reads the warehouse, writes nothing, sees the comments."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from zc_pipeline.cli import main
from zc_pipeline.warehouse.bi import VIEW_DESCRIPTIONS
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline_tests.conftest import pg_admin_engine

BI_PASSWORD = "bi-read-only"
INSUFFICIENT_PRIVILEGE = "42501"  # "permission denied" and "must be owner of ..."


def _denied(conn: sa.Connection, sql: str) -> bool:
    try:
        with conn.begin_nested():
            conn.execute(sa.text(sql))
    except sa.exc.ProgrammingError as exc:
        return getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE
    return False


@pytest.mark.parametrize("warehouse_target", [pytest.param("postgresql", marks=pytest.mark.pg)], indirect=True)
def test_grant_bi_command_makes_a_read_only_role_with_comments(warehouse_env, bi_role, monkeypatch, capsys):
    monkeypatch.setenv("ZC_BI_PASSWORD", BI_PASSWORD)
    assert main(["--warehouse-url", warehouse_env.url, "db", "grant-bi", bi_role]) == 0
    assert bi_role in capsys.readouterr().out
    assert main(["--warehouse-url", warehouse_env.url, "db", "grant-bi", bi_role]) == 0  # repeatable

    s = f'"{warehouse_env.schema}"'
    admin = pg_admin_engine(warehouse_env.url)
    with admin.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO {s}.dim_league_city VALUES ('150200', '包头市', 'Baotou')"))
    admin.dispose()

    bi = sa.create_engine(sa.make_url(warehouse_env.url).set(username=bi_role, password=BI_PASSWORD),
                          poolclass=sa.NullPool)
    try:
        with bi.connect() as conn:
            # SELECT on every table and view of the schema
            assert conn.execute(sa.text(f"SELECT name_en FROM {s}.dim_league_city")).scalar_one() == "Baotou"
            for name in [*TABLES, *VIEW_DESCRIPTIONS]:
                conn.execute(sa.text(f'SELECT * FROM {s}."{name}" LIMIT 1')).fetchall()
            # ... and nothing else
            assert _denied(conn, f"INSERT INTO {s}.dim_league_city VALUES ('150300', '乌海市', 'Wuhai')")
            assert _denied(conn, f"UPDATE {s}.dim_league_city SET name_en = 'x'")
            assert _denied(conn, f"DELETE FROM {s}.dim_league_city")
            assert _denied(conn, f"TRUNCATE {s}.dim_league_city")
            assert _denied(conn, f"CREATE TABLE {s}.bi_scratch (x integer)")
            assert _denied(conn, f"CREATE VIEW {s}.bi_view AS SELECT 1 AS x")
            assert _denied(conn, f"DROP VIEW {s}.v_latest_grade")

            # The comments from the table definitions, as a BI tool connected as this role sees them.
            for name, table in TABLES.items():
                oid = f"'{s}.\"{name}\"'::regclass"
                assert conn.execute(sa.text(f"SELECT obj_description({oid}, 'pg_class')")).scalar_one() == table.comment
                got = dict(conn.execute(sa.text(
                    f"SELECT attname, col_description(attrelid, attnum) FROM pg_attribute "
                    f"WHERE attrelid = {oid} AND attnum > 0 AND NOT attisdropped")).fetchall())
                assert got == {c.name: c.comment for c in table.columns}, name
            for name, description in VIEW_DESCRIPTIONS.items():
                oid = f"'{s}.\"{name}\"'::regclass"
                assert conn.execute(sa.text(f"SELECT obj_description({oid}, 'pg_class')")).scalar_one() == description
    finally:
        bi.dispose()


def test_grant_bi_command_on_sqlite_says_it_needs_postgresql(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    assert main(["--warehouse-url", url, "db", "grant-bi", "bi_reader"]) == 2
    assert "needs a PostgreSQL warehouse" in capsys.readouterr().err
