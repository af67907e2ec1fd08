"""BI views on both databases; a read-only BI role on PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import sqlalchemy as sa

from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.warehouse.bi import VIEW_DESCRIPTIONS, create_views, grant_bi
from zc_pipeline.warehouse.engine import schema_of
from zc_pipeline.warehouse.tables import city_quarter_summary
from zc_pipeline.warehouse.writer import append_grade_history, replace_partition
from zc_pipeline_tests.support.views import read_view

UTC = dt.timezone.utc


def _view(engine, name: str) -> pd.DataFrame:
    table = sa.table(name, schema=schema_of(engine))
    with engine.connect() as conn:
        result = conn.execute(sa.select(sa.text("*")).select_from(table))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def test_views_query_on_both_databases(warehouse_engine):
    create_views(warehouse_engine)
    create_views(warehouse_engine)  # repeatable
    history = pd.DataFrame(
        {
            "park_code": ["P1", "P2"],
            "level": "quarter",
            "period": "2026-Q1",
            "grade": ["A", "C"],
            "score": [86.0, 61.0],
            "standard_version": "v1",
            "run_id": "r",
        }
    )
    t0 = dt.datetime(2026, 4, 11, tzinfo=UTC)
    append_grade_history(warehouse_engine, history, t0)
    append_grade_history(warehouse_engine, history.assign(grade=["B", "C"], score=[75.0, 61.0]), t0 + dt.timedelta(days=1))
    latest = _view(warehouse_engine, "v_latest_grade").sort_values("park_code")
    assert latest[["park_code", "grade", "score"]].values.tolist() == [["P1", "B", 75.0], ["P2", "C", 61.0]]

    replace_partition(warehouse_engine, "dim_league_city", pd.DataFrame(
        {"league_city_code": ["150200"], "name_zh": ["包头市"], "name_en": ["Baotou"]}), {})
    summary = pd.DataFrame({"league_city_code": ["150200", "150300"], "quarter": "2026-Q1", "parks": [4, 2], "grade_a": [1, 0]})
    replace_partition(warehouse_engine, "city_quarter_summary", summary, {"quarter": "2026-Q1"})
    board = _view(warehouse_engine, "v_city_quarter_dashboard").sort_values("league_city_code")
    assert board[["league_city_code", "parks"]].values.tolist() == [["150200", 4], ["150300", 2]]
    assert board["name_en"].iloc[0] == "Baotou" and pd.isna(board["name_en"].iloc[1])  # city not in the dimension


def test_the_explanation_view_shows_one_row_per_line_on_both_databases(warehouse_engine):
    create_views(warehouse_engine)
    # two stored explanations: 2 lines and 1 line, with Chinese text, NULLs and a row number
    lines_a = [["inputs", "2026-01 grid_electricity_mwh", "1000", "MWh", "landing/2026-01/a.xlsx", "ab" * 32,
                "能源消费", 7, "C", "电网电力", "grid electricity", "IM-ZCP-2026.1"],
               ["grade", "grade", "B", None, None, None, None, None, None, "等级", "grade", "IM-R-2026.2"]]
    lines_b = [["park", "park_name", "园区乙", None, "registry/parks.csv", "cd" * 32, None, 3, None, "园区名称",
                "park name", "IM-ZCP-2026.1"]]
    stored = pd.DataFrame({"park_code": ["150100-P001", "150100-P002"], "period": "2026-Q1", "line_count": [2, 1],
                           "lines": [json.dumps(lines_a, ensure_ascii=False), json.dumps(lines_b, ensure_ascii=False)],
                           "run_id": "r", "standard_version": "IM-ZCP-2026.1"})
    replace_partition(warehouse_engine, "grade_explanation", stored, {"period": "2026-Q1"})
    view = read_view(warehouse_engine, "v_grade_explanation", order_by=["park_code", "line_no"])
    rows = view.astype(object).where(view.notna(), None).values.tolist()
    assert rows == [
        ["150100-P001", "2026-Q1", 1, *lines_a[0][:11], "r", "IM-ZCP-2026.1"],
        ["150100-P001", "2026-Q1", 2, *lines_a[1][:11], "r", "IM-R-2026.2"],  # the line's version, not the row's
        ["150100-P002", "2026-Q1", 1, *lines_b[0][:11], "r", "IM-ZCP-2026.1"],
    ]
    assert read_view(warehouse_engine, "v_grade_explanation", where={"park_code": ["150100-P002"]})["item"].tolist() == ["park_name"]


def _views(engine) -> dict[str, list[str]]:
    """The warehouse's views and their columns, as the database itself reports them."""
    inspector = sa.inspect(engine)
    schema = schema_of(engine)
    return {v: [c["name"] for c in inspector.get_columns(v, schema=schema)] for v in inspector.get_view_names(schema=schema)}


def test_the_pipeline_creates_the_views_on_both_databases(warehouse_target, tmp_path):
    # the resource every asset uses creates the tables and the views of a fresh warehouse
    zc = ZcResource(data_dir=str(tmp_path), warehouse_url=warehouse_target.url,
                    warehouse_schema=warehouse_target.schema, state_dir=str(tmp_path / "state"))
    views = _views(zc.engine())
    assert sorted(views) == sorted(VIEW_DESCRIPTIONS) == ["v_city_quarter_dashboard", "v_grade_explanation", "v_latest_grade"]
    assert views["v_latest_grade"] == ["history_id", "park_code", "level", "period", "grade", "score",
                                       "standard_version", "run_id", "issued_at", "as_of"]
    assert views["v_city_quarter_dashboard"][:4] == ["league_city_code", "name_zh", "name_en", "quarter"]
    assert views["v_grade_explanation"] == ["park_code", "period", "line_no", "section", "item", "value", "unit",
                                            "source_file", "source_sha256", "sheet", "row", "column", "note_zh",
                                            "note_en", "run_id", "standard_version"]


