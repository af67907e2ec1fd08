"""Take one month's landing folder to recorded submissions: register, parse, record, choose in force.

This is the application layer between the pure readers (`parse.py`) and the warehouse: it never
changes a landing file, records every file before parsing it, inserts history rows only once
(ids are content hashes) and updates nothing but submission statuses.
"""
from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.domain.measures import QUANTITY_FIELDS, compute_park_month
from zc_pipeline.domain.submissions import choose_in_force
from zc_pipeline.intake.ids import file_sha256, submission_id
from zc_pipeline.intake.landing import landing_file_frame, relative_path
from zc_pipeline.standards import Standard
from zc_pipeline.warehouse import tables as T
from zc_pipeline.warehouse.writer import (
    add_issue_ids,
    fit_to_table,
    insert_new,
    read_table,
    replace_partition,
    update_rows,
)

MONTHLY_SUFFIXES = (".xlsx", ".csv", ".xlsm", ".xls")
PARALLEL_MIN_FILES = 16


@dataclass
class MonthIntake:
    month: str
    files_seen: int = 0
    files_new: int = 0
    submissions_new: int = 0
    rejected_files: list[dict] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def landing_files(month_dir: Path) -> list[Path]:
    """Every regular, non-hidden file of a month folder (an unknown type is still recorded and rejected)."""
    if not month_dir.is_dir():
        return []
    return sorted(p for p in month_dir.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))


def _parse_one(args):
    from zc_pipeline.intake.parse import parse_landing_file

    path, month, registry, std, as_of = args
    return parse_landing_file(path, folder_month=month, registry=registry, std=std, as_of=as_of)


