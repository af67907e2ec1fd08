"""STANDARD §7: rebound alerts and their statuses, with hand-made carbon_per_energy series."""
import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zc_pipeline.domain.rebounds import ALERT_COLUMNS, detect_rebounds

from .frames import STD, cpe_series, dim, month, months, park

P = "150100-P001"
REGISTRY = dim(park(P))
LATE = dt.date(2027, 6, 1)  # every month of 2026 has ended


def alerts(values, as_of=LATE, through_month=None, registry=REGISTRY):
    return detect_rebounds(cpe_series(P, values), registry, STD, as_of, through_month)


def only(frame) -> dict:
    assert len(frame) == 1, frame
    return frame.iloc[0].to_dict()


def test_rebound_rectified_in_next_month():
    # Feb 1.06 > Jan 1.0 × 1.05 = 1.05 → alert; Mar 1.0 <= Jan 1.0 → rectified in m+1.
    a = only(alerts({"2026-01": 1.0, "2026-02": 1.06, "2026-03": 1.0}))
    assert list(alerts({"2026-01": 1.0, "2026-02": 1.06}).columns) == ALERT_COLUMNS
    assert a["period"] == "2026-02" and a["previous_period"] == "2026-01"
    assert a["previous_carbon_per_energy"] == 1.0
    assert a["increase"] == pytest.approx(0.06)  # 1.06 / 1.0 − 1, a fraction
    assert a["rectify_by"] == dt.date(2026, 5, 31)  # last day of m+3 = May
    assert (a["status"], a["rectified_in"]) == ("rectified", "2026-03")


def test_exactly_five_percent_is_not_a_rebound():
    # 1.05 is not > 1.0 × 1.05
    assert alerts({"2026-01": 1.0, "2026-02": 1.05}).empty


def test_rebound_rectified_in_m_plus_3():
    # Feb 1.2 > 1.05 → alert; Mar, Apr 1.1 > Jan 1.0; May (= m+3) 0.99 <= 1.0 → rectified in May.
    a = only(alerts({"2026-01": 1.0, "2026-02": 1.2, "2026-03": 1.1, "2026-04": 1.1, "2026-05": 0.99}))
    assert (a["status"], a["rectified_in"]) == ("rectified", "2026-05")


def test_overdue_by_data_for_m_plus_3_even_before_it_ends():
    # Data for May (m+3) is in force and still above Jan's 1.0; June's 0.9 is too late (m+4).
    values = {"2026-01": 1.0, "2026-02": 1.2, "2026-03": 1.1, "2026-04": 1.1, "2026-05": 1.1, "2026-06": 0.9}
    a = only(alerts(values, as_of=dt.date(2026, 5, 20)))  # May has not ended, but its data is in
    assert (a["status"], a["rectified_in"]) == ("overdue", None)


def test_overdue_by_data_with_null_intensity_in_m_plus_3():
    # May is in force with energy 0 (carbon_per_energy NULL): in force, not rectifying → overdue.
    pm = pd.concat([
        cpe_series(P, {"2026-01": 1.0, "2026-02": 1.2}),
        months(month(P, "2026-05", energy_tce=0.0, co2_t=0.0)),
    ])
    a = only(detect_rebounds(pm, REGISTRY, STD, dt.date(2026, 5, 20)))
    assert a["status"] == "overdue"


def test_open_until_m_plus_3_has_ended_then_overdue_by_as_of():
    values = {"2026-01": 1.0, "2026-02": 1.2}
    # May (m+3) ends when the as-of date is on or after 1 June.
    assert only(alerts(values, as_of=dt.date(2026, 5, 31)))["status"] == "open"
    assert only(alerts(values, as_of=dt.date(2026, 6, 1)))["status"] == "overdue"


def test_no_alert_across_a_missing_month():
    # Feb missing: Mar 2.0 has no in-force m−1.
    assert alerts({"2026-01": 1.0, "2026-03": 2.0}).empty


