"""Writes to the warehouse: partition replace, insert-only history, status updates, grade history.

Every write function takes a `Connection` (so a caller can combine writes in one transaction) or
an `Engine` (then it opens and commits its own transaction).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from zc_pipeline.warehouse.tables import TABLES, grade_history, validation_issue

CHUNK_ROWS = 10_000  # rows per executemany
KEY_CHUNK = 1_000  # keys per `IN (...)` lookup
IN_CHUNK = 10_000  # values per `IN (...)` filter in read_table

Bind = Connection | Engine


# --- plumbing ---------------------------------------------------------------------------------
@contextmanager
def _connection(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            yield conn
    else:
        yield bind


def _table(table: Table | str) -> Table:
    if isinstance(table, Table):
        return table
    try:
        return TABLES[table]
    except KeyError:
        raise ValueError(f"unknown warehouse table {table!r}; known: {', '.join(sorted(TABLES))}") from None


def _check_columns(table: Table, columns: Iterable[str], what: str = "frame") -> None:
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise ValueError(
            f"{what} has columns not in warehouse table {table.name}: {', '.join(map(str, unknown))} "
            f"(table columns: {', '.join(table.c.keys())})"
        )


def _plain(value: Any) -> Any:
    """pandas/numpy scalar -> plain Python; any missing value (None, NaN, NA, NaT) -> None."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def _to_int(value: Any) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(value)


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):  # pd.Timestamp included
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _to_utc(value: Any) -> dt.datetime:
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


def _to_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _converter(column) -> Callable[[Any], Any]:
    type_ = column.type
    # Order matters: BigInteger is an Integer; DateTime is not a Date.
    for kind, convert in (
        (Boolean, bool),
        (BigInteger, _to_int),
        (Integer, _to_int),
        (Float, float),
        (DateTime, _to_utc),
        (Date, _to_date),
        (String, _to_text),
    ):
        if isinstance(type_, kind):
            return convert
    return lambda v: v


# converter -> the plain type it returns as it is (str(s) is s, float(x) == x, int(i) == i): the
# common case of a large frame, passed through without the per-value conversion
_KEPT_BY: dict[Callable[[Any], Any], type] = {_to_text: str, float: float, _to_int: int}


def _column_values(table: Table, name: str, values: Iterable[Any]) -> list[Any]:
    convert = _converter(table.c[name])
    keeps = _KEPT_BY.get(convert)  # values of exactly this type come back from `convert` unchanged
    out = []
    for raw in values:
        if keeps is not None and type(raw) is keeps and raw == raw:  # raw == raw: not NaN
            out.append(raw)
            continue
        value = _plain(raw)
        if value is None:
            out.append(None)
            continue
        try:
            out.append(convert(value))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{table.name}.{name}: cannot store {raw!r} as {table.c[name].type}: {exc}") from None
    return out


