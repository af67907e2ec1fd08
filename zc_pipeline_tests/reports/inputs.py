"""Small hand-made inputs for the report builders: two parks of one league-city."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from zc_pipeline.reports.city_workbook import CityQuarter
from zc_pipeline.reports.notice import ReboundNotice

AS_OF = dt.date(2026, 7, 15)
MONTHS = ["2026-04", "2026-05", "2026-06"]
WEIGHTS = {"carbon": 40.0, "green": 30.0, "retrofit": 20.0, "reporting": 10.0}
CAP_LIMITS = {"no_report": "D", "spot_check_failed": "D", "missing_report": "C", "rebound_unrectified": "B"}


def park_rows() -> pd.DataFrame:
    return pd.DataFrame([
        # P002 ranks first: 40 + 30 + 20 + 10/3*2 = 96.666... -> 96.7, capped to C (a month missing)
        dict(park_code="150200-P002", park_name="包头二园", league_city_code="150200", category="regional",
             months_expected=3, months_reported=2, months_on_time=2, energy_tce=1000.0, co2_t=300.0,
             carbon_per_energy=0.3, green_share=0.55, green_target_at_end=0.5, retrofit_rate=1.0,
             score_carbon=40.0, score_green=30.0, score_retrofit=20.0, score_reporting=20 / 3, score=96.7,
             grade="C", grade_cap="missing_report", rank_in_city=1, threshold=0.4, rebound_months=None),
        dict(park_code="150200-P001", park_name="包头一园", league_city_code="150200", category="national",
             months_expected=3, months_reported=3, months_on_time=3, energy_tce=2000.0, co2_t=1000.0,
             carbon_per_energy=0.5, green_share=0.2, green_target_at_end=0.4, retrofit_rate=0.5,
             score_carbon=12.5, score_green=15.0, score_retrofit=10.0, score_reporting=10.0, score=47.5,
             grade="D", grade_cap=None, rank_in_city=2, threshold=0.2, rebound_months=None),
    ])


def trend() -> pd.DataFrame:
    rows = []
    for code, values, limit in (("150200-P001", [(0.52, 0.18), (0.5, 0.2), (0.48, 0.22)], 0.2),
                                ("150200-P002", [(0.31, 0.5), (None, None), (0.29, 0.6)], 0.4)):
        for month, (cpe, share), target in zip(MONTHS, values, (0.45, 0.47, 0.5)):
            rows.append(dict(park_code=code, period=month, carbon_per_energy=cpe, green_share=share,
                             threshold=limit, green_target=target))
    return pd.DataFrame(rows)


def rebounds() -> pd.DataFrame:
    return pd.DataFrame([dict(park_code="150200-P001", park_name="包头一园", period="2026-05", previous_period="2026-04",
                              previous_carbon_per_energy=0.4, carbon_per_energy=0.5, increase=0.25,
                              rectify_by=dt.date(2026, 8, 31), status="open", status_now="open", rectified_in=None)])


def city_quarter(what_if: pd.DataFrame | None = None) -> CityQuarter:
    return CityQuarter(
        city_code="150200", city_name_zh="包头市", city_name_en="Baotou", quarter="2026-Q2", as_of=AS_OF,
        standard_version="IM-ZCP-2026.1", weights=WEIGHTS, cap_limits=CAP_LIMITS, parks=park_rows(),
        grade_counts={"A": 0, "B": 0, "C": 1, "D": 1}, trend_months=MONTHS, trend=trend(), rebounds=rebounds(),
        missing_reports=pd.DataFrame([dict(period="2026-05", park_code="150200-P002", park_name="包头二园",
                                           reason="not_submitted", rule_ids=None)]),
        what_if=what_if,
    )


def notice(status: str = "open", rectified_in: str | None = None, rectified_cpe: float | None = None,
           interviewed_on: dt.date | None = dt.date(2026, 6, 20)) -> ReboundNotice:
    # the interview of a 2026-05 rebound is due on 2026-06-10 + 15 days = 2026-06-25
    due = dt.date(2026, 6, 25)
    alert = dict(park_code="150200-P001", period="2026-05", carbon_per_energy=0.5, previous_period="2026-04",
                 previous_carbon_per_energy=0.4, increase=0.25, rectify_by=dt.date(2026, 8, 31), status=status,
                 rectified_in=rectified_in, as_of=AS_OF, standard_version="IM-ZCP-2026.1",
                 interviewed_on=interviewed_on, interview_due=due,
                 interview_status="overdue" if interviewed_on is None else "on_time" if interviewed_on <= due else "late")
    return ReboundNotice(alert=alert, park_name="包头一园", city_zh="包头市", city_en="Baotou",
                         rectified_carbon_per_energy=rectified_cpe, standard_version="IM-ZCP-2026.1",
                         rebound_factor=1.05, rectify_window=("2026-06", "2026-08"), cap_limit="B")
