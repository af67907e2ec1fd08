"""`zc run`: materialize months, then the quarters, halves and years they complete — one run per partition."""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from zc_pipeline.domain.periods import half_of, month_of, month_range, months_of, quarter_of
from zc_pipeline.settings import Settings

REPO_DAGSTER_YAML = Path(__file__).resolve().parent.parent / "dagster.yaml"
REFERENCE_ASSETS = ["dim_league_city", "dim_park", "ref_standard"]
MONTH_ASSETS = ["landing_file", "submission", "submitted_value", "validation_issue", "park_month",
                "month_over_month_warning"]
MONTHLY_ROLLUP_ASSETS = ["rebound_alert"]
QUARTER_ASSETS = ["park_quarter_assessment", "city_quarter_summary"]
HALF_ASSETS = ["spot_check_sample", "spot_check_result", "park_half_assessment", "region_half_summary"]
YEAR_ASSETS = ["funding_allocation"]


def ensure_dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME (default .zc_state/dagster_home) holding the project's dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.state_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists() and REPO_DAGSTER_YAML.exists():
        shutil.copy(REPO_DAGSTER_YAML, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def landing_months(landing_dir: Path) -> list[str]:
    import re

    if not landing_dir.is_dir():
        return []
    return sorted(p.name for p in landing_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}-\d{2}", p.name))


@dataclass
class RunPlan:
    months: list[str]
    quarters: list[str] = field(default_factory=list)
    halves: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)


def plan(settings: Settings, first: str | None, last: str | None) -> RunPlan:
    """Months in range (default: every landing month up to the as-of month) and the windows they complete."""
    as_of_month = month_of(settings.as_of)
    available = [m for m in landing_months(settings.landing_dir) if m <= as_of_month]
    lo = first or (available[0] if available else as_of_month)
    hi = min(last or as_of_month, as_of_month)
    months = month_range(lo, hi) if lo <= hi else []

    def complete(period: str) -> bool:
        return months_of(period)[-1] <= hi

    quarters = sorted({quarter_of(m) for m in months if complete(quarter_of(m))})
    halves = sorted({half_of(m) for m in months if complete(half_of(m))})
    years = sorted({h[:4] for h in halves if h.endswith("H1")} | {m[:4] for m in months if complete(m[:4])})
    return RunPlan(months, quarters, halves, years)


def run_pipeline(settings: Settings, first: str | None = None, last: str | None = None, echo=print,
                 warehouse_schema: str | None = None) -> dict:
    """Materialize the plan in the Dagster instance the UI shows; return a summary."""
    import dagster as dg

    from zc_pipeline.definitions import build_definitions
    from zc_pipeline.partitions import to_dagster_key

    ensure_dagster_home(settings)
    defs = build_definitions(settings, warehouse_schema=warehouse_schema)
    job_assets = defs.assets
    resources = defs.resources
    p = plan(settings, first, last)
    tags = {"zc/as_of": settings.as_of.isoformat(), "zc/launched_by": "zc run"}
    timings: dict[str, float] = {}
    with dg.DagsterInstance.get() as instance:

        def run(selection: list[str], partition: str | None, label: str) -> None:
            t0 = time.perf_counter()
            result = dg.materialize(
                job_assets, selection=selection, partition_key=partition, instance=instance,
                resources=resources, tags=tags, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            )
            timings[label] = time.perf_counter() - t0
            status = "ok" if result.success else "FAILED"
            echo(f"  {label:<22} {status:<6} run {result.run_id[:8]}  {timings[label]:.1f}s")
            if not result.success:
                for ev in result.all_events:
                    err = getattr(ev.event_specific_data, "error", None) if ev.is_step_failure else None
                    if err is not None:
                        echo(err.to_string())
                        break
                raise SystemExit(f"run for {label} failed; see the Dagster UI for details")

        echo(f"as-of {settings.as_of}  data {settings.data_dir}")
        run(REFERENCE_ASSETS, None, "reference")
        for m in p.months:
            run(MONTH_ASSETS, m, f"month {m}")
        if p.months:
            run(MONTHLY_ROLLUP_ASSETS, None, "rebound alerts")
        defined = {k.to_user_string() for a in job_assets for k in getattr(a, "keys", [])}
        for q in p.quarters:
            run([a for a in QUARTER_ASSETS if a in defined], to_dagster_key(q), f"quarter {q}")
        for h in p.halves:
            run([a for a in HALF_ASSETS if a in defined], to_dagster_key(h), f"half {h}")
        for y in p.years:
            sel = [a for a in YEAR_ASSETS if a in defined]
            if sel:
                run(sel, y, f"year {y}")
    return {"plan": p, "timings": timings}
