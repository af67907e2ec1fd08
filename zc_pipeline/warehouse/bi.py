"""Stable BI views with the same columns on SQLite and PostgreSQL, and a read-only BI role on PostgreSQL."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, Connection, Engine, String, inspect, text

from zc_pipeline.warehouse.engine import schema_of
from zc_pipeline.warehouse.tables import (
    COUNT, EXPLANATION_LINE, EXPLANATION_LINE_NO, city_quarter_summary, dim_league_city, grade_explanation, grade_history,
)

VIEW_DESCRIPTIONS = {
    "v_latest_grade": "Latest grade_history row per park, level and period: the grade currently published.",
    "v_city_quarter_dashboard": "city_quarter_summary with the league-city names (name_zh, name_en).",
    "v_grade_explanation": "grade_explanation one row per line: each park's explanation of each window, "
                           "a row per line numbered by line_no (ORDER BY line_no for the explanation's order).",
}
# Each view's columns, in order, as the table columns they show (names, types and meanings carry over).
VIEW_COLUMNS: dict[str, list[Column]] = {
    "v_latest_grade": list(grade_history.columns),
    "v_city_quarter_dashboard": [
        city_quarter_summary.c.league_city_code, dim_league_city.c.name_zh, dim_league_city.c.name_en,
        *(c for c in city_quarter_summary.columns if c.name != "league_city_code"),
    ],
    "v_grade_explanation": [
        grade_explanation.c.park_code, grade_explanation.c.period,
        EXPLANATION_LINE_NO,
        *EXPLANATION_LINE[:-1], grade_explanation.c.run_id, EXPLANATION_LINE[-1],
    ],
}


def _qualify(engine: Engine) -> Callable[[str], str]:
    prep = engine.dialect.identifier_preparer
    schema = schema_of(engine)
    return lambda name: f"{prep.quote_schema(schema)}.{prep.quote(name)}" if schema else prep.quote(name)


def _view_sql(engine: Engine) -> dict[str, str]:
    q = _qualify(engine)
    quote = engine.dialect.identifier_preparer.quote
    grade_cols = ", ".join(quote(c.name) for c in VIEW_COLUMNS["v_latest_grade"])
    alias = {city_quarter_summary.name: "s", dim_league_city.name: "c"}
    dashboard_cols = ", ".join(f"{alias[c.table.name]}.{quote(c.name)}" for c in VIEW_COLUMNS["v_city_quarter_dashboard"])
    return {
        "v_latest_grade": (
            f"SELECT {grade_cols} FROM ("
            f"SELECT {grade_cols}, ROW_NUMBER() OVER ("
            f"PARTITION BY {quote('park_code')}, {quote('level')}, {quote('period')} "
            # publication order, as grade_history is written (warehouse/writer.py PUBLICATION_ORDER)
            f"ORDER BY CASE WHEN {quote('as_of')} IS NULL THEN 0 ELSE 1 END DESC, {quote('as_of')} DESC, "
            f"{quote('issued_at')} DESC, {quote('history_id')} DESC) AS rn "
            f"FROM {q(grade_history.name)}) ranked WHERE rn = 1"
        ),
        "v_city_quarter_dashboard": (
            f"SELECT {dashboard_cols} "
            f"FROM {q(city_quarter_summary.name)} s "
            f"LEFT JOIN {q(dim_league_city.name)} c ON c.league_city_code = s.league_city_code"
        ),
        "v_grade_explanation": _explanation_lines_sql(engine, q(grade_explanation.name)),
    }


def _explanation_lines_sql(engine: Engine, table: str) -> str:
    """One row per element of grade_explanation.lines (JSON arrays of EXPLANATION_LINE fields), in
    the view's column order: json_each on SQLite, json_array_elements on PostgreSQL."""
    quote = engine.dialect.identifier_preparer.quote
    if engine.dialect.name == "postgresql":
        source = f"{table} e CROSS JOIN LATERAL json_array_elements(e.lines::json) WITH ORDINALITY AS l(line, n)"
        line_no = "CAST(l.n AS integer)"

        def field(i, column):
            cast = "integer" if isinstance(column.type, COUNT) else None
            return f"CAST(l.line->>{i} AS {cast})" if cast else f"l.line->>{i}"
    else:
        source = f"{table} e, json_each(e.lines) l"
        line_no = "l.key + 1"

        def field(i, column):
            return f"json_extract(l.value, '$[{i}]')"
    fields = {c.name: f"{field(i, c)} AS {quote(c.name)}" for i, c in enumerate(EXPLANATION_LINE)}
    picked = [f"e.{quote('park_code')}", f"e.{quote('period')}", f"{line_no} AS {quote('line_no')}",
              *(fields.get(c.name, f"e.{quote(c.name)}") for c in VIEW_COLUMNS["v_grade_explanation"][3:])]
    return f"SELECT {', '.join(picked)} FROM {source}"


def create_views(engine: Engine, only_changed: bool = False) -> list[str]:
    """(Re)create the BI views, on PostgreSQL with a COMMENT ON VIEW; return the views (re)created.

    `only_changed`: leave a view alone when it exists with the expected columns, so that a pipeline
    step never waits for (nor blocks) BI queries on it; a missing view or a changed column list is
    created again.
    """
    q = _qualify(engine)
    literal = String().literal_processor(engine.dialect)
    created = []
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # steps on several workers may get here at once
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('zc_pipeline.create_views'))"))
        for name, sql in _view_sql(engine).items():
            if only_changed and _view_columns(conn, name, schema_of(engine)) == [c.name for c in VIEW_COLUMNS[name]]:
                continue
            conn.execute(text(f"DROP VIEW IF EXISTS {q(name)}"))
            conn.execute(text(f"CREATE VIEW {q(name)} AS {sql}"))
            if engine.dialect.name == "postgresql":
                conn.execute(text(f"COMMENT ON VIEW {q(name)} IS {literal(VIEW_DESCRIPTIONS[name])}"))
            created.append(name)
    return created


def _view_columns(conn: Connection, name: str, schema: str | None) -> list[str] | None:
    """The stored view's column names in order (None when there is no such view)."""
    inspector = inspect(conn)
    if name not in inspector.get_view_names(schema=schema):
        return None
    return [c["name"] for c in inspector.get_columns(name, schema=schema)]


def _role_exists(conn: Connection, role: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def grant_bi(engine: Engine, role: str, password: str | None = None) -> None:
    """Read-only BI access on PostgreSQL: LOGIN role (created if missing), USAGE + SELECT, also on future tables."""
    if engine.dialect.name != "postgresql":
        raise ValueError(f"grant_bi needs PostgreSQL (this warehouse is {engine.dialect.name}); SQLite has no roles")
    prep = engine.dialect.identifier_preparer
    role_q = prep.quote(role)
    schema_q = prep.quote_schema(schema_of(engine) or "public")
    login = "LOGIN" if password is None else f"LOGIN PASSWORD {String().literal_processor(engine.dialect)(password)}"
    with engine.begin() as conn:
        verb = "ALTER" if _role_exists(conn, role) else "CREATE"
        conn.execute(text(f"{verb} ROLE {role_q} {login}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema_q} TO {role_q}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema_q} TO {role_q}"))  # views included
        # Tables and views this (writer) role creates later are readable too.
        conn.execute(text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} GRANT SELECT ON TABLES TO {role_q}"))
