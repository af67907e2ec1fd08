"""Take one month's landing folder to recorded submissions: register, parse, record, choose in force.

This is the application layer between the pure readers (`parse.py`) and the warehouse: it never
changes a landing file, records every file before parsing it, inserts history rows only once
(ids are content hashes) and updates nothing but submission statuses.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.domain.measures import QUANTITY_FIELDS, compute_park_month
from zc_pipeline.domain.submissions import choose_in_force
from zc_pipeline.intake.ids import file_sha256
from zc_pipeline.intake.parse import registry_codes
from zc_pipeline.intake.landing import landing_file_frame, relative_path
from zc_pipeline.parallel import process_pool, shared, worker_count
from zc_pipeline.standards import Standard
from zc_pipeline.warehouse import tables as T
from zc_pipeline.warehouse.writer import (
    add_issue_ids,
    fit_to_table,
    insert_new,
    insert_prepared,
    prepare_rows,
    read_table,
    replace_partition,
    update_rows,
)

MONTHLY_SUFFIXES = (".xlsx", ".csv", ".xlsm", ".xls")
PARALLEL_MIN_FILES = 16
CHUNKS_PER_WORKER = 4  # runs of files per pool worker: the writer starts on the first while the rest parse


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


@dataclass
class FileJob:
    """One landing file to parse, with what its rows need from the registration step."""

    path: Path
    sha256: str
    source_file: str  # relative to the data folder
    received_at: dt.datetime  # landing_file.first_seen_at of its content


@dataclass
class ChunkRows:
    """DB-ready rows of a run of files (from `prepare_rows`), and what the summary reports of them."""

    rows: dict[str, list[dict]]
    files: int = 0
    receipts: list[str] = field(default_factory=list)
    rejected_files: list[dict] = field(default_factory=list)


def _batch_rows(batch, jobs: list[FileJob], run_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """submission, submitted_value and validation_issue rows of a parsed batch of files."""
    source_file = {i: job.source_file for i, job in enumerate(jobs)}
    received_at = {i: job.received_at for i, job in enumerate(jobs)}
    rec = batch.records.drop(columns="file").assign(
        source_file=batch.records["file"].map(source_file),
        source_sha256=batch.records["file"].map({i: job.sha256 for i, job in enumerate(jobs)}),
        received_at=batch.records["file"].map(received_at), run_id=run_id, in_force=False, on_time=False)
    values = batch.values.drop(columns="file")
    period_of = dict(zip(rec["submission_id"], rec["period"]))
    issues = batch.issues.drop(columns="file").assign(
        period=batch.issues["submission_id"].map(period_of),
        source_file=batch.issues["file"].map(source_file),
        source_sha256=batch.issues["file"].map({i: job.sha256 for i, job in enumerate(jobs)}),
        run_id=run_id)
    return rec, values, issues


def intake_chunk(jobs: list[FileJob], month: str, park_codes: set[str] | None, std: Standard,
                 as_of: dt.date, run_id: str, receipts_dir: Path | None) -> ChunkRows:
    """Read a run of files, check their cells as one batch, write their receipts and turn their
    rows into DB-ready rows.

    Pure of the warehouse, so it runs in the parse pool's workers: everything CPU-bound about a
    file happens here, and the one writer process only inserts.
    """
    from zc_pipeline.intake.parse import check_files, read_landing_file
    from zc_pipeline.intake.receipts import receipt_name, write_receipt

    out = ChunkRows(rows={}, files=len(jobs))
    if not jobs:
        return out
    batch = check_files([read_landing_file(job.path, folder_month=month, park_codes=park_codes, std=std,
                                           as_of=as_of, sha256=job.sha256, source_file=str(job.path))
                         for job in jobs], std)
    for i in sorted(set(batch.issues["file"])):
        job = jobs[i]
        if receipts_dir is not None:
            receipt = receipts_dir / month / receipt_name(job.path.name)
            receipt.parent.mkdir(parents=True, exist_ok=True)
            write_receipt(batch.parsed_file(i), job.path, receipt)
            out.receipts.append(str(receipt))
        if batch.files[i].file_error:
            first = batch.issues[batch.issues["file"] == i].iloc[0]
            out.rejected_files.append(
                {"file": job.source_file, "rule_id": first["rule_id"], "message_en": first["message_en"]})
    rec, values, issues = _batch_rows(batch, jobs, run_id)
    out.rows["submission"] = prepare_rows("submission", fit_to_table(rec, "submission"))
    if not values.empty:
        out.rows["submitted_value"] = prepare_rows("submitted_value", fit_to_table(values, "submitted_value"))
    if not issues.empty:
        i = add_issue_ids(issues)
        out.rows["validation_issue"] = prepare_rows("validation_issue", fit_to_table(i.drop_duplicates("issue_id"), "validation_issue"))
    return out


def _chunks(jobs: list[FileJob], n: int) -> list[list[FileJob]]:
    """`jobs` cut, in order, into at most `n` runs of about equal bytes (one big CSV can hold many parks)."""
    sizes = [max(1, j.path.stat().st_size) for j in jobs]
    target = sum(sizes) / max(1, n)
    out: list[list[FileJob]] = [[]]
    filled = 0.0
    for job, size in zip(jobs, sizes):
        if out[-1] and filled + size / 2 > target:
            out.append([])
            filled = 0.0
        out[-1].append(job)
        filled += size
    return out


def intake_rows(jobs: list[FileJob], month: str, registry: pd.DataFrame, std: Standard, as_of: dt.date,
                run_id: str, receipts_dir: Path | None) -> Iterator[ChunkRows]:
    """`intake_chunk` over all jobs, in order: in a process pool when there are many files (parsing is
    CPU-bound), yielding each run of files as soon as it is ready so the caller writes while the
    pool parses on."""
    args = (month, registry_codes(registry), std, as_of, run_id, receipts_dir)
    workers = worker_count()
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2:
        if jobs:
            yield intake_chunk(jobs, *args)
        return
    chunks = _chunks(jobs, CHUNKS_PER_WORKER * workers)
    # what every run of files shares (the registry's codes) goes to each worker once, when it
    # starts, not with every run of files
    with process_pool(args) as pool:
        yield from pool.map(_worker_chunk, chunks)


def _worker_chunk(jobs: list[FileJob]) -> ChunkRows:
    """`intake_chunk` in a pool worker, with the arguments after the jobs that its pool shares."""
    return intake_chunk(jobs, *shared())


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
    on_parsed: Callable[[int, int], None] | None = None,
) -> MonthIntake:
    """Register, parse and record the month's files; then recompute statuses of the month's submissions.

    `on_parsed(files parsed, files to parse)` is called before the first file and after each run of files.
    """
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
    jobs, todo_seen = [], set()
    for p in paths:
        sha = hashes[p]
        if sha not in known and sha not in todo_seen:  # same content at a new path: nothing new
            jobs.append(FileJob(p, sha, relative_path(p, data_dir), first_seen[sha]))
            todo_seen.add(sha)

    parsed = 0
    if on_parsed:
        on_parsed(parsed, len(jobs))
    with engine.begin() as conn:  # one transaction: a crash part-way records none of the month's rows
        for chunk in intake_rows(jobs, month, registry, std, as_of, run_id, receipts_dir):
            summary.submissions_new += insert_prepared(conn, "submission", chunk.rows.get("submission", []))
            insert_prepared(conn, "submitted_value", chunk.rows.get("submitted_value", []))
            insert_prepared(conn, "validation_issue", chunk.rows.get("validation_issue", []))
            summary.receipts += chunk.receipts
            summary.rejected_files += chunk.rejected_files
            parsed += chunk.files
            if on_parsed:
                on_parsed(parsed, len(jobs))
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
