"""The list and interview files recorded by the lifecycle stage: every file's rows kept under its own
path (a copy sent twice breaks nothing), re-reads idempotent, the history built from what is stored."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.stages.lifecycle import list_history, record_list_changes, write_cultivation_list
from zc_pipeline.standards import load_rulebooks, load_standard
from zc_pipeline.warehouse.engine import create_all
from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.domain.frames import dim, park

STD = load_standard()
P1, P2 = "150100-P001", "150100-P002"
REGISTRY = dim(park(P1), park(P2, on_cultivation_list=False))
BODY = f"park_code,action,effective_on,reason\n{P1},remove,2026-07-01,成效不足\n{P2},add,2026-07-01,新增\n"


def test_a_list_file_sent_twice_is_kept_twice_and_changes_the_list_once(tmp_path):
    # The same content under two names (a city re-sending its file): both files' rows are stored
    # (the key is the file's path and line), and the history has each change once: P001 listed
    # until 2026-07-01 (exclusive), P002 from 2026-07-01.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    create_all(engine)
    lists = tmp_path / "landing" / "lists"
    lists.mkdir(parents=True)
    for name in ("150100_2026-06-20.csv", "150100_2026-06-21.csv"):
        (lists / name).write_text(BODY, encoding="utf-8")
    rows = record_list_changes(engine, tmp_path, None, REGISTRY, {"150100"}, STD, dt.date(2026, 7, 15), "r1")
    assert sorted(zip(rows["source_file"], rows["source_row"], rows["status"])) == [
        ("landing/lists/150100_2026-06-20.csv", 2, "accepted"), ("landing/lists/150100_2026-06-20.csv", 3, "accepted"),
        ("landing/lists/150100_2026-06-21.csv", 2, "accepted"), ("landing/lists/150100_2026-06-21.csv", 3, "accepted")]
    assert rows["source_sha256"].nunique() == 1
    history = write_cultivation_list(engine, REGISTRY, load_rulebooks(), "r1")
    periods = [(r.park_code, str(r.valid_from), None if pd.isna(r.valid_to) else str(r.valid_to), bool(r.listed))
               for r in history.itertuples()]
    assert periods == [(P1, "2025-01-01", "2026-07-01", True), (P1, "2026-07-01", None, False),
                       (P2, "2025-01-01", "2026-07-01", False), (P2, "2026-07-01", None, True)]

    # read again: the same rows, the same history (full sorted dumps)
    before = read_table(engine, "list_change").drop(columns="run_id").sort_values(["source_file", "source_row"])
    record_list_changes(engine, tmp_path, None, REGISTRY, {"150100"}, STD, dt.date(2026, 7, 15), "r2")
    after = read_table(engine, "list_change").drop(columns="run_id").sort_values(["source_file", "source_row"])
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))
    pd.testing.assert_frame_equal(list_history(engine, REGISTRY, load_rulebooks()), history.drop(columns="run_id"))


def test_a_list_file_with_an_error_gets_a_receipt_and_its_issue_rows(tmp_path):
    # Line 3 names a Baotou park in Hohhot's file (L011): the file is registered (kind list), the
    # issue stored with file, line, column and rule, and the receipt written under receipts/lists/.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    create_all(engine)
    registry = dim(park(P1), park("150200-P001"))
    lists = tmp_path / "landing" / "lists"
    lists.mkdir(parents=True)
    (lists / "150100_2026-06-20.csv").write_text(
        f"park_code,action,effective_on,reason\n{P1},remove,2026-07-01,成效不足\n150200-P001,add,2026-07-01,误报\n",
        encoding="utf-8")
    receipts = tmp_path / "receipts"
    rows = record_list_changes(engine, tmp_path, receipts, registry, {"150100", "150200"}, STD, dt.date(2026, 7, 15), "r")
    assert rows["status"].tolist() == ["accepted", "rejected"]
    issues = read_table(engine, "validation_issue")
    assert issues[["source_file", "row", "column", "rule_id", "period"]].values.tolist() == [
        ["landing/lists/150100_2026-06-20.csv", 3, "park_code", "L011", "2026"]]
    files = read_table(engine, "landing_file")
    assert files[["source_file", "kind"]].values.tolist() == [["landing/lists/150100_2026-06-20.csv", "list"]]
    assert (receipts / "lists" / "150100_2026-06-20.csv.receipt.xlsx").exists()