def _records(table: Table, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Frame rows as DB-ready dicts (column subset checked, values converted per column type)."""
    _check_columns(table, frame.columns)
    if frame.columns.duplicated().any():
        raise ValueError(f"frame for {table.name} has duplicated column names")
    names = [str(c) for c in frame.columns]
    columns = [_column_values(table, n, frame[n].to_numpy(dtype=object)) for n in names]
    return [dict(zip(names, row)) for row in zip(*columns)]


def _insert(conn: Connection, table: Table, records: Sequence[dict[str, Any]], stmt=None) -> int:
    """executemany of `records` (all with the same keys, as `_records` makes them) in chunks;
    `stmt`: an INSERT of `table` other than the plain one (e.g. with an ON CONFLICT clause).

    Returns the rows stored: fewer than given when ON CONFLICT skipped some. Both drivers count an
    executemany's rows; SQLAlchemy passes that count on for an INSERT when asked (preserve_rowcount).
    """
    stmt = (table.insert() if stmt is None else stmt).execution_options(preserve_rowcount=True)
    inserted = 0
    for start in range(0, len(records), CHUNK_ROWS):
        inserted += conn.execute(stmt, list(records[start : start + CHUNK_ROWS])).rowcount
    return inserted


_MANY = (list, tuple, set, frozenset, pd.Index, pd.Series, np.ndarray)


def _where_values(table: Table, where: Mapping[str, object]) -> dict[str, list[Any]]:
    """`where` with each value as a list of DB-ready values (a scalar is a list of one)."""
    _check_columns(table, where, "where")
    return {n: _column_values(table, n, v if isinstance(v, _MANY) else [v]) for n, v in where.items()}


def _where(table: Table, where: Mapping[str, object]):
    clauses = [table.c[n].in_(values) for n, values in _where_values(table, where).items()]
    return and_(*clauses) if clauses else None


def _pk_names(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


# --- writes -----------------------------------------------------------------------------------
def _validate(table: Table, frame: pd.DataFrame) -> None:
    """The table's pandera schema (warehouse/schemas.py) before any write: BI never sees a breaking frame."""
    from zc_pipeline.warehouse.schemas import check_frame

    check_frame(table.name, frame)


def replace_partition(bind: Bind, table: Table | str, frame: pd.DataFrame, where: Mapping[str, object],
                      validate: bool = True) -> int:
    """Delete the rows matching `where` (value or list of values; {} = whole table), insert `frame`.

    Every frame row must lie inside the partition, so a re-run replaces exactly what it wrote.
    `validate`: check the frame against the table's pandera schema first (FrameSchemaError).
    Returns the number of rows inserted.
    """
    table = _table(table)
    records = _records(table, frame)  # unknown columns and unstorable values fail here first
    if validate:
        _validate(table, frame)
    partition = _where_values(table, where)
    for name, allowed in partition.items():
        if name not in frame.columns:
            continue
        allowed_set = set(allowed)
        outside = sorted({str(r[name]) for r in records if r[name] not in allowed_set})
        if outside:
            raise ValueError(
                f"{table.name}: frame rows outside the partition {name}={sorted(map(str, allowed))}: "
                f"{', '.join(outside[:10])}"
            )
    clause = _where(table, where)
    with _connection(bind) as conn:
        _lock_partition(conn, table, partition)
        conn.execute(table.delete() if clause is None else table.delete().where(clause))
        return _insert(conn, table, records)


def lock_partition(conn: Connection, table: Table | str, where: Mapping[str, object]) -> None:
    """Take the partition's turn now, for a replace computed from rows read in the same transaction:
    two runs refreshing it at once then each read what the other committed before it (PostgreSQL;
    SQLite's write transaction already holds its one write lock)."""
    table = _table(table)
    _lock_partition(conn, table, _where_values(table, where))


def _lock_partition(conn: Connection, table: Table, partition: Mapping[str, list[Any]]) -> None:
    """On PostgreSQL, hold a lock on the partition until the transaction ends: replaces of one
    partition (two runs refreshing the registry, a month re-run twice) then take turns.

    Without it, under READ COMMITTED, the second DELETE skips the rows the first transaction is
    inserting, and its INSERT then fails on their keys once the first commits (duplicate key). With
    it, the second DELETE starts after that commit and removes them: the table ends as the last
    replace wrote it. SQLite needs none: BEGIN IMMEDIATE already lets one writer in at a time.
    """
    if conn.dialect.name != "postgresql":
        return
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(table.schema, table.schema)
    what = json.dumps([schema, table.name, sorted((n, sorted(map(str, v))) for n, v in partition.items())])
    key = int.from_bytes(hashlib.sha256(what.encode()).digest()[:8], "big", signed=True)
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def prepare_rows(table: Table | str, frame: pd.DataFrame, validate: bool = True) -> list[dict[str, Any]]:
    """A frame as DB-ready rows for `insert_prepared`: columns and values checked, pandera schema applied.

    Split from the insert so worker processes can do this CPU-bound part in parallel.
    """
    table = _table(table)
    missing = [n for n in _pk_names(table) if n not in frame.columns]
    if missing:
        raise ValueError(f"{table.name}: insert_new needs the primary key columns {', '.join(missing)}")
    records = _records(table, frame)
    if validate:
        _validate(table, frame)
    return records


def insert_prepared(bind: Bind, table: Table | str, records: Sequence[dict[str, Any]]) -> int:
    """Insert the rows (from `prepare_rows`) whose primary key is not stored yet; first of any repeats.

    The database skips the others (INSERT ... ON CONFLICT DO NOTHING), a row another transaction
    stores meanwhile (two runs registering the same registry file) included. Returns rows inserted.
    """
    table = _table(table)
    if not records:
        return 0
    with _connection(bind) as conn:
        return _insert(conn, table, records, _insert_or_skip(conn, table))


_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _insert_or_skip(conn: Connection, table: Table):
    """INSERT of `table` that skips a row whose primary key is stored already (or repeats an earlier row)."""
    insert = _DIALECT_INSERT[conn.dialect.name]
    return insert(table).on_conflict_do_nothing(index_elements=list(table.primary_key.columns))


def insert_new(bind: Bind, table: Table | str, frame: pd.DataFrame, validate: bool = True) -> int:
    """Insert the rows whose primary key is not stored yet (first of any in-frame repeats); never update.

    `validate`: check the frame against the table's pandera schema first.
    Returns the number of rows inserted.
    """
    return insert_prepared(bind, table, prepare_rows(table, frame, validate))


def update_rows(
    bind: Bind, table: Table | str, frame: pd.DataFrame, key_cols: Sequence[str], set_cols: Sequence[str]
) -> int:
    """Set `set_cols` from `frame` on the rows matching `key_cols` (e.g. submission status). Returns rows updated."""
    table = _table(table)
    key_cols, set_cols = list(key_cols), list(set_cols)
    _check_columns(table, [*key_cols, *set_cols], "update_rows")
    missing = [c for c in [*key_cols, *set_cols] if c not in frame.columns]
    if missing:
        raise ValueError(f"{table.name}: update frame lacks {', '.join(missing)}")
    if not key_cols or not set_cols:
        raise ValueError("update_rows needs key_cols and set_cols")
    records = [{f"b_{k}": v for k, v in r.items()} for r in _records(table, frame[[*key_cols, *set_cols]])]
    if not records:
        return 0
    stmt = (
        table.update()
        .where(and_(*[table.c[k] == bindparam(f"b_{k}") for k in key_cols]))
        .values({c: bindparam(f"b_{c}") for c in set_cols})
    )
    updated = 0
    with _connection(bind) as conn:
        for start in range(0, len(records), CHUNK_ROWS):
            updated += conn.execute(stmt, records[start : start + CHUNK_ROWS]).rowcount
    return updated


GRADE_KEY = ("park_code", "level", "period")
# grade_history in the order grades were published: by the publishing run's as-of date (rows without
# one first), then by the wall clock
PUBLICATION_ORDER = (grade_history.c.as_of.isnot(None), grade_history.c.as_of, grade_history.c.issued_at,
                     grade_history.c.history_id)
GRADE_VALUE = ("grade", "score", "standard_version")


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=0.0, abs_tol=1e-9)
    return a == b


