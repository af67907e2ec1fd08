"""The data dictionary (docs/data_dictionary.md), rendered from the table definitions.

Regenerate with `python -m zc_pipeline.warehouse.dictionary`.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, Integer, String

from zc_pipeline.warehouse.bi import VIEW_COLUMNS, VIEW_DESCRIPTIONS
from zc_pipeline.warehouse.tables import HISTORY_TABLES, PARTITION_COLUMNS, TABLES

DICTIONARY_PATH = Path(__file__).resolve().parents[2] / "docs" / "data_dictionary.md"

_TYPE_NAMES = (  # checked in order: BigInteger is an Integer
    (Boolean, "boolean"),
    (BigInteger, "bigint"),
    (Integer, "integer"),
    (Float, "double"),
    (DateTime, "timestamp (UTC)"),
    (Date, "date"),
    (String, "text"),
)


def _type_name(type_) -> str:
    return next((name for kind, name in _TYPE_NAMES if isinstance(type_, kind)), str(type_).lower())


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _writes(name: str) -> str:
    if name in HISTORY_TABLES:
        return "history: rows are added, never replaced"
    parts = PARTITION_COLUMNS[name]
    return "replaced as a whole" if not parts else "replaced per " + ", ".join(f"`{p}`" for p in parts)


def render_data_dictionary() -> str:
    """Markdown: per table its description, primary key, how it is written, and its columns."""
    lines = [
        "# Warehouse data dictionary",
        "",
        "Generated from `zc_pipeline/warehouse/tables.py` by `python -m zc_pipeline.warehouse.dictionary`;"
        " do not edit by hand. The contract is `WAREHOUSE.md`: columns may be added, never renamed or removed.",
        "",
        "| table | description |",
        "|---|---|",
        *(f"| [`{name}`](#{name}) | {_cell(t.comment)} |" for name, t in TABLES.items()),
    ]
    for name, table in TABLES.items():
        pk = ", ".join(f"`{c.name}`" for c in table.primary_key.columns)
        lines += ["", f"## {name}", "", _cell(table.comment), "", f"Primary key: {pk}. Written: {_writes(name)}."]
        for constraint in sorted(table.constraints, key=lambda c: c.name or ""):
            if constraint.name and constraint.name.startswith("uq_"):
                cols = ", ".join(f"`{c.name}`" for c in constraint.columns)
                lines.append(f"Unique: {cols}.")
        lines += ["", "| column | type | nullable | description |", "|---|---|---|---|"]
        for column in table.columns:
            nullable = "yes" if column.nullable else "no"
            lines.append(f"| `{column.name}` | {_type_name(column.type)} | {nullable} | {_cell(column.comment)} |")
    lines += ["", "## Views", "",
              "Created by the pipeline on SQLite and on PostgreSQL alike (the same columns and rows; on PostgreSQL "
              "with a comment), and re-created by `zc db grant-bi`. A BI tool reads them as tables.", "",
              "| view | description |", "|---|---|"]
    lines += [f"| [`{name}`](#{name}) | {_cell(text)} |" for name, text in VIEW_DESCRIPTIONS.items()]
    for name, text in VIEW_DESCRIPTIONS.items():
        lines += ["", f"### {name}", "", _cell(text), "", "| column | type | from | description |", "|---|---|---|---|"]
        lines += [f"| `{c.name}` | {_type_name(c.type)} | `{c.info.get('stored_in') or c.table.name}` | {_cell(c.comment)} |"
                  for c in VIEW_COLUMNS[name]]
    return "\n".join(lines) + "\n"


def write_data_dictionary(path: Path = DICTIONARY_PATH) -> Path:
    path.write_text(render_data_dictionary(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write_data_dictionary()}")
