"""Dagster runs for the benchmark, in a process of their own so memory and CPU figures are theirs.

`python -m bench.child month ...` times one month partition (after the reference assets, which are
not timed), restoring the warehouse before every repetition; `python -m bench.child zcrun ...`
runs what `zc run` runs and splits its time into run launching and step compute, per step and per
run, using the Dagster instance's own run and step records. Each prints one JSON object on its last line.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import psutil

RSS_POLL_S = 0.1  # the poller shares the measured process and its GIL: every read takes the GIL from the run


def _tree(root: psutil.Process) -> list[psutil.Process]:
    """Every process below `root` (e.g. the parse pool's workers)."""
    try:
        return root.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


class TreeRss:
    """Peak of the summed RSS of this process and its descendants (e.g. the parse pool), by polling;
    also the tree's CPU seconds over time, so each Dagster step's busy cores can be read off.

    The poller's own CPU (listing the tree, reading it) is not the pipeline's: `own_cpu` totals it,
    and the CPU samples leave it out.
    """

    def __init__(self) -> None:
        self.peak = 0
        self.own_cpu = 0.0
        self.cpu_samples: list[tuple[float, float]] = []  # (epoch seconds, tree CPU seconds so far, poller's excluded)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            started = time.thread_time()
            total, live = me.memory_info().rss, 0.0
            for kid in _tree(me):
                try:
                    with kid.oneshot():
                        total += kid.memory_info().rss
                        cpu = kid.cpu_times()
                except psutil.NoSuchProcess:  # ended since listed: its CPU is counted once reaped
                    continue
                live += cpu.user + cpu.system
            self.peak = max(self.peak, total)
            self.own_cpu += time.thread_time() - started
            self.cpu_samples.append((time.time(), _cpu_seconds() - self.own_cpu + live))
            self._stop.wait(RSS_POLL_S)

    def cpu_at(self, when: float) -> float:
        """Tree CPU seconds at epoch time `when` (linear between samples)."""
        import bisect

        s = self.cpu_samples
        i = bisect.bisect_left(s, (when,))
        if i == 0:
            return s[0][1] if s else 0.0
        if i >= len(s):
            return s[-1][1]
        (t0, c0), (t1, c1) = s[i - 1], s[i]
        return c0 + (c1 - c0) * (when - t0) / (t1 - t0) if t1 > t0 else c1

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _cpu_seconds() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _peaks() -> dict:
    # ru_maxrss is in KiB on Linux; for children it is the largest single reaped descendant
    return {
        "rss_self_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "rss_largest_child_bytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }


def _settings(a):
    from zc_pipeline.runner import ensure_dagster_home
    from zc_pipeline.settings import load_settings

    os.environ["DAGSTER_HOME"] = str(Path(a.state) / "dagster_home")
    settings = load_settings(data_dir=a.data, as_of=a.as_of, state_dir=a.state)
    ensure_dagster_home(settings)
    return settings


def _sqlite_copy(src: Path, dst: Path) -> None:
    """Copy a live SQLite database (WAL included) with SQLite's backup API."""
    with sqlite3.connect(src) as s, sqlite3.connect(dst) as d:
        s.backup(d)


def month(a) -> dict:
    shutil.rmtree(a.state, ignore_errors=True)
    settings = _settings(a)
    import dagster as dg

    from zc_pipeline.definitions import build_definitions
    from zc_pipeline.defs.selections import MONTH_ASSETS, REFERENCE_ASSETS

    defs = build_definitions(settings)
    warehouse = settings.state_dir / "warehouse.sqlite"
    backup = settings.state_dir / "warehouse.reference.sqlite"
    walls, cpus = [], []
    with dg.DagsterInstance.get() as instance, TreeRss() as tree:

        def materialize(selection, partition):
            result = dg.materialize(
                defs.assets, selection=selection, partition_key=partition, instance=instance,
                resources=defs.resources, raise_on_error=True,
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            )
            return result

        materialize(REFERENCE_ASSETS, None)  # each run disposes its engines at teardown: the file is free to copy
        _sqlite_copy(warehouse, backup)
        for _ in range(a.repeat):
            _sqlite_copy(backup, warehouse)
            shutil.rmtree(settings.receipts_dir, ignore_errors=True)
            c0, t0, own0 = _cpu_seconds(), time.perf_counter(), tree.own_cpu
            result = materialize(MONTH_ASSETS, a.month)
            walls.append(time.perf_counter() - t0)
            cpus.append(_cpu_seconds() - c0 - (tree.own_cpu - own0))  # the poller's own reading left out
        steps = [
            {"step": st.step_key, "seconds": st.end_time - st.start_time,
             "cores": (tree.cpu_at(st.end_time) - tree.cpu_at(st.start_time)) / (st.end_time - st.start_time)}
            for st in sorted(instance.get_run_step_stats(result.run_id), key=lambda st: st.start_time)
            if st.start_time and st.end_time and st.end_time > st.start_time
        ]  # of the last repetition
    with sqlite3.connect(warehouse) as conn:
        rows = conn.execute("SELECT count(*) FROM park_month WHERE period = ?", (a.month,)).fetchone()[0]
    return {"walls": walls, "cpu": cpus, "steps": steps, "rss_tree_peak_bytes": tree.peak, "park_month_rows": rows,
            "warehouse": str(warehouse), **_peaks()}


def zcrun(a) -> dict:
    shutil.rmtree(a.state, ignore_errors=True)
    t_start = time.perf_counter()
    settings = _settings(a)
    import dagster as dg

    from zc_pipeline.runner import run_pipeline

    with TreeRss() as tree:
        t_pipeline = time.perf_counter()
        out = run_pipeline(settings, first=a.first, last=a.last, echo=lambda *_: None)
        pipeline_wall = time.perf_counter() - t_pipeline
    launches = out["timings"]  # label -> wall of each dg.materialize call
    steps = []  # (step key, seconds) of every step of every run
    run_seconds = 0.0
    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records()
        for rec in records:
            if rec.start_time and rec.end_time:
                run_seconds += rec.end_time - rec.start_time
            for step in instance.get_run_step_stats(rec.dagster_run.run_id):
                if step.start_time and step.end_time:
                    steps.append((step.step_key, step.end_time - step.start_time))
    return {
        "runs": len(records),
        "process_wall": time.perf_counter() - t_start,
        "startup_wall": t_pipeline - t_start,
        "pipeline_wall": pipeline_wall,
        "materialize_wall": sum(launches.values()),
        "run_record_wall": run_seconds,
        "step_wall": sum(seconds for _, seconds in steps),
        "steps": steps,
        "run_walls": launches,
        "rss_tree_peak_bytes": tree.peak,
        **_peaks(),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.child")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("month", "zcrun"):
        s = sub.add_parser(name)
        s.add_argument("--data", required=True)
        s.add_argument("--state", required=True)
        s.add_argument("--as-of", required=True)
        if name == "month":
            s.add_argument("--month", required=True)
            s.add_argument("--repeat", type=int, default=3)
        else:
            s.add_argument("--first", required=True)
            s.add_argument("--last", required=True)
    a = p.parse_args(argv)
    out = month(a) if a.cmd == "month" else zcrun(a)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
