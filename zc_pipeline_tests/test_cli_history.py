"""`zc history PARK --as-of DATE`: the grades published for each period as they stood on that date."""
import datetime as dt

import pandas as pd

from zc_pipeline.cli import main
from zc_pipeline.domain.explain import published_as_of
from zc_pipeline.warehouse.writer import append_grade_history, read_table

SH = "Asia/Shanghai"


def history_rows():
    # Q1 published 2026-04-20, revised 2026-05-03 (a correction arrived); H1 published 2026-07-20.
    return [
        ("2026-04-20 10:00", "quarter", "2026-Q1", "B", 74.2),
        ("2026-04-20 10:00", "quarter", "2025-Q4", "A", 86.0),
        ("2026-05-03 09:30", "quarter", "2026-Q1", "A", 85.1),
        ("2026-07-20 16:00", "half", "2026-H1", "A", 88.8),
        ("2026-07-20 16:00", "quarter", "2026-Q2", "C", 61.0),
    ]


def write(engine):
    for stamp, level, period, grade, score in history_rows():
        frame = pd.DataFrame([{"park_code": "150200-P001", "level": level, "period": period, "grade": grade,
                               "score": score, "standard_version": "IM-ZCP-2026.1", "run_id": "r"}])
        append_grade_history(engine, frame, pd.Timestamp(stamp, tz=SH).to_pydatetime())


def test_published_as_of(warehouse_engine):
    write(warehouse_engine)
    history = read_table(warehouse_engine, "grade_history")
    rows = published_as_of(history, dt.date(2026, 5, 1))
    assert rows[["level", "period", "grade", "score", "revisions"]].values.tolist() == [
        ["quarter", "2025-Q4", "A", 86.0, 1],
        ["quarter", "2026-Q1", "B", 74.2, 1],
    ]
    rows = published_as_of(history, dt.date(2026, 5, 3))  # the correction counts on its own day (Shanghai)
    assert rows[["period", "grade", "score", "revisions"]].values.tolist() == [
        ["2025-Q4", "A", 86.0, 1],
        ["2026-Q1", "A", 85.1, 2],
    ]
    latest = published_as_of(history)
    assert latest[["level", "period", "grade"]].values.tolist() == [
        ["quarter", "2025-Q4", "A"], ["quarter", "2026-Q1", "A"], ["quarter", "2026-Q2", "C"], ["half", "2026-H1", "A"],
    ]
    assert published_as_of(history, dt.date(2026, 4, 19)).empty


def test_the_history_command(warehouse_engine, warehouse_url, monkeypatch, capsys):
    write(warehouse_engine)
    monkeypatch.setenv("ZC_WAREHOUSE_URL", warehouse_url)
    assert main(["history", "150200-P001", "--as-of", "2026-05-01"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "150200-P001 — grades published, as of 2026-05-01 (Asia/Shanghai) / 截至 2026-05-01"
    # rows written without a run's as-of date (before the column existed): "-", judged by their issue day
    assert out[2].split() == ["quarter", "2025-Q4", "A", "86.0", "IM-ZCP-2026.1", "-", "2026-04-20", "02:00:00Z", "1"]
    assert out[3].split() == ["quarter", "2026-Q1", "B", "74.2", "IM-ZCP-2026.1", "-", "2026-04-20", "02:00:00Z", "1"]
    assert len(out) == 4


def test_what_had_been_published_is_judged_by_the_runs_as_of_date_not_the_wall_clock(warehouse_engine):
    """Two runs on one afternoon: `zc run --as-of 2026-05-01` published Q1 as B, then
    `zc run --as-of 2026-07-15` (a correction had arrived) as A."""
    issued = pd.Timestamp("2026-12-06 15:00", tz=SH).to_pydatetime()
    for as_of, grade, score in ((dt.date(2026, 5, 1), "B", 74.2), (dt.date(2026, 7, 15), "A", 85.1)):
        frame = pd.DataFrame([{"park_code": "150200-P001", "level": "quarter", "period": "2026-Q1", "grade": grade,
                               "score": score, "standard_version": "IM-ZCP-2026.1", "run_id": "r", "as_of": as_of}])
        append_grade_history(warehouse_engine, frame, issued)
        issued += dt.timedelta(minutes=5)
    history = read_table(warehouse_engine, "grade_history")
    assert published_as_of(history, dt.date(2026, 4, 30)).empty
    assert published_as_of(history, dt.date(2026, 6, 1))[["period", "grade", "as_of", "revisions"]].values.tolist() == [
        ["2026-Q1", "B", dt.date(2026, 5, 1), 1]]
    assert published_as_of(history, dt.date(2026, 7, 15))[["grade", "revisions"]].values.tolist() == [["A", 2]]


def test_an_unknown_park_is_an_error_not_an_empty_table(warehouse_engine, warehouse_url, monkeypatch, capsys):
    write(warehouse_engine)
    monkeypatch.setenv("ZC_WAREHOUSE_URL", warehouse_url)
    assert main(["history", "150200-P999"]) == 2
    assert "park 150200-P999 is not among the warehouse's parks" in capsys.readouterr().err


def test_re_running_an_earlier_as_of_date_answers_for_that_date_and_leaves_the_later_publication(warehouse_engine):
    """`zc run --as-of 2026-07-15` publishes Q1 as B; then a re-run of `--as-of 2026-05-01` (when Q1
    still stood at A) publishes A. What stood on 1 May is A, what stands from 15 July is B."""
    issued = pd.Timestamp("2026-12-06 15:00", tz=SH).to_pydatetime()
    for as_of, grade, score in ((dt.date(2026, 7, 15), "B", 74.2), (dt.date(2026, 5, 1), "A", 85.1),
                                (dt.date(2026, 5, 1), "A", 85.1)):  # the third: nothing changed as of 1 May
        frame = pd.DataFrame([{"park_code": "150200-P001", "level": "quarter", "period": "2026-Q1", "grade": grade,
                               "score": score, "standard_version": "IM-ZCP-2026.1", "run_id": "r", "as_of": as_of}])
        append_grade_history(warehouse_engine, frame, issued)
        issued += dt.timedelta(minutes=5)
    history = read_table(warehouse_engine, "grade_history")
    assert len(history) == 2
    assert published_as_of(history, dt.date(2026, 6, 1))[["grade", "revisions"]].values.tolist() == [["A", 1]]
    assert published_as_of(history, dt.date(2026, 8, 1))[["grade", "revisions"]].values.tolist() == [["B", 2]]
    assert published_as_of(history)[["grade"]].values.tolist() == [["B"]]