def append_grade_history(bind: Bind, frame: pd.DataFrame, issued_at: dt.datetime) -> int:
    """Append a grade_history row where (grade, score, standard_version) differs from what that window
    had published as of the row's `as_of`: the latest row published by a run of an as-of date on or
    before it (rows without one, written before the column existed, count as earlier than any).

    `frame`: park_code, level, period, grade, score, standard_version, run_id (and as_of, the run's
    as-of date). Returns rows appended.
    """
    needed = [*GRADE_KEY, *GRADE_VALUE, "run_id"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"grade_history frame lacks {', '.join(missing)}")
    records = _records(grade_history, frame[[*needed, *(["as_of"] if "as_of" in frame else [])]])
    keys = [tuple(r[c] for c in GRADE_KEY) for r in records]
    if len(set(keys)) != len(keys):
        raise ValueError("grade_history frame has more than one row per (park_code, level, period)")
    issued = _to_utc(issued_at)
    g = grade_history.c
    with _connection(bind) as conn:
        published: dict[tuple, list[tuple]] = {}
        periods = sorted({k[2] for k in keys})
        for start in range(0, len(periods), KEY_CHUNK):
            rows = conn.execute(
                select(g.park_code, g.level, g.period, g.as_of, g.grade, g.score, g.standard_version)
                .where(g.period.in_(periods[start : start + KEY_CHUNK]))
                .order_by(*PUBLICATION_ORDER)
            )
            for row in rows:  # in publication order: the last one per key is the latest
                published.setdefault(tuple(row[:3]), []).append((row[3], tuple(row[4:])))
        changed = []
        for key, r in zip(keys, records):
            as_of = r.get("as_of")
            seen = [v for a, v in published.get(key, []) if a is None or as_of is None or a <= as_of]
            before = seen[-1] if seen else None
            if before is None or not all(_same(r[c], b) for c, b in zip(GRADE_VALUE, before)):
                changed.append({**r, "issued_at": issued})
        return _insert(conn, grade_history, changed)


