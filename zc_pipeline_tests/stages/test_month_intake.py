"""Intake in the parse pool records exactly what intake in one process records.

The pool cuts a month's files into runs, parses each run in a worker and the writer inserts the
runs in file order as they come back; none of that may change a stored row, a receipt or the
summary. Sample month 2025-08 has a rejected workbook, a late correction and an accepted CSV.
"""
from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pandas as pd
import pytest

from zc_pipeline.stages import month_intake as intake_month
from zc_pipeline.intake.registry import read_registry
from zc_pipeline.warehouse.engine import create_all, make_engine
from zc_pipeline.warehouse.schemas import FrameSchemaError
from zc_pipeline.warehouse.writer import dump_sorted

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
MONTH = "2025-08"
NOW = dt.datetime(2025, 9, 20, 8, 0, tzinfo=dt.timezone.utc)
TABLES = ("landing_file", "submission", "submitted_value", "validation_issue")


def _record(tmp_path: Path, name: str, std, parallel_min: int, monkeypatch) -> tuple[dict, object, int]:
    monkeypatch.setattr(intake_month, "PARALLEL_MIN_FILES", parallel_min)
    runs = []
    real_rows = intake_month.intake_rows

    def counting_rows(*args, **kwargs):
        for chunk in real_rows(*args, **kwargs):
            runs.append(chunk)
            yield chunk

    monkeypatch.setattr(intake_month, "intake_rows", counting_rows)
    engine = make_engine(f"sqlite:///{tmp_path / name}.sqlite")
    create_all(engine)
    summary = intake_month.record_month(
        engine, data_dir=SAMPLE, month=MONTH, registry=read_registry(SAMPLE / "registry").parks, std=std,
        as_of=dt.date(2026, 7, 15), run_id="run-1", receipts_dir=tmp_path / name / "receipts", now=NOW,
    )
    dumps = {t: dump_sorted(engine, t, drop=()) for t in TABLES}
    engine.dispose()
    return dumps, summary, len(runs)


def test_pool_and_single_process_store_the_same_rows(tmp_path, std, monkeypatch):
    files = intake_month.landing_files(SAMPLE / "landing" / MONTH)
    assert len(files) == 30  # 26 park workbooks, one correction workbook, 3 batch CSVs: pool size (>= 16)

    one, one_summary, one_runs = _record(tmp_path, "single", std, parallel_min=10_000, monkeypatch=monkeypatch)
    pool, pool_summary, pool_runs = _record(tmp_path, "pool", std, parallel_min=16, monkeypatch=monkeypatch)

    assert one_runs == 1
    assert pool_runs > 1  # the writer really took the month in several runs of files
    for table in TABLES:
        pd.testing.assert_frame_equal(one[table], pool[table], obj=table)
    assert len(one["submission"]) == 36  # 27 workbooks (one record each) + 3 CSVs x 3 rows
    assert (one["submission"]["status"] == "rejected").sum() == 1  # the invalid workbook
    assert one_summary.files_seen == pool_summary.files_seen == 30
    assert one_summary.submissions_new == pool_summary.submissions_new == 36
    assert one_summary.rejected_files == pool_summary.rejected_files
    assert [r["file"] for r in one_summary.rejected_files] == ["landing/2025-08/150700-P001_2025-08.xlsx"]
    assert [Path(r).name for r in one_summary.receipts] == [Path(r).name for r in pool_summary.receipts]
    assert len(one_summary.receipts) >= 1


def test_chunks_keep_file_order_and_balance_bytes(tmp_path):
    sizes = [100, 100, 100, 100, 400, 100, 100]  # one big batch CSV among workbooks
    jobs = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i}.csv"
        path.write_bytes(b"x" * size)
        jobs.append(intake_month.FileJob(path, f"sha{i}", path.name, NOW))
    runs = intake_month._chunks(jobs, 3)
    # 1,000 bytes in 3 runs: target 333.3 bytes. A file opens a new run when the current run is
    # not empty and (bytes so far + half the file) > target:
    #   f0 100 (run empty) | f1: 100+50=150 | f2: 200+50=250       -> run 1 = 300 bytes
    #   f3: 300+50=350 > 333.3 -> new run | f4: 100+200=300        -> run 2 = 500 bytes
    #   f5: 500+50=550 > 333.3 -> new run | f6: 100+50=150         -> run 3 = 200 bytes
    assert [[j.path.name for j in run] for run in runs] == [
        ["f0.csv", "f1.csv", "f2.csv"],
        ["f3.csv", "f4.csv"],
        ["f5.csv", "f6.csv"],
    ]
    assert [j for run in runs for j in run] == jobs  # every file once, in order


def test_schema_errors_survive_the_trip_back_from_a_worker():
    cases = pd.DataFrame({"column": ["canonical_value"], "check": ["greater_than_or_equal_to(0)"],
                          "index": [3], "failure_case": [-1.0]})
    error = pickle.loads(pickle.dumps(FrameSchemaError("submitted_value", cases)))
    assert isinstance(error, FrameSchemaError)
    assert error.table == "submitted_value"
    assert error.failure_cases.to_dict("records") == cases.to_dict("records")
    with pytest.raises(FrameSchemaError, match="submitted_value: 1 schema failure"):
        raise error
