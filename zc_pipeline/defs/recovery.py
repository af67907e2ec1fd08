"""Runs a crash left behind, and `zc run`'s watch over its own runs: pool waits and stop signals.

`zc run` executes its Dagster runs in its own process and tags each with that process (`zc/pid`,
`zc/host`, `zc/pid_start`). A run still in progress whose process is gone from this host (killed,
crashed, the machine restarted) is marked failed and its pool slots are freed by the next `zc run`,
schedule tick or landing-sensor tick (`recover_crashed_runs`). Runs without these tags (launched by
the UI, the daemon, Celery or Kubernetes) are left to Dagster's run monitoring.

While `zc run` works, `watch_runs` names the run that holds a pool its own run waits for, gives up
after ZC_POOL_WAIT_SECONDS, and ends the process promptly on SIGTERM or Ctrl-C with its runs marked
failed. Dagster's in-process executor cannot do either itself: it waits for a pool slot in a loop
that neither sleeps nor looks at signals (it keeps them for the next step, which never starts).
"""
from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from zc_pipeline.errors import Interrupted, UserError

PID_TAG, HOST_TAG, START_TAG = "zc/pid", "zc/host", "zc/pid_start"
WAIT_ENV = "ZC_POOL_WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 600.0
POLL_SECONDS = 1.0
# after a stop signal, the time Dagster gets to interrupt a running step itself (the run then fails
# with the interruption in its log) before the process stops regardless
GRACE_SECONDS = 5.0
ACTIVE = ("NOT_STARTED", "STARTING", "STARTED", "CANCELING")
ENDED = ("SUCCESS", "FAILURE", "CANCELED")


def _start_ticks(pid: int) -> str | None:
    """When process `pid` started (Linux: clock ticks after boot), "" where that is unknown; None if
    there is no such process or it has exited (a zombie)."""
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except (FileNotFoundError, ProcessLookupError):
            return None
        except OSError:  # /proc mounted hidepid: another user's process is there but not readable
            return ""
        return None if fields[0] in ("Z", "X") else fields[19]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return ""


def process_tags(pid: int | None = None) -> dict[str, str]:
    """Run tags naming the process that executes the run (default: this one)."""
    pid = os.getpid() if pid is None else pid
    tags = {PID_TAG: str(pid), HOST_TAG: socket.gethostname()}
    start = _start_ticks(pid)
    if start:  # a reused pid then reads as a different process
        tags[START_TAG] = start
    return tags


def executed_by_zc(run) -> bool:
    """A run `zc` executed in its own process: no code-location origin, no parent. A re-execution
    launched from the UI copies its parent's tags, pid included, but runs in a process of its own."""
    return run.remote_job_origin is None and run.parent_run_id is None


def process_gone(tags) -> bool:
    """True when the run was executed by a process on this host that no longer runs."""
    pid = tags.get(PID_TAG)
    if not pid or not pid.isdigit() or tags.get(HOST_TAG) != socket.gethostname():
        return False
    start = _start_ticks(int(pid))
    return start is None or (START_TAG in tags and bool(start) and start != tags[START_TAG])


def pool_wait_seconds() -> float:
    """How long a run may wait for a pool slot: ZC_POOL_WAIT_SECONDS, default 600."""
    value = os.environ.get(WAIT_ENV, "").strip()
    if not value:
        return DEFAULT_WAIT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise UserError(f"{WAIT_ENV}={value!r} is not a number of seconds above 0 / {WAIT_ENV} 应为大于 0 的秒数")
    return seconds


def describe(run) -> str:
    """`run 1a2b3c4d (month_job, partition 2026-03, zc run pid 4242 on host)`."""
    job = run.job_name
    if job.startswith("__") and run.asset_selection:
        names = sorted(k.to_user_string() for k in run.asset_selection)
        job = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    parts = [job]
    if run.tags.get("dagster/partition"):
        parts.append(f"partition {run.tags['dagster/partition']}")
    if run.tags.get(PID_TAG):
        parts.append(f"{run.tags.get('zc/launched_by', 'pid')} pid {run.tags[PID_TAG]} on {run.tags.get(HOST_TAG)}")
    elif run.tags.get("dagster/sensor_name") or run.tags.get("dagster/schedule_name"):
        parts.append(f"from {run.tags.get('dagster/sensor_name') or run.tags['dagster/schedule_name']}")
    return f"run {run.run_id[:8]} ({', '.join(parts)})"


def _free_slots(instance, run_id: str) -> None:
    if instance.event_log_storage.supports_global_concurrency_limits:
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)


