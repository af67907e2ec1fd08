"""Record month-over-month warnings for month m against m-1, replacing only those rows."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.intake.month_over_month import MOM_RULE_IDS, month_over_month_warnings
from zc_pipeline.standards import Standard
from zc_pipeline.warehouse import tables as T
from zc_pipeline.warehouse.writer import add_issue_ids, fit_to_table, insert_new, read_table, update_rows


def record_month_over_month(engine: sa.Engine, month: str, previous: str, std: Standard, run_id: str,
                            receipts_dir: Path | None = None) -> pd.DataFrame:
    current = read_table(engine, "park_month", where={"period": month})
    prev = read_table(engine, "park_month", where={"period": previous})
    warnings = month_over_month_warnings(
        current, prev, std, values=lambda ids: read_table(engine, "submitted_value", where={"submission_id": ids}))
    subs = read_table(engine, "submission", where={"period": month})
    meta = subs.set_index("submission_id")[["source_file", "source_sha256"]]
    if len(warnings):
        warnings = warnings.join(meta, on="submission_id")
        warnings["period"], warnings["run_id"] = month, run_id
        warnings = add_issue_ids(warnings)
    issues = T.TABLES["validation_issue"]
    with engine.begin() as conn:
        conn.execute(sa.delete(issues).where(issues.c.period == month, issues.c.rule_id.in_(list(MOM_RULE_IDS))))
        if len(warnings):
            insert_new(conn, "validation_issue", fit_to_table(warnings.drop_duplicates("issue_id"), "validation_issue"))
        # warning_count of each version counts every warning recorded against it, MoM ones included
        counts = pd.read_sql(
            sa.select(issues.c.submission_id, sa.func.count().label("warning_count"))
            .where(issues.c.period == month, issues.c.severity == "warning")
            .group_by(issues.c.submission_id),
            conn,
        ).set_index("submission_id")["warning_count"]
        subs["new_count"] = subs["submission_id"].map(counts).fillna(0).astype(int)
        changed = subs[subs["new_count"] != subs["warning_count"]].assign(warning_count=lambda d: d["new_count"])
        if len(changed):
            update_rows(conn, "submission", changed, ["submission_id"], ["warning_count"])
    if receipts_dir is not None and len(warnings):
        write_warning_receipts(engine, month, sorted(set(warnings["source_file"])), Path(receipts_dir))
    return warnings if len(warnings) else pd.DataFrame(columns=["submission_id", "rule_id"])


def write_warning_receipts(engine: sa.Engine, month: str, source_files: list[str], receipts_dir: Path) -> None:
    """(Re)write the receipt of each file with a W001 row, listing every issue recorded for that file.

    The intake stage writes receipts before W001 is known; FILES.md wants one for every file with a warning.
    """
    from zc_pipeline.intake.parse import ParsedFile
    from zc_pipeline.intake.receipts import receipt_name, write_receipt

    for source_file in source_files:
        subs = read_table(engine, "submission", where={"source_file": source_file})
        issues = read_table(engine, "validation_issue", where={"source_file": source_file})
        issues = issues.sort_values(["row", "column", "rule_id"], na_position="first", kind="mergesort")
        fmt = subs["source_format"].iloc[0] if len(subs) else ""
        parsed = ParsedFile(records=subs, values=pd.DataFrame(), issues=issues,
                            source_sha256=str(subs["source_sha256"].iloc[0]) if len(subs) else "",
                            source_format=fmt, file_error=False, source_file=source_file)
        name = Path(source_file).name
        write_receipt(parsed, name, receipts_dir / month / receipt_name(name))