def test_no_alert_when_previous_intensity_is_null():
    pm = pd.concat([months(month(P, "2026-01", energy_tce=0.0, co2_t=0.0)), cpe_series(P, {"2026-02": 2.0})])
    assert detect_rebounds(pm, REGISTRY, STD, LATE).empty


def test_months_before_enrolment_are_ignored():
    # Enrolled 15 Feb: January is stored but ignored, so February has no m−1; March vs February counts.
    registry = dim(park(P, enrolled_on=dt.date(2026, 2, 15)))
    a = only(alerts({"2026-01": 1.0, "2026-02": 2.0, "2026-03": 2.2}, registry=registry))
    assert a["period"] == "2026-03"  # 2.2 > 2.0 × 1.05 = 2.1


def test_status_at_the_end_of_month_sees_only_months_up_to_it():
    values = {"2026-01": 1.0, "2026-02": 1.2, "2026-03": 1.1, "2026-04": 1.0}
    # At the end of March: April's rectifying value is not yet seen; m+3 = May has not ended.
    a = only(alerts(values, through_month="2026-03"))
    assert (a["status"], a["rectified_in"]) == ("open", None)
    assert a["as_of"] == dt.date(2026, 4, 1)  # the end of March, judged as 1 April
    # At the end of April it is rectified.
    assert only(alerts(values, through_month="2026-04"))["status"] == "rectified"
    # No alert dated after M is reported.
    assert alerts({"2026-01": 1.0, "2026-02": 1.2}, through_month="2026-01").empty


def test_status_at_end_of_m_plus_3_without_its_data_is_overdue():
    # Alert in Feb, data Jan–Apr only. At the end of May, month m+3 = May has ended → overdue;
    # at the end of April it has not → open.
    values = {"2026-01": 1.0, "2026-02": 1.2, "2026-03": 1.1, "2026-04": 1.1}
    assert only(alerts(values, through_month="2026-05"))["status"] == "overdue"
    assert only(alerts(values, through_month="2026-04"))["status"] == "open"
    # The run's as-of still bounds it: on 20 May 2026 May has not ended.
    assert only(alerts(values, as_of=dt.date(2026, 5, 20), through_month="2026-05"))["status"] == "open"


def test_each_rebound_is_its_own_alert():
    # Jan 1.0 → Feb 1.1 (> 1.05) → Mar 1.2 (> 1.155): two alerts; Apr 1.0 rectifies both
    # (1.0 <= Jan 1.0 and 1.0 <= Feb 1.1).
    frame = alerts({"2026-01": 1.0, "2026-02": 1.1, "2026-03": 1.2, "2026-04": 1.0})
    assert list(frame["period"]) == ["2026-02", "2026-03"]
    assert list(frame["rectified_in"]) == ["2026-04", "2026-04"]


def test_empty_input_gives_the_columns():
    assert list(detect_rebounds(months(), REGISTRY, STD, LATE).columns) == ALERT_COLUMNS


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from([0.9, 1.0, 1.04, 1.1, 1.3])), min_size=2, max_size=12),
    st.integers(min_value=1, max_value=12),
)
def test_status_at_the_end_of_m_is_the_status_seen_on_the_first_day_of_m_plus_1(values, m):
    # Property of the "end of month M" reading: with only months ≤ M in force, the statuses through
    # M (as of any later date) equal the plain statuses as of 1st of M+1.
    series = {f"2026-{i + 1:02d}": v for i, v in enumerate(values) if v is not None and i + 1 <= m}
    through = f"2026-{m:02d}"
    first_of_next = dt.date(2026 + m // 12, m % 12 + 1, 1)
    pm = cpe_series(P, series)
    got = detect_rebounds(pm, REGISTRY, STD, LATE, through_month=through)
    plain = detect_rebounds(pm, REGISTRY, STD, first_of_next)
    pd.testing.assert_frame_equal(got, plain, check_dtype=False)
