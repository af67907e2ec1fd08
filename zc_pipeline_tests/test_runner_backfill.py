"""Backfill equivalence: `zc run --from 2026-01 --to 2026-03` and a real Dagster asset backfill of the
same partitions (the backfill daemon's own iteration submits its runs to the run queue, the run-queue
daemon's iteration launches them) leave identical warehouses."""
from __future__ import annotations

import datetime as dt
import logging
import os
import time

import dagster as dg
from dagster._core.definitions.selector import PartitionRangeSelector, PartitionsByAssetSelector, PartitionsSelector
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import InProcessTestWorkspaceLoadTarget, create_test_daemon_workspace_context
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._daemon.backfill import execute_backfill_iteration
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

from zc_pipeline.partitions import add_months, to_dagster_key
from zc_pipeline.runner import (
    HALF_ASSETS, MONTH_ASSETS, MONTHLY_ROLLUP_ASSETS, QUARTER_ASSETS, REFERENCE_ASSETS, YEAR_ASSETS, landing_months,
)
from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import dump_sorted
from zc_pipeline_tests.conftest import SAMPLE_DIR, run_sample_pipeline

# After March's deadline and before Q2 ends: the plan is Jan–Mar, April's 10x warnings and Q1.
AS_OF = dt.date(2026, 4, 15)
VOLATILE = ("run_id", "first_seen_at", "received_at", "issued_at")


# Runs queued, as under `zc ui` and the daemon, then launched synchronously in this process (the
# test is the daemon), one step at a time.
INSTANCE = {
    "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"},
    "run_launcher": {"module": "dagster._core.launcher.sync_in_memory_run_launcher", "class": "SyncInMemoryRunLauncher"},
}
DEFS_FILE = """
from zc_pipeline.definitions import build_definitions
from zc_pipeline.settings import load_settings
defs = build_definitions(load_settings(data_dir={data!r}, warehouse_url={url!r}, as_of={as_of!r}, state_dir={state!r}))
"""


def _selector(assets, keys=None):
    parts = PartitionsSelector(ranges=[PartitionRangeSelector(start=k, end=k) for k in keys]) if keys else None
    return [PartitionsByAssetSelector(asset_key=dg.AssetKey(a), partitions=parts) for a in assets if keys is None or keys]


def backfill_selection(plan, asset_graph) -> list:
    """What `zc run` ran, as one asset backfill: the daemon orders it by the asset graph."""
    following = add_months(plan.months[-1], 1)
    # zc run explains the grades after re-running any window
    explain = ["grade_explanation"] if asset_graph.has(dg.AssetKey("grade_explanation")) and plan.quarters else []
    return [
        *_selector([*REFERENCE_ASSETS, *MONTHLY_ROLLUP_ASSETS, *explain]),
        *_selector(MONTH_ASSETS, plan.months),
        # zc run also refreshes the next month's 10x warnings (they compare against March)
        *_selector(["month_over_month_warning"], [following] if following in landing_months(SAMPLE_DIR / "landing") else []),
        *_selector(QUARTER_ASSETS, [to_dagster_key(q) for q in plan.quarters]),
        *_selector(HALF_ASSETS, [to_dagster_key(h) for h in plan.halves]),
        *_selector(YEAR_ASSETS, plan.years),
    ]


def dagster_backfill(tmp_path, plan) -> str:
    """The same partitions as one Dagster asset backfill; returns the warehouse URL."""
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    (tmp_path / "dagster_home").mkdir(parents=True)
    defs_file = tmp_path / "backfill_defs.py"  # a file of its own: the module-level `defs` reads the env
    defs_file.write_text(DEFS_FILE.format(data=str(SAMPLE_DIR), url=url, as_of=AS_OF.isoformat(),
                                          state=str(tmp_path / "state")))
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(python_file=str(defs_file), attribute="defs", working_directory=str(tmp_path)),
        location_name="zc_backfill",
    )
    with dg.instance_for_test(overrides=INSTANCE, temp_dir=str(tmp_path / "dagster_home")) as instance:
        with create_test_daemon_workspace_context(InProcessTestWorkspaceLoadTarget(origin), instance) as workspace:
            graph = workspace.create_request_context().asset_graph
            backfill = PartitionBackfill.from_partitions_by_assets(
                backfill_id="months_2026_01_03",
                asset_graph=graph,
                backfill_timestamp=time.time(),
                tags={},
                dynamic_partitions_store=instance,
                partitions_by_assets=backfill_selection(plan, graph),
                title="2026-01..2026-03", description=None,
                run_config={},  # the location's jobs run in process by default (build_definitions)
            )
            instance.add_backfill(backfill)
            with QueuedRunCoordinatorDaemon(interval_seconds=1) as run_queue:
                for _ in range(20):
                    list(execute_backfill_iteration(workspace, logging.getLogger("backfill")))  # submits runs
                    list(run_queue.run_iteration(workspace))  # launches the queued runs
                    status = instance.get_backfill(backfill.backfill_id).status
                    if status != BulkActionStatus.REQUESTED:
                        break
            assert status == BulkActionStatus.COMPLETED_SUCCESS
            runs = instance.get_runs()
            assert runs and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
            assert all(instance.all_logs(r.run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED) for r in runs)  # queued first
            # one run per partition (multi-run policy), never a range
            assert {"2026-01", "2026-02", "2026-03"} <= {r.tags.get("dagster/partition") for r in runs}
            assert not any("dagster/asset_partition_range_start" in r.tags for r in runs)
    return url


def test_backfill_equals_zc_run(tmp_path):
    old_home = os.environ.get("DAGSTER_HOME")
    try:
        cli = run_sample_pipeline(tmp_path / "cli", as_of=AS_OF, first="2026-01", last="2026-03")
    finally:
        if old_home is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = old_home
    plan = cli.result["plan"]
    assert (plan.months, plan.quarters, plan.halves) == (["2026-01", "2026-02", "2026-03"], ["2026-Q1"], [])
    backfill = make_engine(dagster_backfill(tmp_path / "backfill", plan))
    compared = 0
    for name in TABLES:
        a, b = dump_sorted(cli.engine, name, drop=VOLATILE), dump_sorted(backfill, name, drop=VOLATILE)
        assert a.equals(b), f"{name}: zc run and the backfill differ"
        compared += bool(len(a))
    assert compared >= 10  # intake, monthly facts, reminders and the quarter all have rows
