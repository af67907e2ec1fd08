"""The warehouse: table definitions, engine, partition-replace writer, data dictionary, BI access."""
from zc_pipeline.warehouse.engine import create_all, default_url, describe, make_engine, schema_of
from zc_pipeline.warehouse.tables import HISTORY_TABLES, PARTITION_COLUMNS, TABLES, metadata
from zc_pipeline.warehouse.writer import (
    add_issue_ids,
    append_grade_history,
    dump_sorted,
    insert_new,
    read_table,
    replace_partition,
    row_counts,
    update_rows,
)

__all__ = [
    "HISTORY_TABLES",
    "PARTITION_COLUMNS",
    "TABLES",
    "add_issue_ids",
    "append_grade_history",
    "create_all",
    "default_url",
    "describe",
    "dump_sorted",
    "insert_new",
    "make_engine",
    "metadata",
    "read_table",
    "replace_partition",
    "row_counts",
    "schema_of",
    "update_rows",
]