def recover_run(instance, run, say: Callable[[str], None]) -> bool:
    """Fail `run` if its process is gone, free the slots of a run that has ended or is gone; True if done."""
    status = run.status.value
    if status in ACTIVE and executed_by_zc(run) and process_gone(run.tags):
        instance.report_run_failed(run, message=(
            f"Marked failed: its process (pid {run.tags[PID_TAG]} on {run.tags[HOST_TAG]}) is gone; "
            f"its pool slots were freed."))
        _free_slots(instance, run.run_id)
        say(f"recovered {describe(run)}: left {status} by a process that is gone; marked failed, pool slots freed")
        return True
    if status in ENDED:
        _free_slots(instance, run.run_id)
        say(f"freed the pool slots still held by {describe(run)}, which ended {status}")
        return True
    return False


def recover_holder(instance, run_id: str, say: Callable[[str], None]) -> bool:
    """Free the pool slots of a run that holds some, if it ended, no longer exists or its process is gone."""
    run = instance.get_run_by_id(run_id)
    if run is None:
        _free_slots(instance, run_id)
        say(f"freed the pool slots held by run {run_id[:8]}, which no longer exists")
        return True
    return recover_run(instance, run, say)


def recover_crashed_runs(instance, say: Callable[[str], None] = print) -> list[str]:
    """Mark failed every run in progress whose process is gone from this host and free its pool slots;
    free the slots still held by runs that ended or no longer exist. One line each; returns the run ids."""
    import dagster as dg

    recovered = []
    statuses = [dg.DagsterRunStatus(s) for s in ACTIVE]
    for run in instance.get_runs(dg.RunsFilter(statuses=statuses, tags={HOST_TAG: socket.gethostname()})):
        if recover_run(instance, run, say):
            recovered.append(run.run_id)
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return recovered
    infos = storage.get_concurrency_infos(sorted(storage.get_concurrency_keys())).values()
    holding = {s.run_id for i in infos for s in i.claimed_slots} | {p.run_id for i in infos for p in i.pending_steps}
    recovered += [run_id for run_id in sorted(holding - set(recovered)) if recover_holder(instance, run_id, say)]
    return recovered


def recover_before_tick(context) -> None:
    """A schedule's or sensor's tick first recovers crashed runs, so the runs it requests get the pool."""
    import dagster as dg

    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:  # a tick built in a test without an instance
        return
    recover_crashed_runs(instance, context.log.info)


