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
    assert out[2].split() == ["quarter", "2025-Q4", "A", "86.0", "IM-ZCP-2026.1", "2026-04-20", "02:00:00Z", "1"]
    assert out[3].split() == ["quarter", "2026-Q1", "B", "74.2", "IM-ZCP-2026.1", "2026-04-20", "02:00:00Z", "1"]
    assert len(out) == 4
