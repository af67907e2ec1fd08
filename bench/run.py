"""`python -m bench`: generate (or reuse) synthetic regions and measure the pipeline against baselines.

Every measurement is a ratio to a baseline timed in the same run on the same files, so a slower or
busier machine moves both sides: quote the ratios and medians, not single absolute times.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench import report
from bench.regions import CACHE_DIR, months_of_region, region
from bench.timing import median, once, paired

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
AS_OF = "2026-01-31"  # after the last generated month's deadline
BENCH_MONTH_INDEX = 1  # the second month: it has a previous month for the month-over-month check
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
GiB = 1024**3


def bare_read(paths: list[Path]) -> None:
    """The baseline: pandas reads every file, no checks (openpyxl for workbooks)."""
    for p in paths:
        try:
            if p.suffix.lower() == ".csv":
                pd.read_csv(p, dtype=str, encoding_errors="replace")
            else:
                pd.read_excel(p, sheet_name=None, engine="openpyxl")
        except Exception:  # the generator's broken files are read as far as pandas gets
            pass


def month_files(data: Path, month: str) -> list[Path]:
    from zc_pipeline.stages.month_intake import landing_files

    return landing_files(data / "landing" / month)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---- (1) and (2): one workbook --------------------------------------------------------------

def measure_workbooks(data: Path, month: str, repeat: int, max_files: int | None = None) -> dict:
    import datetime as _dt

    from zc_pipeline.intake.parse import parse_landing_file
    from zc_pipeline.intake.registry import read_registry
    from zc_pipeline.standards import load_standard

    registry, std = read_registry(data / "registry").parks, load_standard()
    as_of = _dt.date.fromisoformat(AS_OF)
    books = [p for p in month_files(data, month) if p.suffix.lower() == ".xlsx"][:max_files]
    intake, engines = [], []
    for p in books:
        try:
            pd.read_excel(p, sheet_name=None, engine="openpyxl")
        except Exception:
            continue  # a deliberately broken file has no baseline
        openpyxl = lambda p=p: pd.read_excel(p, sheet_name=None, engine="openpyxl")  # noqa: E731
        parse = lambda p=p: parse_landing_file(p, folder_month=month, registry=registry, std=std,  # noqa: E731
                                               as_of=as_of)
        calamine = lambda p=p: pd.read_excel(p, sheet_name=None, engine="calamine")  # noqa: E731
        intake.append({"file": p.name, **paired(parse, openpyxl, repeat)})
        engines.append({"file": p.name, **paired(calamine, openpyxl, repeat)})

    def summary(rows, what, baseline):
        return {
            "what": what, "baseline": baseline, "files": len(rows), "runs_per_file": repeat,
            "seconds": median(r["seconds"] for r in rows),
            "baseline_seconds": median(r["baseline_seconds"] for r in rows),
            "ratio": median(r["ratio"] for r in rows),
            "per_file": rows,
        }

    return {
        "intake_workbook": summary(
            intake, "parse_landing_file of one park workbook (read + validate + measures)",
            'pandas.read_excel(path, sheet_name=None, engine="openpyxl")'),
        "calamine_vs_openpyxl": summary(
            engines, 'pandas.read_excel(path, sheet_name=None, engine="calamine")',
            'pandas.read_excel(path, sheet_name=None, engine="openpyxl")'),
    }


# ---- (3): a month partition through Dagster -------------------------------------------------

def _child(args: list[str], timeout: float) -> dict:
    cmd = [sys.executable, "-m", "bench.child", *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_month(data: Path, parks: int, month: str, repeat: int, work: Path) -> dict:
    files = month_files(data, month)
    out = _child(["month", "--data", str(data), "--state", str(work / f"month-{parks}"), "--as-of", AS_OF,
                  "--month", month, "--repeat", str(repeat)], timeout=3600)
    bare = [once(lambda: bare_read(files)) for _ in range(max(repeat, 3))]
    wall, cpu = median(out["walls"]), median(out["cpu"])
    return {
        "what": f"one month partition ({month}) of {parks} parks end to end through Dagster "
                "(intake, park_month, month-over-month, missing report and their asset checks; in-process run, parse pool)",
        "baseline": "bare pandas read of the same files, one process (openpyxl workbooks, read_csv)",
        "parks": parks, "files": len(files),
        "xlsx_files": sum(p.suffix.lower() == ".xlsx" for p in files),
        "park_month_rows": out["park_month_rows"], "runs": len(out["walls"]),
        "seconds": wall, "baseline_seconds": median(bare),
        "ratio": wall / median(bare),
        "walls": out["walls"],
        "cores_used": cpu / wall if wall else 0.0,
        "steps": out["steps"],
        "peak_rss_bytes": out["rss_tree_peak_bytes"],
        "peak_rss_largest_process_bytes": max(out["rss_self_bytes"], out["rss_largest_child_bytes"]),
        "_warehouse": out["warehouse"],
    }


# ---- (4): warehouse write -------------------------------------------------------------------

def measure_write(frame: pd.DataFrame, month: str, repeat: int, backend: str, url: str | None, work: Path) -> dict:
    import sqlalchemy as sa

    from zc_pipeline.warehouse.engine import create_all, make_engine
    from zc_pipeline.warehouse.writer import replace_partition

    schema = None
    if backend == "sqlite":
        ours = make_engine(f"sqlite:///{work / 'write.sqlite'}")
        plain = sa.create_engine(f"sqlite:///{work / 'plain.sqlite'}")
    else:
        schema = f"zc_bench_{os.getpid()}"
        ours = make_engine(url, schema=schema)
        plain = sa.create_engine(url)
    create_all(ours)
    frame.head(0).to_sql("park_month_plain", plain, schema=schema, if_exists="replace", index=False)
    qualified = f"{schema}.park_month_plain" if schema else "park_month_plain"

    def setup() -> None:
        with ours.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM {schema + '.' if schema else ''}park_month")
        with plain.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM {qualified}")

    def write_ours() -> None:
        with ours.begin() as conn:
            replace_partition(conn, "park_month", frame, {"period": month})

    def write_plain() -> None:
        frame.to_sql("park_month_plain", plain, schema=schema, if_exists="append", index=False)

    try:
        result = paired(write_ours, write_plain, repeat, setup=setup)
    finally:
        if schema:
            with plain.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        ours.dispose()
        plain.dispose()
    return {"what": f"warehouse write of park_month ({len(frame)} rows; replace_partition: checks, "
                    f"delete + insert in one transaction) on {backend}",
            "baseline": "DataFrame.to_sql(if_exists='append', index=False) of the same rows",
            "rows": len(frame), **result}


def pg_url_reachable(url: str) -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3}, poolclass=sa.NullPool)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


# ---- (5): zc run over the months ------------------------------------------------------------

def measure_zc_run(data: Path, parks: int, months: list[str], work: Path, month_growth: dict | None) -> dict:
    out = _child(["zcrun", "--data", str(data), "--state", str(work / f"zcrun-{parks}"), "--as-of", AS_OF,
                  "--first", months[0], "--last", months[-1]], timeout=3600)
    files = [p for m in months for p in month_files(data, m)]
    bare = once(lambda: bare_read(files))
    wall = out["process_wall"]
    launching = out["materialize_wall"] - out["step_wall"]
    return {
        "what": f"zc run over {len(months)} months ({months[0]}..{months[-1]}) for {parks} parks: "
                f"reference, months, rebound alerts, quarters, halves, years ({out['runs']} Dagster runs)",
        "baseline": "bare pandas read of every landing file of those months",
        "parks": parks, "months": len(months), "dagster_runs": out["runs"],
        "seconds": wall, "baseline_seconds": bare, "ratio": wall / bare,
        "startup_seconds": out["startup_wall"],
        "step_compute_seconds": out["step_wall"],
        "run_launch_seconds": launching,
        "run_launch_share": launching / wall,
        "step_compute_share": out["step_wall"] / wall,
        "startup_share": out["startup_wall"] / wall,
        "peak_rss_bytes": out["rss_tree_peak_bytes"],
        "peak_rss_largest_process_bytes": max(out["rss_self_bytes"], out["rss_largest_child_bytes"]),
        "month_growth": month_growth,
    }


# ---- driver ---------------------------------------------------------------------------------

def targets(m: dict) -> list[dict]:
    out = []

    def add(name, value, limit, ok):
        out.append({"target": name, "value": value, "limit": limit, "met": bool(ok)})

    add("intake of one workbook / bare openpyxl read", m["intake_workbook"]["ratio"], "<= 0.5",
        m["intake_workbook"]["ratio"] <= 0.5)
    large = [v for k, v in m.items() if k.startswith("month_partition_")]
    if large:
        big = max(large, key=lambda v: v["parks"])
        add(f"month partition of {big['parks']} parks, seconds", big["seconds"], "< 120", big["seconds"] < 120)
        add(f"month partition of {big['parks']} parks, peak RSS GiB (process tree)",
            big["peak_rss_bytes"] / GiB, "< 2", big["peak_rss_bytes"] < 2 * GiB)
        # "using both cores": both busy on average, not merely more than one (90 % of two cores)
        add(f"month partition of {big['parks']} parks, cores used (CPU s / wall s)", big["cores_used"],
            ">= 1.8 (both cores)", big["cores_used"] >= 1.8)
    if "month_growth" in m:
        g = m["month_growth"]
        add(f"growth {g['from_parks']} -> {g['to_parks']} parks (month partition)", g["ratio"],
            f"<= {1.1 * g['to_parks'] / g['from_parks']:.1f}", g["ratio"] <= 1.1 * g["to_parks"] / g["from_parks"])
    if "zc_run" in m:
        add("share of zc run spent launching Dagster runs", m["zc_run"]["run_launch_share"], "< 0.5",
            m["zc_run"]["run_launch_share"] < 0.5)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--sizes", default="1000,10000", help="region sizes in parks (default 1000,10000)")
    p.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run, not for quoting)")
    p.add_argument("--months", type=int, default=12, help="months of the zc run region (default 12)")
    p.add_argument("--seed", type=int, default=20260101)
    p.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    p.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    p.add_argument("--markdown", default=str(ROOT / "BENCHMARKS.md"), help="table to update ('' = none)")
    p.add_argument("--pg-url", default=os.environ.get("ZC_TEST_PG_URL") or PG_DEFAULT_URL)
    a = p.parse_args(argv)
    sizes = sorted({int(s) for s in a.sizes.split(",") if s.strip()})
    if not sizes or a.months < 2:
        p.error("need at least one size and two months")
    rep = {"intake": 3 if a.quick else 15, "month": 1 if a.quick else 3, "write": 2 if a.quick else 7}
    started = time.perf_counter()
    small = sizes[0]
    months = months_of_region(a.months)
    month = months[BENCH_MONTH_INDEX]
    regions = {}
    for n in sizes:
        _log(f"region {n} parks ...")
        # the zc run needs every month of the smallest region; larger ones only the benchmark month
        regions[n] = region(n, a.seed, a.months if n == small else BENCH_MONTH_INDEX + 1, a.cache_dir)

    m: dict = {}
    with tempfile.TemporaryDirectory(prefix="zc-bench-") as tmp:
        work = Path(tmp)
        _log("workbooks: intake and engines ...")
        m.update(measure_workbooks(regions[small], month, rep["intake"], 4 if a.quick else None))
        for n in sizes:
            _log(f"month partition, {n} parks ...")
            m[f"month_partition_{n}"] = measure_month(regions[n], n, month, rep["month"], work)
        if len(sizes) > 1:
            lo, hi = m[f"month_partition_{sizes[0]}"], m[f"month_partition_{sizes[-1]}"]
            m["month_growth"] = {
                "what": f"month partition time growth from {sizes[0]} to {sizes[-1]} parks",
                "baseline": f"the month partition of {sizes[0]} parks, same run",
                "from_parks": sizes[0], "to_parks": sizes[-1], "parks_ratio": sizes[-1] / sizes[0],
                "seconds": hi["seconds"], "baseline_seconds": lo["seconds"], "ratio": hi["seconds"] / lo["seconds"],
            }
        from zc_pipeline.warehouse.engine import make_engine
        from zc_pipeline.warehouse.writer import read_table

        biggest = m[f"month_partition_{sizes[-1]}"]
        engine = make_engine(f"sqlite:///{biggest['_warehouse']}")
        frame = read_table(engine, "park_month", where={"period": month})
        engine.dispose()
        _log("warehouse write, SQLite ...")
        m["warehouse_write_sqlite"] = measure_write(frame, month, rep["write"], "sqlite", None, work)
        problem = pg_url_reachable(a.pg_url)
        if problem is None:
            _log("warehouse write, PostgreSQL ...")
            m["warehouse_write_postgresql"] = measure_write(frame, month, rep["write"], "postgresql", a.pg_url, work)
        else:
            m["warehouse_write_postgresql"] = {"skipped": f"PostgreSQL not reachable at {a.pg_url} ({problem})"}
        _log(f"zc run over {a.months} months, {small} parks ...")
        m["zc_run"] = measure_zc_run(regions[small], small, months, work, m.get("month_growth"))
        for v in m.values():
            v.pop("_warehouse", None)

    result = {
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": report.machine(),
        "versions": report.versions(),
        "config": {"sizes": sizes, "months": a.months, "bench_month": month, "seed": a.seed, "quick": a.quick,
                   "repeats": rep, "as_of": AS_OF},
        "measurements": m,
        "targets": targets(m),
        "bench_seconds": time.perf_counter() - started,
    }
    a.results_dir.mkdir(parents=True, exist_ok=True)
    out = a.results_dir / "latest.json"
    tmp_out = out.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    tmp_out.replace(out)
    if a.markdown:
        report.update_markdown(Path(a.markdown), result)
    print(report.table(result))
    _log(f"wrote {out}" + (f" and {a.markdown}" if a.markdown else ""))
    return 0
