"""Production code location: the project's Definitions with the executor this deployment uses.

`ZC_EXECUTOR` picks it: `multiprocess` (default; one machine), `in_process` (one machine, a process
per run instead of per step: much less start-up, see docs/deployment.md §4), `k8s` (dagster-k8s, one Kubernetes
Job per step) or `celery` (dagster-celery, steps on Celery workers, configured from the workers' file
deploy/celery/celery.yaml or the one `ZC_CELERY_CONFIG` names). `zc run` keeps its in-process
runs; this location is what the webserver, the daemon, schedules, sensors and backfills use.
Point deploy/workspace.yaml (or a gRPC code server: `dagster api grpc -f deploy/definitions.py`) at it.
"""
from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from zc_pipeline.definitions import build_definitions

EXECUTOR_ENV = "ZC_EXECUTOR"
EXECUTORS = ("multiprocess", "in_process", "k8s", "celery")
CELERY_CONFIG_ENV = "ZC_CELERY_CONFIG"


def celery_config_file() -> Path:
    """The Celery workers' config file: ZC_CELERY_CONFIG, else deploy/celery/celery.yaml."""
    return Path(os.environ.get(CELERY_CONFIG_ENV) or Path(__file__).resolve().parent / "celery" / "celery.yaml")


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
        import yaml
        from dagster_celery import celery_executor

        # Configured from the workers' own file, so every run of the location (schedules, sensors,
        # backfills, the launchpad) puts its steps on the broker the workers listen to; without it a
        # run lacking that run config would try the library's default broker. The URLs stay
        # `{env: ...}` references, resolved when a run starts.
        config = yaml.safe_load(celery_config_file().read_text(encoding="utf-8"))["execution"]["config"]
        return celery_executor.configured(config, name="celery")
    raise ValueError(f"{EXECUTOR_ENV}={name!r}: choose one of {', '.join(EXECUTORS)}")


def build_deployment_definitions(executor: str | None = None) -> dg.Definitions:
    """The project's assets and resources, every asset job running on the chosen executor."""
    name = executor or os.environ.get(EXECUTOR_ENV) or "multiprocess"
    return build_definitions(executor=executor_named(name))


defs = build_deployment_definitions()
