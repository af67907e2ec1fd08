"""Helpers shared by the asset modules: materialization metadata and run identity."""

import dagster as dg
import pandas as pd

PREVIEW_ROWS = 10
# what an asset computed under a rulebook reads: the rulebook in force over the months of its partition
# (defs/lineage.py), so a new or changed rulebook marks exactly those partitions stale
RULEBOOK = dg.AssetDep("rulebook_in_force")


def table_metadata(df: pd.DataFrame, rows: int | None = None, **extra) -> dict:
    """Row count, column schema and a preview: what an auditor sees on every materialization.

    `rows`: the row count when `df` holds only the first rows (a large table's preview).
    """
    schema = dg.TableSchema(columns=[dg.TableColumn(name=str(c), type=str(t)) for c, t in df.dtypes.items()])
    preview = df.head(PREVIEW_ROWS).astype(str).to_markdown(index=False) if len(df) else "(no rows)"
    meta = {
        "dagster/row_count": dg.MetadataValue.int(int(len(df) if rows is None else rows)),
        "dagster/column_schema": schema,
        "preview": dg.MetadataValue.md(preview),
    }
    meta.update(extra)
    return meta