# --- validation_issue ids -----------------------------------------------------------------------
ISSUE_ID_FIELDS = ("submission_id", "rule_id", "severity", "sheet", "row", "column", "value")


def fit_to_table(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The frame's columns that the warehouse table has (parse frames carry working columns too)."""
    return frame[[c.name for c in TABLES[table].columns if c.name in frame.columns]]


def add_issue_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of a validation_issue frame with `issue_id` = sha256 of ISSUE_ID_FIELDS (stable across re-runs)."""
    missing = [c for c in ISSUE_ID_FIELDS if c not in frame.columns]
    if missing:
        raise ValueError(f"validation_issue frame lacks {', '.join(missing)}")
    parts = [_column_values(validation_issue, c, frame[c].to_numpy(dtype=object)) for c in ISSUE_ID_FIELDS]
    ids = [
        hashlib.sha256("|".join("" if v is None else str(v) for v in row).encode()).hexdigest()[:24]
        for row in zip(*parts)
    ]
    return frame.assign(issue_id=pd.Series(ids, index=frame.index, dtype=object))


# --- reads ------------------------------------------------------------------------------------
@contextmanager
def _reader(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            yield conn.execution_options(sqlite_begin="DEFERRED")
    else:
        yield bind


def _where_batches(table: Table, where: Mapping[str, object] | None) -> list[dict[str, list[Any]]]:
    """`where` as DB-ready value lists, the longest split so no statement passes more parameters
    than SQLite accepts (32766)."""
    values = _where_values(table, where or {})
    longest = max(values, key=lambda n: len(values[n]), default=None)
    if longest is not None and len(values[longest]) > IN_CHUNK:
        many = values[longest]
        return [{**values, longest: many[i : i + IN_CHUNK]} for i in range(0, len(many), IN_CHUNK)]
    return [values]


def count_rows(bind: Bind, name: str, where: Mapping[str, object] | None = None) -> int:
    """How many rows `read_table(bind, name, where)` would return, without reading them."""
    table = _table(name)
    with _reader(bind) as conn:
        return sum(
            conn.execute(select(func.count()).select_from(table).where(*[table.c[n].in_(v) for n, v in batch.items()]))
            .scalar_one()
            for batch in _where_batches(table, where)
        )


def distinct_values(bind: Bind, name: str, column: str) -> set:
    """The distinct values of one column (e.g. the periods a table holds), without reading the rows."""
    table = _table(name)
    with _reader(bind) as conn:
        return set(conn.execute(select(table.c[column]).distinct()).scalars())


def read_table(bind: Bind, name: str, where: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Rows of a warehouse table (optionally filtered like `replace_partition`), ordered by primary key."""
    table = _table(name)
    pk = [c.name for c in table.primary_key.columns]
    batches = _where_batches(table, where)
    rows: list = []
    with _reader(bind) as conn:
        for batch in batches:
            stmt = select(table).where(*[table.c[n].in_(v) for n, v in batch.items()]).order_by(*table.primary_key)
            rows.extend(map(tuple, conn.execute(stmt)))
    # plain tuples: pandas builds a frame from them much faster than from Row objects, same dtypes
    frame = pd.DataFrame(rows, columns=table.c.keys())
    if len(batches) > 1:
        frame = frame.sort_values(pk, kind="mergesort").reset_index(drop=True)
    for column in table.columns:
        if isinstance(column.type, DateTime):  # SQLite hands back naive UTC; make both backends agree
            frame[column.name] = pd.to_datetime(frame[column.name], utc=True)
    return frame


def dump_sorted(bind: Bind, name: str, drop: Sequence[str] = ("run_id", "issued_at")) -> pd.DataFrame:
    """All rows without the `drop` columns, sorted by every column: equal dumps mean equal contents."""
    frame = read_table(bind, name)
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    if frame.empty:
        return frame.reset_index(drop=True)
    return frame.sort_values(list(frame.columns), na_position="last", kind="mergesort").reset_index(drop=True)


def row_counts(bind: Bind) -> dict[str, int]:
    """Number of rows of every warehouse table."""
    with _reader(bind) as conn:
        return {name: conn.execute(select(func.count()).select_from(t)).scalar_one() for name, t in sorted(TABLES.items())}
