"""STANDARD §4: window months, due dates, enrolment and summing quantities over a window."""
import datetime as dt

import pandas as pd
import pytest

from zc_pipeline.domain.periods import window_is_due
from zc_pipeline.domain.windows import AGG_COLUMNS, aggregate_window

from .frames import STD, dim, month, months, park

P, Q = "150100-P001", "150100-P002"
DUE_Q1 = dt.date(2026, 4, 11)  # the deadline of March is 10 April


def agg(pm, registry, period="2026-Q1", as_of=DUE_Q1):
    return aggregate_window(pm, registry, period, STD, as_of).set_index("park_code")


def test_window_is_due_after_the_deadline_of_its_last_month():
    assert not window_is_due("2026-Q1", dt.date(2026, 4, 10), STD)  # on the deadline day: not past
    assert window_is_due("2026-Q1", dt.date(2026, 4, 11), STD)
    assert not window_is_due("2026-H1", dt.date(2026, 7, 10), STD)
    # H2 scores Jan–Dec: due after 10 January of the next year.
    assert not window_is_due("2026-H2", dt.date(2027, 1, 10), STD)
    assert window_is_due("2026-H2", dt.date(2027, 1, 11), STD)


def test_not_due_gives_an_empty_frame_with_the_columns():
    out = aggregate_window(months(month(P, "2026-01")), dim(park(P)), "2026-Q1", STD, dt.date(2026, 4, 10))
    assert out.empty and list(out.columns) == AGG_COLUMNS


def test_ratios_come_from_sums_not_means_of_monthly_ratios():
    pm = months(
        month(P, "2026-01", energy_tce=1000.0, co2_t=100.0, electricity_mwh=1000.0, green_mwh=100.0),
        month(P, "2026-02", energy_tce=3000.0, co2_t=900.0, electricity_mwh=3000.0, green_mwh=2700.0),
        month(P, "2026-03", energy_tce=4000.0, co2_t=400.0, electricity_mwh=4000.0, green_mwh=400.0),
    )
    a = agg(pm, dim(park(P))).loc[P]
    assert a["energy_tce"] == 8000.0  # 1000 + 3000 + 4000
    assert a["co2_t"] == 1400.0  # 100 + 900 + 400
    # 1400 / 8000 = 0.175 (the mean of the monthly 0.1, 0.3, 0.1 would be 0.1667)
    assert a["carbon_per_energy"] == pytest.approx(0.175)
    # (100 + 2700 + 400) / 8000 = 0.4 (the mean of 0.1, 0.9, 0.1 would be 0.3667)
    assert a["green_share"] == pytest.approx(0.4)


def test_month_counts_and_on_time():
    pm = months(month(P, "2026-01"), month(P, "2026-03", on_time=False))
    a = agg(pm, dim(park(P))).loc[P]
    assert (a["months_expected"], a["months_reported"], a["months_on_time"]) == (3, 2, 1)


def test_retrofit_uses_the_latest_reported_month():
    pm = months(
        month(P, "2026-01", retrofit_planned=10.0, retrofit_completed=2.0),
        month(P, "2026-03", retrofit_planned=10.0, retrofit_completed=5.0),
    )
    assert agg(pm, dim(park(P))).loc[P, "retrofit_rate"] == 0.5  # 5 / 10 (March), not 7 / 20
    nothing_planned = months(month(P, "2026-01"))
    assert pd.isna(agg(nothing_planned, dim(park(P))).loc[P, "retrofit_rate"])  # planned 0 → NULL


def test_annualised_energy_uses_months_reported():
    pm = months(month(P, "2026-01", energy_tce=200_000.0), month(P, "2026-02", energy_tce=200_000.0))
    # 400 000 × 12 / 2 = 2 400 000 tce a year
    assert agg(pm, dim(park(P))).loc[P, "annualised_energy_tce"] == 2_400_000.0


def test_h2_scores_the_whole_year():
    pm = months(*(month(P, f"2026-{m:02d}", energy_tce=100.0) for m in range(1, 13)))
    a = agg(pm, dim(park(P)), "2026-H2", dt.date(2027, 1, 11)).loc[P]
    assert (a["months_expected"], a["months_reported"]) == (12, 12)
    assert a["energy_tce"] == 1200.0  # 12 × 100, Jan–Dec


def test_mid_window_enrolment_counts_from_the_enrolment_month():
    registry = dim(park(P, enrolled_on=dt.date(2026, 2, 20)), park(Q, enrolled_on=dt.date(2026, 4, 1)))
    pm = months(
        month(P, "2026-01", energy_tce=5000.0),  # before enrolment: stored, ignored
        month(P, "2026-02", energy_tce=100.0),
        month(Q, "2026-03"),
    )
    out = agg(pm, registry)
    a = out.loc[P]
    assert (a["months_expected"], a["months_reported"], a["energy_tce"]) == (2, 1, 100.0)  # Feb, Mar
    assert Q not in out.index  # enrolled in April: no Q1 row at all


def test_enrolled_park_without_data_has_null_measures():
    a = agg(months(), dim(park(P))).loc[P]
    assert (a["months_expected"], a["months_reported"], a["months_on_time"]) == (3, 0, 0)
    assert a[["energy_tce", "co2_t", "carbon_per_energy", "green_share", "retrofit_rate"]].isna().all()


def test_annualised_energy_is_the_window_at_a_years_rate_for_scalars_and_columns_alike():
    from zc_pipeline.domain.windows import annualised_energy

    assert annualised_energy(300.0, 3) == 1200.0  # a quarter's 300 tce: 300 × 12 / 3
    both = annualised_energy(pd.Series([300.0, 50.0]), pd.Series([3, 1]))
    assert both.tolist() == [1200.0, 600.0]  # 50 tce in one month: 50 × 12 / 1
