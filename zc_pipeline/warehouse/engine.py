"""One engine factory for the warehouse: SQLite by default, PostgreSQL (schema `zc`) by URL."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from zc_pipeline.warehouse.tables import metadata

URL_ENV = "ZC_WAREHOUSE_URL"
SCHEMA_ENV = "ZC_WAREHOUSE_SCHEMA"
STATE_DIR_ENV = "ZC_STATE_DIR"
DEFAULT_SCHEMA = "zc"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# page cache per connection (SQLite's default is 2 MiB): a month's submitted values land at random
# places of the primary-key B-tree, and a small cache writes the same pages out again and again
SQLITE_CACHE_KIB = 64 * 1024

log = logging.getLogger(__name__)


def state_dir() -> Path:
    """The pipeline's local state directory (created if missing)."""
    path = Path(os.environ.get(STATE_DIR_ENV) or ".zc_state")
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_url() -> str:
    """`ZC_WAREHOUSE_URL`, else a SQLite file in the state directory."""
    return os.environ.get(URL_ENV) or f"sqlite:///{(state_dir() / 'warehouse.sqlite').resolve()}"


def make_engine(url: str | URL | None = None, schema: str | None = None) -> Engine:
    """Engine for the warehouse at `url` (default `default_url()`); on PostgreSQL bound to `schema`."""
    sa_url = make_url(url or default_url())
    backend = sa_url.get_backend_name()
    if backend == "sqlite":
        if sa_url.database and sa_url.database != ":memory:" and not sa_url.database.startswith("file:"):
            Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(sa_url)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        schema = schema or os.environ.get(SCHEMA_ENV) or DEFAULT_SCHEMA
        engine = create_engine(sa_url, pool_pre_ping=True, insertmanyvalues_page_size=5000)
        return engine.execution_options(schema_translate_map={None: schema})
    raise ValueError(f"unsupported warehouse URL {sa_url.render_as_string()!r}: use sqlite:/// or postgresql+psycopg://")


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling begins lazily (DEFERRED) and never for DDL; take it over
    # (SQLAlchemy "pysqlite serializable" recipe). Writers use BEGIN IMMEDIATE so two processes
    # queue on busy_timeout instead of both holding read locks and failing on upgrade.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Read-only callers may ask for a deferred BEGIN: execution_options(sqlite_begin="DEFERRED").
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def absolute_url(url: str | URL) -> URL:
    """`url` as another process opens it from any folder: a SQLite file by its absolute path. A URL
    object, not text: it keeps the password for the process it is handed to, its repr masks it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:" \
            and not parsed.database.startswith("file:"):
        parsed = parsed.set(database=str(Path(parsed.database).resolve()))
    return parsed


def schema_of(engine: Engine) -> str | None:
    """The PostgreSQL schema an engine is bound to (None on SQLite)."""
    return (engine.get_execution_options().get("schema_translate_map") or {}).get(None)


def create_all(engine: Engine) -> None:
    """Create the schema (PostgreSQL) and every missing table, with table and column comments."""
    with engine.begin() as conn:
        schema = schema_of(engine)
        if engine.dialect.name == "postgresql":
            # Steps on several workers may create a fresh warehouse at once, and IF NOT EXISTS does
            # not guard a concurrent CREATE: one creator at a time (the lock ends with the transaction).
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('zc_pipeline.create_all'))"))
            if schema:
                conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {engine.dialect.identifier_preparer.quote(schema)}"))
        drop_reshaped(conn, schema)
        metadata.create_all(conn)
        add_missing_columns(conn, schema)


def drop_reshaped(conn, schema: str | None) -> list[str]:
    """Drop the tables marked `rebuilt_when_reshaped` (derived rows their asset writes again in full)
    whose stored primary key differs from this release's, so that `create_all` makes them anew;
    returns the tables dropped.

    The pipeline's BI views that read the table (its `read_by_views`) go first: they would block
    the drop on PostgreSQL, and the pipeline creates them again. A view of someone else's on the
    table stops the upgrade with PostgreSQL's own error naming it.
    """
    from sqlalchemy import inspect

    inspector = inspect(conn)
    reshaped = [table for table in metadata.sorted_tables if table.info.get("rebuilt_when_reshaped")
                and inspector.has_table(table.name, schema=schema)
                and inspector.get_pk_constraint(table.name, schema=schema)["constrained_columns"]
                != [c.name for c in table.primary_key]]
    for table in reshaped:
        for view in table.info.get("read_by_views", []):
            conn.execute(text(f"DROP VIEW IF EXISTS {_qualified(conn, schema, view)}"))
        table.drop(conn)
        log.warning("%s had the layout of an older release and was dropped; its asset writes it again "
                    "when it next runs", table.name)
    return [table.name for table in reshaped]


def _qualified(conn, schema: str | None, name: str) -> str:
    """A table's or view's name as SQL, in its schema on PostgreSQL."""
    quote = conn.dialect.identifier_preparer.quote
    return f"{quote(schema)}.{quote(name)}" if schema else quote(name)


def add_missing_columns(conn, schema: str | None) -> list[str]:
    """Add the nullable columns a newer release defines to a warehouse created before it (a column
    is only ever added, as NULL in the rows already stored); returns `table.column` of each added."""
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateColumn

    quote, added = conn.dialect.identifier_preparer.quote, []
    # every table's columns in one read: this runs whenever a run opens the warehouse
    existing = {name: {c["name"] for c in cols} for (_, name), cols in
                inspect(conn).get_multi_columns(schema=schema).items()}
    for table in metadata.sorted_tables:
        have = existing.get(table.name, set())
        for column in table.columns:
            if column.name in have or column.primary_key or not column.nullable:
                continue
            name = _qualified(conn, schema, table.name)
            conn.execute(text(f"ALTER TABLE {name} ADD COLUMN {CreateColumn(column).compile(dialect=conn.dialect)}"))
            if conn.dialect.name == "postgresql" and column.comment:  # as a fresh warehouse has it
                literal = column.comment.replace("'", "''")  # COMMENT takes no parameters
                conn.execute(text(f"COMMENT ON COLUMN {name}.{quote(column.name)} IS '{literal}'"))
            added.append(f"{table.name}.{column.name}")
    return added


def describe(engine: Engine) -> str:
    """Where the warehouse is, for logs and the CLI (password masked)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        database = url.database or ":memory:"
        where = database if database == ":memory:" else str(Path(database).resolve())
        return f"SQLite {where}"
    return f"PostgreSQL {url.render_as_string(hide_password=True)} schema {schema_of(engine)}"
