"""The benchmark harness runs end to end at a tiny size (a smoke test: no timing assertions).

One size keeps it short (each size is a Dagster child process); growth needs two sizes, so it is
absent here and measured by the full run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEASUREMENTS = [
    "intake_workbook", "calamine_vs_openpyxl", "month_partition_20",
    "warehouse_write_sqlite", "warehouse_write_postgresql", "zc_run",
]


def test_bench_quick_run_writes_every_measurement(tmp_path):
    results, markdown = tmp_path / "results", tmp_path / "BENCHMARKS.md"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", "20", "--months", "2", "--quick",
         "--cache-dir", str(tmp_path / "cache"), "--results-dir", str(results), "--markdown", str(markdown)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
        env={**os.environ, "DAGSTER_HOME": ""},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((results / "latest.json").read_text())
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
