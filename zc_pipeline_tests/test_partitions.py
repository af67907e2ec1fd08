"""The one conversion between Dagster partition keys and warehouse period keys."""
import datetime as dt

import pytest

from zc_pipeline import partitions as P


@pytest.mark.parametrize(
    "period, kind, dagster_key",
    [("2026-03", "month", "2026-03"), ("2026-Q1", "quarter", "2026-01"), ("2026-Q2", "quarter", "2026-04"),
     ("2026-Q4", "quarter", "2026-10"), ("2026-H1", "half", "2026-01"), ("2026-H2", "half", "2026-07"),
     ("2026", "year", "2026")],
)
def test_period_keys_round_trip(period, kind, dagster_key):
    assert P.period_kind(period) == kind
    assert P.to_dagster_key(period) == dagster_key
    assert P.from_dagster_key(dagster_key, kind) == period


def test_dagster_keys_exist_in_their_partitions_definitions():
    assert "2026-04" in P.quarter_partitions.get_partition_keys(current_time=dt.datetime(2027, 1, 1))
    assert "2026-07" in P.half_partitions.get_partition_keys(current_time=dt.datetime(2027, 1, 1))
    assert "2026" in P.year_partitions.get_partition_keys(current_time=dt.datetime(2027, 1, 2))


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "2026-H3", "26-01", "2026-04-01"])
def test_malformed_periods_are_refused(bad):
    with pytest.raises(ValueError):
        P.period_kind(bad)


def test_windows_deadlines_and_calendar():
    assert P.months_of("2026-Q2") == ["2026-04", "2026-05", "2026-06"]
    assert P.months_of("2026-H2") == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    assert P.score_window("2026-H2") == [f"2026-{m:02d}" for m in range(1, 13)]  # year-end scores Jan–Dec
    assert P.score_window("2026-H1") == [f"2026-{m:02d}" for m in range(1, 7)]
    assert P.deadline("2025-12", 10) == dt.date(2026, 1, 10)
    assert not P.deadline_passed("2026-06", dt.date(2026, 7, 10), 10)  # on the deadline day: not yet
    assert P.deadline_passed("2026-06", dt.date(2026, 7, 11), 10)
    assert P.month_ended("2026-06", dt.date(2026, 7, 1)) and not P.month_ended("2026-06", dt.date(2026, 6, 30))
    assert P.month_end("2024-02") == dt.date(2024, 2, 29)
    assert P.add_months("2025-11", 3) == "2026-02"


def test_half_mapping_gives_the_year_end_window_jan_to_dec():
    subset = P.half_partitions.subset_with_partition_keys(["2025-07"])
    up = P.half_to_months.get_upstream_mapped_partitions_result_for_partitions(
        subset, P.half_partitions, P.month_partitions
    ).partitions_subset.get_partition_keys()
    assert list(up) == [f"2025-{m:02d}" for m in range(1, 13)]
