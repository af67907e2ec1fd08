"""The machine, library versions, and the BENCHMARKS.md table made from a result."""
from __future__ import annotations

import os
import platform
import re
from importlib import metadata
from pathlib import Path

LIBRARIES = ("dagster", "pandas", "numpy", "openpyxl", "python-calamine", "pandera", "sqlalchemy", "psycopg")
BEGIN, END = "<!-- bench:begin (python -m bench writes this part) -->", "<!-- bench:end -->"
GiB = 1024**3


def machine() -> dict:
    mem = 0
    try:
        with open("/proc/meminfo") as fh:
            mem = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("MemTotal:"))
    except (OSError, StopIteration):
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_bytes": mem,
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def versions() -> dict:
    out = {}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return out


def _s(x: float) -> str:
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def _sized(m: dict, prefix: str) -> list[str]:
    return sorted((k for k in m if k.startswith(prefix) and k[len(prefix):].isdigit()),
                  key=lambda k: int(k[len(prefix):]))


def _shares(v: dict) -> str:
    return (f"launching runs {v['run_launch_share']:.0%}, step compute {v['step_compute_share']:.0%}, "
            f"start-up {v['startup_share']:.0%}; peak RSS {v['peak_rss_bytes'] / GiB:.2f} GiB")


def _steps(title: str, v: dict, least: float = 0.01) -> list[str]:
    """A zc run's steps, largest first (seconds summed over its runs, share of its whole wall; those under
    `least` in one line, the JSON has them all), and each run's wall."""
    big = [st for st in v["steps"] if st["share"] >= least]
    rest = v["steps"][len(big):]
    lines = ["", f"{title} ({v['dagster_runs']} Dagster runs, {_s(v['seconds'])}): each step's seconds summed over "
             "the runs, and their share of the whole wall:", "",
             "| step | seconds | runs | share |", "|---|---|---|---|"]
    lines += [f"| {st['step']} | {_s(st['seconds'])} | {st['runs']} | {st['share']:.1%} |" for st in big]
    if rest:
        lines.append(f"| {len(rest)} more steps, each < {least:.0%} | {_s(sum(st['seconds'] for st in rest))} | — "
                     f"| {sum(st['share'] for st in rest):.1%} |")
    return lines + ["", "Runs: " + "; ".join(f"{k} {_s(w)}" for k, w in v["run_walls"].items())]


def table(result: dict) -> str:
    m, mach = result["measurements"], result["machine"]
    lines = [
        f"Run {result['generated_at']} — `{result['command'].strip()}` — {mach['cores']} cores, "
        f"{mach['memory_bytes'] / GiB:.0f} GiB, {mach['cpu']}, Python {mach['python']}",
        "",
        "Libraries: " + ", ".join(f"{k} {v}" for k, v in result["versions"].items() if v),
        "",
        "| # | measurement | median | baseline (same run, same files) | baseline median | ratio |",
        "|---|---|---|---|---|---|",
    ]
    order = ["intake_workbook", "calamine_vs_openpyxl", *_sized(m, "month_partition_"),
             "month_growth", "warehouse_write_sqlite", "warehouse_write_postgresql", "zc_run",
             *_sized(m, "workbook_month_"), *_sized(m, "workbook_partition_"), "workbook_growth",
             *_sized(m, "workbook_year_")]
    number = {"intake_workbook": "1", "calamine_vs_openpyxl": "2", "month_growth": "3",
              "warehouse_write_sqlite": "4", "warehouse_write_postgresql": "4", "zc_run": "5",
              "workbook_month_": "6", "workbook_partition_": "7", "workbook_growth": "8", "workbook_year_": "9"}
    for key in order:
        v = m.get(key)
        if v is None:
            continue
        n = number.get(key) or number.get(key.rstrip("0123456789"), "3")
        if "skipped" in v:
            lines.append(f"| {n} | {key} | — | skipped: {v['skipped']} | — | — |")
            continue
        what = v["what"]
        if key.startswith(("month_partition_", "workbook_partition_")):
            what += (f"; {v['files']} files ({v['xlsx_files']} workbooks); {v['cores_used']:.2f} cores used; "
                     f"peak RSS {v['peak_rss_bytes'] / GiB:.2f} GiB (process tree)")
        if key.startswith(("workbook_month_", "workbook_year_")):
            what += f"; {v['files']} files ({v['xlsx_files']} workbooks)"
        if key == "zc_run" or key.startswith(("workbook_month_", "workbook_year_")):
            what += "; " + _shares(v)
        lines.append(f"| {n} | {what} | {_s(v['seconds'])} | {v['baseline']} | {_s(v['baseline_seconds'])} "
                     f"| {v['ratio']:.2f}× |")
    months = [v for k, v in m.items() if k.startswith("month_partition_") and v.get("steps")]
    if months:
        big = max(months, key=lambda v: v["parks"])
        lines += ["", f"Steps of the last {big['parks']}-park month run (busy cores = CPU s of the process tree / wall s):",
                  "", "| step | wall | busy cores |", "|---|---|---|"]
        lines += [f"| {st['step']} | {_s(st['seconds'])} | {st['cores']:.2f} |" for st in big["steps"]]
    compared = _sized(m, "workbook_partition_") or _sized(m, "workbook_month_")
    if compared:
        parks = m[compared[-1]]["parks"]
        lines += _steps(f"Steps of the zc run of the {parks}-workbook month", m[f"workbook_month_{parks}"])
    for key in _sized(m, "workbook_year_"):
        v = m[key]
        lines += _steps(f"Steps of the zc run of {v['months']} months x {v['parks']} parks, all workbooks", v)
    lines += ["", "| target | value | limit | met |", "|---|---|---|---|"]
    for t in result["targets"]:
        lines.append(f"| {t['target']} | {t['value']:.2f} | {t['limit']} | {'yes' if t['met'] else '**no**'} |")
    return "\n".join(lines)


def update_markdown(path: Path, result: dict) -> None:
    """Replace the generated part of BENCHMARKS.md (between the markers); keep the rest as written."""
    block = f"{BEGIN}\n{table(result)}\n{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
