"""The hostile corpus (issue 24): every defective file through `zc validate` and one Dagster month.

All files sit in one landing month of a small region (hostile_corpus.py). The month is materialized
once on a fresh SQLite warehouse and `zc validate` runs once over the same files; each defect is then
checked against the warehouse, the receipts and the validate output, and the whole month against the
values written: every park-month not hit by a defect is stored with exactly its quantities.
"""
from __future__ import annotations

import hashlib
import math
import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import openpyxl
import pandas as pd
import pytest

from zc_pipeline.definitions import build_definitions
from zc_pipeline.domain.measures import QUANTITY_FIELDS
from zc_pipeline.intake.catalogue import all_rules
from zc_pipeline.settings import load_settings
from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.intake.hostile_corpus import (
    ANY, AS_OF, CASES, GOOD_CO2_T, GOOD_ENERGY_TCE, LANDING, MONTH, Defect, Region, build_region,
)
from zc_pipeline_tests.support.region import RegionPark, write_registry

REFERENCE = ["dim_league_city", "dim_park", "ref_standard"]
MONTH_ASSETS = ["landing_file", "submission", "submitted_value", "validation_issue", "park_month",
                "month_over_month_warning"]
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
NAMES = [make.__name__ for make in CASES]
SEVERITY_IN_RECEIPT = {"错误 error": "error", "提示 warning": "warning"}
RECEIPT_SUFFIX = ".receipt.xlsx"
approx = lambda x: pytest.approx(x, rel=1e-12, abs=1e-9)  # noqa: E731


# ---- reading what the runs left ----------------------------------------------------------------

