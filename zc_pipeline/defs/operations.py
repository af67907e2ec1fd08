"""Operations: one job per partition kind, the deadline schedules and the landing sensor.

- `month_after_deadline` (daily): on the day after the deadline day, run the previous month.
- `quarter_after_deadline`, `half_after_deadline`, `year_after_deadline` (daily): run every
  quarter / half / funding year whose last month's deadline has passed once its inputs are
  materialized, and again whenever one of them is re-materialized (the run key carries the
  newest upstream materialization's storage id).
- `landing_sensor`: new or changed landing content -> exactly the partitions it belongs to.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg

from zc_pipeline import landing_scan
from zc_pipeline.defs.recovery import recover_before_tick
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.partitions import (
    TIMEZONE, add_months, from_dagster_key, half_partitions, month_of, month_partitions, month_start,
    month_range, quarter_partitions, score_window, to_dagster_key, window_is_due, year_partitions,
)
from zc_pipeline.standards import Rulebooks, Standard
from zc_pipeline.defs.selections import (
    EXPLANATION_ASSETS, HALF_ASSETS, LIFECYCLE_ASSETS, MONTH_ASSETS, MONTHLY_ROLLUP_ASSETS, QUARTER_ASSETS,
    REFERENCE_ASSETS, YEAR_ASSETS,
)

DAILY_AT = "0 2 * * *"  # 02:00 Asia/Shanghai, after the deadline day has ended

WINDOW_TAG = "zc/window"  # the run's period as the warehouse writes it: 2026-03, 2026-Q2, 2026-H1, 2026
PARTITIONS = {"month": month_partitions, "quarter": quarter_partitions, "half": half_partitions,
              "year": year_partitions}


def _by_partition(kind: str) -> dg.PartitionedConfig:
    """Every run of a partition (zc run, schedule, sensor, UI, backfill) tagged with its window.

    A quarter's or half's Dagster key is its first month (`2026-04` is 2026-Q2), so the run list
    needs the tag to tell them from months. No run config of its own: runs take their request's.
    """
    return dg.PartitionedConfig(
        partitions_def=PARTITIONS[kind],
        run_config_for_partition_key_fn=lambda _key: {},
        tags_for_partition_key_fn=lambda key: {WINDOW_TAG: from_dagster_key(key, kind)},
    )


# Reference tables are cheap and the registry changes: every month run reads it afresh. rebound_alert
# (unpartitioned) is recomputed by every month run: its statuses depend on later months (WAREHOUSE.md),
# so whatever a month run changes, the alerts are fresh when it ends.
month_job = dg.define_asset_job(
    "month_job", selection=dg.AssetSelection.assets(*REFERENCE_ASSETS, *MONTH_ASSETS, *MONTHLY_ROLLUP_ASSETS),
    description="One month: registry, intake, park_month, month-over-month warnings, missing reports, rebound alerts.",
    tags={"zc/partition_kind": "month"}, config=_by_partition("month"),
)
# rebound_alert is recomputed before each window too: the spot-check risk weights read the table, and
# its statuses follow the run's as-of date even when no month changed.
quarter_job = dg.define_asset_job(
    "quarter_job", selection=dg.AssetSelection.assets(*MONTHLY_ROLLUP_ASSETS, *QUARTER_ASSETS),
    description="One quarter: rebound alerts, then the league-cities' quarterly evaluation.",
    tags={"zc/partition_kind": "quarter"}, config=_by_partition("quarter"),
)
half_job = dg.define_asset_job(
    "half_job", selection=dg.AssetSelection.assets(*MONTHLY_ROLLUP_ASSETS, *HALF_ASSETS),
    description="One half: spot-check sample and results, mid-year / year-end assessment.",
    tags={"zc/partition_kind": "half"}, config=_by_partition("half"),
)
year_job = dg.define_asset_job(
    "year_job", selection=dg.AssetSelection.assets(*YEAR_ASSETS),
    description="One year: the special fund's allocation.",
    tags={"zc/partition_kind": "year"}, config=_by_partition("year"),
)
# FILES.md §6: a new list or interview file -> the lists and the cultivation list's history, the
# alerts with their interviews. Windows already assessed take it up on their next run (`zc run`, a
# re-run month); until then Dagster shows them stale.
lifecycle_job = dg.define_asset_job(
    "lifecycle_job", selection=dg.AssetSelection.assets(*LIFECYCLE_ASSETS),
    description="League-city list changes and interviews: list_change, cultivation_list, rebound alerts and interviews.",
)
explanation_job = dg.define_asset_job(
    "explanation_job", selection=dg.AssetSelection.assets(*EXPLANATION_ASSETS),
    description="Grade explanations: rewrites the windows whose assessment was re-run since the last time.",
)
JOBS = {"month": month_job, "quarter": quarter_job, "half": half_job, "year": year_job}
ALL_JOBS = [*JOBS.values(), lifecycle_job, explanation_job]


def _local_date(context) -> dt.date:
    return context.scheduled_execution_time.astimezone(TIMEZONE).date()


def _as_of_run(zc: ZcResource, as_of: dt.date) -> tuple[dict, dict]:
    """Run config and tags pinning a run's as-of date to the tick's date (not the run's start date)."""
    fields = {k: getattr(zc, k) for k in type(zc).model_fields if getattr(zc, k) is not None}
    fields["as_of"] = as_of.isoformat()
    return {"resources": {"zc": {"config": fields}}}, {"zc/as_of": as_of.isoformat()}


def month_due(today: dt.date, deadline_day: int) -> str | None:
    """The month to run on `today`: the previous month, on the day after its deadline day; else None."""
    return add_months(month_of(today), -1) if today.day == deadline_day + 1 else None


@dg.schedule(
    name="month_after_deadline", cron_schedule=DAILY_AT, execution_timezone=TIMEZONE.key, job=month_job,
    description="Daily; on the day after the deadline day (rulebook deadline_day) runs the previous month.",
)
def month_after_deadline(context: dg.ScheduleEvaluationContext, zc: ZcResource):
    recover_before_tick(context)
    today = _local_date(context)
    month = month_due(today, zc.rulebook(add_months(month_of(today), -1)).int("deadline_day"))
    if month is None:
        return dg.SkipReason(f"{today}: not the day after a deadline day")
    run_config, tags = _as_of_run(zc, today)
    return dg.RunRequest(run_key=f"month:{month}", partition_key=month, run_config=run_config, tags=tags)


def windows_due(kind: str, today: dt.date, rulebooks: Rulebooks) -> list[str]:
    """Quarters or halves of this and last year whose last month's deadline has passed (each by its
    own rulebook); for `year`, the years whose funding basis half has (the year's `funding.basis_half`)."""
    first = rulebooks.books[0].effective_from

    def governed(window: str) -> bool:  # a window ending before the first rulebook has none
        return month_start(score_window(window)[-1]) >= first

    out = []
    for year in (today.year - 1, today.year):
        if kind == "year":
            if not governed(str(year)):
                continue
            basis = rulebooks.for_period(str(year)).funding_basis(year)
            out += [str(year)] if window_is_due(basis, today, rulebooks.for_period(basis)) else []
        else:
            windows = [f"{year}-Q{n}" for n in range(1, 5)] if kind == "quarter" else [f"{year}-H1", f"{year}-H2"]
            out += [w for w in windows if governed(w) and window_is_due(w, today, rulebooks.for_period(w))]
    return out


def _upstream(kind: str, period: str, std: Standard) -> tuple[str, list[str], list[str]]:
    """The asset, the Dagster partitions a window's run waits for, and those whose re-run re-runs it.

    A quarter waits for its three months and follows every month up to its end: its summary counts
    the rebound alerts of any earlier month still open or overdue (defs/assessment.py).
    """
    if kind == "year":
        basis = [to_dagster_key(std.funding_basis(period))]
        return "park_half_assessment", basis, basis
    months = score_window(period)
    if kind == "quarter":
        return "park_month", months, month_range(month_partitions.get_first_partition_key(), months[-1])
    return "park_month", months, months


def _newest_materialization(instance: dg.DagsterInstance, asset: str, partitions: list[str],
                            watched: list[str]) -> int | None:
    """Storage id of the newest materialization among `watched`, or None unless all `partitions` are materialized."""
    key = dg.AssetKey(asset)
    if not set(partitions) <= instance.get_materialized_partitions(key):
        return None
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=watched), limit=1, ascending=False
    ).records
    return records[0].storage_id if records else None


