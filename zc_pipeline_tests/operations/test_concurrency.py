"""Two month partitions at once, in two OS processes, on one SQLite warehouse and one SQLite instance."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg

from zc_pipeline.runner import REPO_DAGSTER_YAML
from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.conftest import SAMPLE_DIR

WORKER = Path(__file__).with_name("_month_worker.py")
MONTHS = ["2026-01", "2026-02"]


def test_two_processes_two_months_no_lock_errors(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_DAGSTER_YAML, home / "dagster.yaml")  # the project's instance: SQLite storage, pools
    # The instance exists before runs are launched (as under `zc ui` or after any `zc run`): two
    # processes creating a brand-new SQLite instance at once would race in its schema migrations.
    dg.DagsterInstance.from_config(str(home)).dispose()
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    procs = [
        subprocess.Popen([sys.executable, str(WORKER), m, str(SAMPLE_DIR), url, str(tmp_path / "state"), str(barrier),
                          str(len(MONTHS))], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for m in MONTHS
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert "database is locked" not in out + err
        assert p.returncode == 0, err[-3000:]
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert all(r["success"] for r in reports)
    # the runs really overlapped in time
    assert max(r["started"] for r in reports) < min(r["ended"] for r in reports)
    engine = make_engine(url)
    assert set(read_table(engine, "park_month")["period"]) == set(MONTHS)
    assert set(read_table(engine, "submission")["period"].dropna()) >= set(MONTHS)
