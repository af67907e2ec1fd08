"""The Celery executor for real: a backfill of three months and the quarter March completes, their
steps on two `dagster-celery` worker processes over a Redis broker, the Dagster instance and the
warehouse on PostgreSQL, and the same tables as the same jobs run in process.

Workers, code server and runs load the production location deploy/definitions.py with
ZC_EXECUTOR=celery, and read the shipped deploy/celery/celery.yaml and deploy/dagster.postgres.yaml.
One test for the month runs, the backfill and the quarter: each step of the chain starts Dagster
processes on a 2-core machine, and the quarter needs the months anyway.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa
import yaml

from zc_pipeline.partitions import to_dagster_key
from zc_pipeline.runner import CONSOLE_QUIET
from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import dump_sorted
from zc_pipeline_tests.conftest import (
    PG_DEFAULT_URL, PG_URL_ENV, SAMPLE_DIR, _require_pg, pg_admin_engine, require_broker,
)
from zc_pipeline_tests.deployment import DEPLOY_DIR, dagster_pg_env

pytestmark = [pytest.mark.pg, pytest.mark.broker]

AS_OF = dt.date(2026, 4, 15)  # after March's deadline: March completes Q1
# Columns that differ between two runs of the same data: run ids and wall-clock times.
VOLATILE = ("run_id", "first_seen_at", "received_at", "issued_at")
WORKERS = 2
IN_PROCESS_RUNS = Path(__file__).with_name("_in_process_runs.py")
RUN_TIMEOUT_S = 300  # one run; generous for a loaded 2-core machine
BACKFILL_TIMEOUT_S = 420


@dataclass(frozen=True)
class CeleryDeployment:
    pg_url: str
    schema: str  # the warehouse of the Celery runs (the workers' ZC_WAREHOUSE_SCHEMA)
    reference_schema: str  # the warehouse of the in-process runs
    worker_names: tuple[str, ...]
    worker_logs: tuple[Path, ...]
    state_dir: Path
    children: list = field(default_factory=list)  # processes the test starts: ended before the schemas go

    def log_tails(self) -> str:
        return "\n".join(f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-30:])
                         for p in self.worker_logs)


def _stop(procs: list[subprocess.Popen]) -> None:
    """Warm shutdown of each worker's process group (the CLI and the celery process it starts)."""
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for proc in procs:
        while _signal_group(proc, 0) and time.monotonic() < deadline:
            proc.poll()  # reap the CLI; the group lives on while its celery process does
            time.sleep(0.2)
        _signal_group(proc, signal.SIGKILL)
        proc.wait(timeout=10)


def _signal_group(proc: subprocess.Popen, sig: int) -> bool:
    """Send `sig` to the process group the worker started (its own session); False when it is gone."""
    try:
        os.killpg(proc.pid, sig)
        return True
    except ProcessLookupError:
        return False


def _wait_until_ready(config_file: Path, procs: list[subprocess.Popen], names: tuple[str, ...], logs) -> None:
    """Until every worker answers a ping through the broker."""
    from dagster_celery.cli import get_validated_config
    from dagster_celery.executor import CeleryExecutor
    from dagster_celery.make_app import make_app

    config = get_validated_config(str(config_file))  # env resolved, as the workers read it
    settings = {k: config.get(k) for k in ("broker", "backend", "include", "config_source")}
    app = make_app(CeleryExecutor.for_cli(**settings).app_args())
    deadline = time.monotonic() + 120
    answered: set[str] = set()
    try:
        while time.monotonic() < deadline:
            dead = [p for p in procs if p.poll() is not None]
            assert not dead, "a celery worker exited:\n" + "\n".join(p.read_text(errors="replace")[-3000:] for p in logs)
            for reply in app.control.ping(timeout=1.0) or []:
                answered |= {n.split("@")[0] for n in reply}
            if set(names) <= answered:
                return
        pytest.fail(f"celery workers {sorted(set(names) - answered)} did not answer within 120 s")
    finally:
        app.close()  # its broker connections


