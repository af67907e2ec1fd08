"""Spot-check and funding files: a malformed line is rejected alone, nothing non-finite is read,
and every file with an issue gets a receipt."""
from __future__ import annotations

import openpyxl
import sqlalchemy as sa

from zc_pipeline.intake.programme_files import read_funding_file, read_verification_file
from zc_pipeline.stages.programme_intake import record_programme_file
from zc_pipeline.standards import load_standard
from zc_pipeline.warehouse.engine import create_all

STD = load_standard()
HALF = "2026-H1"
REGISTRY = {"150100-P001", "150100-P002"}
IN_FORCE = {("150100-P001", "2026-01"), ("150100-P002", "2026-03")}
V_HEADER = "park_code,period,verified_energy_tce,verified_co2_t,inspector,verified_on"
V_OK = "150100-P002,2026-03,80,200.5,李四,2026-07-15"
G_HEADER = "project_id,park_code,project_name,project_type,investment_10k_yuan,applied_on"


def verification(tmp_path, body: str):
    path = tmp_path / "verifications" / f"{HALF}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{V_HEADER}\n{body}", encoding="utf-8")
    return path, read_verification_file(path, half=HALF, registry=REGISTRY, in_force=IN_FORCE, std=STD)


def issues(parsed):
    return parsed.issues[["row", "rule_id", "value"]].values.tolist()


def test_an_unclosed_quote_rejects_its_line_and_the_next_line_is_read(tmp_path):
    _, parsed = verification(tmp_path, f'150100-P001,"2026-01,100,250,张三,2026-07-15\n{V_OK}\n')
    assert issues(parsed) == [[2, "R014", '150100-P001,"2026-01,100,250,张三,2026-07-15']]
    assert parsed.rows[["source_row", "status"]].values.tolist() == [[2, "rejected"], [3, "accepted"]]
    assert parsed.rows.set_index("source_row").at[3, "verified_co2_t"] == 200.5


def test_a_field_too_many_shifts_nothing(tmp_path):
    # verified_co2_t written 1,250.0 without quotes: 7 fields against the header's 6
    _, parsed = verification(tmp_path, f"150100-P001,2026-01,100,1,250.0,张三,2026-07-15\n{V_OK}\n")
    assert issues(parsed) == [[2, "R013", "7"]]
    assert parsed.rows["status"].tolist() == ["rejected", "accepted"]


def test_a_number_beyond_float_is_not_a_number(tmp_path):
    _, parsed = verification(tmp_path, "150100-P001,2026-01,100,1e999,张三,2026-07-15\n")
    assert issues(parsed) == [[2, "V014", "1e999"]]


def test_funding_investment_beyond_float_is_not_a_number(tmp_path):
    path = tmp_path / "2026.csv"
    path.write_text(f"{G_HEADER}\nPJ-1,150100-P001,a,other,1e999,2026-03-01\n", encoding="utf-8")
    parsed = read_funding_file(path, year=2026, registry=REGISTRY, std=STD)
    assert issues(parsed) == [[2, "G015", "1e999"]]


def test_every_programme_file_with_an_issue_gets_a_receipt(tmp_path):
    path, parsed = verification(tmp_path, f"150100-P001,2026-01,100,1e999,张三,2026-07-15\n{V_OK}\n")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    create_all(engine)
    with engine.begin() as conn:
        record_programme_file(conn, path, tmp_path, "verification", HALF, parsed, "run-1",
                              receipts_dir=tmp_path / "receipts")
    receipt = tmp_path / "receipts" / "verifications" / f"{HALF}.csv.receipt.xlsx"
    wb = openpyxl.load_workbook(receipt)
    summary = {r[0].value: r[1].value for r in wb.worksheets[0].iter_rows(min_row=2)}
    assert (summary["记录数/records"], summary["接受/accepted"], summary["拒收/rejected"]) == (2, 1, 1)
    assert [c.value for c in wb.worksheets[1][2]][2:6] == [2, "verified_co2_t", "1e999", "V014"]


def test_a_file_error_receipt_counts_one_rejected_record(tmp_path):
    path, parsed = verification(tmp_path, "")
    path.write_bytes(b"\xff\xfe\x80\x81")  # neither UTF-8 nor GB18030
    parsed = read_verification_file(path, half=HALF, registry=REGISTRY, in_force=IN_FORCE, std=STD)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    create_all(engine)
    with engine.begin() as conn:
        record_programme_file(conn, path, tmp_path, "verification", HALF, parsed, "run-1",
                              receipts_dir=tmp_path / "receipts")
    wb = openpyxl.load_workbook(tmp_path / "receipts" / "verifications" / f"{HALF}.csv.receipt.xlsx")
    summary = {r[0].value: r[1].value for r in wb.worksheets[0].iter_rows(min_row=2)}
    assert summary["结论/verdict"].startswith("拒收") and summary["拒收/rejected"] == 1
