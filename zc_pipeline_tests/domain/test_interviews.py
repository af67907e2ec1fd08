"""STANDARD §7 and §13: interviews after rebounds, when they are due and whether they were held in time."""
import datetime as dt

import pandas as pd

from zc_pipeline.domain.interviews import interview_due, overdue_in, with_interviews
from zc_pipeline.domain.summaries import city_quarter_summary

from .frames import STD, dim, months, park

P1, P2, OTHER = "150100-P001", "150100-P002", "150200-P001"
D = dt.date


def alerts(*rows: tuple[str, str, dt.date]) -> pd.DataFrame:
    """rebound_alert rows (park, month, as_of), status overdue."""
    return pd.DataFrame([{"park_code": c, "period": m, "status": "overdue", "as_of": at} for c, m, at in rows])


def held(*rows: tuple[str, str, dt.date]) -> pd.DataFrame:
    return pd.DataFrame([{"park_code": c, "alert_period": m, "interviewed_on": on} for c, m, on in rows],
                        columns=["park_code", "alert_period", "interviewed_on"])


def status(alert_rows: pd.DataFrame, interview_rows: pd.DataFrame) -> list[tuple]:
    out = with_interviews(alert_rows, interview_rows, STD)
    return [(r.interviewed_on, r.interview_due, r.interview_status) for r in out.itertuples()]


def test_due_day_is_the_deadline_plus_fifteen_days():
    # 2026-03: deadline 10th of 2026-04 = 2026-04-10; + 15 days = 2026-04-25.
    assert interview_due("2026-03", STD) == D(2026, 4, 25)
    # 2026-12: deadline 2027-01-10; + 15 days = 2027-01-25.
    assert interview_due("2026-12", STD) == D(2027, 1, 25)


def test_on_the_due_day_is_on_time_the_day_after_is_late():
    # due 2026-04-25: held 2026-04-25 (the last allowed day) -> on_time; held 2026-04-26 -> late.
    got = status(alerts((P1, "2026-03", D(2026, 5, 31)), (P2, "2026-03", D(2026, 5, 31))),
                 held((P1, "2026-03", D(2026, 4, 25)), (P2, "2026-03", D(2026, 4, 26))))
    assert got == [(D(2026, 4, 25), D(2026, 4, 25), "on_time"), (D(2026, 4, 26), D(2026, 4, 25), "late")]


def test_not_held_is_overdue_once_the_due_day_has_passed_and_pending_before():
    # due 2026-04-25: judged on 2026-04-26 (> due) -> overdue; judged on 2026-04-25 (not > due) -> pending.
    got = status(alerts((P1, "2026-03", D(2026, 4, 26)), (P2, "2026-03", D(2026, 4, 25))), held())
    assert got == [(None, D(2026, 4, 25), "overdue"), (None, D(2026, 4, 25), "pending")]


def test_an_interview_after_the_alerts_as_of_day_is_not_known_yet():
    # P001 judged 2026-04-20 (before due), held 2026-04-22 -> not known: pending.
    # P002 judged 2026-04-30 (after due 2026-04-25), held 2026-05-02 -> not known: overdue.
    got = status(alerts((P1, "2026-03", D(2026, 4, 20)), (P2, "2026-03", D(2026, 4, 30))),
                 held((P1, "2026-03", D(2026, 4, 22)), (P2, "2026-03", D(2026, 5, 2))))
    assert got == [(None, D(2026, 4, 25), "pending"), (None, D(2026, 4, 25), "overdue")]


def test_the_earliest_of_two_interviews_counts():
    # Held 2026-04-28 (late) and 2026-04-20 (on time): the earliest, 2026-04-20 <= 2026-04-25 -> on_time.
    got = status(alerts((P1, "2026-03", D(2026, 6, 30))),
                 held((P1, "2026-03", D(2026, 4, 28)), (P1, "2026-03", D(2026, 4, 20))))
    assert got == [(D(2026, 4, 20), D(2026, 4, 25), "on_time")]


def test_overdue_in_selects_late_and_overdue_alerts_due_within_the_window():
    # Judged on 2026-06-30. Due days: 2026-02 -> 03-25, 2026-03 -> 04-25, 2026-04 -> 05-25,
    # 2026-05 -> 06-25, 2026-06 -> 07-25 (pending). Window Q2 = 2026-04-01..2026-06-30:
    # P1 2026-03 late (held 04-26) -> in; P1 2026-04 on_time (held 05-25) -> out;
    # P1 2026-05 overdue -> in; P1 2026-02 overdue but due 03-25 (Q1) -> out; P1 2026-06 pending -> out.
    at = D(2026, 6, 30)
    out = with_interviews(
        alerts(*((P1, m, at) for m in ("2026-02", "2026-03", "2026-04", "2026-05", "2026-06"))),
        held((P1, "2026-03", D(2026, 4, 26)), (P1, "2026-04", D(2026, 5, 25))), STD)
    assert out["interview_status"].tolist() == ["overdue", "late", "on_time", "overdue", "pending"]
    got = overdue_in(out, D(2026, 4, 1), D(2026, 6, 30))
    assert got["period"].tolist() == ["2026-03", "2026-05"]


def test_city_quarter_summary_counts_interviews_overdue_in_the_quarter_of_the_due_day():
    # Judged at the end of Q2 (2026-06-30); Q2's days 2026-04-01..2026-06-30.
    # Hohhot: P001 2026-03 overdue (due 04-25, in Q2) + P002 2026-04 late (due 05-25, held 05-26)
    #         + P002 2026-02 overdue (due 03-25, Q1: out) -> 2.
    # Other city: 2026-05 held 06-01 on time (due 06-25) -> 0.
    at = D(2026, 6, 30)
    rebounds = with_interviews(
        alerts((P1, "2026-03", at), (P2, "2026-04", at), (P2, "2026-02", at), (OTHER, "2026-05", at)),
        held((P2, "2026-04", D(2026, 5, 26)), (OTHER, "2026-05", D(2026, 6, 1))), STD)
    rows = pd.DataFrame([
        {"park_code": c, "league_city_code": c[:6], "months_reported": 3, "score": 90.0, "grade": "A",
         "standard_version": STD.version} for c in (P1, P2, OTHER)
    ])
    out = city_quarter_summary(rows, months(), dim(park(P1), park(P2), park(OTHER)), "2026-Q2", rebounds)
    assert out.set_index("league_city_code")["interviews_overdue"].to_dict() == {"150100": 2, "150200": 0}
    # without interview statuses the count stays 0
    plain = city_quarter_summary(rows, months(), dim(park(P1), park(P2), park(OTHER)), "2026-Q2",
                                 rebounds.drop(columns=["interview_status"]))
    assert plain["interviews_overdue"].tolist() == [0, 0]