class _Watch:
    """A thread beside `zc run`'s Dagster runs: pool waits (named, bounded) and stop signals."""

    def __init__(self, instance, wait_seconds: float, command: str):
        self.instance, self.wait_seconds, self.command = instance, wait_seconds, command
        self.signum: int | None = None
        self._tags = process_tags()
        self._stopped = threading.Event()
        self._mine: dict[str, bool] = {}
        self._complaints: set[str] = set()
        self._waits: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}  # (run, pool) -> since, holders
        self._hard_stop_at: float | None = None
        self._pipe: tuple[int, int] | None = None
        self._old_wakeup_fd = -1
        # Dagster points stdout and stderr at the run's compute-log files while it executes
        self._err = open(os.dup(sys.stderr.fileno()), "w", encoding="utf-8", closefd=True)
        self._thread = threading.Thread(target=self._loop, name="zc-run-watch", daemon=True)

    def start(self) -> None:
        if threading.current_thread() is threading.main_thread():
            # one byte per signal, whichever handler is set (ours, or Dagster's while a run executes)
            self._pipe = os.pipe()
            os.set_blocking(self._pipe[1], False)
            self._old_wakeup_fd = signal.set_wakeup_fd(self._pipe[1], warn_on_full_buffer=False)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._pipe:
            os.write(self._pipe[1], b"\0")  # wake the thread (0 is no signal)
        self._thread.join()
        if self._pipe:
            signal.set_wakeup_fd(self._old_wakeup_fd)
            for fd in self._pipe:
                os.close(fd)
        self._err.close()

    def tell(self, line: str) -> None:
        self._err.write(line + "\n")
        self._err.flush()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            if self._pipe:
                ready = select.select([self._pipe[0]], [], [], POLL_SECONDS)[0]
                signals = os.read(self._pipe[0], 64) if ready else b""
            else:
                self._stopped.wait(POLL_SECONDS)
                signals = b""
            if self._stopped.is_set():
                return
            try:
                waits = self._pool_waits()
            except Exception as exc:  # the instance busy or unreachable for a moment: look again
                self._complain(exc)
                waits = {}
            for signum in signals:
                if signum in (signal.SIGINT, signal.SIGTERM):
                    self._on_signal(signum, bool(waits))
            if self._hard_stop_at is not None and time.monotonic() >= self._hard_stop_at:
                self._hard_stop(f"stopped by {signal.Signals(self.signum).name}", 128 + self.signum)
            try:
                self._watch(waits)
            except Exception as exc:
                self._complain(exc)

    def _complain(self, exc: Exception) -> None:
        text = f"({self.command}: could not look at the runs' pool slots: {exc})"
        if text not in self._complaints:  # once each, not every second
            self._complaints.add(text)
            self.tell(text)

    def _on_signal(self, signum: int, waiting: bool) -> None:
        first = self.signum is None
        self.signum = signum
        if waiting or not first:  # Dagster would not notice: stop now
            self._hard_stop(f"stopped by {signal.Signals(signum).name}", 128 + signum)
        self._hard_stop_at = time.monotonic() + GRACE_SECONDS

    def _is_mine(self, run_id: str) -> bool:
        if run_id not in self._mine:
            run = self.instance.get_run_by_id(run_id)
            self._mine[run_id] = run is not None and all(run.tags.get(k) == v for k, v in self._tags.items())
        return self._mine[run_id]

    def _pool_waits(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(our run, pool) -> the runs holding the pool, for each pool slot our runs wait for."""
        storage = self.instance.event_log_storage
        if not storage.supports_global_concurrency_limits:
            return {}
        if not any(self._is_mine(r) for r in storage.get_concurrency_run_ids()):
            return {}
        waits = {}
        for pool, info in storage.get_concurrency_infos(sorted(storage.get_concurrency_keys())).items():
            claimed = {(s.run_id, s.step_key) for s in info.claimed_slots}
            assigned = [p for p in info.pending_steps if p.assigned_timestamp is not None]
            queued = [p for p in info.pending_steps if self._is_mine(p.run_id) and (p.run_id, p.step_key) not in claimed]
            if any(p.assigned_timestamp is None for p in queued) and info.slot_count > len(assigned):
                # A slot is free and no queued step was given it: Dagster lost the wake-up (the holder
                # freed it between our step's check for a free slot and its joining the queue), and
                # the step would wait for ever. Hand the slot to the queue as freeing it would have.
                storage.assign_pending_steps([pool])
                continue
            for step in queued:
                holders = {s.run_id for s in info.claimed_slots} | {p.run_id for p in assigned}
                waits[(step.run_id, pool)] = tuple(sorted(holders - {step.run_id}))
        return waits

    def _watch(self, waits: dict[tuple[str, str], tuple[str, ...]]) -> None:
        now = time.monotonic()
        self._waits = {key: self._waits.get(key, (now, ())) for key in waits}
        for (run_id, pool), holder_ids in waits.items():
            if any([recover_holder(self.instance, h, self.tell) for h in holder_ids]):
                continue  # a slot was freed: the wait ends at the next look
            holders = [self.instance.get_run_by_id(h) for h in holder_ids]
            since, told = self._waits[(run_id, pool)]
            named = "; ".join(describe(h) for h in holders) or "no run: the pool has no slots (its limit is 0)"
            if told != holder_ids:
                self.tell(f"waiting for pool '{pool}', held by {named}; giving up after "
                          f"{self.wait_seconds:g} s ({WAIT_ENV}) / 等待资源池 {pool}")
                self._waits[(run_id, pool)] = (since, holder_ids)
            if now - since >= self.wait_seconds:
                self._hard_stop(f"gave up after {self.wait_seconds:g} s waiting for pool '{pool}', held by {named}",
                                UserError.exit_code, f"Let that run finish (`zc ui` → Runs), stop it, or wait "
                                f"longer with {WAIT_ENV} / 等待资源池 {pool} 超时")

    def _hard_stop(self, why: str, code: int, advice: str = "") -> None:
        """Mark this process's runs failed, free their slots, end the process (and its parse workers).

        Safe at any point: every partition is written in one transaction, and a process that ends
        mid-write leaves the partition as it was."""
        import multiprocessing

        import dagster as dg

        try:
            for child in multiprocessing.active_children():
                child.kill()
            runs = self.instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus(s) for s in ACTIVE],
                                                         tags=self._tags))
            for run in runs:
                self.instance.report_run_failed(run, message=f"{self.command} {why}")
                _free_slots(self.instance, run.run_id)
            marked = f"; {', '.join(describe(r) for r in runs)} marked failed" if runs else ""
        except Exception as exc:  # the process ends all the same; the next `zc run` recovers its runs
            marked = f"; its runs could not be marked failed ({exc}), the next zc run will"
        finally:
            self.tell(f"{self.command}: {why}{marked}{'. ' + advice if advice else ' / 已中断'}")
            os._exit(code)


@contextlib.contextmanager
def watch_runs(instance, say: Callable[[str], None] = print, command: str = "zc run") -> Iterator[_Watch]:
    """Recover crashed runs, then watch this process's runs until the block ends (see the module's doc).

    An error raised after a stop signal (a step Dagster interrupted fails its run) is re-raised as
    `Interrupted`, so the command reports the interruption, not the failed step.
    """
    watch = _Watch(instance, pool_wait_seconds(), command)
    recover_crashed_runs(instance, say)
    watch.start()
    try:
        yield watch
    except Exception:
        if watch.signum is not None:
            raise Interrupted(watch.signum) from None
        raise
    finally:
        watch.stop()
