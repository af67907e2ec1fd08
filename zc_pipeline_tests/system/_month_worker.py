"""Child process for the lock test: materialize one month partition once the other process is ready too."""
import json
import sys
import time
from pathlib import Path

import dagster as dg

from zc_pipeline.definitions import build_definitions
from zc_pipeline.settings import load_settings


def main(month: str, data_dir: str, url: str, state_dir: str, barrier: str, peers: int) -> int:
    defs = build_definitions(load_settings(data_dir=data_dir, warehouse_url=url, as_of="2026-07-15", state_dir=state_dir))
    job = defs.resolve_job_def("month_job")
    gate = Path(barrier)
    (gate / month).touch()
    while len(list(gate.iterdir())) < peers:  # start together: imports take a few seconds
        time.sleep(0.01)
    started = time.time()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(partition_key=month, instance=instance, raise_on_error=False,
                                        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
    errors = [ev.event_specific_data.error.to_string() for ev in result.all_events if ev.is_step_failure]
    print(json.dumps({"month": month, "success": result.success, "started": started, "ended": time.time(),
                      "errors": errors}))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6], int(sys.argv[6])))
