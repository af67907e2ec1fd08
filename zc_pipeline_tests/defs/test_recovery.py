"""Recovering runs a crash left behind: which runs are judged gone, what is failed and freed, and the
schedules' and sensor's ticks doing it. Runs and pool slots are written straight into a real instance."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
import uuid

import dagster as dg
import pytest

from zc_pipeline.defs.recovery import HOST_TAG, START_TAG, process_tags, recover_crashed_runs, watch_runs
from zc_pipeline.runner import REPO_DAGSTER_YAML
from zc_pipeline_tests.defs.region import region_defs


@pytest.fixture
def instance(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_DAGSTER_YAML, home / "dagster.yaml")  # the project's instance: SQLite, pools of 1
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance


@pytest.fixture
def live_pid():
    proc = subprocess.Popen(["sleep", "600"])
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.fixture
def gone_pid():
    proc = subprocess.Popen(["true"])
    proc.wait()  # ended and reaped: no such process any more
    return proc.pid


def add_run(instance, tags, pool: str | None = "warehouse", status=dg.DagsterRunStatus.STARTED) -> str:
    """A run of month_job in `status` that holds `pool`'s slot (limit 1), as its intake step would."""
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="month_job", run_id=run_id, status=status,
                                   tags={"zc/launched_by": "zc run", "dagster/partition": "2026-03", **tags}))
    if pool:
        storage = instance.event_log_storage
        if pool not in storage.get_concurrency_keys():
            storage.set_concurrency_slots(pool, 1)
        assert storage.claim_concurrency_slot(pool, run_id, "intake").is_claimed
    return run_id


def holders(instance, pool: str = "warehouse") -> list[str]:
    return [s.run_id for s in instance.event_log_storage.get_concurrency_info(pool).claimed_slots]


def status(instance, run_id: str) -> str:
    return instance.get_run_by_id(run_id).status.value


def test_a_run_whose_process_is_gone_is_failed_and_its_slot_freed(instance, gone_pid):
    dead = add_run(instance, process_tags(gone_pid))
    lines = []
    assert recover_crashed_runs(instance, lines.append) == [dead]
    assert status(instance, dead) == "FAILURE"
    assert holders(instance) == []
    assert instance.event_log_storage.get_concurrency_info("warehouse").pending_steps == []
    [line] = lines
    assert f"run {dead[:8]} (month_job, partition 2026-03, zc run pid {gone_pid} on " in line
    assert "gone; marked failed, pool slots freed" in line
    # the failure is in the run's own log, for the UI
    failure = instance.get_records_for_run(dead, of_type=dg.DagsterEventType.RUN_FAILURE).records
    assert "is gone" in failure[0].event_log_entry.dagster_event.message


def test_live_runs_runs_of_other_hosts_and_runs_launched_elsewhere_are_left_alone(instance, live_pid, gone_pid):
    live = add_run(instance, process_tags(live_pid))
    elsewhere = add_run(instance, {**process_tags(gone_pid), HOST_TAG: "another-host"}, pool="other")
    by_daemon = add_run(instance, {"dagster/sensor_name": "landing_sensor"}, pool="third")  # no process tags
    lines = []
    assert recover_crashed_runs(instance, lines.append) == []
    assert lines == []
    assert [status(instance, r) for r in (live, elsewhere, by_daemon)] == ["STARTED"] * 3
    assert (holders(instance), holders(instance, "other"), holders(instance, "third")) == ([live], [elsewhere], [by_daemon])


def test_a_re_execution_carrying_its_parents_process_tags_is_left_alone(instance, gone_pid):
    """Re-execute in the UI copies the parent run's tags (the gone zc process's pid among them) onto
    a run the daemon's launcher executes: that run is not zc's, and is neither failed nor freed."""
    parent = str(uuid.uuid4())
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="month_job", run_id=run_id, status=dg.DagsterRunStatus.STARTED,
                                   parent_run_id=parent, root_run_id=parent,
                                   tags={"zc/launched_by": "zc run", **process_tags(gone_pid),
                                         "dagster/parent_run_id": parent, "dagster/root_run_id": parent}))
    assert recover_crashed_runs(instance, lambda _: None) == []
    assert status(instance, run_id) == "STARTED"


def test_a_pid_now_used_by_another_process_counts_as_gone(instance, live_pid):
    reused = add_run(instance, {**process_tags(live_pid), START_TAG: "1"})  # started at another time
    assert recover_crashed_runs(instance, lambda _: None) == [reused]
    assert status(instance, reused) == "FAILURE"
    assert holders(instance) == []


def test_slots_still_held_by_ended_or_deleted_runs_are_freed(instance, live_pid):
    ended = add_run(instance, process_tags(live_pid), status=dg.DagsterRunStatus.SUCCESS)
    deleted = add_run(instance, {}, pool="other")
    instance.run_storage.delete_run(deleted)
    lines = []
    assert sorted(recover_crashed_runs(instance, lines.append)) == sorted([ended, deleted])
    assert (holders(instance), holders(instance, "other")) == ([], [])
    assert status(instance, ended) == "SUCCESS"  # an ended run keeps its status
    assert any(f"run {ended[:8]}" in line and "ended SUCCESS" in line for line in lines)
    assert any(f"run {deleted[:8]}" in line and "no longer exists" in line for line in lines)


def test_a_free_slot_nobody_was_given_goes_to_the_step_queued_for_it(instance):
    # Dagster's lost wake-up, as two runs at once left it: the holder freed the pool's slot between
    # this run's step finding none free and joining the queue, so the step is queued unassigned
    # beside a free slot, and Dagster's claim loop would ask for ever
    mine = add_run(instance, process_tags(), pool=None)
    storage = instance.event_log_storage
    storage.set_concurrency_slots("warehouse", 1)
    storage.add_pending_step("warehouse", mine, "intake")
    assert not storage.check_concurrency_claim("warehouse", mine, "intake").is_assigned
    with watch_runs(instance, lambda _: None):
        deadline = time.monotonic() + 60  # the watch looks every second
        while not storage.check_concurrency_claim("warehouse", mine, "intake").is_assigned:
            assert time.monotonic() < deadline, "the free slot was never given to the queued step"
            time.sleep(0.1)
    assert storage.claim_concurrency_slot("warehouse", mine, "intake").is_claimed  # Dagster's next ask


@pytest.mark.parametrize("name, kind", [("landing_sensor", "sensor"), ("month_after_deadline", "schedule"),
                                        ("quarter_after_deadline", "schedule")])
def test_a_schedule_or_sensor_tick_recovers_before_it_requests_runs(tmp_path, gone_pid, name, kind):
    (tmp_path / "data" / "landing").mkdir(parents=True)
    _, defs = region_defs(tmp_path, dt.date(2026, 7, 15))
    with dg.instance_for_test() as instance:
        dead = add_run(instance, process_tags(gone_pid))
        if kind == "sensor":
            with dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources) as ctx:
                defs.resolve_sensor_def(name).evaluate_tick(ctx)
        else:
            at = dt.datetime(2026, 4, 11, 2, tzinfo=dt.timezone(dt.timedelta(hours=8)))
            with dg.build_schedule_context(instance=instance, scheduled_execution_time=at, resources=defs.resources,
                                           repository_def=defs.get_repository_def()) as ctx:
                defs.resolve_schedule_def(name).evaluate_tick(ctx)
        assert status(instance, dead) == "FAILURE"
        assert holders(instance) == []
