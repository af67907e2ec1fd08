"""`python -m bench`: generate (or reuse) synthetic regions and measure the pipeline against baselines.

Two parts (`--only`): `csv`, regions whose extra parks send batch CSV (one workbook, the month
partition, the warehouse write, a zc run), and `workbooks`, the realistic month in which every park
sends its own workbook (zc run of a month at several sizes, the month partition alone, a year).
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
from bench.regions import CACHE_DIR, months_of_region, region, workbook_region
from bench.timing import median, once, paired
from zc_pipeline.domain.periods import month_range

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
AS_OF = "2026-01-31"  # after the last generated month's deadline
BENCH_MONTH_INDEX = 1  # the second month: it has a previous month for the month-over-month check
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
WORKBOOK_MONTH, WORKBOOK_MONTH_AS_OF = "2026-03", "2026-12-31"  # every window of 2026 has ended: all run
WORKBOOK_YEAR, WORKBOOK_YEAR_AS_OF = ("2026-01", "2026-12"), "2027-01-31"  # after December's deadline (10 Jan)
BARE_READ = "bare pandas read of the same files, one process (openpyxl workbooks, read_csv)"
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


def measure_month(data: Path, parks: int, month: str, repeat: int, work: Path, as_of: str = AS_OF,
                  bare: float | None = None, tag: str = "month") -> dict:
    """`bare`: the baseline's seconds when the caller has timed it already (the same files)."""
    files = month_files(data, month)
    out = _child(["month", "--data", str(data), "--state", str(work / f"{tag}-{parks}"), "--as-of", as_of,
                  "--month", month, "--repeat", str(repeat)], timeout=3600)
    bare = bare or median(once(lambda: bare_read(files)) for _ in range(max(repeat, 3)))
    wall, cpu = median(out["walls"]), median(out["cpu"])
    return {
        "what": f"one month partition ({month}) of {parks} parks end to end through Dagster "
                "(intake, park_month, month-over-month, missing report and their asset checks; in-process run, parse pool)",
        "baseline": BARE_READ,
        "parks": parks, "files": len(files),
        "xlsx_files": sum(p.suffix.lower() == ".xlsx" for p in files),
        "park_month_rows": out["park_month_rows"], "runs": len(out["walls"]),
        "seconds": wall, "baseline_seconds": bare,
        "ratio": wall / bare,
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

def step_shares(steps: list, wall: float) -> list[dict]:
    """Each Dagster step's seconds summed over the runs (`steps`: (step, seconds) per step of every run),
    largest first, with its share of `wall`: the next bottleneck on top."""
    seconds: dict[str, float] = {}
    runs: dict[str, int] = {}
    for step, s in steps:
        seconds[step] = seconds.get(step, 0.0) + s
        runs[step] = runs.get(step, 0) + 1
    return [{"step": k, "seconds": v, "runs": runs[k], "share": v / wall if wall else 0.0}
            for k, v in sorted(seconds.items(), key=lambda kv: (-kv[1], kv[0]))]


def zc_run(data: Path, months: list[str], as_of: str, state: Path) -> dict:
    """What `zc run --from months[0] --to months[-1]` runs, in a child process on a fresh state: its wall
    split into start-up, run launching and step compute, per step and per run."""
    out = _child(["zcrun", "--data", str(data), "--state", str(state), "--as-of", as_of,
                  "--first", months[0], "--last", months[-1]], timeout=6 * 3600)
    wall = out["process_wall"]
    launching = out["materialize_wall"] - out["step_wall"]
    return {
        "dagster_runs": out["runs"], "seconds": wall,
        "startup_seconds": out["startup_wall"],
        "step_compute_seconds": out["step_wall"],
        "run_launch_seconds": launching,
        "run_launch_share": launching / wall,
        "step_compute_share": out["step_wall"] / wall,
        "startup_share": out["startup_wall"] / wall,
        "peak_rss_bytes": out["rss_tree_peak_bytes"],
        "peak_rss_largest_process_bytes": max(out["rss_self_bytes"], out["rss_largest_child_bytes"]),
        "steps": step_shares(out["steps"], wall),
        "run_walls": out["run_walls"],
    }


def measure_zc_run(data: Path, parks: int, months: list[str], work: Path, month_growth: dict | None) -> dict:
    run = zc_run(data, months, AS_OF, work / f"zcrun-{parks}")
    files = [p for m in months for p in month_files(data, m)]
    bare = once(lambda: bare_read(files))
    return {
        "what": f"zc run over {len(months)} months ({months[0]}..{months[-1]}) for {parks} parks: "
                f"reference, months, rebound alerts, quarters, halves, years ({run['dagster_runs']} Dagster runs)",
        "baseline": "bare pandas read of every landing file of those months",
        "parks": parks, "months": len(months),
        **run, "baseline_seconds": bare, "ratio": run["seconds"] / bare,
        "month_growth": month_growth,
    }


# ---- (6)-(9): the realistic month, every park its own workbook ------------------------------

def measure_workbook_run(data: Path, parks: int, months: list[str], as_of: str, repeat: int, work: Path) -> dict:
    """A zc run of an all-workbook region against the bare read of its files (median of `repeat`)."""
    files = [p for m in months for p in month_files(data, m)]
    bare = median(once(lambda: bare_read(files)) for _ in range(repeat))
    run = zc_run(data, months, as_of, work / f"wb-{len(months)}m-{parks}")
    span = months[0] if len(months) == 1 else f"{len(months)} months, {months[0]}..{months[-1]}"
    return {
        "what": f"zc run ({span}, as-of {as_of}) in which each of {parks} parks sends its own workbook: "
                f"reference, months and every window they complete ({run['dagster_runs']} Dagster runs)",
        "baseline": BARE_READ, "parks": parks, "months": len(months), "files": len(files),
        "xlsx_files": sum(p.suffix.lower() == ".xlsx" for p in files),
        **run, "baseline_seconds": bare, "ratio": run["seconds"] / bare,
    }


def growth(lo: dict, hi: dict, what: str) -> dict:
    """`hi`'s seconds over `lo`'s, the same measurement at two sizes of one run."""
    return {
        "what": f"{what} time growth from {lo['parks']} to {hi['parks']} parks",
        "baseline": f"the {what} of {lo['parks']} parks, same run",
        "from_parks": lo["parks"], "to_parks": hi["parks"], "parks_ratio": hi["parks"] / lo["parks"],
        "seconds": hi["seconds"], "baseline_seconds": lo["seconds"], "ratio": hi["seconds"] / lo["seconds"],
    }


# ---- driver ---------------------------------------------------------------------------------

def _sized(m: dict, prefix: str) -> list[dict]:
    """The measurements `<prefix><parks>`, smallest first."""
    return sorted((v for k, v in m.items() if k.startswith(prefix) and k[len(prefix):].isdigit()),
                  key=lambda v: v["parks"])


def targets(m: dict) -> list[dict]:
    """Each target met or not (reported, never asserted), for the measurements present in `m`."""
    out = []

    def add(name, value, limit, ok):
        out.append({"target": name, "value": value, "limit": limit, "met": bool(ok)})

    def grows(key, what):
        if key in m:
            g = m[key]
            limit = 1.1 * g["to_parks"] / g["from_parks"]
            add(f"growth {g['from_parks']} -> {g['to_parks']} parks ({what})", g["ratio"], f"<= {limit:.1f}",
                g["ratio"] <= limit)

    if "intake_workbook" in m:
        add("intake of one workbook / bare openpyxl read", m["intake_workbook"]["ratio"], "<= 0.5",
            m["intake_workbook"]["ratio"] <= 0.5)
    if large := _sized(m, "month_partition_"):
        big = large[-1]
        add(f"month partition of {big['parks']} parks, seconds", big["seconds"], "< 120", big["seconds"] < 120)
        add(f"month partition of {big['parks']} parks, peak RSS GiB (process tree)",
            big["peak_rss_bytes"] / GiB, "< 2", big["peak_rss_bytes"] < 2 * GiB)
    grows("month_growth", "month partition")
    if "zc_run" in m:
        add("share of zc run spent launching Dagster runs", m["zc_run"]["run_launch_share"], "< 0.5",
            m["zc_run"]["run_launch_share"] < 0.5)
    for part in _sized(m, "workbook_partition_"):
        n, run = part["parks"], m[f"workbook_month_{part['parks']}"]
        add(f"zc run of the {n}-workbook month / bare read", run["ratio"], "<= 1.0", run["ratio"] <= 1.0)
        add(f"month partition alone of the {n}-workbook month / bare read", part["ratio"], "<= 0.3",
            part["ratio"] <= 0.3)
    if months := _sized(m, "workbook_month_"):
        big = months[-1]
        add(f"zc run of the {big['parks']}-workbook month, seconds", big["seconds"], "< 60", big["seconds"] < 60)
        add(f"zc run of the {big['parks']}-workbook month, peak RSS GiB (process tree)",
            big["peak_rss_bytes"] / GiB, "< 2", big["peak_rss_bytes"] < 2 * GiB)
    for year in _sized(m, "workbook_year_"):
        add(f"zc run of {year['months']} months x {year['parks']} parks (all workbooks) / bare read",
            year["ratio"], "<= 10", year["ratio"] <= 10)
    grows("workbook_growth", "workbook-month zc run")
    return out


def measure_csv(a, sizes: list[int], rep: dict, work: Path) -> dict:
    """(1)-(5) on the CSV-heavy regions."""
    small = sizes[0]
    months = months_of_region(a.months)
    month = months[BENCH_MONTH_INDEX]
    regions = {}
    for n in sizes:
        _log(f"region {n} parks ...")
        # the zc run needs every month of the smallest region; larger ones only the benchmark month
        regions[n] = region(n, a.seed, a.months if n == small else BENCH_MONTH_INDEX + 1, a.cache_dir)

    m: dict = {}
    _log("workbooks: intake and engines ...")
    m.update(measure_workbooks(regions[small], month, rep["intake"], 4 if a.quick else None))
    for n in sizes:
        _log(f"month partition, {n} parks ...")
        m[f"month_partition_{n}"] = measure_month(regions[n], n, month, rep["month"], work)
    if len(sizes) > 1:
        m["month_growth"] = growth(m[f"month_partition_{sizes[0]}"], m[f"month_partition_{sizes[-1]}"],
                                   "month partition")
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
    return m


def measure_all_workbooks(a, sizes: list[int], rep: dict, work: Path) -> dict:
    """(6)-(9) on the all-workbook regions: a zc run of the month at every size, the month partition
    alone at the middle size (3,000 of 1,000, 3,000, 10,000), growth smallest -> largest, a year."""
    year = month_range(*WORKBOOK_YEAR)
    regions = {}
    for n in sizes:
        _log(f"all-workbook region {n} parks, {WORKBOOK_MONTH} ...")
        regions[n] = workbook_region(n, a.seed, WORKBOOK_MONTH, WORKBOOK_MONTH, a.cache_dir)
    if a.workbook_months_parks:
        _log(f"all-workbook region {a.workbook_months_parks} parks, {year[0]}..{year[-1]} ...")
        year_region = workbook_region(a.workbook_months_parks, a.seed, year[0], year[-1], a.cache_dir)

    m: dict = {}
    for n in sizes:
        _log(f"zc run of the {n}-workbook month ...")
        m[f"workbook_month_{n}"] = measure_workbook_run(regions[n], n, [WORKBOOK_MONTH], WORKBOOK_MONTH_AS_OF,
                                                         rep["bare"], work)
    mid = sizes[len(sizes) // 2]
    _log(f"month partition alone, {mid} workbooks ...")
    part = measure_month(regions[mid], mid, WORKBOOK_MONTH, rep["month"], work, as_of=WORKBOOK_MONTH_AS_OF,
                         bare=m[f"workbook_month_{mid}"]["baseline_seconds"], tag="wb-month-partition")
    part["what"] += "; every park its own workbook"
    m[f"workbook_partition_{mid}"] = part
    if len(sizes) > 1:
        m["workbook_growth"] = growth(m[f"workbook_month_{sizes[0]}"], m[f"workbook_month_{sizes[-1]}"],
                                      "workbook-month zc run")
    if a.workbook_months_parks:
        n = a.workbook_months_parks
        _log(f"zc run of {len(year)} months, {n} parks, all workbooks ...")
        m[f"workbook_year_{n}"] = measure_workbook_run(year_region, n, year, WORKBOOK_YEAR_AS_OF, rep["bare"], work)
    return m


def _sizes(text: str) -> list[int]:
    return sorted({int(s) for s in text.split(",") if s.strip()})


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--only", choices=("all", "csv", "workbooks"), default="all",
                   help="csv: the CSV-heavy regions (1)-(5); workbooks: the all-workbook regions (6)-(9)")
    p.add_argument("--sizes", default="1000,10000", help="CSV-heavy region sizes in parks (default 1000,10000)")
    p.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run, not for quoting)")
    p.add_argument("--months", type=int, default=12, help="months of the zc run region (default 12)")
    p.add_argument("--workbook-sizes", default="1000,3000,10000",
                   help="all-workbook month sizes in parks (default 1000,3000,10000; the middle one is "
                        "also timed as a month partition alone)")
    p.add_argument("--workbook-months-parks", type=int, default=1000,
                   help=f"parks of the all-workbook year {WORKBOOK_YEAR[0]}..{WORKBOOK_YEAR[1]} "
                        "(default 1000; 0 = none)")
    p.add_argument("--seed", type=int, default=20260101)
    p.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    p.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    p.add_argument("--markdown", default=str(ROOT / "BENCHMARKS.md"), help="table to update ('' = none)")
    p.add_argument("--pg-url", default=os.environ.get("ZC_TEST_PG_URL") or PG_DEFAULT_URL)
    a = p.parse_args(argv)
    sizes, workbook_sizes = _sizes(a.sizes), _sizes(a.workbook_sizes)
    csv, workbooks = a.only in ("all", "csv"), a.only in ("all", "workbooks")
    if csv and (not sizes or a.months < 2):
        p.error("need at least one size and two months")
    if workbooks and not workbook_sizes:
        p.error("need at least one workbook size")
    rep = {"intake": 3 if a.quick else 15, "month": 1 if a.quick else 3, "write": 2 if a.quick else 7,
           "bare": 1 if a.quick else 3}
    started = time.perf_counter()

    m: dict = {}
    with tempfile.TemporaryDirectory(prefix="zc-bench-") as tmp:
        if csv:
            m.update(measure_csv(a, sizes, rep, Path(tmp)))
        if workbooks:
            m.update(measure_all_workbooks(a, workbook_sizes, rep, Path(tmp)))
        for v in m.values():
            v.pop("_warehouse", None)

    result = {
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": report.machine(),
        "versions": report.versions(),
        "config": {"only": a.only, "sizes": sizes, "months": a.months,
                   "bench_month": months_of_region(a.months)[BENCH_MONTH_INDEX] if csv else None,
                   "seed": a.seed, "quick": a.quick, "repeats": rep, "as_of": AS_OF, "workbook_sizes": workbook_sizes,
                   "workbook_month": WORKBOOK_MONTH, "workbook_month_as_of": WORKBOOK_MONTH_AS_OF,
                   "workbook_months_parks": a.workbook_months_parks, "workbook_year": list(WORKBOOK_YEAR),
                   "workbook_year_as_of": WORKBOOK_YEAR_AS_OF},
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
