"""Resubmission, supersession and lateness (FILES.md)."""
import datetime as dt

import pandas as pd

from zc_pipeline.domain.submissions import choose_in_force, is_on_time

D = dt.date
T = lambda h: dt.datetime(2026, 4, 1, h, tzinfo=dt.timezone.utc)  # noqa: E731


def _subs(*rows):
    cols = ["submission_id", "park_code", "period", "submitted_on", "received_at", "source_file", "source_row", "status"]
    return pd.DataFrame(rows, columns=cols)


def test_latest_submitted_on_is_in_force_and_others_superseded():
    out = choose_in_force(_subs(
        ("a", "P1", "2026-03", D(2026, 4, 5), T(1), "landing/2026-03/a.xlsx", None, "accepted"),
        ("b", "P1", "2026-03", D(2026, 4, 20), T(2), "landing/2026-03/b.xlsx", None, "accepted"),
    ), deadline_day=10).set_index("submission_id")
    assert out.loc["b", "in_force"] and out.loc["b", "status"] == "accepted"
    assert not out.loc["a", "in_force"] and out.loc["a", "status"] == "superseded"
    # b was filled on 20 April, after the 10 April deadline: late; a was on time but is superseded
    assert not out.loc["b", "on_time"] and out.loc["a", "on_time"]


def test_a_rejected_later_version_never_displaces_the_accepted_one():
    out = choose_in_force(_subs(
        ("a", "P1", "2026-03", D(2026, 4, 5), T(1), "x.xlsx", None, "accepted"),
        ("r", "P1", "2026-03", D(2026, 4, 9), T(3), "y.xlsx", None, "rejected"),
    ), deadline_day=10).set_index("submission_id")
    assert out.loc["a", "in_force"] and out.loc["r", "status"] == "rejected" and not out.loc["r", "in_force"]


def test_same_submitted_on_breaks_ties_by_arrival_then_file_then_row():
    out = choose_in_force(_subs(
        ("early", "P1", "2026-03", D(2026, 4, 5), T(1), "b.csv", 2, "accepted"),
        ("late", "P1", "2026-03", D(2026, 4, 5), T(2), "a.csv", 2, "accepted"),
        ("r3", "P2", "2026-03", D(2026, 4, 5), T(1), "a.csv", 3, "accepted"),
        ("r4", "P2", "2026-03", D(2026, 4, 5), T(1), "a.csv", 4, "accepted"),
    ), deadline_day=10).set_index("submission_id")
    assert out.loc["late", "in_force"] and not out.loc["early", "in_force"]
    assert out.loc["r4", "in_force"] and not out.loc["r3", "in_force"]


def test_deadline_day_is_on_time_and_the_day_after_is_late():
    assert is_on_time("2026-03", D(2026, 4, 10), 10)
    assert not is_on_time("2026-03", D(2026, 4, 11), 10)
    assert is_on_time("2025-12", D(2026, 1, 10), 10)  # December's deadline falls in January
    assert not is_on_time("2026-03", None, 10)
