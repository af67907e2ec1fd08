"""Record a programme file (verification or funding application) like a park file: registered, validated, issues kept."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.intake.ids import file_sha256, submission_id
from zc_pipeline.intake.landing import landing_file_frame, relative_path
from zc_pipeline.intake.programme_files import ParsedProgrammeFile
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import add_issue_ids, fit_to_table, insert_new, lock_partition


RECEIPT_FOLDERS = {"verification": "verifications", "funding": "funding", "list": "lists",
                   "interview": "interviews"}  # as under landing/


def record_programme_file(conn: sa.Connection, path: Path, data_dir: Path, kind: str, period: str,
                          parsed: ParsedProgrammeFile, run_id: str,
                          receipts_dir: Path | None = None) -> str:
    """Register the file and its issues (issue rows point to a per-row id in the file), write its
    receipt when it has an issue (FILES.md: every file with an error or warning); return its SHA-256.

    The file's issues for `period` are replaced, not added to: they are its verdict against the
    warehouse as it is now (a verification row's month in force, V013; the registry), so a re-read
    after months arrived drops what no longer holds. Other versions of the file keep their rows.
    """
    sha = file_sha256(path)
    rel = relative_path(path, data_dir)
    insert_new(conn, "landing_file", landing_file_frame({path: sha}, data_dir, kind))
    table = TABLES["validation_issue"]
    # two runs re-reading the file for the half take turns: the later one's verdict is what stays
    lock_partition(conn, table, {"source_sha256": sha, "period": period})
    conn.execute(sa.delete(table).where(table.c.source_sha256 == sha, table.c.period == period))
    issues = parsed.issues
    if not len(issues) and receipts_dir is not None:
        from zc_pipeline.intake.receipts import receipt_name

        # a receipt written on an earlier read lists issues the file no longer has
        (receipts_dir / RECEIPT_FOLDERS[kind] / receipt_name(path.name)).unlink(missing_ok=True)
    if len(issues):
        i = issues.copy()
        i["submission_id"] = [submission_id(sha, None if pd.isna(r) else int(r)) for r in i["source_row"]]
        i["source_file"], i["source_sha256"], i["period"], i["run_id"] = rel, sha, period, run_id
        i = add_issue_ids(i)
        insert_new(conn, "validation_issue", fit_to_table(i.drop_duplicates("issue_id"), "validation_issue"))
        if receipts_dir is not None:
            write_programme_receipt(parsed, path, sha, receipts_dir / RECEIPT_FOLDERS[kind])
    return sha


def write_programme_receipt(parsed: ParsedProgrammeFile, path: Path, sha: str, folder: Path) -> Path:
    """The receipt of a verification or funding file, in the layout of a monthly file's receipt."""
    from zc_pipeline.intake.parse import ParsedFile
    from zc_pipeline.intake.receipts import receipt_name, write_receipt

    records = parsed.rows[["status"]]
    if parsed.file_rejected and records.empty:  # a file error: the file is one rejected record
        records = pd.DataFrame({"status": ["rejected"]})
    as_parsed = ParsedFile(records=records, values=pd.DataFrame(), issues=parsed.issues,
                           source_sha256=sha, source_format="csv", file_error=parsed.file_rejected,
                           source_file=str(path))
    return write_receipt(as_parsed, path, folder / receipt_name(path.name))
