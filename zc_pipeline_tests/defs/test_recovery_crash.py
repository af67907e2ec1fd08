"""Real `zc run` processes killed, signalled and kept waiting: a killed run no longer blocks the next
one, a wait for a pool names the run holding it and gives up, SIGTERM ends a run promptly.

Each process has a generous timeout: a hang fails the test instead of stopping the suite.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from zc_pipeline.defs.recovery import process_tags
from zc_pipeline.runner import REPO_DAGSTER_YAML
from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.defs.region import GOOD, MONTH, build_region
from zc_pipeline_tests.defs.test_recovery import add_run, holders, status

ZC = Path(sys.executable).with_name("zc")
RUN = ["run", "--from", MONTH, "--to", MONTH, "--as-of", "2026-04-15"]
HANG = 300  # seconds: far beyond a run of this region (~30 s), only there to turn a hang into a failure


class Region:
    def __init__(self, tmp_path: Path):
        build_region(tmp_path / "data")
        self.home = tmp_path / "state" / "dagster_home"
        self.home.mkdir(parents=True)
        shutil.copy(REPO_DAGSTER_YAML, self.home / "dagster.yaml")
        self.url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
        self.env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "ZC_AS_OF", "ZC_WAREHOUSE_SCHEMA")}
        self.env.update(ZC_DATA_DIR=str(tmp_path / "data"), ZC_STATE_DIR=str(tmp_path / "state"),
                        ZC_WAREHOUSE_URL=self.url)
        self.out, self.err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        self.cwd = tmp_path
        self.started: list[subprocess.Popen] = []
        # the instance exists before any process polls it (a brand-new SQLite instance migrates its schema)
        self.instance = dg.DagsterInstance.from_config(str(self.home))

    def start(self, **env) -> subprocess.Popen:
        """`zc run` in its own process group, its output in files (the test polls meanwhile)."""
        with self.out.open("w") as out, self.err.open("w") as err:
            self.started.append(subprocess.Popen([str(ZC), *RUN], cwd=self.cwd, env={**self.env, **env}, stdout=out,
                                                 stderr=err, start_new_session=True))
        return self.started[-1]

    def run(self, **env) -> subprocess.CompletedProcess:
        return subprocess.run([str(ZC), *RUN], cwd=self.cwd, env={**self.env, **env}, capture_output=True, text=True,
                              timeout=HANG)

    def output(self) -> tuple[str, str]:
        return self.out.read_text(), self.err.read_text()

    def wait_for(self, what, proc: subprocess.Popen, describe: str):
        """Poll `what()` until it is truthy; fail if the process ends first or it takes longer than HANG."""
        deadline = time.monotonic() + HANG
        while time.monotonic() < deadline:
            found = what()
            if found:
                return found
            if proc.poll() is not None:
                pytest.fail(f"zc run ended (exit {proc.returncode}) before {describe}: {self.output()}")
            time.sleep(0.05)
        pytest.fail(f"no {describe} within {HANG} s")

    def waiting_runs(self, pool: str = "warehouse") -> list[str]:
        """Runs with a step queued for `pool` and no slot."""
        info = self.instance.event_log_storage.get_concurrency_info(pool)
        claimed = {s.run_id for s in info.claimed_slots}
        return sorted({p.run_id for p in info.pending_steps if p.run_id not in claimed})

    def intake_runs(self) -> list[str]:
        """Runs whose intake step holds the warehouse pool."""
        info = self.instance.event_log_storage.get_concurrency_info("warehouse")
        return [s.run_id for s in info.claimed_slots if s.step_key == "intake"]

    def unfinished_runs(self) -> list[str]:
        return [r.run_id for r in self.instance.get_runs() if not r.is_finished]


@pytest.fixture
def region(tmp_path):
    region = Region(tmp_path)
    yield region
    region.instance.dispose()
    for proc in region.started:  # a process that hung: its whole group
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def live_holder(region):
    """A live run of another process (a `sleep`, standing for a long `zc run`) holding the warehouse pool."""
    holder = subprocess.Popen(["sleep", "600"], start_new_session=True)
    run_id = add_run(region.instance, {**process_tags(holder.pid)}, pool=None)
    storage = region.instance.event_log_storage
    storage.initialize_concurrency_limit_to_default("warehouse")  # limit 1, from dagster.yaml
    assert storage.claim_concurrency_slot("warehouse", run_id, "intake").is_claimed
    yield run_id
    holder.kill()
    holder.wait()


def test_a_run_killed_during_intake_no_longer_blocks_the_next_zc_run(region):
    proc = region.start()
    [killed] = region.wait_for(region.intake_runs, proc, "the month's intake holding the warehouse pool")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=HANG)
    # what used to block every later run: the killed run is STARTED and keeps the slot
    assert status(region.instance, killed) == "STARTED"
    assert holders(region.instance) == [killed]

    done = region.run()  # before: spun in Dagster's step loop forever

    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if killed[:8] in line)
    assert line.startswith(f"recovered run {killed[:8]} (month_job, partition {MONTH}, zc run pid {proc.pid} on ")
    assert line.endswith("left STARTED by a process that is gone; marked failed, pool slots freed")
    assert status(region.instance, killed) == "FAILURE"
    assert holders(region.instance) == [] and region.unfinished_runs() == []
    assert list(read_table(make_engine(region.url), "park_month")["park_code"]) == [GOOD.code]


def test_a_wait_for_a_pool_names_the_run_holding_it_and_gives_up_after_the_set_time(region, live_holder):
    done = region.run(ZC_POOL_WAIT_SECONDS="2")  # before: waited silently, for ever

    assert done.returncode == 2, (done.stdout, done.stderr)
    named = f"held by run {live_holder[:8]} (month_job, partition {MONTH}, zc run pid "
    waiting = [line for line in done.stderr.splitlines() if line.startswith("waiting for pool 'warehouse', ")]
    assert len(waiting) == 1 and named in waiting[0]
    assert "giving up after 2 s (ZC_POOL_WAIT_SECONDS)" in waiting[0]
    gave_up = done.stderr.strip().splitlines()[-1]
    assert gave_up.startswith("zc run: gave up after 2 s waiting for pool 'warehouse', " + named)
    # its own run is failed and its queued step withdrawn; the live holder is left as it was
    [mine] = [r for r in region.instance.get_runs() if r.status.value == "FAILURE"]
    assert f"run {mine.run_id[:8]} (month_job" in gave_up and "marked failed" in gave_up
    assert region.waiting_runs() == [] and holders(region.instance) == [live_holder]
    assert region.unfinished_runs() == [live_holder]


def test_sigterm_while_waiting_for_a_pool_stops_zc_run_at_once(region, live_holder):
    proc = region.start()
    [waiting] = region.wait_for(region.waiting_runs, proc, "a run waiting for the warehouse pool")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=HANG)  # before: ignored, the wait went on

    out, err = region.output()
    assert proc.returncode == 128 + signal.SIGTERM, (out, err)
    assert f"zc run: stopped by SIGTERM; run {waiting[:8]} (month_job" in err
    assert status(region.instance, waiting) == "FAILURE"
    assert region.waiting_runs() == [] and holders(region.instance) == [live_holder]


def test_sigterm_during_a_step_fails_its_run_frees_its_slot_and_says_interrupted(region):
    proc = region.start()
    [running] = region.wait_for(lambda: holders(region.instance), proc, "a step holding the warehouse pool")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=HANG)

    out, err = region.output()
    assert proc.returncode == 128 + signal.SIGTERM, (out, err)  # before: 2, "unexpected DagsterExecutionInterruptedError"
    assert "zc run: interrupted" in err or "zc run: stopped by SIGTERM" in err
    assert status(region.instance, running) == "FAILURE"
    assert holders(region.instance) == [] and region.unfinished_runs() == []
