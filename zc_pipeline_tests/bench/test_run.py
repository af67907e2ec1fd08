"""The benchmark harness runs end to end at a tiny size (a smoke test: no timing assertions), and its
pure parts (step shares, growth, targets) give what they should.

One CSV size keeps the CSV part short (each size is a Dagster child process); growth needs two sizes,
so it is absent there and measured by the full run. The workbook part has two sizes, hence its growth.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEASUREMENTS = [
    "intake_workbook", "calamine_vs_openpyxl", "month_partition_20",
    "warehouse_write_sqlite", "warehouse_write_postgresql", "zc_run",
]
WORKBOOK_MEASUREMENTS = ["workbook_month_10", "workbook_month_20", "workbook_partition_20", "workbook_growth",
                         "workbook_year_10"]
GiB = 1024**3


def _quick_bench(tmp_path, *args: str, timeout: int) -> tuple[dict, Path]:
    """`python -m bench --quick ARGS` into tmp_path: its results and the markdown it wrote."""
    results, markdown = tmp_path / "results", tmp_path / "BENCHMARKS.md"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", *args, "--quick", "--cache-dir", str(tmp_path / "cache"),
         "--results-dir", str(results), "--markdown", str(markdown)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, "DAGSTER_HOME": ""},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((results / "latest.json").read_text()), markdown


def test_bench_quick_run_writes_every_measurement(tmp_path):
    result, markdown = _quick_bench(tmp_path, "--only", "csv", "--sizes", "20", "--months", "2", timeout=240)
    m = result["measurements"]
    assert sorted(m) == sorted(MEASUREMENTS)
    for name, v in m.items():
        if name == "warehouse_write_postgresql" and "skipped" in v and os.environ.get("ZC_REQUIRE_PG") != "1":
            continue  # no server here: the harness says so instead of a figure
        assert v["ratio"] > 0, name
        assert v["seconds"] > 0 and v["baseline_seconds"] > 0, name
    assert 0 < m["zc_run"]["run_launch_share"] < 1
    assert m["month_partition_20"]["peak_rss_bytes"] > 0
    assert result["machine"]["cores"] >= 1 and result["versions"]["dagster"]
    assert {t["target"] for t in result["targets"]}
    text = markdown.read_text()
    assert "<!-- bench:begin" in text and "| target | value | limit | met |" in text


def test_bench_workbooks_quick_run_writes_every_measurement(tmp_path):
    result, markdown = _quick_bench(tmp_path, "--only", "workbooks", "--workbook-sizes", "10,20",
                                    "--workbook-months-parks", "10", timeout=600)
    m = result["measurements"]
    assert sorted(m) == sorted(WORKBOOK_MEASUREMENTS)
    for name, v in m.items():
        assert v["ratio"] > 0 and v["seconds"] > 0 and v["baseline_seconds"] > 0, name
    year = m["workbook_year_10"]
    assert year["months"] == 12 and year["xlsx_files"] > 0
    assert list(year["run_walls"])[:2] == ["reference", "month 2026-01"]
    assert len(year["run_walls"]) == year["dagster_runs"]
    assert {"intake", "park_month_checks"} <= {st["step"] for st in year["steps"]}
    assert sum(st["share"] for st in year["steps"]) == pytest.approx(year["step_compute_share"])
    assert m["workbook_partition_20"]["baseline_seconds"] == m["workbook_month_20"]["baseline_seconds"]
    assert sorted(t["target"] for t in result["targets"]) == sorted([
        "zc run of the 20-workbook month / bare read", "month partition alone of the 20-workbook month / bare read",
        "zc run of the 20-workbook month, seconds", "zc run of the 20-workbook month, peak RSS GiB (process tree)",
        "zc run of 12 months x 10 parks (all workbooks) / bare read",
        "growth 10 -> 20 parks (workbook-month zc run)",
    ])
    text = markdown.read_text()
    assert "Steps of the zc run of the 20-workbook month" in text and "| step | seconds | runs | share |" in text


def test_step_shares_sum_each_step_over_the_runs_largest_first():
    from bench.run import step_shares

    steps = [("intake", 3.0), ("park_month", 1.0), ("intake", 2.0), ("quarter_assessment", 2.5)]
    assert step_shares(steps, 10.0) == [
        {"step": "intake", "seconds": 5.0, "runs": 2, "share": 0.5},
        {"step": "quarter_assessment", "seconds": 2.5, "runs": 1, "share": 0.25},
        {"step": "park_month", "seconds": 1.0, "runs": 1, "share": 0.1},
    ]
    assert step_shares([], 0.0) == []


def test_targets_of_the_workbook_part():
    from bench.run import growth, targets

    month = {"1000": (30.0, 0.5 * GiB, 2.0), "3000": (60.0, 1.0 * GiB, 0.8), "10000": (400.0, 3.0 * GiB, 2.5)}
    m = {f"workbook_month_{n}": {"parks": int(n), "seconds": s, "peak_rss_bytes": rss, "ratio": r}
         for n, (s, rss, r) in month.items()}
    m["workbook_partition_3000"] = {"parks": 3000, "ratio": 0.3}
    m["workbook_growth"] = growth(m["workbook_month_1000"], m["workbook_month_10000"], "workbook-month zc run")
    m["workbook_year_1000"] = {"parks": 1000, "months": 12, "ratio": 12.5}
    assert m["workbook_growth"]["ratio"] == 400.0 / 30.0 and m["workbook_growth"]["parks_ratio"] == 10.0
    assert [(t["target"], t["value"], t["limit"], t["met"]) for t in targets(m)] == [
        ("zc run of the 3000-workbook month / bare read", 0.8, "<= 1.0", True),
        ("month partition alone of the 3000-workbook month / bare read", 0.3, "<= 0.3", True),
        ("zc run of the 10000-workbook month, seconds", 400.0, "< 60", False),
        ("zc run of the 10000-workbook month, peak RSS GiB (process tree)", 3.0, "< 2", False),
        ("zc run of 12 months x 1000 parks (all workbooks) / bare read", 12.5, "<= 10", False),
        ("growth 1000 -> 10000 parks (workbook-month zc run)", 400.0 / 30.0, "<= 11.0", False),
    ]


def test_targets_of_the_csv_part_leave_out_the_withdrawn_cores_target():
    from bench.run import targets

    m = {"intake_workbook": {"ratio": 0.4},
         "month_partition_1000": {"parks": 1000, "seconds": 7.0, "peak_rss_bytes": GiB, "cores_used": 1.1},
         "month_partition_10000": {"parks": 10000, "seconds": 16.0, "peak_rss_bytes": GiB, "cores_used": 1.1},
         "zc_run": {"run_launch_share": 0.25}}
    assert [(t["target"], t["value"], t["met"]) for t in targets(m)] == [
        ("intake of one workbook / bare openpyxl read", 0.4, True),
        ("month partition of 10000 parks, seconds", 16.0, True),
        ("month partition of 10000 parks, peak RSS GiB (process tree)", 1.0, True),
        ("share of zc run spent launching Dagster runs", 0.25, True),
    ]


def test_the_process_tree_holds_every_descendant():
    import signal
    import time

    import psutil

    from bench.child import _tree

    def below(pid: int) -> list[int]:
        return sorted(p.pid for p in _tree(psutil.Process(pid)))

    # two shells, each with a background sleep and a foreground one (2 + 4 processes); only their
    # own subtrees are compared, since other tests may have left processes below this one
    shells = [subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60; wait"], start_new_session=True) for _ in range(2)]
    first = psutil.Process(shells[0].pid)
    try:
        deadline = time.monotonic() + 30
        while sum(len(below(s.pid)) for s in shells) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        for shell in shells:
            sleeps = below(shell.pid)
            assert len(sleeps) == 2 and all(psutil.Process(p).name() == "sleep" for p in sleeps)
            assert set(sleeps) <= set(below(os.getpid()))  # grandchildren of this process too
        assert {s.pid for s in shells} <= set(below(os.getpid()))
    finally:
        for s in shells:
            os.killpg(s.pid, signal.SIGKILL)  # the shell and its sleeps
            s.wait()
    assert _tree(first) == []  # gone: an empty tree, not an error
