"""The report stage's own steps: a partition's files replace its rows and stale files; best improvers; grade history."""
import hashlib
from pathlib import Path

import pandas as pd

from zc_pipeline.stages.reports import ReportFile, best_improvers, latest_grades, publish
from zc_pipeline.warehouse.writer import read_table


def test_publish_replaces_the_partitions_rows_and_removes_its_stale_files(warehouse_engine, tmp_path: Path):
    kind = "city_quarter_workbook"
    old = [ReportFile(f"reports/{kind}/2026-Q1/{c}.xlsx", c.encode(), kind, "2026-Q1", c) for c in ("150100", "150200")]
    other = [ReportFile(f"reports/{kind}/2026-Q2/150100.xlsx", b"q2", kind, "2026-Q2", "150100")]
    publish(warehouse_engine, tmp_path, {"kind": kind, "period": "2026-Q1"}, old, "run-1")
    publish(warehouse_engine, tmp_path, {"kind": kind, "period": "2026-Q2"}, other, "run-1")
    # a re-run of Q1 that no longer produces 150200's workbook
    rows = publish(warehouse_engine, tmp_path, {"kind": kind, "period": "2026-Q1"}, [old[0]], "run-2")
    stored = read_table(warehouse_engine, "report_file").sort_values("path")
    assert list(stored["path"]) == [old[0].path, other[0].path]
    assert list(stored["run_id"]) == ["run-2", "run-1"]
    assert rows["sha256"].iloc[0] == hashlib.sha256(b"150100").hexdigest()
    assert (tmp_path / old[0].path).read_bytes() == b"150100"
    assert not (tmp_path / old[1].path).exists()
    assert (tmp_path / other[0].path).read_bytes() == b"q2"


def test_best_improvers_compare_the_halfs_two_quarters():
    q = pd.DataFrame({
        "park_code": ["A", "A", "B", "B", "C", "C", "D"],
        "quarter": ["2026-Q1", "2026-Q2"] * 3 + ["2026-Q2"],
        "carbon_per_energy": [1.0, 0.7, 0.9, 0.8, 0.5, 0.6, 0.1],
        "green_share": [0.1, 0.2, 0.3, 0.3, 0.2, 0.5, 0.9],
    })
    fall = best_improvers(q, "2026-Q1", "2026-Q2", "carbon_per_energy", fall=True, top=5)
    # A falls 0.3, B 0.1; C rose (no improvement), D has no Q1
    assert list(fall["park_code"]) == ["A", "B"]
    assert fall["change"].round(12).tolist() == [0.3, 0.1]
    rise = best_improvers(q, "2026-Q1", "2026-Q2", "green_share", fall=False, top=1)
    assert list(rise["park_code"]) == ["C"] and rise["change"].round(12).tolist() == [0.3]


def test_grade_history_is_the_latest_publication_of_each_window_up_to_the_half():
    stamp = pd.Timestamp("2026-01-01", tz="UTC")
    history = pd.DataFrame({
        "history_id": [1, 2, 3, 4, 5],
        "park_code": ["P"] * 5,
        "level": ["quarter", "quarter", "half", "quarter", "quarter"],
        "period": ["2026-Q1", "2026-Q1", "2026-H1", "2026-Q2", "2026-Q3"],
        "grade": ["B", "C", "C", "D", "A"],
        "score": [70.0, 65.0, 66.0, 50.0, 90.0],
        "issued_at": [stamp, stamp + pd.Timedelta(days=30), stamp, stamp, stamp],
    })
    got = latest_grades(history, "2026-06")
    assert got[["period", "grade"]].values.tolist() == [["2026-Q1", "C"], ["2026-Q2", "D"], ["2026-H1", "C"]]


def test_grade_history_of_many_parks_keeps_each_parks_own_publications():
    stamp = pd.Timestamp("2026-01-01", tz="UTC")
    history = pd.DataFrame({
        "history_id": [1, 2, 3, 4],
        "park_code": ["Q", "P", "Q", "P"],
        "level": ["quarter"] * 4,
        "period": ["2026-Q1"] * 4,
        "grade": ["A", "B", "C", "D"],
        "issued_at": [stamp, stamp, stamp + pd.Timedelta(days=1), stamp - pd.Timedelta(days=1)],
        "score": [90.0, 70.0, 60.0, 40.0],
    })
    # P: D (issued a day earlier) then B -> B; Q: A then C (a day later) -> C
    got = latest_grades(history, "2026-06")
    assert got[["park_code", "period", "grade"]].values.tolist() == [["P", "2026-Q1", "B"], ["Q", "2026-Q1", "C"]]


def test_two_runs_publishing_one_partition_at_once_leave_the_listed_bytes_on_disk(warehouse_engine, tmp_path: Path):
    """Two month runs rewrite the notices at once: each publish takes the partition's turn, writes
    through a temporary file of its own, and the rows left list exactly the bytes on disk."""
    from concurrent.futures import ThreadPoolExecutor

    kind = "rectification_notice"
    partition = {"kind": kind, "period": "2026-03"}

    def notices(run: int) -> list[ReportFile]:
        # run 0 writes P001 and P002, run 1 only P001: the last publish decides whether P002 stays
        parks = ["P001", "P002"] if run % 2 == 0 else ["P001"]
        return [ReportFile(f"reports/{kind}/{p}.docx", f"{p} run {run}".encode() * 500, kind, "2026-03", park_code=p)
                for p in parks]

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda run: publish(warehouse_engine, tmp_path, partition, notices(run), f"run-{run}"), range(40)))
    stored = read_table(warehouse_engine, "report_file", where=partition)
    on_disk = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "reports" / kind).iterdir())
    assert on_disk == sorted(stored["path"])  # no temporary file left, no listed file missing
    for path, sha in zip(stored["path"], stored["sha256"]):
        assert hashlib.sha256((tmp_path / path).read_bytes()).hexdigest() == sha
    assert stored["run_id"].nunique() == 1  # one publish's rows, whole
