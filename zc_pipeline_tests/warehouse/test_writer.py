"""Partition replace, insert-only history, status updates and grade history — on both databases."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from zc_pipeline.warehouse import writer
from zc_pipeline.warehouse.writer import (
    add_issue_ids,
    append_grade_history,
    dump_sorted,
    insert_new,
    read_table,
    replace_partition,
    row_counts,
    update_rows,
)

UTC = dt.timezone.utc


def park_months(period: str, parks: int = 3, co2: float = 10.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "park_code": [f"150200-P{i:03d}" for i in range(1, parks + 1)],
            "period": period,
            "grid_electricity_mwh": np.arange(parks, dtype="float64") * 100.0,
            "co2_t": [co2 + i for i in range(parks)],
            "carbon_per_energy": [0.5, np.nan, None][:parks] + [0.4] * max(0, parks - 3),
            "on_time": pd.array([True, False, pd.NA][:parks] + [True] * max(0, parks - 3), dtype="boolean"),
            "run_id": "run-1",
            "standard_version": "IM-ZCP-2026.1",
        }
    )


def test_replace_partition_is_idempotent_and_leaves_other_partitions(warehouse_engine):
    replace_partition(warehouse_engine, "park_month", park_months("2026-02", co2=1.0), {"period": "2026-02"})
    replace_partition(warehouse_engine, "park_month", park_months("2026-03"), {"period": "2026-03"})
    first = dump_sorted(warehouse_engine, "park_month")
    rerun = park_months("2026-03").assign(run_id="run-2")
    assert replace_partition(warehouse_engine, "park_month", rerun, {"period": "2026-03"}) == 3
    assert dump_sorted(warehouse_engine, "park_month").equals(first)
    assert len(first) == 6

    # A smaller re-run replaces exactly its partition; February is untouched.
    replace_partition(warehouse_engine, "park_month", park_months("2026-03", parks=1), {"period": ["2026-03"]})
    stored = read_table(warehouse_engine, "park_month")
    assert stored.groupby("period").size().to_dict() == {"2026-02": 3, "2026-03": 1}
    assert read_table(warehouse_engine, "park_month", {"period": "2026-02"})["co2_t"].tolist() == [1.0, 2.0, 3.0]


def test_missing_values_become_null(warehouse_engine):
    replace_partition(warehouse_engine, "park_month", park_months("2026-03"), {"period": "2026-03"})
    stored = read_table(warehouse_engine, "park_month")
    assert stored["carbon_per_energy"].isna().tolist() == [False, True, True]
    assert stored["on_time"].tolist() == [True, False, None]
    assert stored["reported_co2_t"].isna().all()  # column not in the frame


def test_replace_partition_rolls_back_with_the_transaction(warehouse_engine):
    replace_partition(warehouse_engine, "park_month", park_months("2026-03"), {"period": "2026-03"})
    before = dump_sorted(warehouse_engine, "park_month")
    duplicate_pk = pd.concat([park_months("2026-04"), park_months("2026-04")])
    with pytest.raises(sa.exc.IntegrityError):
        with warehouse_engine.begin() as conn:
            replace_partition(conn, "park_month", park_months("2026-03", co2=99.0), {"period": "2026-03"})
            replace_partition(conn, "park_month", duplicate_pk, {"period": "2026-04"})
    assert dump_sorted(warehouse_engine, "park_month").equals(before)


def test_replace_partition_refuses_bad_frames(warehouse_engine):
    with pytest.raises(ValueError, match="not in warehouse table park_month: colour"):
        replace_partition(warehouse_engine, "park_month", park_months("2026-03").assign(colour="red"), {"period": "2026-03"})
    with pytest.raises(ValueError, match="outside the partition"):
        replace_partition(warehouse_engine, "park_month", park_months("2026-04"), {"period": "2026-03"})
    with pytest.raises(ValueError, match="unknown warehouse table"):
        replace_partition(warehouse_engine, "park_months", park_months("2026-03"), {"period": "2026-03"})


def test_types_are_converted(warehouse_engine):
    frame = pd.DataFrame(
        {
            "year": ["2026", "2026"],
            "project_id": ["F-1", "F-2"],
            "investment_yuan": np.array([123_456_789_012, 5], dtype="int64"),
            "score": [np.float64(88.5), np.nan],
            "eligible": np.array([True, False]),
            "priority": pd.array([1, pd.NA], dtype="Int64"),
            "allocated_yuan": [3.0, 0.0],  # whole floats are fine for integer columns
        }
    )
    replace_partition(warehouse_engine, "funding_allocation", frame, {"year": 2026})
    stored = read_table(warehouse_engine, "funding_allocation")
    assert stored["investment_yuan"].tolist() == [123_456_789_012, 5]
    assert stored["eligible"].tolist() == [True, False]
    assert stored["allocated_yuan"].tolist() == [3, 0]
    with pytest.raises(ValueError, match="allocated_yuan.*not a whole number"):
        replace_partition(warehouse_engine, "funding_allocation", frame.assign(allocated_yuan=0.5), {"year": "2026"})

    stamps = pd.DataFrame(
        {
            "source_sha256": ["a", "b"],
            "source_file": ["2026-03/x.xlsx", "2026-03/y.csv"],
            "first_seen_at": [pd.Timestamp("2026-04-01 08:00", tz="Asia/Shanghai"), pd.Timestamp("2026-04-01 00:00")],
        }
    )
    insert_new(warehouse_engine, "landing_file", stamps)
    seen = read_table(warehouse_engine, "landing_file")["first_seen_at"].tolist()
    assert seen == [pd.Timestamp("2026-04-01 00:00", tz="UTC")] * 2  # aware -> UTC; naive taken as UTC

    dims = pd.DataFrame({"park_code": ["150200-P001"], "enrolled_on": [pd.Timestamp("2025-03-01")], "baseline_year": [2025]})
    replace_partition(warehouse_engine, "dim_park", dims, {})
    assert read_table(warehouse_engine, "dim_park")["enrolled_on"].tolist() == [dt.date(2025, 3, 1)]


def test_values_already_of_the_column_type_pass_through_and_the_rest_are_converted():
    # The pass-through (exact str / float / int) must give what the conversion gives.
    table = writer.TABLES["funding_allocation"]
    text = writer._column_values(table, "project_id", ["F-1", np.str_("F-2"), 7, dt.date(2026, 1, 2), None, np.nan])
    assert text == ["F-1", "F-2", "7", "2026-01-02", None, None]
    assert [type(v) for v in text[:4]] == [str, str, str, str]
    score = writer._column_values(table, "score", [88.5, np.float64(2.5), float("nan"), None, 3, pd.NA])
    assert score == [88.5, 2.5, None, None, 3.0, None] and [type(v) for v in score[:2]] == [float, float]
    money = writer._column_values(table, "investment_yuan", [5, np.int64(6), 7.0, True, None])
    assert money == [5, 6, 7, 1, None] and [type(v) for v in money[:4]] == [int, int, int, int]
    with pytest.raises(ValueError, match="not a whole number"):
        writer._column_values(table, "investment_yuan", [7.5])


def test_insert_stores_dates_stamps_flags_and_nulls(warehouse_engine):
    """The rows `_records` makes of a frame read back as the values they stand for (dates, aware and
    naive stamps, flags, NULLs), on both databases."""
    frame = pd.DataFrame({
        "submission_id": ["d1", "d2", "d3"],
        "park_code": ["150200-P001", None, "150200-P003"],
        "period": "2026-03",
        "source_row": pd.array([2, pd.NA, 4], dtype="Int64"),
        "submitted_on": [dt.date(2026, 4, 5), None, dt.date(2026, 4, 30)],
        "received_at": [pd.Timestamp("2026-04-06 09:30", tz="Asia/Shanghai"), pd.Timestamp("2026-04-06 01:30"), pd.NaT],
        "status": ["accepted", "rejected", "superseded"],
        "in_force": [True, False, False],
        "error_count": [0, 3, 0],
        "run_id": "run-1",
    })
    table = writer._table("submission")
    with warehouse_engine.begin() as conn:
        assert writer._insert(conn, table, writer._records(table, frame)) == 3
    stored = read_table(warehouse_engine, "submission")
    assert stored["park_code"].tolist()[::2] == ["150200-P001", "150200-P003"] and pd.isna(stored["park_code"][1])
    assert stored["source_row"].tolist()[::2] == [2, 4] and pd.isna(stored["source_row"][1])
    assert stored["submitted_on"].tolist() == [dt.date(2026, 4, 5), None, dt.date(2026, 4, 30)]
    assert stored["received_at"].tolist()[:2] == [pd.Timestamp("2026-04-06 01:30", tz="UTC")] * 2  # 09:30 +08 = 01:30 UTC
    assert stored["received_at"].isna().tolist() == [False, False, True]
    assert stored["in_force"].tolist() == [True, False, False]
    assert stored["error_count"].tolist() == [0, 3, 0]


def test_insert_if_absent_keeps_stored_rows_and_the_first_of_repeats(warehouse_engine, monkeypatch):
    """insert_prepared is the dialect's INSERT ... ON CONFLICT (key) DO NOTHING, executemany in
    chunks: stored rows and later repeats are skipped, and only the rows stored are counted."""
    table = writer._table("submission")
    with warehouse_engine.begin() as conn:
        stmt = writer._insert_or_skip(conn, table)
        assert str(stmt.compile(dialect=conn.dialect)).endswith("ON CONFLICT (submission_id) DO NOTHING")
        conn.execute(table.insert(), [{"submission_id": "s1", "period": "2026-03", "status": "accepted"}])
    monkeypatch.setattr(writer, "CHUNK_ROWS", 2)  # the repeat of s2 lands in the next chunk
    rows = [
        {"submission_id": "s1", "period": "2026-03", "status": "rejected"},  # stored already: skipped
        {"submission_id": "s2", "period": "2026-03", "status": "accepted"},
        {"submission_id": "s2", "period": "2026-03", "status": "superseded"},  # a repeat: skipped
        {"submission_id": "s3", "period": "2026-03", "status": "accepted"},
        {"submission_id": "s3", "period": "2026-03", "status": "rejected"},  # a repeat in the same chunk
    ]
    assert writer.insert_prepared(warehouse_engine, "submission", rows) == 2  # s2, s3
    assert writer.insert_prepared(warehouse_engine, "submission", rows) == 0
    assert writer.insert_prepared(warehouse_engine, "submission", []) == 0
    stored = read_table(warehouse_engine, "submission")[["submission_id", "status"]]
    assert stored.values.tolist() == [["s1", "accepted"], ["s2", "accepted"], ["s3", "accepted"]]


def test_bulk_write_of_ten_thousand_rows(warehouse_engine):
    n = 12_000
    frame = pd.DataFrame(
        {"park_code": [f"P{i:05d}" for i in range(n)], "period": "2026-03", "co2_t": np.linspace(0, 1, n), "run_id": "r"}
    )
    assert replace_partition(warehouse_engine, "park_month", frame, {"period": "2026-03"}) == n
    assert row_counts(warehouse_engine)["park_month"] == n


def submissions(status: str = "accepted") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "submission_id": ["s1", "s2"],
            "park_code": ["150200-P001", "150200-P002"],
            "period": "2026-03",
            "source_row": pd.array([2, pd.NA], dtype="Int64"),
            "submitted_on": [dt.date(2026, 4, 5), dt.date(2026, 4, 12)],
            "status": status,
            "in_force": True,
            "run_id": "run-1",
        }
    )


def test_insert_new_never_duplicates_nor_updates(warehouse_engine):
    assert insert_new(warehouse_engine, "submission", submissions()) == 2
    assert insert_new(warehouse_engine, "submission", submissions(status="rejected")) == 0
    more = pd.concat([submissions(), submissions().assign(submission_id="s3"), submissions().assign(submission_id="s3")])
    assert insert_new(warehouse_engine, "submission", more) == 1
    stored = read_table(warehouse_engine, "submission")
    assert stored["submission_id"].tolist() == ["s1", "s2", "s3"]
    assert set(stored["status"]) == {"accepted"}

    values = pd.DataFrame({"submission_id": ["s1", "s1"], "field": ["raw_coal_t", "diesel_t"], "row": [5, 6]})
    assert insert_new(warehouse_engine, "submitted_value", values) == 2
    assert insert_new(warehouse_engine, "submitted_value", values) == 0  # composite key


def test_update_rows_changes_only_the_named_columns(warehouse_engine):
    insert_new(warehouse_engine, "submission", submissions())
    change = pd.DataFrame({"submission_id": ["s1"], "status": ["superseded"], "in_force": [False]})
    assert update_rows(warehouse_engine, "submission", change, ["submission_id"], ["status", "in_force"]) == 1
    stored = read_table(warehouse_engine, "submission").set_index("submission_id")
    assert stored.loc["s1", ["status", "in_force"]].tolist() == ["superseded", False]
    assert stored.loc["s2", ["status", "in_force"]].tolist() == ["accepted", True]
    assert stored.loc["s1", "run_id"] == "run-1"


def test_validation_issue_ids_are_stable(warehouse_engine):
    issues = pd.DataFrame(
        {
            "submission_id": ["s1", "s1"],
            "period": ["2026-03", "2026-03"],
            "sheet": ["能源消费", None],
            "row": pd.array([4, pd.NA], dtype="Int64"),
            "column": ["C", None],
            "value": ["-3", None],
            "severity": ["error", "warning"],
            "rule_id": ["E-NEG", "W-VA0"],
            "message_zh": ["消费量不能为负", "增加值为0"],
            "message_en": ["negative quantity", "value added is 0"],
            "run_id": "run-1",
        }
    )
    first = add_issue_ids(issues)
    assert first["issue_id"].str.len().tolist() == [24, 24]
    assert add_issue_ids(issues.assign(run_id="run-2", message_en="reworded"))["issue_id"].equals(first["issue_id"])
    assert insert_new(warehouse_engine, "validation_issue", first) == 2
    assert insert_new(warehouse_engine, "validation_issue", add_issue_ids(issues.assign(run_id="run-2"))) == 0


def grades(grade: str, score: float, version: str = "IM-ZCP-2026.1") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "park_code": ["150200-P001"],
            "level": ["quarter"],
            "period": ["2026-Q1"],
            "grade": [grade],
            "score": [score],
            "standard_version": [version],
            "run_id": ["run"],
        }
    )


def test_grade_history_appends_only_on_change(warehouse_engine):
    t0 = dt.datetime(2026, 4, 11, 9, 0, tzinfo=UTC)
    steps = [("A", 80.0), ("A", 80.0), ("B", 72.5), ("A", 80.0)]
    appended = [
        append_grade_history(warehouse_engine, grades(g, s), t0 + dt.timedelta(days=i)) for i, (g, s) in enumerate(steps)
    ]
    assert appended == [1, 0, 1, 1]  # A -> (same) -> B -> back to A
    history = read_table(warehouse_engine, "grade_history")
    assert history["grade"].tolist() == ["A", "B", "A"]
    assert history["issued_at"].tolist() == [pd.Timestamp(t0 + dt.timedelta(days=d)) for d in (0, 2, 3)]
    # A new rulebook version is a change; the same frame twice in one run is not.
    later = t0 + dt.timedelta(days=9)
    assert append_grade_history(warehouse_engine, grades("A", 80.0, "IM-ZCP-2027.1"), later) == 1
    assert append_grade_history(warehouse_engine, grades("A", 80.0, "IM-ZCP-2027.1"), later) == 0
    # Another window of the same park has its own history.
    assert append_grade_history(warehouse_engine, grades("A", 80.0).assign(period="2026-Q2"), later) == 1
    assert len(read_table(warehouse_engine, "grade_history")) == 5


def test_grade_history_same_transaction_as_the_assessment(warehouse_engine):
    t0 = dt.datetime(2026, 4, 11, tzinfo=UTC)
    assessment = pd.DataFrame({"park_code": ["150200-P001"], "quarter": ["2026-Q1"], "grade": ["A"], "score": [80.0]})
    with pytest.raises(RuntimeError):
        with warehouse_engine.begin() as conn:
            replace_partition(conn, "park_quarter_assessment", assessment, {"quarter": "2026-Q1"})
            append_grade_history(conn, grades("A", 80.0), t0)
            raise RuntimeError("the run fails after writing")
    counts = row_counts(warehouse_engine)
    assert counts["park_quarter_assessment"] == counts["grade_history"] == 0


def test_grade_history_unique_key_guards_double_appends(warehouse_engine):
    t0 = dt.datetime(2026, 4, 11, tzinfo=UTC)
    append_grade_history(warehouse_engine, grades("A", 80.0), t0)
    with pytest.raises(sa.exc.IntegrityError):
        append_grade_history(warehouse_engine, grades("B", 70.0), t0)  # same issue instant, other grade
    with pytest.raises(ValueError, match="more than one row"):
        append_grade_history(warehouse_engine, pd.concat([grades("A", 80.0), grades("B", 70.0)]), t0)


def test_read_table_splits_a_long_in_list(warehouse_engine, monkeypatch):
    monkeypatch.setattr(writer, "IN_CHUNK", 7)  # stands in for SQLite's 32766-parameter limit
    ids = [f"s{i:03d}" for i in range(40)]
    insert_new(warehouse_engine, "submission", pd.DataFrame({"submission_id": ids, "period": "2026-03"}))
    wanted = ids[::-2] + ["missing"]
    stored = read_table(warehouse_engine, "submission", where={"submission_id": wanted, "period": "2026-03"})
    assert stored["submission_id"].tolist() == sorted(wanted[:-1])
    assert read_table(warehouse_engine, "submission", where={"submission_id": []}).empty
    # 40 ids, every second one from the end: 20 stored ids + 1 missing = 21 values in 3 statements of <= 7
    assert writer.count_rows(warehouse_engine, "submission", where={"submission_id": wanted, "period": "2026-03"}) == 20
    assert writer.count_rows(warehouse_engine, "submission", where={"period": "2026-04"}) == 0
    assert writer.count_rows(warehouse_engine, "submission") == 40


def test_distinct_values_of_a_column(warehouse_engine):
    frame = pd.DataFrame({"year": ["2026", "2026", "2027"], "project_id": ["F-1", "F-2", "F-1"]})
    replace_partition(warehouse_engine, "funding_allocation", frame, {"year": [2026, 2027]})
    assert writer.distinct_values(warehouse_engine, "funding_allocation", "year") == {"2026", "2027"}  # year is text
    assert writer.distinct_values(warehouse_engine, "funding_allocation", "project_id") == {"F-1", "F-2"}


@pytest.mark.parametrize("warehouse_target", [pytest.param("postgresql", marks=pytest.mark.pg)], indirect=True)
def test_a_partition_lock_makes_a_second_transaction_wait_until_the_first_ends(warehouse_engine):
    """rebound_alert reads park_month after taking its table's turn: while one transaction holds
    it, another cannot take it (here it gives up after 200 ms); once the first commits, it can.
    (PostgreSQL only: on SQLite the write transaction is the lock, one writer at a time.)"""
    with warehouse_engine.connect() as first, warehouse_engine.connect() as second:
        first.begin()
        writer.lock_partition(first, "rebound_alert", {})
        second.begin()
        second.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            writer.lock_partition(second, "rebound_alert", {})
        second.rollback()
        second.begin()
        second.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
        writer.lock_partition(second, "park_month", {"period": "2026-03"})  # another partition: no wait
        second.commit()
        first.commit()
        second.begin()
        second.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
        writer.lock_partition(second, "rebound_alert", {})
        second.commit()
