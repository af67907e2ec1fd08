"""`zc run`: materialize months, then the quarters, halves and years they complete — one run per partition."""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from zc_pipeline.domain.periods import add_months, month_of, month_range, months_of
from zc_pipeline.settings import Settings

REPO_DAGSTER_YAML = Path(__file__).resolve().parent.parent / "dagster.yaml"
REFERENCE_ASSETS = ["dim_league_city", "dim_park", "ref_standard"]
MONTH_ASSETS = ["landing_file", "submission", "submitted_value", "validation_issue", "park_month",
                "month_over_month_warning", "missing_report"]
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


def plan_months(settings: Settings, first: str | None, last: str | None) -> list[str]:
    """Months in range; default every landing month up to the as-of month."""
    as_of_month = month_of(settings.as_of)
    available = [m for m in landing_months(settings.landing_dir) if m <= as_of_month]
    lo = first or (available[0] if available else as_of_month)
    hi = min(last or as_of_month, as_of_month)
    return month_range(lo, hi) if lo <= hi else []


def plan(settings: Settings, first: str | None, last: str | None, asset_graph=None) -> RunPlan:
    """The months, and every quarter, half and year that reads them (through the assets' partition
    mappings) and has ended by the as-of month — so a re-run month re-runs all it makes stale."""
    import dagster as dg

    from zc_pipeline.partitions import from_dagster_key

    months = plan_months(settings, first, last)
    if not months:
        return RunPlan([])
    if asset_graph is None:
        from zc_pipeline.definitions import build_definitions

        asset_graph = build_definitions(settings).resolve_asset_graph()
    last_month = month_of(settings.as_of)
    month_key = dg.AssetKey("park_month")
    month_def = asset_graph.get(month_key).partitions_def
    subset = month_def.subset_with_partition_keys(months)

    def downstream(child: str, kind: str, upstream_key=month_key, upstream_subset=subset) -> tuple[list[str], object]:
        child_key = dg.AssetKey(child)
        if not asset_graph.has(child_key):
            return [], None
        node = asset_graph.get(child_key)
        mapping = asset_graph.get_partition_mapping(child_key, upstream_key)
        up_def = asset_graph.get(upstream_key).partitions_def
        sub = mapping.get_downstream_partitions_for_partitions(upstream_subset, up_def, node.partitions_def)
        periods = [from_dagster_key(k, kind) for k in sub.get_partition_keys()]
        complete = [p for p in periods if months_of(p)[-1] <= last_month]
        keep = [k for k, p in zip(sub.get_partition_keys(), periods) if p in complete]
        return sorted(complete), node.partitions_def.subset_with_partition_keys(keep)

    quarters, _ = downstream("park_quarter_assessment", "quarter")
    halves, half_subset = downstream("park_half_assessment", "half")
    years: list[str] = []
    if half_subset is not None and asset_graph.has(dg.AssetKey("funding_allocation")):
        # a year's fund follows its H1 grades: run it once H1 is complete
        years = sorted({h[:4] for h in halves if h.endswith("H1")})
    return RunPlan(months, quarters, halves, years)


def run_pipeline(settings: Settings, first: str | None = None, last: str | None = None, echo=print,
                 warehouse_schema: str | None = None) -> dict:
    """Materialize the plan in the Dagster instance the UI shows; return a summary."""
    import dagster as dg

    from zc_pipeline.definitions import build_definitions

    ensure_dagster_home(settings)
    defs = build_definitions(settings, warehouse_schema=warehouse_schema, defer_data_docs=True)
    job_assets = defs.assets
    resources = defs.resources
    p = plan(settings, first, last, defs.resolve_asset_graph())
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
        try:
            _run_plan(run, p, settings, instance, {k.to_user_string() for a in job_assets for k in getattr(a, "keys", [])})
        finally:
            from zc_pipeline.quality.gx import flush_docs

            flush_docs(settings.state_dir)  # the check steps' Data Docs pages and the index, once
    return {"plan": p, "timings": timings}


def _run_plan(run, p: RunPlan, settings: Settings, instance, defined: set[str]) -> None:
    """The runs of a plan, in dependency order (months, alerts, quarters, halves, years, explanations)."""
    from zc_pipeline.defs.lineage import record_standard_files
    from zc_pipeline.partitions import to_dagster_key

    record_standard_files(instance)  # the rulebook files' content hash: a changed file marks dependants stale
    run(REFERENCE_ASSETS, None, "reference")
    for m in p.months:
        run(MONTH_ASSETS, m, f"month {m}")
    following = add_months(p.months[-1], 1) if p.months else None
    if following and following <= month_of(settings.as_of) and following in landing_months(settings.landing_dir):
        # the next month's 10x warnings compare against the last month just re-run
        run(["month_over_month_warning"], following, f"warnings {following}")
    if p.months:
        run(MONTHLY_ROLLUP_ASSETS, None, "rebound alerts")
    for q in p.quarters:
        run([a for a in QUARTER_ASSETS if a in defined], to_dagster_key(q), f"quarter {q}")
    for h in p.halves:
        run([a for a in HALF_ASSETS if a in defined], to_dagster_key(h), f"half {h}")
    for y in p.years:
        sel = [a for a in YEAR_ASSETS if a in defined]
        if sel:
            run(sel, y, f"year {y}")
    if (p.quarters or p.halves) and "grade_explanation" in defined:
        run(["grade_explanation"], None, "grade explanations")


def redraw_spot_checks(settings: Settings, half: str, echo=print, warehouse_schema: str | None = None) -> None:
    """Replace a half's kept spot-check sample with a fresh draw (STANDARD §8) and re-assess the half.

    The sample is normally drawn once, when the half is first assessed, and kept; this is the
    explicit, recorded way to change who is inspected (the run is tagged `zc/redraw`).
    """
    import dagster as dg
    import sqlalchemy as sa

    from zc_pipeline.definitions import build_definitions
    from zc_pipeline.domain.periods import period_kind
    from zc_pipeline.partitions import to_dagster_key
    from zc_pipeline.warehouse.engine import make_engine
    from zc_pipeline.warehouse.tables import TABLES

    if period_kind(half) != "half":
        raise SystemExit(f"not a half: {half!r} (expected e.g. 2026-H1)")
    ensure_dagster_home(settings)
    engine = make_engine(settings.warehouse_url, schema=warehouse_schema)
    sample = TABLES["spot_check_sample"]
    with engine.begin() as conn:
        dropped = conn.execute(sa.delete(sample).where(sample.c.half == half)).rowcount
    echo(f"{half}: removed the kept sample ({dropped} parks); drawing again")
    defs = build_definitions(settings, warehouse_schema=warehouse_schema)
    with dg.DagsterInstance.get() as instance:
        result = dg.materialize(
            defs.assets, selection=HALF_ASSETS, partition_key=to_dagster_key(half), instance=instance,
            resources=defs.resources, raise_on_error=False,
            tags={"zc/as_of": settings.as_of.isoformat(), "zc/redraw": half, "zc/launched_by": "zc spot-check redraw"},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    if not result.success:
        raise SystemExit(f"re-draw of {half} failed; see the Dagster UI (run {result.run_id})")
    echo(f"{half}: re-drawn and re-assessed in run {result.run_id[:8]}")