def parse_files(paths: list[Path], month: str, registry: pd.DataFrame, std: Standard, as_of: dt.date) -> list:
    """Parse files, in a process pool when there are many (parsing is CPU-bound)."""
    jobs = [(p, month, registry, std, as_of) for p in paths]
    if len(jobs) < PARALLEL_MIN_FILES or (os.cpu_count() or 1) < 2:
        return [_parse_one(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        return list(pool.map(_parse_one, jobs, chunksize=max(1, len(jobs) // (4 * (os.cpu_count() or 1)))))


def record_month(
    engine: sa.Engine,
    *,
    data_dir: Path,
    month: str,
    registry: pd.DataFrame,
    std: Standard,
    as_of: dt.date,
    run_id: str,
    receipts_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> MonthIntake:
    """Register, parse and record the month's files; then recompute statuses of the month's submissions."""
    from zc_pipeline.intake.receipts import write_receipt

    now = now or dt.datetime.now(dt.timezone.utc)
    summary = MonthIntake(month)
    paths = landing_files(data_dir / "landing" / month)
    summary.files_seen = len(paths)
    hashes = {p: file_sha256(p) for p in paths}
    files = landing_file_frame(hashes, data_dir, "monthly", now)
    with engine.begin() as conn:
        # registered before parsing: a file that crashes the parser is still on record
        summary.files_new = insert_new(conn, "landing_file", files)
        known = {
            r[0]
            for r in conn.execute(
                sa.select(T.TABLES["submission"].c.source_sha256).distinct().where(
                    T.TABLES["submission"].c.source_sha256.in_(list(set(hashes.values())) or [""])
                )
            )
        }
        seen = read_table(conn, "landing_file", where={"source_sha256": list(set(hashes.values())) or [""]})
    first_seen = seen.groupby("source_sha256")["first_seen_at"].min().to_dict()
    todo, todo_seen = [], set()
    for p in paths:
        if hashes[p] not in known and hashes[p] not in todo_seen:  # same content at a new path: nothing new
            todo.append(p)
            todo_seen.add(hashes[p])
    parsed = parse_files(todo, month, registry, std, as_of)

    subs, values, issues = [], [], []
    for path, pf in zip(todo, parsed):
        sha, rel = hashes[path], relative_path(path, data_dir)
        rec = pf.records.copy()
        rec["submission_id"] = [submission_id(sha, r) for r in rec["source_row"]]
        rec["source_file"], rec["source_sha256"], rec["received_at"] = rel, sha, first_seen[sha]
        rec["run_id"] = run_id
        rec["in_force"], rec["on_time"] = False, False
        subs.append(rec)
        ids = dict(zip(rec["source_row"].astype("object").where(rec["source_row"].notna(), None), rec["submission_id"]))
        file_level = rec["submission_id"].iloc[0] if pf.file_error else None
        if not pf.values.empty:
            v = pf.values.copy()
            v["submission_id"] = [ids.get(None if pd.isna(r) else r) for r in v["source_row"]]
            values.append(v)
        if not pf.issues.empty:
            i = pf.issues.copy()
            i["submission_id"] = [
                file_level or ids.get(None if pd.isna(r) else r) for r in i["source_row"]
            ]
            period_of = dict(zip(rec["submission_id"], rec["period"]))
            i["period"] = i["submission_id"].map(period_of)
            i["source_file"], i["source_sha256"], i["run_id"] = rel, sha, run_id
            issues.append(i)
            if receipts_dir is not None:
                out = receipts_dir / month / f"{path.name}.receipt.xlsx"
                out.parent.mkdir(parents=True, exist_ok=True)
                write_receipt(pf, path, out)
                summary.receipts.append(str(out))
        if pf.file_error:
            first = pf.issues.iloc[0] if not pf.issues.empty else None
            summary.rejected_files.append(
                {"file": rel, "rule_id": None if first is None else first["rule_id"],
                 "message_en": None if first is None else first["message_en"]}
            )

    with engine.begin() as conn:
        if subs:
            frame = pd.concat(subs, ignore_index=True)
            summary.submissions_new = insert_new(conn, "submission", fit_to_table(frame, "submission"))
        if values:
            v = pd.concat(values, ignore_index=True)
            insert_new(conn, "submitted_value", fit_to_table(v, "submitted_value"))
        if issues:
            i = pd.concat(issues, ignore_index=True)
            i = add_issue_ids(i)
            insert_new(conn, "validation_issue", fit_to_table(i.drop_duplicates("issue_id"), "validation_issue"))
        refresh_statuses(conn, month, std)
    return summary


def refresh_statuses(conn: sa.Connection, month: str, std: Standard) -> pd.DataFrame:
    """Recompute status, in_force and on_time of every version of the month's park-months."""
    subs = read_table(conn, "submission", where={"period": month})
    if subs.empty:
        return subs
    chosen = choose_in_force(subs, std.int("deadline_day"))
    changed = chosen[
        (chosen["status"] != subs["status"]) | (chosen["in_force"] != subs["in_force"]) | (chosen["on_time"] != subs["on_time"])
    ]
    if not changed.empty:
        update_rows(conn, "submission", changed, ["submission_id"], ["status", "in_force", "on_time"])
    return chosen


def in_force_quantities(conn_or_engine, month: str) -> pd.DataFrame:
    """In-force submissions of a month with their canonical quantities (pivoted submitted_value)."""
    subs = read_table(conn_or_engine, "submission", where={"period": month, "in_force": True})
    cols = ["park_code", "period", "submission_id", "source_sha256", "on_time", *QUANTITY_FIELDS]
    if subs.empty:
        return pd.DataFrame(columns=cols)
    vals = read_table(conn_or_engine, "submitted_value", where={"submission_id": list(subs["submission_id"])})
    wide = vals.pivot_table(index="submission_id", columns="field", values="canonical_value", aggfunc="first")
    wide = wide.reindex(columns=list(QUANTITY_FIELDS))
    out = subs.set_index("submission_id")[["park_code", "period", "source_sha256", "on_time"]].join(wide)
    for f in QUANTITY_FIELDS:
        if f != "reported_co2_t":
            out[f] = out[f].astype("float64").fillna(0.0)
    return out.reset_index()[cols]


def build_park_month(engine: sa.Engine, month: str, std: Standard, run_id: str) -> pd.DataFrame:
    """park_month rows of a month from its in-force submissions, written as one partition."""
    pm = compute_park_month(in_force_quantities(engine, month), std)
    pm["run_id"], pm["standard_version"] = run_id, std.version
    with engine.begin() as conn:
        replace_partition(conn, "park_month", pm, {"period": month})
    return pm