@dataclass
class Receipt:
    path: Path
    summary: dict[str, object]  # 项目/item -> 内容/value of the summary sheet
    issues: list[list[openpyxl.cell.Cell]]  # rows of the issues sheet below its header

    @property
    def rule_ids(self) -> set[tuple[str, str]]:
        return {(r[5].value, SEVERITY_IN_RECEIPT[r[6].value]) for r in self.issues}

    def formula_cells(self) -> list[str]:
        wb = openpyxl.load_workbook(self.path)
        return [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def read_receipts(folder: Path) -> dict[str, Receipt]:
    """Every receipt in `folder`, by the original file name its summary sheet keeps."""
    out: dict[str, Receipt] = {}
    for path in sorted(folder.glob("*.xlsx")) if folder.is_dir() else []:
        wb = openpyxl.load_workbook(path)
        summary = {r[0].value: r[1].value for r in wb.worksheets[0].iter_rows(min_row=2)}
        name = summary["文件/file"]
        assert name not in out, f"two receipts for {name}: {out[name].path.name}, {path.name}"
        out[name] = Receipt(path, summary, [list(r) for r in wb.worksheets[1].iter_rows(min_row=2)])
    return out


@dataclass
class PipelineRun:
    results: list[dg.ExecuteInProcessResult]
    warehouse: Path
    tables: dict[str, pd.DataFrame]
    receipts: dict[str, Receipt]

    def of_file(self, table: str, defect_or_name) -> pd.DataFrame:
        name = defect_or_name.file_name if isinstance(defect_or_name, Defect) else defect_or_name
        t = self.tables[table]
        return t[t["source_file"] == f"{LANDING}/{name}"]

    def park_month(self) -> pd.DataFrame:
        pm = self.tables["park_month"]
        return pm[pm["period"] == MONTH].set_index("park_code")


@dataclass
class ValidateRun:
    returncode: int
    stdout: str
    stderr: str
    lines: dict[str, dict]  # file name -> verdict, records, errors, warnings, receipt
    receipts: dict[str, Receipt]


_VERDICT_LINE = re.compile(
    r"^(?P<path>.+): \S+ / (?P<verdict>accepted|partial|rejected) — (?P<records>\d+) records, "
    r"(?P<errors>\d+) errors, (?P<warnings>\d+) warnings(?:; receipt (?P<receipt>.+))?$")


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Region:
    return build_region(tmp_path_factory.mktemp("hostile") / "data")


@pytest.fixture(scope="module")
def by_name(region) -> dict[str, Defect]:
    return {d.name: d for d in region.defects}


@pytest.fixture(scope="module")
def run(region) -> PipelineRun:
    """The reference assets, then the month's partition, materialized once on a fresh SQLite file."""
    root = region.data_dir.parent
    warehouse = root / "warehouse.sqlite"
    settings = load_settings(data_dir=region.data_dir, state_dir=root / "state", warehouse_url=f"sqlite:///{warehouse}",
                             as_of=AS_OF)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("ZC_WAREHOUSE_SCHEMA", raising=False)
        defs = build_definitions(settings)
        with dg.DagsterInstance.ephemeral() as instance:
            results = [dg.materialize(defs.assets, selection=selection, partition_key=key, instance=instance,
                                      resources=defs.resources, raise_on_error=False, run_config=QUIET)
                       for selection, key in ((REFERENCE, None), (MONTH_ASSETS, MONTH))]
    engine = make_engine(settings.warehouse_url)
    tables = {t: read_table(engine, t) for t in
              ("landing_file", "submission", "submitted_value", "validation_issue", "park_month")}
    engine.dispose()
    return PipelineRun(results, warehouse, tables, read_receipts(settings.receipts_dir / MONTH))


@pytest.fixture(scope="module")
def validated(region) -> ValidateRun:
    """`zc validate` once over every file of the month, with the region's registry."""
    root = region.data_dir.parent
    out = root / "validate_receipts"
    files = sorted(str(p) for p in region.month_dir.iterdir())
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZC_")}
    env["ZC_STATE_DIR"] = str(root / "validate_state")  # no warehouse there: W001 is not checked
    proc = subprocess.run(
        [sys.executable, "-m", "zc_pipeline.cli", "--data-dir", str(region.data_dir), "validate", *files,
         "--as-of", AS_OF.isoformat(), "--receipts", str(out)],
        capture_output=True, text=True, env=env, cwd=root, timeout=300)
    lines = {}
    for line in proc.stdout.splitlines():
        m = _VERDICT_LINE.match(line)
        if m:
            name = Path(m["path"]).name
            assert name not in lines, f"{name} reported twice"
            lines[name] = {"verdict": m["verdict"], "records": int(m["records"]), "errors": int(m["errors"]),
                           "warnings": int(m["warnings"]), "receipt": m["receipt"]}
    return ValidateRun(proc.returncode, proc.stdout, proc.stderr, lines, read_receipts(out))


def _text(x) -> str:
    """A stored sheet, column or value for comparison: NULL and '' alike."""
    return "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)


def _row(x):
    return None if x is None or pd.isna(x) else int(x)


def _issue_places(issues: pd.DataFrame) -> list[tuple]:
    return [(r.rule_id, r.severity, _text(r.sheet), _row(r.row), _text(r.column), _text(r.value))
            for r in issues.itertuples()]


def _matches(place: tuple, want) -> bool:
    """A stored issue (from `_issue_places`) is the expected one, at every place the case gives."""
    rule, severity, sheet, row, column, value = place
    given = [(_text, want.sheet, sheet), (_row, want.row, row), (_text, want.column, column),
             (_text, want.value, value)]
    return (rule, severity) == (want.rule_id, want.severity) and all(
        expected is ANY or got == norm(expected) for norm, expected, got in given)


# ---- the corpus itself --------------------------------------------------------------------------

def test_the_corpus_has_forty_distinct_defects_covering_every_monthly_rule(region):
    assert len(region.defects) >= 40
    assert [d.name for d in region.defects] == NAMES  # a case's name is its builder's
    files = sorted(region.month_dir.iterdir())
    assert len({d.file_name for d in region.defects}) == len(region.defects)
    # distinct content: the pipeline parses one file per content, so a twin would hide a case
    shas = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    assert len(shas) == len(files)
    # every monthly file, record and warning rule is provoked, except W001 (it needs a previous month)
    monthly = {r for r in all_rules() if re.fullmatch(r"[FRW]\d{3}", r)}
    provoked = {i.rule_id for d in region.defects for i in d.issues}
    assert monthly - provoked == {"W001"}


# ---- the Dagster month --------------------------------------------------------------------------

def test_the_month_materializes_in_one_run_despite_every_defect(run):
    for result in run.results:
        failures = [e.event_specific_data.error.to_string() for e in result.all_events if e.is_step_failure]
        assert result.success, failures


@pytest.mark.parametrize("name", NAMES)
def test_pipeline_records_each_defect_with_its_rules_and_places(name, by_name, run):
    d = by_name[name]
    subs = run.of_file("submission", d).sort_values("source_row", na_position="first")
    assert [(_row(r.source_row), r.status) for r in subs.itertuples()] == \
        [(r.source_row, r.status) for r in d.records]
    for rec, got in zip(d.records, subs.itertuples()):
        if rec.park_code is not ANY:
            assert _text(got.park_code) == _text(rec.park_code), "park_code"
        if rec.period is not ANY:
            assert _text(got.period) == _text(rec.period), "period"
        assert bool(got.in_force) is (rec.status == "accepted")
    issues = run.of_file("validation_issue", d)
    assert {(r.rule_id, r.severity) for r in issues.itertuples()} == d.rule_ids
    places = _issue_places(issues)
    for want in d.issues:
        assert any(_matches(place, want) for place in places), f"no {want} among {places}"
    # a file error's issues all point to its one rejected row; a record's issues to that record
    assert set(issues["submission_id"]) <= set(subs["submission_id"])


@pytest.mark.parametrize("name", NAMES)
def test_pipeline_stores_exactly_the_valid_values_of_each_file(name, by_name, run):
    d = by_name[name]
    pm = run.park_month()
    subs = run.tables["submission"]
    values = run.tables["submitted_value"]
    in_force_file = f"{LANDING}/{(d.extra_files or (d.file_name,))[0]}"
    for park, quantities in d.stored.items():
        assert park in pm.index, f"{park} not stored"
        row = pm.loc[park]
        assert {f: row[f] for f in QUANTITY_FIELDS} == {f: approx(v) for f, v in quantities.items()}
        sub = subs[subs["submission_id"] == row["submission_id"]].iloc[0]
        assert (sub["source_file"], sub["park_code"], sub["status"], bool(sub["in_force"])) == \
            (in_force_file, park, "accepted", True)
        written = values[values["submission_id"] == row["submission_id"]].set_index("field")["canonical_value"]
        assert {f: written[f] for f in written.index} == {f: approx(quantities[f]) for f in written.index}
    for park in d.not_stored:
        assert park not in pm.index, f"{park} stored from a rejected record"
        assert not subs[(subs["park_code"] == park) & subs["in_force"]].shape[0]


def test_every_park_month_is_stored_with_exactly_its_values(region, run):
    pm = run.park_month()
    expected = region.expected_park_month()
    assert sorted(pm.index) == sorted(expected)
    got = {p: {f: pm.at[p, f] for f in QUANTITY_FIELDS} for p in pm.index}
    assert got == {p: {f: approx(v) for f, v in q.items()} for p, q in expected.items()}


def test_measures_of_the_stored_park_months_by_hand(region, run, by_name):
    """energy_tce and co2_t of the good month (hostile_corpus), and of the two that differ from it."""
    pm = run.park_month()
    special = {next(iter(by_name[n].stored)) for n in ("superseded_by_a_resubmission",
                                                      "csv_full_width_digits_and_thousands")}
    for park in set(pm.index) - special:
        assert (pm.at[park, "energy_tce"], pm.at[park, "co2_t"]) == (approx(GOOD_ENERGY_TCE), approx(GOOD_CO2_T))
    resubmitted = next(iter(by_name["superseded_by_a_resubmission"].stored))
    # grid 1100 MWh, 100 more: energy + 100 × 0.300 = 909.7716; co2 + 100 × 0.6096 = 1818.0869
    assert pm.at[resubmitted, "energy_tce"] == approx(909.7716)
    assert pm.at[resubmitted, "co2_t"] == approx(1818.0869)
    thousands = next(iter(by_name["csv_full_width_digits_and_thousands"].stored))
    # grid 1000.5 MWh, 0.5 more: energy + 0.5 × 0.300 = 879.9216; co2 + 0.5 × 0.6096 = 1757.4317
    assert pm.at[thousands, "energy_tce"] == approx(879.9216)
    assert pm.at[thousands, "co2_t"] == approx(1757.4317)


def test_nothing_non_finite_is_stored_anywhere(run):
    con = sqlite3.connect(run.warehouse)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        bad = [(t, row) for t in tables for row in con.execute(f'SELECT * FROM "{t}"')
               if any(isinstance(v, float) and not math.isfinite(v) for v in row)]
    finally:
        con.close()
    assert "park_month" in tables and not bad, bad[:3]


def test_every_file_is_registered_and_yields_its_submissions(region, run):
    files = sorted(p.name for p in region.month_dir.iterdir())
    landed = run.tables["landing_file"]
    assert sorted(landed.loc[landed["source_file"].str.startswith(f"{LANDING}/"), "source_file"]) == \
        [f"{LANDING}/{n}" for n in files]
    subs = run.tables["submission"]
    assert set(subs["source_file"]) == {f"{LANDING}/{n}" for n in files}
    # clean files are accepted whole and in force; they get no receipt
    for name in region.clean_files:
        mine = subs[subs["source_file"] == f"{LANDING}/{name}"]
        assert (mine["status"] == "accepted").all() and mine["in_force"].all()
        assert name not in run.receipts


@pytest.mark.parametrize("name", NAMES)
def test_pipeline_receipt_of_each_defect(name, by_name, run):
    d = by_name[name]
    if not d.issues:
        assert d.file_name not in run.receipts  # no receipt keeps this file's name
        return
    assert d.file_name in run.receipts, f"no receipt for {d.file_name}"
    receipt = run.receipts[d.file_name]
    _assert_receipt_name(receipt.path.name, d.file_name)
    verdict = receipt.summary["结论/verdict"]
    assert verdict.split(" / ")[1].startswith({"accepted": "accepted", "partial": "partially accepted",
                                               "rejected": "rejected"}[d.verdict])
    assert receipt.summary["记录数/records"] == len(d.records)
    assert receipt.rule_ids == d.rule_ids
    assert receipt.formula_cells() == []
    for want in d.issues:
        if isinstance(want.value, str) and want.value.startswith("="):
            # text that would be a formula is kept as inert text in the receipt's value cell
            cells = [r[4] for r in receipt.issues if r[5].value == want.rule_id]
            assert cells and all(c.data_type == "s" and c.value.endswith(want.value) for c in cells)


def _assert_receipt_name(receipt: str, source: str) -> None:
    """`<file name>.receipt.xlsx`; bounded (< 255 bytes) and safe when the file name is long."""
    assert receipt.endswith(RECEIPT_SUFFIX) and len(receipt.encode()) < 255
    assert not re.search(r"[\x00-\x1f/\\]", receipt) and not receipt.startswith(".")
    if len(source.encode()) <= 64:
        assert receipt == source + RECEIPT_SUFFIX


# ---- zc validate --------------------------------------------------------------------------------

def test_validate_reports_every_file_once_and_exits_1(region, validated):
    assert validated.returncode == 1, validated.stderr[-2000:]
    assert sorted(validated.lines) == sorted(p.name for p in region.month_dir.iterdir())


@pytest.mark.parametrize("name", NAMES)
def test_validate_outcome_of_each_defect(name, by_name, validated):
    d = by_name[name]
    line = validated.lines[d.file_name]
    assert (line["verdict"], line["records"]) == (d.verdict, len(d.records))
    if not d.issues:
        assert (line["errors"], line["warnings"], line["receipt"]) == (0, 0, None)
        assert d.file_name not in validated.receipts
        return
    assert d.file_name in validated.receipts, f"no validate receipt for {d.file_name}"
    assert validated.receipts[d.file_name].rule_ids == d.rule_ids
    assert validated.receipts[d.file_name].formula_cells() == []


@pytest.mark.parametrize("name", NAMES)
def test_validate_and_the_pipeline_agree_on_each_defect(name, by_name, validated, run):
    d = by_name[name]
    line = validated.lines[d.file_name]
    issues = run.of_file("validation_issue", d)
    assert line["records"] == len(run.of_file("submission", d))
    assert (line["errors"], line["warnings"]) == ((issues["severity"] == "error").sum(),
                                                  (issues["severity"] == "warning").sum())
    mine = validated.receipts[d.file_name].rule_ids if d.file_name in validated.receipts else set()
    assert mine == {(r.rule_id, r.severity) for r in issues.itertuples()}


@pytest.mark.parametrize("name", NAMES)
def test_validate_names_each_receipt_like_the_pipeline(name, by_name, validated, run):
    d = by_name[name]
    if not d.issues:
        assert d.file_name not in validated.receipts and d.file_name not in run.receipts
        return
    mine, theirs = validated.receipts[d.file_name], run.receipts[d.file_name]
    assert mine.path.name == theirs.path.name
    _assert_receipt_name(mine.path.name, d.file_name)


# ---- programme files: funding applications and spot-check results ------------------------------

FUNDING_CSV = """project_id,park_code,project_name,project_type,investment_10k_yuan,applied_on
G-001,150100-P001,绿电直供一期,green_direct_supply,1200,2026-03-01
G-002,150100-P999,碳捕集示范,ccus_demo,800,2026-03-02
G-003,150100-P002,=cmd|' /C calc'!A0,spaceship,约300,2026-03-03
"""
VERIFICATION_CSV = """park_code,period,verified_energy_tce,verified_co2_t,inspector,verified_on
150100-P999,2026-03,100,200,李四,2026-07-01
150100-P001,2026-03,abc,200,李四,2026-07-01
"""


def test_programme_files_with_issues_get_a_receipt(tmp_path):
    """Funding (year partition) and spot-check (half partition) files with errors or warnings."""
    data = tmp_path / "data"
    write_registry(data, [RegionPark("150100-P001", "园区一"), RegionPark("150100-P002", "园区二")])
    for rel, text in (("funding/2026.csv", FUNDING_CSV), ("verifications/2026-H1.csv", VERIFICATION_CSV)):
        (data / "landing" / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / "landing" / rel).write_text(text, encoding="utf-8")
    settings = load_settings(data_dir=data, state_dir=tmp_path / "state", as_of=AS_OF,
                             warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("ZC_WAREHOUSE_SCHEMA", raising=False)
        defs = build_definitions(settings)
        with dg.DagsterInstance.ephemeral() as instance:
            for selection, key in ((REFERENCE, None), (["funding_allocation"], "2026"),
                                   (["spot_check_result"], "2026-01")):
                result = dg.materialize(defs.assets, selection=selection, partition_key=key, instance=instance,
                                        resources=defs.resources, raise_on_error=False, run_config=QUIET)
                assert result.success, [e.event_specific_data.error.to_string()
                                        for e in result.all_events if e.is_step_failure]
    engine = make_engine(settings.warehouse_url)
    issues = read_table(engine, "validation_issue")
    engine.dispose()
    funding = issues[issues["source_file"] == "landing/funding/2026.csv"]
    verification = issues[issues["source_file"] == "landing/verifications/2026-H1.csv"]
    # G-002: park not in the registry (a warning: no funding); G-003: unknown type, 约300 not a number
    assert sorted(zip(funding["rule_id"], funding["row"].astype(int))) == [("G010", 3), ("G014", 4), ("G015", 4)]
    # line 2: park not in the registry; line 3: abc not a number, and no month in force to compare with
    assert {("V010", 2), ("V014", 3), ("V013", 3)} <= set(zip(verification["rule_id"], verification["row"].astype(int)))

    receipts = {}
    for path in (settings.receipts_dir.rglob("*.xlsx") if settings.receipts_dir.is_dir() else []):
        wb = openpyxl.load_workbook(path)
        summary = {r[0].value: r[1].value for r in wb.worksheets[0].iter_rows(min_row=2)}
        rules = {r[5].value for r in wb.worksheets[1].iter_rows(min_row=2)}
        formulas = [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
        receipts[summary["文件/file"]] = (path.name, rules, formulas)
    assert receipts.get("2026.csv") == ("2026.csv.receipt.xlsx", {"G010", "G014", "G015"}, [])
    assert receipts.get("2026-H1.csv") == ("2026-H1.csv.receipt.xlsx", set(verification["rule_id"]), [])