def test_only_missing_or_changed_views_are_created_again(warehouse_engine):
    every = ["v_latest_grade", "v_city_quarter_dashboard", "v_grade_explanation"]
    assert create_views(warehouse_engine, only_changed=True) == every
    assert create_views(warehouse_engine, only_changed=True) == []  # both there with their columns: untouched
    q = sa.table("v_latest_grade", schema=schema_of(warehouse_engine))
    stale = sa.table("v_city_quarter_dashboard", schema=schema_of(warehouse_engine))
    with warehouse_engine.begin() as conn:
        prep = warehouse_engine.dialect.identifier_preparer
        conn.execute(sa.text(f"DROP VIEW {prep.format_table(q)}"))
        conn.execute(sa.text(f"DROP VIEW {prep.format_table(stale)}"))
        # an older release's dashboard without today's columns
        conn.execute(sa.text(f"CREATE VIEW {prep.format_table(stale)} AS SELECT 'x' AS league_city_code"))
    assert create_views(warehouse_engine, only_changed=True) == ["v_latest_grade", "v_city_quarter_dashboard"]
    summary = [c.name for c in city_quarter_summary.columns if c.name != "league_city_code"]
    assert _views(warehouse_engine)["v_city_quarter_dashboard"] == ["league_city_code", "name_zh", "name_en", *summary]
    assert create_views(warehouse_engine) == every  # zc db grant-bi: all


def _denied(conn, sql: str) -> bool:
    try:
        with conn.begin_nested():
            conn.execute(sa.text(sql))
    except sa.exc.ProgrammingError as exc:
        return "permission denied" in str(exc)
    return False


def test_bi_role_reads_but_cannot_write(warehouse_engine, warehouse_target, bi_role):
    if warehouse_engine.dialect.name != "postgresql":
        with pytest.raises(ValueError, match="needs PostgreSQL"):
            grant_bi(warehouse_engine, bi_role)
        return
    replace_partition(warehouse_engine, "dim_league_city", pd.DataFrame(
        {"league_city_code": ["150200"], "name_zh": ["包头市"], "name_en": ["Baotou"]}), {})
    create_views(warehouse_engine)
    grant_bi(warehouse_engine, bi_role, password="it's-a-secret")
    grant_bi(warehouse_engine, bi_role)  # repeatable on an existing role
    # Tables created after the grant are readable too (default privileges).
    with warehouse_engine.begin() as conn:
        conn.execute(sa.text(f'CREATE TABLE "{warehouse_target.schema}".later_table (x integer)'))

    s = f'"{warehouse_target.schema}"'
    bi_url = sa.make_url(warehouse_target.url).set(username=bi_role, password="it's-a-secret")
    bi = sa.create_engine(bi_url, poolclass=sa.NullPool)
    try:
        with bi.connect() as conn:
            assert conn.execute(sa.text(f"SELECT name_en FROM {s}.dim_league_city")).scalar_one() == "Baotou"
            conn.execute(sa.text(f"SELECT * FROM {s}.v_latest_grade")).fetchall()
            conn.execute(sa.text(f"SELECT * FROM {s}.v_city_quarter_dashboard")).fetchall()
            conn.execute(sa.text(f"SELECT * FROM {s}.later_table")).fetchall()
            assert _denied(conn, f"INSERT INTO {s}.dim_league_city VALUES ('150300', '乌海市', 'Wuhai')")
            assert _denied(conn, f"UPDATE {s}.dim_league_city SET name_en = 'x'")
            assert _denied(conn, f"DELETE FROM {s}.dim_league_city")
            assert _denied(conn, f"CREATE TABLE {s}.bi_scratch (x integer)")
            assert _denied(conn, f"CREATE VIEW {s}.bi_view AS SELECT 1 AS x")
    finally:
        bi.dispose()


def test_the_latest_grade_view_follows_the_publishing_runs_as_of_date(warehouse_engine):
    """Q1 published as of 15 July (B), then by a re-run as of 1 May (A): the grade standing is B."""
    issued = dt.datetime(2026, 12, 6, 7, 0, tzinfo=dt.timezone.utc)
    for as_of, grade in ((dt.date(2026, 7, 15), "B"), (dt.date(2026, 5, 1), "A")):
        append_grade_history(warehouse_engine, pd.DataFrame([{
            "park_code": "150200-P001", "level": "quarter", "period": "2026-Q1", "grade": grade, "score": 80.0,
            "standard_version": "IM-ZCP-2026.1", "run_id": "r", "as_of": as_of}]), issued)
        issued += dt.timedelta(minutes=5)
    create_views(warehouse_engine)
    view = sa.table("v_latest_grade", sa.column("grade"), schema=schema_of(warehouse_engine))
    with warehouse_engine.connect() as conn:
        assert conn.execute(sa.select(view.c.grade)).scalars().all() == ["B"]


def test_a_table_rebuilt_when_reshaped_names_every_view_that_reads_it():
    """The upgrade drops those views before the table (on PostgreSQL they would block the drop)."""
    from zc_pipeline.warehouse.bi import VIEW_COLUMNS
    from zc_pipeline.warehouse.tables import TABLES

    for view, columns in VIEW_COLUMNS.items():
        for table in {c.info.get("stored_in", "").split(".")[0] or c.table.name for c in columns}:
            if TABLES[table].info.get("rebuilt_when_reshaped"):
                assert view in TABLES[table].info["read_by_views"], (view, table)
    assert TABLES["grade_explanation"].info["read_by_views"] == ["v_grade_explanation"]
