"""Child process for the Celery tests: the same jobs and partitions in process, on a warehouse of their own.

A process of its own because a month's intake forks its parse pool, and a fork of the test process
(with the threads the Celery client and the instance leave behind) can hang.
Usage: `_in_process_runs.py URL SCHEMA STATE_DIR AS_OF DATA_DIR JOB:PARTITION[:ASSET,ASSET...] ...`
"""
import sys

import dagster as dg

from zc_pipeline.definitions import build_definitions
from zc_pipeline.runner import CONSOLE_QUIET
from zc_pipeline.settings import load_settings


def main(url: str, schema: str, state_dir: str, as_of: str, data_dir: str, *runs: str) -> int:
    settings = load_settings(data_dir=data_dir, warehouse_url=url, as_of=as_of, state_dir=state_dir)
    defs = build_definitions(settings, warehouse_schema=schema)
    with dg.DagsterInstance.ephemeral() as instance:
        for run in runs:
            job, partition, *assets = run.split(":")
            selection = [dg.AssetKey(a) for a in assets[0].split(",")] if assets else None
            result = defs.resolve_job_def(job).execute_in_process(
                instance=instance, partition_key=partition, asset_selection=selection, run_config=CONSOLE_QUIET,
                raise_on_error=False,
            )
            if not result.success:
                errors = [e.event_specific_data.error.to_string() for e in result.all_events if e.is_step_failure]
                print(f"in-process {run} failed:\n" + "\n".join(errors), file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