def window_requests(kind: str, context: dg.ScheduleEvaluationContext, zc: ZcResource):
    """A run per due window whose inputs are all in; the run key changes when an input is re-materialized."""
    today = _local_date(context)
    run_config, tags = _as_of_run(zc, today)
    requests, waiting = [], []
    for period in windows_due(kind, today, zc.rulebooks):
        asset, partitions, watched = _upstream(kind, period, zc.rulebook(period))
        newest = _newest_materialization(context.instance, asset, partitions, watched)
        if newest is None:
            waiting.append(period)
            continue
        requests.append(dg.RunRequest(run_key=f"{period}:{newest}", partition_key=to_dagster_key(period),
                                      run_config=run_config, tags=tags))
    return requests or dg.SkipReason(f"{today}: nothing due, or waiting for {', '.join(waiting) or '-'}")


def _window_schedule(kind: str, description: str) -> dg.ScheduleDefinition:
    @dg.schedule(name=f"{kind}_after_deadline", cron_schedule=DAILY_AT, execution_timezone=TIMEZONE.key,
                 job=JOBS[kind], description=description)
    def _schedule(context: dg.ScheduleEvaluationContext, zc: ZcResource):
        recover_before_tick(context)
        return window_requests(kind, context, zc)

    return _schedule


quarter_after_deadline = _window_schedule(
    "quarter", "Daily; each quarter once its last month's deadline passed and its months are in, again after a re-run month.")
