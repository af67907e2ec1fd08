"""Spot-check result and funding files (FILES.md §4–§5): one case per rule ID, and the reading itself."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from zc_pipeline.intake.catalogue import all_rules
from zc_pipeline.intake.programme_files import (ISSUE_COLUMNS, read_funding_file,
                                                read_verification_file)
from zc_pipeline.standards import load_standard

STD = load_standard()
HALF = "2026-H1"
REGISTRY = {"150100-P001", "150100-P002"}
IN_FORCE = {("150100-P001", "2026-01"), ("150100-P001", "2026-02"), ("150100-P002", "2026-03")}

V_HEADER = "park_code,period,verified_energy_tce,verified_co2_t,inspector,verified_on"
V_OK = "150100-P001,2026-01,100.5,250.0,张三,2026-07-15"  # line 2 in every case below
G_HEADER = "project_id,park_code,project_name,project_type,investment_10k_yuan,applied_on"
G_OK = "PJ-001,150100-P001,绿电直供一期,green_direct_supply,123.45,2026-03-01"


def limited(key: str, value: int):
    entries = {**STD.entries, key: {**STD.entries[key], "value": value}}
    return dataclasses.replace(STD, entries=entries)


# rule_id -> (file kind, file content (text, or bytes as stored), rulebook, [(row, column, value), ...])
CASES = {
    "V001": ("v", f'"{V_HEADER}\n150100-P001,2026-01\n', STD, [(None, None, "unexpected end of data")]),
    "V002": ("v", f"{V_HEADER}\n".encode() + b"\xff\xfe\xff\n", STD, [(None, None, None)]),
    "V003": ("v", "park_code,period,verified_energy_tce,verified_co2_t,inspector\n150100-P001,2026-01,1,2,x\n",
             STD, [(1, "verified_on", None)]),
    "V004": ("v", f"{V_HEADER}\n{V_OK}\n{V_OK}\n{V_OK}\n", limited("limit.rows", 2), [(None, None, "3")]),
    "V005": ("v", f"{V_HEADER}\n{V_OK}\n", limited("limit.file_bytes", 10),
             [(None, None, str(len(f"{V_HEADER}\n{V_OK}\n".encode())))]),
    "V010": ("v", f"{V_HEADER}\n150900-P009,2026-01,1,2,x,2026-07-15\n", STD, [(2, "park_code", "150900-P009")]),
    "V011": ("v", f"{V_HEADER}\n150100-P001,2026-13,1,2,x,2026-07-15\n", STD, [(2, "period", "2026-13")]),
    "V012": ("v", f"{V_HEADER}\n150100-P001,2026-07,1,2,x,2026-07-15\n", STD, [(2, "period", "2026-07")]),
    "V013": ("v", f"{V_HEADER}\n150100-P002,2026-01,1,2,x,2026-07-15\n", STD, [(2, "period", "2026-01")]),
    "V014": ("v", f"{V_HEADER}\n150100-P001,2026-01,1,约250,x,2026-07-15\n", STD, [(2, "verified_co2_t", "约250")]),
    "V015": ("v", f"{V_HEADER}\n150100-P001,2026-01,-1,2,x,2026-07-15\n", STD, [(2, "verified_energy_tce", "-1")]),
    "V016": ("v", f"{V_HEADER}\n150100-P001,2026-01,1,2,x,2026-02-30\n", STD, [(2, "verified_on", "2026-02-30")]),
    "V017": ("v", f"{V_HEADER}\n{V_OK}\n150100-P001,2026-01,1,2,y,2026-07-16\n", STD,
             [(2, "period", "2026-01"), (3, "period", "2026-01")]),
    "G001": ("g", f'"{G_HEADER}\nPJ-001,150100-P001\n', STD, [(None, None, "unexpected end of data")]),
    "G002": ("g", f"{G_HEADER}\n".encode() + b"\x80\xff\n", STD, [(None, None, None)]),
    "G003": ("g", "project_id,park_code,project_name,project_type,applied_on\nPJ-1,150100-P001,a,other,2026-03-01\n",
             STD, [(1, "investment_10k_yuan", None)]),
    "G004": ("g", f"{G_HEADER}\n{G_OK}\n{G_OK.replace('001', '002', 1)}\n", limited("limit.rows", 1), [(None, None, "2")]),
    "G005": ("g", f"{G_HEADER}\n{G_OK}\n", limited("limit.file_bytes", 10),
             [(None, None, str(len(f"{G_HEADER}\n{G_OK}\n".encode())))]),
    "G010": ("g", f"{G_HEADER}\nPJ-1,159900-P001,a,ccus_demo,1,2026-03-01\n", STD, [(2, "park_code", "159900-P001")]),
    "G011": ("g", f"{G_HEADER}\nPJ-1,15010-P1,a,ccus_demo,1,2026-03-01\n", STD, [(2, "park_code", "15010-P1")]),
    "G012": ("g", f"{G_HEADER}\n,150100-P001,a,ccus_demo,1,2026-03-01\n", STD, [(2, "project_id", "")]),
    "G013": ("g", f"{G_HEADER}\n{G_OK}\n{G_OK}\n", STD, [(2, "project_id", "PJ-001"), (3, "project_id", "PJ-001")]),
    "G014": ("g", f"{G_HEADER}\nPJ-1,150100-P001,a,solar_farm,1,2026-03-01\n", STD, [(2, "project_type", "solar_farm")]),
    "G015": ("g", f"{G_HEADER}\nPJ-1,150100-P001,a,ccus_demo,12万,2026-03-01\n", STD, [(2, "investment_10k_yuan", "12万")]),
    "G016": ("g", f"{G_HEADER}\nPJ-1,150100-P001,a,ccus_demo,-5,2026-03-01\n", STD, [(2, "investment_10k_yuan", "-5")]),
    "G017": ("g", f"{G_HEADER}\nPJ-1,150100-P001,a,ccus_demo,1,2026/02/30\n", STD, [(2, "applied_on", "2026/02/30")]),
}


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode(encoding)
    path.write_bytes(content)
    return path


def read(kind: str, path: Path, std=STD):
    if kind == "v":
        return read_verification_file(path, half=HALF, registry=REGISTRY, in_force=IN_FORCE, std=std)
    return read_funding_file(path, year=2026, registry=REGISTRY, std=std)


def test_every_programme_rule_has_a_case():
    registered = {rid for rid, r in all_rules().items() if r.applies_to in ("verification", "funding")}
    assert registered == set(CASES)
    assert all(rid[0] == ("V" if all_rules()[rid].applies_to == "verification" else "G") for rid in registered)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule(rule_id, tmp_path):
    kind, content, std, expected = CASES[rule_id]
    parsed = read(kind, write(tmp_path, f"{HALF if kind == 'v' else 2026}.csv", content), std)
    hits = parsed.issues[parsed.issues["rule_id"] == rule_id]
    assert parsed.issues.columns.tolist() == list(ISSUE_COLUMNS)
    got = [tuple(None if pd.isna(x) else x for x in row) for row in hits[["row", "column", "value"]].values.tolist()]
    if rule_id in ("V001", "G001"):  # the csv module's message, e.g. "unexpected end of data"
        got = [(r, c, expected[0][2] if expected[0][2] in v else v) for r, c, v in got]
    assert got == expected
    rule = all_rules()[rule_id]
    assert (hits["severity"] == rule.severity).all() and (hits["sheet"] == f"{HALF if kind == 'v' else 2026}.csv").all()
    assert hits["message_zh"].str.len().gt(0).all() and hits["message_en"].str.len().gt(0).all()
    if rule.level == "file":
        assert parsed.file_rejected and (parsed.rows["status"] == "rejected").all()
    elif rule.level == "record":
        rejected = set(parsed.rows.loc[parsed.rows["status"] == "rejected", "source_row"])
        assert rejected == {r for r, _, _ in expected}
    else:  # a warning keeps the row
        assert parsed.rows["status"].tolist() == ["accepted"]


def test_a_clean_verification_file_in_gb18030_with_blank_lines_and_normalised_numbers(tmp_path):
    text = (f"{V_HEADER}\n{V_OK}\n\n150100-P002,2026-03,\"1,234.5\",２５０,李四,2026/7/1\n")
    parsed = read("v", write(tmp_path, "2026-H1.csv", text, "gb18030"))
    assert parsed.issues.empty and not parsed.file_rejected
    rows = parsed.rows.to_dict("records")
    assert [r["source_row"] for r in rows] == [2, 4]  # line 3 is blank; header = line 1
    assert rows[1] | {} == {
        "source_row": 4, "half": HALF, "park_code": "150100-P002", "period": "2026-03",
        "verified_energy_tce": 1234.5, "verified_co2_t": 250.0, "inspector": "李四",
        "verified_on": dt.date(2026, 7, 1), "status": "accepted",
    }


def test_utf8_bom_and_a_quoted_line_break_keep_editor_line_numbers(tmp_path):
    text = f'\ufeff{G_HEADER}\nPJ-1,150100-P001,"二期\n扩建",ccus_demo,"1,000.50",2026-03-01\nPJ-2,150100-P001,c,other,x,2026-03-01\n'
    parsed = read("g", write(tmp_path, "2026.csv", text))
    assert parsed.rows["source_row"].tolist() == [2, 4]  # PJ-1 spans lines 2–3
    assert parsed.rows["investment_10k_yuan"].tolist() == ["1000.50", "x"]  # decimal text, never float
    assert parsed.rows["status"].tolist() == ["accepted", "rejected"]
    assert parsed.issues[["row", "rule_id"]].values.tolist() == [[4, "G015"]]


def test_chinese_project_types_are_accepted(tmp_path):
    text = f"{G_HEADER}\nPJ-1,150100-P001,a,碳捕集示范,1,2026-03-01\nPJ-2,150100-P001,a,绿电直供设施,1,2026-03-01\n"
    parsed = read("g", write(tmp_path, "2026.csv", text))
    assert parsed.rows["project_type"].tolist() == ["ccus_demo", "green_direct_supply"]


def test_a_missing_file_is_unreadable(tmp_path):
    parsed = read("v", tmp_path / "2026-H1.csv")
    assert parsed.issues["rule_id"].tolist() == ["V001"] and parsed.rows.empty


def test_rejected_rows_are_kept_with_every_issue(tmp_path):
    text = f"{V_HEADER}\n150900-P009,2026-08,x,-1,z,someday\n{V_OK}\n"
    parsed = read("v", write(tmp_path, "2026-H1.csv", text))
    assert parsed.rows["status"].tolist() == ["rejected", "accepted"]
    assert parsed.issues["rule_id"].tolist() == ["V010", "V012", "V014", "V015", "V016"]
    assert parsed.issues["row"].tolist() == [2] * 5
