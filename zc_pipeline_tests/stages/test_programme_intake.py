"""A programme file read again replaces its own issues for its period (its verdict against the warehouse
as it is now); another version of the file keeps the rows it was given."""
from __future__ import annotations

import sqlalchemy as sa

from zc_pipeline.intake.programme_files import read_verification_file
from zc_pipeline.stages.programme_intake import record_programme_file
from zc_pipeline.standards import load_standard
from zc_pipeline.warehouse.engine import create_all
from zc_pipeline.warehouse.writer import read_table

STD = load_standard()
HALF = "2026-H1"
PARK = "150100-P001"
HEADER = "park_code,period,verified_energy_tce,verified_co2_t,inspector,verified_on"
JANUARY, FEBRUARY = f"{PARK},2026-01,300,609.6,张三,2026-07-03", f"{PARK},2026-02,300,609.6,张三,2026-07-03"


def record(engine, tmp_path, body: str, in_force: set) -> str:
    path = tmp_path / "verifications" / f"{HALF}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{HEADER}\n{body}\n", encoding="utf-8")
    parsed = read_verification_file(path, half=HALF, registry={PARK}, in_force=in_force, std=STD)
    with engine.begin() as conn:
        return record_programme_file(conn, path, tmp_path, "verification", HALF, parsed, "run",
                                     receipts_dir=tmp_path / "receipts")


def stored(engine) -> list[tuple]:
    rows = read_table(engine, "validation_issue")
    return sorted(zip(rows["source_sha256"], rows["row"], rows["rule_id"], rows["value"]))


def test_a_reread_after_the_month_arrived_drops_the_v013_row_and_its_receipt(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    create_all(engine)
    receipt = tmp_path / "receipts" / "verifications" / f"{HALF}.csv.receipt.xlsx"
    # only February in force: January's row (file row 2) is rejected
    sha = record(engine, tmp_path, f"{JANUARY}\n{FEBRUARY}", {(PARK, "2026-02")})
    assert stored(engine) == [(sha, 2, "V013", "2026-01")] and receipt.exists()
    # January loaded since: the same file is accepted whole
    assert record(engine, tmp_path, f"{JANUARY}\n{FEBRUARY}", {(PARK, "2026-01"), (PARK, "2026-02")}) == sha
    assert stored(engine) == [] and not receipt.exists()


def test_another_version_of_the_file_keeps_its_rows(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    create_all(engine)
    first = record(engine, tmp_path, JANUARY, {(PARK, "2026-02")})
    # a corrected file (February instead of January): its own verdict, the first version's row stays
    second = record(engine, tmp_path, FEBRUARY, {(PARK, "2026-02")})
    assert first != second
    assert stored(engine) == [(first, 2, "V013", "2026-01")]