half_after_deadline = _window_schedule(
    "half", "Daily; each half (H2: Jan–Dec) once its last month's deadline passed and its months are in, again after a re-run month.")
year_after_deadline = _window_schedule(
    "year", "Daily; each funding year once its mid-year (H1) assessment is in, again after H1 is re-run.")


STAT_CACHE = "sensor/landing_stat_cache.json"


@dg.sensor(
    name="landing_sensor", jobs=[month_job, half_job, year_job, lifecycle_job], minimum_interval_seconds=60,
    description="New or changed landing content (SHA-256) -> runs of exactly the partitions it belongs to.",
)
def landing_sensor(context: dg.SensorEvaluationContext, zc: ZcResource):
    recover_before_tick(context)
    previous = landing_scan.load_json(context.cursor)
    cache_file = Path(zc.state_dir) / STAT_CACHE
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    result = landing_scan.scan(zc.data_path / "landing", cache)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.write_text(landing_scan.dump_json(result.cache))

    digests, requests = {}, []
    for key, digest in result.digests.items():
        part = landing_scan.parse_partition_key(key)
        if part.kind == "lifecycle":
            digests[key] = digest
            if previous.get(key) != digest:
                requests.append(dg.RunRequest(run_key=f"{part.period}:{digest}", job_name=lifecycle_job.name,
                                              tags={"zc/trigger": "landing_sensor"}))
            continue
        partition_key = to_dagster_key(part.period)
        if not PARTITIONS[part.kind].has_partition_key(partition_key):
            context.log.warning(f"{key}: no such partition (yet); left for a later tick")
            continue
        digests[key] = digest
        if previous.get(key) != digest:
            requests.append(dg.RunRequest(
                run_key=f"{part.period}:{digest}", job_name=JOBS[part.kind].name, partition_key=partition_key,
                tags={"zc/trigger": "landing_sensor"},
            ))
    if result.ignored:
        context.log.info(f"not routed: {', '.join(result.ignored[:20])}")
    context.log.info(f"hashed {len(result.hashed)} file(s); {len(requests)} partition(s) changed")
    return dg.SensorResult(run_requests=requests, cursor=landing_scan.dump_json(digests))


# what the explanations read that a run outside `zc run` may change: the assessments and the fund
ASSESSMENTS_EXPLAINED = ("park_quarter_assessment", "park_half_assessment", "funding_allocation")


@dg.sensor(
    name="explanation_sensor", job=explanation_job, minimum_interval_seconds=300,
    description="A quarter or half assessed since the last explanation run -> one explanation_job run.",
)
def explanation_sensor(context: dg.SensorEvaluationContext):
    """The windows' runs (schedules, sensor, backfills, the UI) leave grade_explanation behind; this
    asks for one run after the newest assessment, which rewrites every window re-assessed since."""
    recover_before_tick(context)
    newest = [_newest_assessment(context.instance, asset) for asset in ASSESSMENTS_EXPLAINED]
    newest = [n for n in newest if n is not None]
    if not newest:
        return dg.SkipReason("no quarter or half assessed yet")
    return dg.RunRequest(run_key=f"assessed:{max(newest)}", tags={"zc/trigger": "explanation_sensor"})


def _newest_assessment(instance: dg.DagsterInstance, asset: str) -> int | None:
    records = instance.fetch_materializations(dg.AssetKey(asset), limit=1, ascending=False).records
    return records[0].storage_id if records else None


SCHEDULES = [month_after_deadline, quarter_after_deadline, half_after_deadline, year_after_deadline]
SENSORS = [landing_sensor, explanation_sensor]
