"""League-city list files and interview files (FILES.md §6): one case per rule ID, and the reading itself."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from zc_pipeline.intake.catalogue import all_rules
from zc_pipeline.intake.programme_files import ISSUE_COLUMNS, read_interview_file, read_list_file
from zc_pipeline.standards import load_standard

STD = load_standard()
HOHHOT, BAOTOU = "150100", "150200"
P1, P2, B1 = "150100-P001", "150100-P002", "150200-P001"
REGISTRY = pd.DataFrame({"park_code": [P1, P2, B1], "league_city_code": [HOHHOT, HOHHOT, BAOTOU],
                         "enrolled_on": [dt.date(2025, 1, 1), dt.date(2026, 7, 1), dt.date(2025, 1, 1)]})
CITIES = {HOHHOT, BAOTOU}
ALERTS = {(P1, "2026-03"), (P2, "2026-03"), (B1, "2026-05")}
AS_OF = dt.date(2026, 6, 30)

L_NAME = "150100_2026-06-20.csv"
L_HEADER = "park_code,action,effective_on,reason"
L_OK = f"{P1},remove,2026-07-01,成效不足"  # line 2 where it is used
I_NAME = "2026.csv"
I_HEADER = "park_code,alert_period,interviewed_on,note"
I_OK = f"{P1},2026-03,2026-04-20,市局约谈"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_list(tmp_path, text, name=L_NAME):
    return read_list_file(write(tmp_path, name, text), registry=REGISTRY, cities=CITIES, std=STD)


def read_interviews(tmp_path, text, name=I_NAME):
    return read_interview_file(write(tmp_path, name, text), registry=REGISTRY, alerts=ALERTS, as_of=AS_OF, std=STD)


def found(parsed) -> list[tuple]:
    """(line, rule_id, value) of each issue; a file issue has line None."""
    return [(None if pd.isna(r) else r, rid, None if pd.isna(v) else v)
            for r, rid, v in parsed.issues[["row", "rule_id", "value"]].values.tolist()]


# --- list files --------------------------------------------------------------------------------------

def test_chinese_headers_and_actions(tmp_path):
    # 纳入 -> add, 移出 -> remove; the city is the file name's (150100); dates read as dates.
    text = f"园区代码,操作,生效日期,原因\n{P2},纳入,2026-07-01,新增培育\n{P1},移出,2026/7/1,成效不足\n"
    parsed = read_list(tmp_path, text)
    assert parsed.issues.empty and not parsed.file_rejected
    assert parsed.rows.to_dict("records") == [
        {"source_row": 2, "league_city_code": HOHHOT, "park_code": P2, "action": "add",
         "effective_on": dt.date(2026, 7, 1), "reason": "新增培育", "status": "accepted"},
        {"source_row": 3, "league_city_code": HOHHOT, "park_code": P1, "action": "remove",
         "effective_on": dt.date(2026, 7, 1), "reason": "成效不足", "status": "accepted"},
    ]


@pytest.mark.parametrize("name", [
    "150100-2026-03-01.csv",  # a hyphen where the underscore goes
    "159900_2026-03-01.csv",  # no such league-city
    "150100_2026-02-30.csv",  # no such day
    "150100.csv",
])
def test_l006_a_bad_file_name_rejects_every_row(tmp_path, name):
    parsed = read_list(tmp_path, f"{L_HEADER}\n{L_OK}\n{P2},add,2026-07-01,新增\n", name)
    hits = parsed.issues[parsed.issues["rule_id"] == "L006"]
    assert len(hits) == 1 and pd.isna(hits.iloc[0]["row"]) and hits.iloc[0]["sheet"] == name
    assert name in hits.iloc[0]["message_en"]
    assert parsed.file_rejected and parsed.rows["status"].tolist() == ["rejected", "rejected"]
    assert parsed.rows["league_city_code"].isna().all()


def test_l006_alone_when_the_name_gives_no_city(tmp_path):
    # The park 150100-P001 is Hohhot's and the file was meant for Hohhot: the only problem is the name.
    parsed = read_list(tmp_path, f"{L_HEADER}\n{L_OK}\n", "150100-2026-03-01.csv")
    assert found(parsed) == [(None, "L006", None)]


@pytest.mark.parametrize("line, expected", [
    ("150900-P009,add,2026-07-01,x", ("L010", "park_code", "150900-P009")),  # not registered
    (f"{B1},remove,2026-07-01,x", ("L011", "park_code", B1)),  # Baotou's park in Hohhot's file
    (f"{P1},删除,2026-07-01,x", ("L012", "action", "删除")),  # neither add/remove nor 纳入/移出
    (f"{P1},remove,2026-13-01,x", ("L013", "effective_on", "2026-13-01")),  # month 13
    (f"{P1},remove,,x", ("L013", "effective_on", "")),  # blank
])
def test_list_record_rules_reject_their_row_only(tmp_path, line, expected):
    # line 2 = the bad row, line 3 = a good one (P002 added).
    rule_id, column, value = expected
    parsed = read_list(tmp_path, f"{L_HEADER}\n{line}\n{P2},add,2026-07-01,新增\n")
    assert parsed.issues.columns.tolist() == list(ISSUE_COLUMNS)
    assert parsed.issues[["row", "rule_id", "column", "value"]].values.tolist() == [[2, rule_id, column, value]]
    assert parsed.rows["status"].tolist() == ["rejected", "accepted"]
    issue = parsed.issues.iloc[0]
    assert issue["severity"] == all_rules()[rule_id].severity and issue["message_zh"]
    if value:
        assert value in issue["message_en"]
    if rule_id == "L011":
        assert "league-city 150100" in issue["message_en"]  # the city that sent the file


def test_l015_a_change_before_the_park_s_enrolment(tmp_path):
    # P002 is enrolled on 2026-07-01: a change from 2026-06-30 (the day before) is rejected, one from
    # 2026-07-01 (the enrolment day itself) is accepted.
    before = read_list(tmp_path, f"{L_HEADER}\n{P2},add,2026-06-30,提前\n")
    assert found(before) == [(2, "L015", "2026-06-30")]
    assert P2 in before.issues.iloc[0]["message_en"]
    on_the_day = read_list(tmp_path, f"{L_HEADER}\n{P2},add,2026-07-01,新增\n")
    assert on_the_day.issues.empty and on_the_day.rows["status"].tolist() == ["accepted"]


def test_l014_a_park_twice_rejects_both_rows(tmp_path):
    # P001 on lines 2 and 4 (remove, then add): neither can be taken as the right one; P002 (line 3) stays.
    text = f"{L_HEADER}\n{L_OK}\n{P2},add,2026-07-01,新增\n{P1},add,2026-08-01,恢复\n"
    parsed = read_list(tmp_path, text)
    assert found(parsed) == [(2, "L014", P1), (4, "L014", P1)]
    assert parsed.rows["status"].tolist() == ["rejected", "accepted", "rejected"]


# --- interview files ---------------------------------------------------------------------------------

def test_a_clean_interview_file_with_chinese_headers(tmp_path):
    parsed = read_interviews(tmp_path, f"园区代码,反弹月份,约谈日期,备注\n{I_OK}\n")
    assert parsed.issues.empty and not parsed.file_rejected
    assert parsed.rows.to_dict("records") == [{
        "source_row": 2, "park_code": P1, "alert_period": "2026-03", "interviewed_on": dt.date(2026, 4, 20),
        "note": "市局约谈", "status": "accepted"}]


@pytest.mark.parametrize("name", ["2026-H1.csv", "interviews_2026.csv", "26.csv"])
def test_i006_a_bad_file_name_rejects_every_row(tmp_path, name):
    parsed = read_interviews(tmp_path, f"{I_HEADER}\n{I_OK}\n", name)
    assert found(parsed) == [(None, "I006", None)]
    assert name in parsed.issues.iloc[0]["message_en"]
    assert parsed.file_rejected and parsed.rows["status"].tolist() == ["rejected"]


@pytest.mark.parametrize("line, expected", [
    ("150900-P009,2026-03,2026-04-20,x", ("I010", "park_code", "150900-P009")),  # not registered
    (f"{P1},2026-13,2026-04-20,x", ("I011", "alert_period", "2026-13")),  # no month 13
    (f"{P1},2026-04,2026-05-20,x", ("I012", "alert_period", "2026-04")),  # P001 has no 2026-04 alert
    (f"{B1},2026-03,2026-04-20,x", ("I012", "alert_period", "2026-03")),  # B1's alert is 2026-05
    (f"{P1},2026-03,2026-04-31,x", ("I013", "interviewed_on", "2026-04-31")),  # April has 30 days
    # 2026-03's rebound is known once March has ended: 2026-03-31 is too early
    (f"{P1},2026-03,2026-03-31,x", ("I014", "interviewed_on", "2026-03-31")),
    # as_of 2026-06-30: an interview of 2026-07-01 has not happened yet
    (f"{P1},2026-03,2026-07-01,x", ("I015", "interviewed_on", "2026-07-01")),
])
def test_interview_record_rules_reject_their_row_only(tmp_path, line, expected):
    # line 2 = the bad row, line 3 = P002's good interview of its 2026-03 alert.
    rule_id, column, value = expected
    parsed = read_interviews(tmp_path, f"{I_HEADER}\n{line}\n{P2},2026-03,2026-04-25,x\n")
    assert parsed.issues[["row", "rule_id", "column", "value"]].values.tolist() == [[2, rule_id, column, value]]
    assert parsed.rows["status"].tolist() == ["rejected", "accepted"]
    issue = parsed.issues.iloc[0]
    assert issue["severity"] == all_rules()[rule_id].severity and value in issue["message_en"]
    if rule_id == "I015":
        assert "2026-06-30" in issue["message_en"]  # the as-of day


def test_i014_the_first_day_after_the_rebound_month_is_accepted(tmp_path):
    # 2026-03 ends 2026-03-31, so 2026-04-01 is the first day an interview can be held; as_of
    # 2026-06-30 exactly (line 3) is not after it.
    parsed = read_interviews(tmp_path, f"{I_HEADER}\n{P1},2026-03,2026-04-01,x\n{P2},2026-03,2026-06-30,x\n")
    assert parsed.issues.empty
    assert parsed.rows["status"].tolist() == ["accepted", "accepted"]


def test_i016_a_repeated_park_and_alert_period_rejects_all_its_rows(tmp_path):
    # P001 2026-03 on lines 2 and 3 (two dates): both rejected; P002 on line 4 stays.
    text = f"{I_HEADER}\n{I_OK}\n{P1},2026-03,2026-04-22,复谈\n{P2},2026-03,2026-04-25,x\n"
    parsed = read_interviews(tmp_path, text)
    assert found(parsed) == [(2, "I016", "2026-03"), (3, "I016", "2026-03")]
    assert parsed.rows["status"].tolist() == ["rejected", "rejected", "accepted"]
    assert P1 in parsed.issues.iloc[0]["message_en"]


def test_a_gb18030_list_file_with_chinese_headers(tmp_path):
    # FILES.md: UTF-8 or GB18030; the same rows read either way.
    path = tmp_path / L_NAME
    path.write_bytes(f"园区代码,操作,生效日期,原因\n{P1},移出,2026-07-01,成效不足\n".encode("gb18030"))
    parsed = read_list_file(path, registry=REGISTRY, cities=CITIES, std=STD)
    assert parsed.issues.empty
    assert parsed.rows[["park_code", "action", "reason", "status"]].values.tolist() == [[P1, "remove", "成效不足", "accepted"]]