@pytest.fixture
def celery_deployment(monkeypatch, tmp_path):
    """A fresh instance database and two warehouse schemas on the test server, a queue of this test's
    own on the broker and two workers serving it; all removed afterwards."""
    pg_url = os.environ.get(PG_URL_ENV) or PG_DEFAULT_URL
    _require_pg(pg_url)
    broker = require_broker()
    token = secrets.token_hex(5)
    instance_db = f"zc_dagster_t_{token}"
    schema, reference_schema = f"zc_t_{token}", f"zc_t_{token}_ref"
    admin = pg_admin_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{instance_db}"'))

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY_DIR / "dagster.postgres.yaml", home / "dagster.yaml")
    bin_dir = Path(sys.executable).parent  # dagster-celery starts `celery` by name
    environment = {
        "DAGSTER_HOME": str(home), **dagster_pg_env(pg_url, instance_db),
        "ZC_EXECUTOR": "celery", "ZC_DATA_DIR": str(SAMPLE_DIR), "ZC_AS_OF": AS_OF.isoformat(),
        "ZC_STATE_DIR": str(tmp_path / "state"), "ZC_WAREHOUSE_URL": pg_url, "ZC_WAREHOUSE_SCHEMA": schema,
        "ZC_CELERY_BROKER_URL": broker, "ZC_CELERY_BACKEND_URL": broker,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    # The shipped file on a queue of this test's own (the broker may serve other tests at once):
    # the executor of deploy/definitions.py (ZC_CELERY_CONFIG) and the workers read it.
    celery_config = yaml.safe_load((DEPLOY_DIR / "celery" / "celery.yaml").read_text(encoding="utf-8"))
    queue = f"zc_t_{token}"
    celery_config["execution"]["config"]["config_source"]["task_default_queue"] = queue
    config_file = tmp_path / "celery.yaml"
    config_file.write_text(yaml.safe_dump(celery_config), encoding="utf-8")
    monkeypatch.setenv("ZC_CELERY_CONFIG", str(config_file))

    names = tuple(f"zc_t_{token}_w{i}" for i in range(WORKERS))
    logs = tuple(tmp_path / f"{n}.log" for n in names)
    procs: list[subprocess.Popen] = []
    deployment = None
    try:
        for name, log in zip(names, logs):
            with open(log, "wb") as out:
                procs.append(subprocess.Popen(
                    [str(bin_dir / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
                     "-y", str(config_file), "-q", queue, "-n", name],
                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                ))
        _wait_until_ready(config_file, procs, names, logs)
        deployment = CeleryDeployment(pg_url, schema, reference_schema, names, logs, tmp_path / "state")
        yield deployment
    finally:
        _stop(procs)
        for child in deployment.children if deployment else []:
            child.kill()
            child.wait()
        with admin.connect() as conn:
            for name in (schema, reference_schema):
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{instance_db}" WITH (FORCE)'))
        admin.dispose()


def _start_in_process(deployment: CeleryDeployment, runs: list[str]) -> subprocess.Popen:
    """The same jobs and partitions in process (`JOB:PARTITION[:ASSETS]`, the project's own location,
    a process of its own), on the reference schema; it works while the Celery runs do."""
    log = deployment.state_dir.parent / "in_process.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(IN_PROCESS_RUNS), deployment.pg_url, deployment.reference_schema,
             str(deployment.state_dir.parent / "reference_state"), AS_OF.isoformat(), str(SAMPLE_DIR), *runs],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    proc.log = log
    deployment.children.append(proc)
    return proc


def _finish(reference: subprocess.Popen) -> None:
    try:
        reference.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the in-process runs did not finish within {RUN_TIMEOUT_S} s")
    assert reference.returncode == 0, reference.log.read_text(errors="replace")[-5000:]


def _assert_same_tables(deployment: CeleryDeployment) -> int:
    """Every warehouse table of the Celery runs equals the in-process one; returns how many have rows."""
    celery = make_engine(deployment.pg_url, schema=deployment.schema)
    reference = make_engine(deployment.pg_url, schema=deployment.reference_schema)
    filled = 0
    try:
        for name in sorted(TABLES):
            ours, theirs = dump_sorted(celery, name, drop=VOLATILE), dump_sorted(reference, name, drop=VOLATILE)
            pd.testing.assert_frame_equal(ours, theirs, obj=f"{name} (celery vs in process)")
            filled += bool(len(ours))
    finally:
        celery.dispose()
        reference.dispose()
    return filled


def _celery_workers_of(instance, run_id: str) -> set[str]:
    """The workers that executed the run's steps (dagster-celery reports each in an engine event)."""
    workers = set()
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        metadata = entry.dagster_event.engine_event_data.metadata
        if "Celery worker" in metadata:
            workers.add(str(metadata["Celery worker"].value).split("@")[0])
    return workers


def _launched(result, typename: str) -> dict:
    assert result.errors is None, result.errors
    (payload,) = result.data.values()
    assert payload["__typename"] == typename, payload
    return payload


def test_three_months_backfilled_and_their_quarter_on_celery_workers_equal_in_process(celery_deployment):
    """Launched as the UI launches them (its GraphQL mutations) and carried out by the daemon's own
    iterations: the backfill daemon submits the backfill's runs to the queued run coordinator, the
    run-queue daemon launches each run through the code server of deploy/workspace.yaml (a process
    per run), and every run puts its steps on the two workers."""
    from dagster._core.execution.backfill import BulkActionStatus
    from dagster._core.run_coordinator.queued_run_coordinator import QueuedRunCoordinator
    from dagster._core.test_utils import create_test_daemon_workspace_context
    from dagster._core.workspace.load_target import WorkspaceFileTarget
    from dagster._daemon.backfill import execute_backfill_iteration
    from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon
    from dagster_graphql.client.query import LAUNCH_PARTITION_BACKFILL_MUTATION, LAUNCH_PIPELINE_EXECUTION_MUTATION
    from dagster_graphql.test.utils import execute_dagster_graphql

    from zc_pipeline.defs.operations import month_job

    months = ["2026-01", "2026-02", "2026-03"]
    following = "2026-04"  # its 10x warnings compare against March: the backfill refreshes them
    quarter = to_dagster_key("2026-Q1")  # completed by March
    reference = _start_in_process(celery_deployment, [
        *(f"month_job:{m}" for m in months), f"month_job:{following}:month_over_month_warning", f"quarter_job:{quarter}",
    ])
    logger = logging.getLogger("zc_test_backfill")
    target = WorkspaceFileTarget(paths=[str(DEPLOY_DIR / "workspace.yaml")])
    with dg.DagsterInstance.get() as instance, \
            create_test_daemon_workspace_context(target, instance) as workspace, \
            QueuedRunCoordinatorDaemon(interval_seconds=1) as run_queue:
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)  # the shipped instance queues runs
        context = workspace.create_request_context()
        (location_name, entry), = context.get_code_location_entries().items()
        assert entry.load_error is None, entry.load_error
        (repository_name,) = context.get_code_location(location_name).get_repositories()

        def daemon_until(done, what: str, seconds: float) -> None:
            deadline = time.monotonic() + seconds
            while True:
                list(execute_backfill_iteration(workspace, logger))  # the backfill daemon: submits runs
                list(run_queue.run_iteration(workspace))  # the run-queue daemon: launches queued runs
                if done():
                    return
                if time.monotonic() > deadline:
                    runs = [(r.tags.get("dagster/partition"), r.status.value) for r in instance.get_runs()]
                    pytest.fail(f"{what} not done after {seconds} s: {runs}\n{celery_deployment.log_tails()}")
                time.sleep(1)

        # 1. The UI's "Materialize" of the month job's assets over three partitions.
        month_assets = sorted(k.to_user_string() for k in month_job.selection.resolve(context.asset_graph))
        backfill_id = _launched(execute_dagster_graphql(context, LAUNCH_PARTITION_BACKFILL_MUTATION, {"backfillParams": {
            "assetSelection": [{"path": [a]} for a in month_assets], "partitionNames": months,
            # no executor config: the location's executor is configured from the workers' file
            "runConfigData": CONSOLE_QUIET, "title": "2026-01..2026-03 on celery",
        }}), "LaunchBackfillSuccess")["backfillId"]
        daemon_until(lambda: instance.get_backfill(backfill_id).status != BulkActionStatus.REQUESTED, "backfill",
                     BACKFILL_TIMEOUT_S)
        backfill_runs = instance.get_runs(dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        assert instance.get_backfill(backfill_id).status == BulkActionStatus.COMPLETED_SUCCESS, \
            [(r.tags.get("dagster/partition"), r.status.value) for r in backfill_runs]
        # one run per partition, never a range: the months and the following month's warnings
        assert {r.tags.get("dagster/partition") for r in backfill_runs} - {None} == {*months, following}
        assert not any("dagster/asset_partition_range_start" in r.tags for r in backfill_runs)

        # 2. The quarter March completes, launched from the launchpad.
        run_id = _launched(execute_dagster_graphql(context, LAUNCH_PIPELINE_EXECUTION_MUTATION, {"executionParams": {
            "selector": {"repositoryLocationName": location_name, "repositoryName": repository_name,
                         "jobName": "quarter_job"},
            "runConfigData": CONSOLE_QUIET,
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": quarter}]},
        }}), "LaunchRunSuccess")["run"]["runId"]
        daemon_until(lambda: instance.get_run_by_id(run_id).is_finished, f"quarter run {run_id}", RUN_TIMEOUT_S)

        runs = instance.get_runs()
        assert len(runs) == len(backfill_runs) + 1
        assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}, \
            [(r.job_name, r.tags.get("dagster/partition"), r.status.value) for r in runs]
        used = set()
        for run in runs:
            # through the queue (enqueued, then launched in a process of its own) and onto the workers
            assert instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED), run.run_id
            workers = _celery_workers_of(instance, run.run_id)
            assert workers and workers <= set(celery_deployment.worker_names), (run.run_id, workers)
            used |= workers
        assert used == set(celery_deployment.worker_names)  # both workers took steps

    _finish(reference)
    assert _assert_same_tables(celery_deployment) >= 10  # intake, monthly facts, reminders, the quarter
