"""Schedules: the run requests the deadline schedules make for given tick times."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from zc_pipeline_tests.defs.region import region_defs

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The rulebook's deadline_day is 10: the day after is the 11th.


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 2, tzinfo=SHANGHAI)


@pytest.fixture
def defs(tmp_path):
    return region_defs(tmp_path, dt.date(2026, 7, 15))[1]


def evaluate(defs, name: str, day: dt.date, instance=None):
    schedule = defs.resolve_schedule_def(name)
    with dg.build_schedule_context(instance=instance, scheduled_execution_time=at(day),
                                   repository_def=defs.get_repository_def(), resources=defs.resources) as context:
        return schedule.evaluate_tick(context)


def test_schedules_are_registered_and_partitioned(defs):
    repo = defs.get_repository_def()
    assert {s.name: s.job_name for s in repo.schedule_defs} == {
        "month_after_deadline": "month_job", "quarter_after_deadline": "quarter_job",
        "half_after_deadline": "half_job", "year_after_deadline": "year_job",
    }
    assert all(s.execution_timezone == "Asia/Shanghai" for s in repo.schedule_defs)
    assert defs.resolve_job_def("month_job").partitions_def is not None


@pytest.mark.parametrize("day, month", [(dt.date(2026, 4, 11), "2026-03"), (dt.date(2026, 1, 11), "2025-12")])
def test_month_runs_the_day_after_the_deadline(defs, day, month):
    data = evaluate(defs, "month_after_deadline", day)
    [request] = data.run_requests
    assert (request.partition_key, request.run_key) == (month, f"month:{month}")
    assert request.tags["zc/as_of"] == day.isoformat()
    # the run's as-of date is the tick's, not the day the run happens to start
    assert request.run_config["resources"]["zc"]["config"]["as_of"] == day.isoformat()


@pytest.mark.parametrize("day", [dt.date(2026, 4, 10), dt.date(2026, 4, 12), dt.date(2026, 4, 1)])
def test_month_skips_other_days(defs, day):
    data = evaluate(defs, "month_after_deadline", day)
    assert not data.run_requests and data.skip_message


def _materialize(instance, asset: str, partitions: list[str]) -> None:
    for p in partitions:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=asset, partition=p))


def _latest_storage_id(instance, asset: str) -> int:
    return instance.fetch_materializations(dg.AssetKey(asset), limit=1, ascending=False).records[0].storage_id


def test_quarter_follows_its_months_and_reruns_after_a_resubmission(defs):
    with dg.instance_for_test() as instance:
        # deadline of March not passed yet: Q1 is not due (2025's quarters wait for their months)
        assert not evaluate(defs, "quarter_after_deadline", dt.date(2026, 4, 10), instance).run_requests
        # due, but March has not run yet
        _materialize(instance, "park_month", ["2026-01", "2026-02"])
        assert not evaluate(defs, "quarter_after_deadline", dt.date(2026, 4, 11), instance).run_requests
        _materialize(instance, "park_month", ["2026-03"])
        march = _latest_storage_id(instance, "park_month")
        [request] = evaluate(defs, "quarter_after_deadline", dt.date(2026, 4, 12), instance).run_requests
        assert (request.partition_key, request.run_key) == ("2026-01", f"2026-Q1:{march}")
        # a late resubmission re-runs March in May: the quarter's run key changes, so Q1 runs again
        _materialize(instance, "park_month", ["2026-03"])
        [again] = evaluate(defs, "quarter_after_deadline", dt.date(2026, 5, 20), instance).run_requests
        assert again.run_key == f"2026-Q1:{_latest_storage_id(instance, 'park_month')}" != request.run_key


def test_quarter_reruns_after_an_earlier_month_is_rerun(defs):
    with dg.instance_for_test() as instance:
        _materialize(instance, "park_month", ["2025-10", "2026-01", "2026-02", "2026-03"])
        [request] = evaluate(defs, "quarter_after_deadline", dt.date(2026, 4, 11), instance).run_requests
        assert request.partition_key == "2026-01"  # 2025-Q4 waits for November and December
        # October re-run: an alert of October still overdue at the end of March counts in Q1's open_rebounds
        _materialize(instance, "park_month", ["2025-10"])
        [again] = evaluate(defs, "quarter_after_deadline", dt.date(2026, 4, 12), instance).run_requests
        assert again.run_key == f"2026-Q1:{_latest_storage_id(instance, 'park_month')}" != request.run_key


def test_half_year_end_waits_for_the_whole_year(defs):
    with dg.instance_for_test() as instance:
        _materialize(instance, "park_month", [f"2026-{m:02d}" for m in range(7, 13)])
        # H2 scores Jan–Dec: July–December alone are not enough
        assert not evaluate(defs, "half_after_deadline", dt.date(2027, 1, 11), instance).run_requests
        _materialize(instance, "park_month", [f"2026-{m:02d}" for m in range(1, 7)])
        keys = {r.partition_key for r in evaluate(defs, "half_after_deadline", dt.date(2027, 1, 11), instance).run_requests}
        assert keys == {"2026-01", "2026-07"}  # 2026-H1 and 2026-H2 (Dagster keys are window starts)
        # on the deadline day itself only H1 is due
        keys = {r.partition_key for r in evaluate(defs, "half_after_deadline", dt.date(2027, 1, 10), instance).run_requests}
        assert keys == {"2026-01"}


def test_funding_year_follows_the_mid_year_assessment(defs):
    with dg.instance_for_test() as instance:
        assert not evaluate(defs, "year_after_deadline", dt.date(2026, 7, 11), instance).run_requests
        _materialize(instance, "park_half_assessment", ["2026-01"])
        [request] = evaluate(defs, "year_after_deadline", dt.date(2026, 7, 11), instance).run_requests
        assert request.partition_key == "2026" and request.run_key.startswith("2026:")


def explanation_tick(defs, instance):
    sensor = defs.resolve_sensor_def("explanation_sensor")
    with dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources) as context:
        return sensor.evaluate_tick(context)


def test_explanations_follow_every_assessment_whoever_ran_it(defs):
    """The window runs of the schedules leave grade_explanation behind: one explanation_job run is
    asked after the newest quarter or half assessment, and again only after a newer one."""
    assert defs.resolve_sensor_def("explanation_sensor").job_name == "explanation_job"
    with dg.instance_for_test() as instance:
        nothing = explanation_tick(defs, instance)
        assert not nothing.run_requests and nothing.skip_message == "no quarter or half assessed yet"
        _materialize(instance, "park_quarter_assessment", ["2026-01"])
        quarter = _latest_storage_id(instance, "park_quarter_assessment")
        [request] = explanation_tick(defs, instance).run_requests
        assert request.run_key == f"assessed:{quarter}"
        assert explanation_tick(defs, instance).run_requests[0].run_key == request.run_key  # Dagster runs a key once
        _materialize(instance, "park_half_assessment", ["2026-01"])
        [after_half] = explanation_tick(defs, instance).run_requests
        assert after_half.run_key == f"assessed:{_latest_storage_id(instance, 'park_half_assessment')}"
        assert after_half.run_key != request.run_key


def test_windows_due_in_the_first_year_skip_the_year_before_any_rulebook():
    """On 2025-07-11 (after June's deadline) 2025-Q1, Q2 and H1 are due; 2024 had no rulebook to
    assess it by, so it is skipped rather than failing the tick."""
    import datetime as dt

    from zc_pipeline.defs.operations import windows_due
    from zc_pipeline.standards import load_rulebooks

    books = load_rulebooks()
    assert windows_due("quarter", dt.date(2025, 7, 11), books) == ["2025-Q1", "2025-Q2"]
    assert windows_due("half", dt.date(2025, 7, 11), books) == ["2025-H1"]
    assert windows_due("year", dt.date(2025, 7, 11), books) == ["2025"]  # the fund follows 2025-H1
