"""Months loaded out of order leave the warehouse as loading them in order does, and every run of `zc run`
is a run of the project's jobs, tagged with its window.

Two parks report January–June 2026; the experts' file for 2026-H1 verifies one of them for all six
months. Out of order, `zc run --from 2026-05 --to 2026-06` re-reads that file when only May and June
are in force: its January–April rows are rejected (V013, no submission in force). `--from 2026-01
--to 2026-04` then re-runs the half, and those rows are accepted: nothing of the first verdict may
survive, neither an issue row nor the file's receipt.

As of 2026-07-05: Q1 is due (10 April), Q2 and H1 are not (10 July), so no window is published
before all months are in and the sample is not drawn yet (it is kept once drawn, STANDARD §8).
"""
from __future__ import annotations

import csv
import datetime as dt
import os

import dagster as dg
import pytest

from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import dump_sorted, read_table
from zc_pipeline_tests.conftest import run_sample_pipeline
from zc_pipeline_tests.support.region import RegionPark, workbook, write_registry

AS_OF = dt.date(2026, 7, 5)
MONTHS = [f"2026-{m:02d}" for m in range(1, 7)]
A = RegionPark("150100-P001", "测试园区甲")
C = RegionPark("150200-P001", "测试园区丙")
VOLATILE = ("run_id", "first_seen_at", "received_at", "issued_at")


def build_region(data) -> None:
    write_registry(data, [A, C])
    for month in MONTHS:
        submitted = dt.date(2026, int(month[5:]) + 1, 3)
        for park in (A, C):
            workbook(data, month, park, submitted, [("电网购电", "MWh", 1000)],
                     {"value_added_10k_yuan": 1000, "retrofit_planned": 4, "retrofit_completed": 1})
    folder = data / "landing" / "verifications"
    folder.mkdir(parents=True)
    with open(folder / "2026-H1.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["park_code", "period", "verified_energy_tce", "verified_co2_t", "inspector", "verified_on"])
        # A's own figures: 1000 MWh × 0.300 = 300 tce, × 0.6096 = 609.6 t
        w.writerows([A.code, month, "300", "609.6", "专家组", "2026-07-03"] for month in MONTHS)


def receipts(state) -> list[str]:
    return sorted(str(p.relative_to(state)) for p in (state / "receipts").rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def loads(tmp_path_factory):
    """(in order, out of order) runs of the same data folder, each on its own empty warehouse."""
    old_home = os.environ.get("DAGSTER_HOME")
    root = tmp_path_factory.mktemp("load_order")
    build_region(root / "data")
    try:
        in_order = run_sample_pipeline(root / "in_order", data_dir=root / "data", as_of=AS_OF,
                                       first="2026-01", last="2026-06")
        first = run_sample_pipeline(root / "out_of_order", data_dir=root / "data", as_of=AS_OF,
                                    first="2026-05", last="2026-06")
        first_issues = read_table(first.engine, "validation_issue")
        out_of_order = run_sample_pipeline(root / "out_of_order", data_dir=root / "data", as_of=AS_OF,
                                           first="2026-01", last="2026-04")
        yield {"root": root, "in_order": in_order, "out_of_order": out_of_order, "first_issues": first_issues}
    finally:
        if old_home is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = old_home


def test_the_first_out_of_order_run_rejects_the_rows_of_months_not_yet_in(loads):
    issues = loads["first_issues"]
    assert sorted(issues.loc[issues["rule_id"] == "V013", "value"]) == ["2026-01", "2026-02", "2026-03", "2026-04"]


def test_out_of_order_loading_leaves_what_in_order_loading_leaves(loads):
    root = loads["root"]
    compared = 0
    for name in TABLES:
        a, b = (dump_sorted(loads[run].engine, name, drop=VOLATILE) for run in ("in_order", "out_of_order"))
        assert a.equals(b), f"{name}: in order and out of order differ\n{a}\n{b}"
        compared += bool(len(a))
    assert compared >= 10
    assert not (dump_sorted(loads["out_of_order"].engine, "validation_issue", drop=VOLATILE)["rule_id"] == "V013").any()
    # the verification file's receipt listed the V013 rows: it went with them
    assert receipts(root / "in_order") == receipts(root / "out_of_order")


def test_every_run_is_a_run_of_a_project_job_tagged_with_its_window(loads):
    with dg.DagsterInstance.from_config(str(loads["root"] / "in_order" / "dagster_home")) as instance:
        runs = [(r.job_name, r.tags.get("zc/window"), r.tags.get("dagster/partition")) for r in instance.get_runs()]
    # under the jobs the UI lists (and the schedules and sensor launch), never an ad-hoc asset job
    assert {job for job, _, _ in runs} <= {"month_job", "quarter_job", "half_job", "year_job", "explanation_job"}
    assert {(job, window) for job, window, _ in runs} >= {
        ("month_job", None),  # the reference tables, once, before the months
        *[("month_job", m) for m in MONTHS],
        ("quarter_job", "2026-Q1"), ("quarter_job", "2026-Q2"),
        ("half_job", "2026-H1"),
        ("year_job", "2026"),
        ("explanation_job", None),
    }
    # a quarter's or half's partition key is its first month: the window tag tells them apart
    assert {(job, window, key) for job, window, key in runs if job in ("quarter_job", "half_job")} >= {
        ("quarter_job", "2026-Q1", "2026-01"), ("quarter_job", "2026-Q2", "2026-04"), ("half_job", "2026-H1", "2026-01")}
    assert all(window for _, window, key in runs if key)
