"""The jobs the schedules and the sensor launch: a month run leaves rebound_alert fresh, and every run of
a partition is tagged with its window (a quarter's Dagster key alone reads like a month)."""
from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.defs.region import GOOD, build_region, region_defs
from zc_pipeline_tests.defs.test_operations_schedules import evaluate
from zc_pipeline_tests.support.region import workbook

# GOOD's March (region.py): grid 1000 MWh + raw coal 500 t; its February below: grid 1000 MWh only.
#   February: 1000 × 0.300 = 300 tce, 1000 × 0.6096 = 609.6 t, carbon_per_energy 609.6 / 300 = 2.032
#   March: 300 + 500 × 0.7143 = 657.15 tce, 609.6 + 500 × 1.9003 = 1559.75 t, 1559.75 / 657.15 = 2.3735068097
#   2.3735068097 > 2.032 × 1.05 = 2.1336: a rebound, increase 2.3735068097 / 2.032 − 1 = 0.1680643749;
#   rectify by the end of m+3 = 2026-06-30; open (June has neither ended nor been reported).
MARCH_ALERT = {"park_code": GOOD.code, "period": "2026-03", "previous_period": "2026-02",
               "rectify_by": dt.date(2026, 6, 30), "status": "open", "rectified_in": None}


@pytest.fixture
def region(tmp_path):
    build_region(tmp_path / "data")
    workbook(tmp_path / "data", "2026-02", GOOD, dt.date(2026, 3, 5), [("电网购电", "MWh", 1000)],
             {"value_added_10k_yuan": 20000, "retrofit_planned": 4, "retrofit_completed": 1})
    settings, defs = region_defs(tmp_path, dt.date(2026, 4, 11))
    with dg.instance_for_test() as instance:
        yield make_engine(settings.warehouse_url), defs, instance


def execute(defs, instance, request: dg.RunRequest, job_name: str) -> dg.ExecuteInProcessResult:
    """What the daemon does with a run request: a run of the request's job, partition, config and tags."""
    result = defs.resolve_job_def(request.job_name or job_name).execute_in_process(
        partition_key=request.partition_key, run_config=request.run_config or None, tags=request.tags,
        instance=instance,
    )
    assert result.success
    return result


def assert_march_alert(engine) -> None:
    alerts = read_table(engine, "rebound_alert")
    assert len(alerts) == 1
    alert = alerts.iloc[0]
    assert {k: alert[k] for k in MARCH_ALERT} == MARCH_ALERT
    assert alert["carbon_per_energy"] == pytest.approx(2.3735068097)
    assert alert["previous_carbon_per_energy"] == pytest.approx(2.032)
    assert alert["increase"] == pytest.approx(0.1680643749)


def test_the_month_schedules_run_leaves_rebound_alert_fresh(region):
    engine, defs, instance = region
    for day in (dt.date(2026, 3, 11), dt.date(2026, 4, 11)):  # runs February, then March
        [request] = evaluate(defs, "month_after_deadline", day, instance).run_requests
        result = execute(defs, instance, request, "month_job")
    assert result.dagster_run.job_name == "month_job"
    # March's rebound is in the table at the end of March's own run: no quarter run needed
    assert_march_alert(engine)
    assert instance.get_latest_materialization_event(dg.AssetKey("rebound_alert")).run_id == result.run_id


def test_the_landing_sensors_runs_leave_rebound_alert_fresh(region):
    engine, defs, instance = region
    sensor = defs.resolve_sensor_def("landing_sensor")
    with dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources) as context:
        requests = sensor.evaluate_tick(context).run_requests
    assert sorted(r.partition_key for r in requests) == ["2026-02", "2026-03"]
    for request in sorted(requests, key=lambda r: r.partition_key):
        execute(defs, instance, request, "")
    assert_march_alert(engine)


def test_every_run_of_a_partition_is_tagged_with_its_window(region):
    _, defs, _ = region
    # the tags Dagster gives a run of each job's partition, whoever launches it (UI, schedule, sensor, backfill)
    tags = {(job, key): defs.resolve_job_def(job).get_tags_for_partition_key(key, None).get("zc/window")
            for job, key in [("month_job", "2026-04"), ("quarter_job", "2026-04"), ("half_job", "2026-01"),
                             ("half_job", "2026-07"), ("year_job", "2026")]}
    assert tags == {("month_job", "2026-04"): "2026-04", ("quarter_job", "2026-04"): "2026-Q2",
                    ("half_job", "2026-01"): "2026-H1", ("half_job", "2026-07"): "2026-H2",
                    ("year_job", "2026"): "2026"}
