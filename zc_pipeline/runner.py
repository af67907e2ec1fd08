"""`zc run`: months, then the quarters, halves and years they complete — one run of the project's jobs per partition."""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from zc_pipeline.defs.selections import (
    EXPLANATION_ASSETS, HALF_ASSETS, MONTH_ASSETS, MONTHLY_ROLLUP_ASSETS, QUARTER_ASSETS, REFERENCE_ASSETS, YEAR_ASSETS,
)
from zc_pipeline.domain.periods import add_months, is_month, month_of, month_range, months_of
from zc_pipeline.errors import UserError
from zc_pipeline.settings import Settings

REPO_DAGSTER_YAML = Path(__file__).resolve().parent.parent / "dagster.yaml"


def ensure_dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME (default .zc_state/dagster_home) holding the project's dagster.yaml.

    Without DAGSTER_HOME the home under the state folder holds the repository's file (copied again
    when it changed); a home named by DAGSTER_HOME keeps its own file (a deployment's instance),
    seeded only when it has none.

    The file is written and the instance's storage created (or migrated) under an exclusive lock on
    the home, so `zc` commands started together on a new state folder create it once: two processes
    creating SQLite storage at once both stamp its schema version, and the two alembic heads they
    leave make every later run fail.
    """
    import fcntl

    import dagster as dg

    managed = not os.environ.get("DAGSTER_HOME")
    home = Path(os.environ.get("DAGSTER_HOME") or settings.state_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".instance.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or the process ends
        target = home / "dagster.yaml"
        if REPO_DAGSTER_YAML.exists() and (
            not target.exists() or (managed and target.read_bytes() != REPO_DAGSTER_YAML.read_bytes())
        ):
            partial = home / f".dagster.yaml.{os.getpid()}"  # a running `dagster dev` never reads half a file
            shutil.copy(REPO_DAGSTER_YAML, partial)
            os.replace(partial, target)
        os.environ["DAGSTER_HOME"] = str(home)
        dg.DagsterInstance.from_config(str(home)).dispose()
    return home


def prepare_ui(settings: Settings) -> Path:
    """The folder to start `dagster dev` in (DAGSTER_HOME), with the settings exported as absolute values.

    `dagster dev` warns that a dagster.yaml in its working folder "will not be used" unless that
    folder is DAGSTER_HOME, so `zc ui` starts it there; the code location then finds the same data,
    state and warehouse through the environment instead of paths relative to where `zc` was started.
    """
    from zc_pipeline.warehouse.engine import absolute_url

    home = ensure_dagster_home(settings)
    os.environ["ZC_DATA_DIR"] = str(settings.data_dir)
    os.environ["ZC_STATE_DIR"] = str(settings.state_dir)
    os.environ["ZC_WAREHOUSE_URL"] = absolute_url(settings.warehouse_url).render_as_string(hide_password=False)
    # `dagster dev` is "superseded" by the `dg` command, which this project does not install
    quiet = "ignore:Function `dev_command` is superseded"
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    return home


def landing_months(landing_dir: Path) -> list[str]:
    if not landing_dir.is_dir():
        return []
    return sorted(p.name for p in landing_dir.iterdir() if p.is_dir() and is_month(p.name))


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


def plan(settings: Settings, first: str | None, last: str | None, asset_graph) -> RunPlan:
    """The months, and every quarter, half and year that reads them (through the partition mappings
    of `asset_graph`, the graph of the definitions the runs launch) and has ended by the as-of
    month — so a re-run month re-runs all it makes stale."""
    import dagster as dg

    from zc_pipeline.partitions import from_dagster_key

    months = plan_months(settings, first, last)
    if not months:
        return RunPlan([])
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
        # a year's fund follows its basis half's grades (the rulebook's funding.basis_half): run it
        # once that half is complete
        from zc_pipeline.standards import load_rulebooks

        books = load_rulebooks(settings.data_dir, settings.forced_standard)
        years = sorted({h[:4] for h in halves if h == books.for_period(h[:4]).funding_basis(h[:4])})
    return RunPlan(months, quarters, halves, years)


CONSOLE_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
"""Run config of `zc run`'s in-process runs: Dagster's console logger says nothing (a failed step's
trace stays in the run's event log, shown by the UI); the runner reports each run in one line."""
# errors the project raises itself (or a dg.Failure it raises), and a blocking data check's verdict:
# told in their own words
OWN_ERRORS = ("zc_pipeline.", "dagster._core.definitions.events.Failure", "dagster._core.errors.DagsterAssetCheckFailedError")
MAX_LISTED = 10  # warnings listed under a run's line, and issue lines of a failure's message


def run_pipeline(settings: Settings, first: str | None = None, last: str | None = None, echo=print,
                 warehouse_schema: str | None = None, terminal=None) -> dict:
    """Run the plan's partitions through the project's jobs (defs/operations.py), in process, in the
    Dagster instance the UI shows; return a summary.

    Each run is a run of its job (month_job, quarter_job, ...), subset to what the plan needs, so the
    UI lists it under that job with its window tag (`zc/window` = 2026-Q2). One line per run (and its
    warnings); on a terminal (`terminal`, default stderr) also one updating line for the long steps:
    a month's files parsed, the windows assessed. A failed run raises UserError naming the run, the
    step and the error.
    """
    import dagster as dg

    from zc_pipeline.defs import progress, recovery
    from zc_pipeline.definitions import build_definitions

    ensure_dagster_home(settings)
    defs = build_definitions(settings, warehouse_schema=warehouse_schema, defer_data_docs=True)
    p = plan(settings, first, last, defs.resolve_asset_graph())
    tags = {"zc/as_of": settings.as_of.isoformat(), "zc/launched_by": "zc run", **recovery.process_tags()}
    timings: dict[str, float] = {}

    def say(line: str) -> None:
        with progress.paused():
            echo(line)

    with dg.DagsterInstance.get() as instance, progress.to_terminal(terminal), recovery.watch_runs(instance, say):

        def run(job: str, selection: list[str], partition: str | None, label: str) -> None:
            t0 = time.perf_counter()
            result = defs.resolve_job_def(job).execute_in_process(
                partition_key=partition, asset_selection=[dg.AssetKey(a) for a in selection], instance=instance,
                tags=tags, raise_on_error=False, run_config=CONSOLE_QUIET,
            )
            timings[label] = time.perf_counter() - t0
            warnings = run_warnings(instance, result.run_id, errors=result.success)
            status = "ok" if result.success else "FAILED"
            count = f"  {len(warnings)} warning{'s' * (len(warnings) != 1)}" if warnings else ""
            say(f"  {label:<22} {status:<6} run {result.run_id[:8]}  {timings[label]:.1f}s{count}")
            for line in warnings[:MAX_LISTED]:
                say(f"    {line}")
            if len(warnings) > MAX_LISTED:
                say(f"    … {len(warnings) - MAX_LISTED} more in the run's log (`zc ui`, run {result.run_id[:8]})")
            if not result.success:
                raise run_failure(result, f"run for {label}")

        say(f"as-of {settings.as_of}  data {settings.data_dir}")
        try:
            _run_plan(run, p, settings, instance, {k.to_user_string() for a in defs.assets for k in getattr(a, "keys", [])})
        finally:
            from zc_pipeline.quality.gx import flush_docs

            flush_docs(settings.state_dir)  # the check steps' Data Docs pages and the index, once
    return {"plan": p, "timings": timings}


def run_warnings(instance, run_id: str, errors: bool = True) -> list[str]:
    """The warnings (and errors) the run's steps logged, one line each: `step: message`.

    `errors=False` for a failed run: its failure is reported once, by `run_failure`.
    """
    import logging

    top = logging.CRITICAL if errors else logging.ERROR - 1
    lines = []
    for entry in instance.all_logs(run_id):
        if entry.is_dagster_event or not isinstance(entry.level, int) or not logging.WARNING <= entry.level <= top:
            continue
        text = entry.user_message.strip().splitlines()
        lines.append(f"{entry.step_key or 'run'}: {text[0] if text else ''}")
    return lines


def run_failure(result, what: str) -> UserError:
    """The failed run told in the project's words: the run, the step and its error, and where the trace is.

    The project's own errors (raised from `zc_pipeline`) keep their message, issue lines included;
    anything else is named by its class, as unexpected. No trace: that is in the run's event log.
    """
    failures = result.get_step_failure_events()
    if failures:
        step = failures[0].step_key
        data = failures[0].step_failure_data
        error = data.error
        if error is not None and error.cause is not None and data.error_source.name == "USER_CODE_ERROR":
            error = error.cause  # what the asset raised, not Dagster's wrapper around it
        if error is not None and error.cls_name == "Failure" and error.cause is not None \
                and error.cause.message.startswith("zc_pipeline."):
            error = error.cause  # a dg.Failure raised over a project error: the error has the details
    else:
        step, error = None, getattr(result.get_run_failure_event().event_specific_data, "error", None)
    headline, details = _error_lines(error)
    where = f"at step {step}" if step else "before its steps ran"
    run_id = result.run_id
    lines = [f"{what} failed {where}: {headline} (Dagster run {run_id}; its log and trace: `zc ui` → Runs → {run_id[:8]})"]
    lines += details[:MAX_LISTED]
    if len(details) > MAX_LISTED:
        lines.append(f"  … {len(details) - MAX_LISTED} more in the run's log")
    return UserError("\n".join(lines))


def _error_lines(error) -> tuple[str, list[str]]:
    """(headline, further lines) of a serialized error; a class outside the project is named in the headline."""
    if error is None:
        return "no error was recorded", []
    text = error.message.strip()  # `module.Class: message`, as Python prints an exception
    qualified, sep, rest = text.partition(": ")
    if not sep or "\n" in qualified:  # a class without a message
        qualified, rest = text.splitlines()[0] if text else error.cls_name, ""
    lines = [line for line in rest.splitlines() if line.strip()] or [""]
    if qualified.startswith(OWN_ERRORS):
        return lines[0], lines[1:]
    return f"unexpected {error.cls_name}: {lines[0]}".rstrip(": "), []


def _run_plan(run, p: RunPlan, settings: Settings, instance, defined: set[str]) -> None:
    """The runs of a plan, in dependency order (reference, months, quarters, halves, years, explanations).

    `run(job, assets, partition, label)`. Each month run refreshes rebound_alert (month_job's own
    selection but the reference tables, read once before); the windows leave it as the months left it.
    """
    from zc_pipeline.defs import progress
    from zc_pipeline.partitions import to_dagster_key

    _record_rulebooks(instance, settings)
    run("month_job", REFERENCE_ASSETS, None, "reference")
    for m in p.months:
        run("month_job", [*MONTH_ASSETS, *MONTHLY_ROLLUP_ASSETS], m, f"month {m}")
    following = add_months(p.months[-1], 1) if p.months else None
    if following and following <= month_of(settings.as_of) and following in landing_months(settings.landing_dir):
        # the next month's 10x warnings compare against the last month just re-run
        run("month_job", ["month_over_month_warning"], following, f"warnings {following}")
    windows = [("quarter_job", [a for a in QUARTER_ASSETS if a in defined], to_dagster_key(q), f"quarter {q}")
               for q in p.quarters]
    # the mid-year bulletin lists the fund its grades decide: written once the year is allocated, not before
    allocated = {f"{y}-H1" for y in p.years if f"{y}-H1" in p.halves and "region_bulletin" in defined}
    windows += [("half_job", [a for a in HALF_ASSETS if a in defined and not (a == "region_bulletin" and h in allocated)],
                 to_dagster_key(h), f"half {h}") for h in p.halves]
    windows += [("year_job", [a for a in YEAR_ASSETS if a in defined], y, f"year {y}") for y in p.years]
    windows += [("half_job", ["region_bulletin"], to_dagster_key(h), f"bulletin {h}") for h in sorted(allocated)]
    windows = [w for w in windows if w[1]]
    with progress.counter("assessment", "windows") as assessed:
        for i, (job, selection, key, label) in enumerate(windows):
            assessed(i, len(windows))
            run(job, selection, key, label)
    if (p.quarters or p.halves) and "grade_explanation" in defined:
        run("explanation_job", EXPLANATION_ASSETS, None, "grade explanations")


def _record_rulebooks(instance, settings: Settings) -> None:
    """The rulebooks' hashes, per month partition up to the as-of month, before a command's runs:
    a new or changed rulebook marks what it governs stale, and the runs record what they read."""
    from zc_pipeline.defs.lineage import record_rulebooks
    from zc_pipeline.partitions import month_partitions
    from zc_pipeline.standards import load_rulebooks

    last = min(month_of(settings.as_of), month_partitions.get_last_partition_key())
    record_rulebooks(instance, load_rulebooks(settings.data_dir, settings.forced_standard),
                     month_range(month_partitions.get_first_partition_key(), last))


def redraw_spot_checks(settings: Settings, half: str, echo=print, warehouse_schema: str | None = None) -> None:
    """Replace a half's kept spot-check sample with a fresh draw (STANDARD §8) and re-assess the half.

    The sample is normally drawn once, when the half is first assessed, and kept; this is the
    explicit, recorded way to change who is inspected (the run is tagged `zc/redraw`).
    """
    import dagster as dg
    import sqlalchemy as sa

    from zc_pipeline.definitions import build_definitions
    from zc_pipeline.defs import recovery
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
    with dg.DagsterInstance.get() as instance, recovery.watch_runs(instance, echo, "zc spot-check redraw"):
        _record_rulebooks(instance, settings)
        result = defs.resolve_job_def("half_job").execute_in_process(
            partition_key=to_dagster_key(half), asset_selection=[dg.AssetKey(a) for a in HALF_ASSETS],
            instance=instance, raise_on_error=False,
            tags={"zc/as_of": settings.as_of.isoformat(), "zc/redraw": half, "zc/launched_by": "zc spot-check redraw",
                  **recovery.process_tags()},
            run_config=CONSOLE_QUIET,
        )
    if not result.success:
        raise run_failure(result, f"re-draw of {half}")
    echo(f"{half}: re-drawn and re-assessed in run {result.run_id[:8]}")
