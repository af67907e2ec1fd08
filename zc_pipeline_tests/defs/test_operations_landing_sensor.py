"""The landing sensor: new, changed, touched-unchanged, copied and moved files (content decides)."""
from __future__ import annotations

import datetime as dt
import os
import shutil

import dagster as dg
import pytest

from zc_pipeline import landing_scan
from zc_pipeline_tests.defs.region import region_defs


@pytest.fixture
def env(tmp_path):
    landing = tmp_path / "data" / "landing"
    for sub in ("2026-03", "2026-04", "verifications", "funding"):
        (landing / sub).mkdir(parents=True)
    (landing / "2026-03" / "150100-P001_2026-03.xlsx").write_bytes(b"march workbook v1")
    (landing / "2026-04" / "150200_batch_2026-04.csv").write_bytes(b"april batch")
    (landing / "verifications" / "2026-H1.csv").write_bytes(b"verified")
    (landing / "funding" / "2026.csv").write_bytes(b"applications")
    (landing / "2026-03" / "~$150100-P001_2026-03.xlsx").write_bytes(b"excel lock file")
    (landing / "README.txt").write_bytes(b"not in a folder: ignored")
    settings, defs = region_defs(tmp_path, dt.date(2026, 7, 15))
    with dg.instance_for_test() as instance:
        yield landing, defs, instance


def tick(defs, instance, cursor):
    sensor = defs.resolve_sensor_def("landing_sensor")
    with dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs, resources=defs.resources) as ctx:
        data = sensor.evaluate_tick(ctx)
    return data.run_requests, data.cursor


def summary(requests):
    return sorted((r.job_name, r.partition_key, r.run_key.split(":")[0]) for r in requests)


def test_first_tick_requests_each_partition_on_its_job(env):
    landing, defs, instance = env
    requests, cursor = tick(defs, instance, None)
    assert summary(requests) == [
        ("half_job", "2026-01", "2026-H1"),  # verifications -> their half (Dagster key = window start)
        ("month_job", "2026-03", "2026-03"),
        ("month_job", "2026-04", "2026-04"),
        ("year_job", "2026", "2026"),  # funding applications -> their year
    ]
    digests = landing_scan.load_json(cursor)  # one digest per partition, nothing per file
    assert sorted(digests) == ["half:2026-H1", "month:2026-03", "month:2026-04", "year:2026"]
    assert {r.run_key for r in requests} == {f"{k.split(':')[1]}:{d}" for k, d in digests.items()}
    assert tick(defs, instance, cursor)[0] == []  # nothing new: nothing requested


def test_changed_file_reruns_exactly_its_partition(env):
    landing, defs, instance = env
    _, cursor = tick(defs, instance, None)
    (landing / "2026-03" / "150100-P001_2026-03.xlsx").write_bytes(b"march workbook v2, a resubmission")
    requests, new_cursor = tick(defs, instance, cursor)
    assert summary(requests) == [("month_job", "2026-03", "2026-03")]
    assert requests[0].run_key == f"2026-03:{landing_scan.load_json(new_cursor)['month:2026-03']}"


def test_new_file_in_a_month(env):
    landing, defs, instance = env
    _, cursor = tick(defs, instance, None)
    (landing / "2026-04" / "150300-P001_2026-04.xlsx").write_bytes(b"a late park")
    assert summary(tick(defs, instance, cursor)[0]) == [("month_job", "2026-04", "2026-04")]


def test_touched_but_unchanged_triggers_nothing(env):
    landing, defs, instance = env
    _, cursor = tick(defs, instance, None)
    path = landing / "funding" / "2026.csv"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert tick(defs, instance, cursor)[0] == []


@pytest.mark.parametrize("how", ["move", "copy"])
def test_same_content_at_a_new_path_triggers_nothing(env, how):
    landing, defs, instance = env
    _, cursor = tick(defs, instance, None)
    src = landing / "2026-03" / "150100-P001_2026-03.xlsx"
    dst = landing / "2026-03" / "renamed by the park.xlsx"
    (shutil.move if how == "move" else shutil.copy2)(src, dst)
    assert tick(defs, instance, cursor)[0] == []


def test_prefilter_hashes_only_files_whose_size_or_mtime_moved(env):
    landing, _, _ = env
    first = landing_scan.scan(landing)
    assert len(first.hashed) == 4 and first.ignored == ["README.txt"]  # the ~$ lock file is skipped silently
    assert landing_scan.scan(landing, first.cache).hashed == []
    path = landing / "2026-04" / "150200_batch_2026-04.csv"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    again = landing_scan.scan(landing, first.cache)
    assert again.hashed == ["2026-04/150200_batch_2026-04.csv"] and again.digests == first.digests


@pytest.mark.parametrize("relative, expected", [
    ("2026-03/x.xlsx", ("month", "2026-03")),
    ("verifications/2025-H2.csv", ("half", "2025-H2")),
    ("funding/2026.csv", ("year", "2026")),
    ("verifications/notes.csv", None),
    ("2026-13/x.xlsx", None),
    ("2026-03/.hidden", None),
    ("2026-03/sub/x.xlsx", None),
])
def test_route(relative, expected):
    part = landing_scan.route(relative)
    assert (part and (part.kind, part.period)) == expected
