"""Production code location: the project's Definitions with the executor this deployment uses.

`ZC_EXECUTOR` picks it: `multiprocess` (default; one machine), `in_process` (one machine, a process
per run instead of per step: much less start-up, see docs/deployment.md §4), `k8s` (dagster-k8s, one Kubernetes
Job per step) or `celery` (dagster-celery, steps on Celery workers). `zc run` keeps its in-process
runs; this location is what the webserver, the daemon, schedules, sensors and backfills use.
Point deploy/workspace.yaml (or a gRPC code server: `dagster api grpc -f deploy/definitions.py`) at it.
"""
from __future__ import annotations

import os

import dagster as dg

from zc_pipeline.definitions import build_definitions

EXECUTOR_ENV = "ZC_EXECUTOR"
EXECUTORS = ("multiprocess", "in_process", "k8s", "celery")


def executor_named(name: str) -> dg.ExecutorDefinition:
    """The executor definition for a deployment name (the scale-out libraries are imported only when chosen)."""
    if name == "multiprocess":
        return dg.multiprocess_executor
    if name == "in_process":
        return dg.in_process_executor
    if name == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    if name == "celery":
        from dagster_celery import celery_executor

        return celery_executor
    raise ValueError(f"{EXECUTOR_ENV}={name!r}: choose one of {', '.join(EXECUTORS)}")


def build_deployment_definitions(executor: str | None = None) -> dg.Definitions:
    """The project's assets and resources, every asset job running on the chosen executor."""
    name = executor or os.environ.get(EXECUTOR_ENV) or "multiprocess"
    return build_definitions(executor=executor_named(name))


defs = build_deployment_definitions()
