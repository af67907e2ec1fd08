"""Process pools for the CPU-bound batches: a month's files parsed, many windows explained, a
quarter's league-city workbooks written.

Workers are forked from a fork server, never from the calling process. That process runs Dagster's
threads (a lock held by one of them at the fork stays held in the child for ever) and, on a Celery
worker, holds broker connections whose after-fork hooks block a forked child on the inherited
socket. The server starts once per process with the worker modules imported, so a worker starts
with them loaded; what every task shares goes to each worker once, through the initializer, and a
task reads it back with `shared()`.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

WORKER_MODULES = ["zc_pipeline.stages.month_intake", "zc_pipeline.stages.explanations",
                  "zc_pipeline.reports.city_workbook"]


def worker_count() -> int:
    return os.cpu_count() or 1


def process_pool(shared: object, load=None) -> ProcessPoolExecutor:
    """A pool of `worker_count()` workers, each given `shared` once, when it starts; with `load`
    (a module-level function), what each worker shares is `load(shared)`, made in the worker: a
    description of what to read is sent, not the rows read."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)  # no effect once this process's server runs
    return ProcessPoolExecutor(max_workers=worker_count(), mp_context=context, initializer=_receive,
                               initargs=(shared, load))


def map_in_pool(fn, items: list, *, worth_a_pool: bool, shared: object = None) -> list:
    """`fn` over `items`, results in order: in a pool when the batch is `worth_a_pool` (the caller
    knows its size) and there is more than one core, else in this process."""
    if not worth_a_pool or worker_count() < 2 or len(items) < 2:
        return [fn(item) for item in items]
    with process_pool(shared) as pool:
        return list(pool.map(fn, items))


_worker_shared: object = None  # set once in each pool worker, never in the calling process


def _receive(shared: object, load) -> None:
    global _worker_shared
    _worker_shared = shared if load is None else load(shared)


def shared() -> object:
    """In a pool worker: what its pool was given to share (`process_pool(shared, load)`)."""
    return _worker_shared
