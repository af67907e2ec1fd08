"""The process pools' workers start clean: forked from a fork server, not from the calling process.

The calling process is a Dagster run (threads) or a Celery worker (broker connections whose
after-fork hooks, run in a child forked from it, wait on the inherited socket for ever: a month's
parse pool hung that way in a process that had used a Celery app before)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from zc_pipeline.parallel import map_in_pool, process_pool, shared
from zc_pipeline_tests.conftest import require_broker


def _parent_of_worker(_: int) -> int:
    return os.getppid()


def _plus_shared(n: int) -> int:
    return n + shared()


def test_pool_workers_are_not_children_of_the_calling_process():
    with process_pool(None) as pool:
        parents = set(pool.map(_parent_of_worker, range(8)))
    assert os.getpid() not in parents


def test_every_task_reads_what_its_pool_was_given_to_share():
    with process_pool(100) as pool:
        assert list(pool.map(_plus_shared, [1, 2, 3])) == [101, 102, 103]
    assert shared() is None  # the calling process is never given it


def _made_in_worker(n: int) -> tuple[int, int]:
    return n * 1000, os.getpid()


def _shared_and_worker(_: int) -> tuple[tuple[int, int], int]:
    return shared(), os.getpid()


def test_a_pool_can_send_what_to_load_and_each_worker_loads_it_once():
    """`load(shared)` runs in each worker when it starts: 7 is sent, 7000 is what the tasks read,
    made by the worker that reads it (its own pid), not by this process."""
    with process_pool(7, load=_made_in_worker) as pool:
        seen = list(pool.map(_shared_and_worker, range(8)))
    assert {value for (value, _), _ in seen} == {7000}
    assert all(made_by == worker for (_, made_by), worker in seen)
    assert os.getpid() not in {worker for _, worker in seen}


def test_a_batch_worth_a_pool_runs_in_workers_and_keeps_its_order():
    assert map_in_pool(_plus_shared, [1, 2, 3, 4], worth_a_pool=True, shared=10) == [11, 12, 13, 14]
    assert os.getpid() not in set(map_in_pool(_parent_of_worker, [0, 1, 2], worth_a_pool=True))


def test_a_batch_not_worth_a_pool_runs_here():
    assert map_in_pool(_own_pid, [0, 1], worth_a_pool=False) == [os.getpid()] * 2
    assert map_in_pool(_own_pid, [0], worth_a_pool=True) == [os.getpid()]  # one item: nothing to share out


def test_on_one_core_every_batch_runs_here(monkeypatch):
    from zc_pipeline import parallel

    monkeypatch.setattr(parallel, "worker_count", lambda: 1)
    assert map_in_pool(_own_pid, [0, 1, 2], worth_a_pool=True) == [os.getpid()] * 3


def _own_pid(_: int) -> int:
    return os.getpid()


def test_a_pool_started_after_a_celery_app_has_used_its_broker_finishes():
    url = require_broker()
    script = textwrap.dedent(f"""
        from celery import Celery
        from zc_pipeline.parallel import process_pool

        app = Celery(broker={url!r}, backend={url!r})
        app.control.ping(timeout=0.5)  # the broker connections and their after-fork hooks exist now
        with process_pool(None) as pool:
            print(sum(pool.map(abs, [-1, -2, -3])))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["6"]  # |-1| + |-2| + |-3|
