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
    order = ["intake_workbook", "calamine_vs_openpyxl",
             *sorted((k for k in m if k.startswith("month_partition_")), key=lambda k: int(k.rsplit("_", 1)[1])),
             "month_growth", "warehouse_write_sqlite", "warehouse_write_postgresql", "zc_run"]
    number = {"intake_workbook": "1", "calamine_vs_openpyxl": "2", "month_growth": "3",
              "warehouse_write_sqlite": "4", "warehouse_write_postgresql": "4", "zc_run": "5"}
    for key in order:
        v = m.get(key)
        if v is None:
            continue
        n = number.get(key, "3")
        if "skipped" in v:
            lines.append(f"| {n} | {key} | — | skipped: {v['skipped']} | — | — |")
            continue
        what = v["what"]
        if key.startswith("month_partition_"):
            what += (f"; {v['files']} files ({v['xlsx_files']} workbooks); {v['cores_used']:.2f} cores used; "
                     f"peak RSS {v['peak_rss_bytes'] / GiB:.2f} GiB (process tree)")
        if key == "zc_run":
            what += (f"; launching runs {v['run_launch_share']:.0%}, step compute {v['step_compute_share']:.0%}, "
                     f"start-up {v['startup_share']:.0%}; peak RSS {v['peak_rss_bytes'] / GiB:.2f} GiB")
        lines.append(f"| {n} | {what} | {_s(v['seconds'])} | {v['baseline']} | {_s(v['baseline_seconds'])} "
                     f"| {v['ratio']:.2f}× |")
    months = [v for k, v in m.items() if k.startswith("month_partition_") and v.get("steps")]
    if months:
        big = max(months, key=lambda v: v["parks"])
        lines += ["", f"Steps of the last {big['parks']}-park month run (busy cores = CPU s of the process tree / wall s):",
                  "", "| step | wall | busy cores |", "|---|---|---|"]
        lines += [f"| {st['step']} | {_s(st['seconds'])} | {st['cores']:.2f} |" for st in big["steps"]]
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
