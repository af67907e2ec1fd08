"""Record a programme file (verification or funding application) like a park file: registered, validated, issues kept."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.intake.ids import file_sha256, submission_id
from zc_pipeline.intake.landing import landing_file_frame, relative_path
from zc_pipeline.warehouse.writer import add_issue_ids, fit_to_table, insert_new


def record_programme_file(conn: sa.Connection, path: Path, data_dir: Path, kind: str, period: str,
                          issues: pd.DataFrame, run_id: str) -> str:
    """Register the file and its issues (issue rows point to a per-row id in the file); return its SHA-256."""
    sha = file_sha256(path)
    rel = relative_path(path, data_dir)
    insert_new(conn, "landing_file", landing_file_frame({path: sha}, data_dir, kind))
    if len(issues):
        i = issues.copy()
        i["submission_id"] = [submission_id(sha, None if pd.isna(r) else int(r)) for r in i["source_row"]]
        i["source_file"], i["source_sha256"], i["period"], i["run_id"] = rel, sha, period, run_id
        i = add_issue_ids(i)
        insert_new(conn, "validation_issue", fit_to_table(i.drop_duplicates("issue_id"), "validation_issue"))
    return sha
