"""Child process of the concurrency tests: import the pipeline, wait for every peer, then run at once.

    _together.py BARRIER PEERS zc ARG...             `zc ARG...` through the command's own entry point
    _together.py BARRIER PEERS job MONTH             the deployment's `month_job` (deploy/definitions.py,
                                                     executor from ZC_EXECUTOR) for one month, launched
                                                     as `zc` launches runs: ensure_dagster_home, then
                                                     the instance DAGSTER_HOME describes
    _together.py BARRIER PEERS instance              what every `zc` command does first: ensure_dagster_home,
                                                     then open that instance and list its runs

Settings (data, state, warehouse, as-of) come from the ZC_* environment. Prints one JSON line:
when the run started and ended, its exit code and the errors of failed steps.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import dagster as dg

import zc_pipeline.definitions  # noqa: F401  the slow imports happen before the barrier
from zc_pipeline.cli import main as zc_main

DEPLOY_DEFINITIONS = Path(__file__).resolve().parents[2] / "deploy" / "definitions.py"
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def deployment_month_job() -> dg.JobDefinition:
    """month_job as the deployment defines it (step processes of the multiprocess executor call this too)."""
    spec = importlib.util.spec_from_file_location("zc_deploy_definitions", DEPLOY_DEFINITIONS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.defs.resolve_job_def("month_job")


def open_instance() -> tuple[int, list[str]]:
    from zc_pipeline.runner import ensure_dagster_home
    from zc_pipeline.settings import load_settings

    ensure_dagster_home(load_settings())
    with dg.DagsterInstance.get() as instance:
        instance.get_runs()
    return 0, []


def run_month_job(month: str) -> tuple[int, list[str]]:
    from zc_pipeline.runner import ensure_dagster_home
    from zc_pipeline.settings import load_settings

    ensure_dagster_home(load_settings())
    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(dg.reconstructable(deployment_month_job), instance=instance, run_config=QUIET,
                                tags={"dagster/partition": month}, raise_on_error=False)
        errors = [e.event_specific_data.error.to_string() for e in result.all_events
                  if e.is_step_failure or e.is_run_failure and e.event_specific_data.error is not None]
        return (0 if result.success else 1), errors


def main(barrier: str, peers: str, mode: str, *args: str) -> int:
    gate = Path(barrier)
    (gate / f"{os.getpid()}").touch()
    while len(list(gate.iterdir())) < int(peers):  # start together: imports take seconds
        time.sleep(0.005)
    started = time.time()
    errors: list[str] = []
    if mode == "zc":
        code = zc_main(list(args))
    elif mode == "instance":
        code, errors = open_instance()
    else:
        code, errors = run_month_job(*args)
    print(json.dumps({"args": [mode, *args], "code": code, "started": started, "ended": time.time(),
                      "errors": errors}))
    return code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
