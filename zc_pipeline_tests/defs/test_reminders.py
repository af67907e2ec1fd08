"""Missing-report reminders: a month with a silent park and a rejected file (literal expected rows)."""
from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd
import pytest

from zc_pipeline.domain.reminders import missing_reports
from zc_pipeline.defs.selections import MONTH_ASSETS, REFERENCE_ASSETS
from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.writer import dump_sorted
from zc_pipeline_tests.defs.region import MONTH, build_region, region_defs

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
DEADLINE_DAY = 10


def _dim_park() -> pd.DataFrame:
    return pd.DataFrame({
        "park_code": ["150100-P001", "150100-P002", "150200-P001", "150300-P001"],
        "park_name": ["甲", "乙", "丙", "丁"],
        "league_city_code": ["150100", "150100", "150200", "150300"],
        "enrolled_on": [dt.date(2025, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 1)],
    })


def _subs() -> pd.DataFrame:
    return pd.DataFrame({
        "submission_id": ["s1", "s2", "s3", "s4"],
        "park_code": ["150100-P001", "150100-P001", "150200-P001", "150200-P001"],
        "status": ["superseded", "accepted", "rejected", "rejected"],
        "in_force": [False, True, False, False],
        "source_file": ["landing/2026-03/a.xlsx", "landing/2026-03/b.xlsx", "landing/2026-03/c.csv",
                        "landing/2026-03/d.xlsx"],
    })


def _issues() -> pd.DataFrame:
    return pd.DataFrame({
        "submission_id": ["s3", "s3", "s4", "s4"],
        "severity": ["error", "warning", "error", "error"],
        "rule_id": ["R007", "W003", "F008", "R007"],
        "message_zh": ["负数", "差距", "报告期不符", "负数"],
        "message_en": ["negative", "gap", "wrong period", "negative"],
    })


def test_domain_rows_after_the_deadline():
    rows = missing_reports("2026-03", _dim_park(), _subs(), _issues(), dt.date(2026, 4, 11), DEADLINE_DAY)
    # 150100-P001 has one in force; 150300-P001 enrols in April (not expected for March)
    assert rows[["period", "park_code", "league_city_code", "reason", "rule_ids"]].values.tolist() == [
        ["2026-03", "150100-P002", "150100", "not_submitted", None],
        ["2026-03", "150200-P001", "150200", "rejected", "F008,R007"],  # errors only; the warning is not a reason
    ]
    assert rows["rejected_files"].tolist() == [None, "landing/2026-03/c.csv; landing/2026-03/d.xlsx"]
    assert rows["deadline"].tolist() == ["2026-04-10", "2026-04-10"]
    # the reminder's error column speaks both languages, each distinct error once
    assert rows["error_messages"].tolist()[1] == "[R007] 负数 / negative; [F008] 报告期不符 / wrong period"


@pytest.mark.parametrize("as_of", [dt.date(2026, 4, 10), dt.date(2026, 3, 31)])
def test_domain_nothing_before_the_deadline_has_passed(as_of):
    # STANDARD §4: "passed" = as-of after the deadline day; on the day itself parks may still file
    assert missing_reports("2026-03", _dim_park(), _subs(), _issues(), as_of, DEADLINE_DAY).empty


def test_missing_report_asset_table_and_workbooks(tmp_path):
    build_region(tmp_path / "data")
    settings, defs = region_defs(tmp_path, dt.date(2026, 4, 11))
    with dg.instance_for_test() as instance:
        result = dg.materialize(defs.assets, selection=REFERENCE_ASSETS + MONTH_ASSETS, partition_key=MONTH,
                                instance=instance, resources=defs.resources, run_config=QUIET)
    assert result.success
    engine = make_engine(settings.warehouse_url)
    table = dump_sorted(engine, "missing_report", drop=("run_id",))
    table = table.astype(object).where(table.notna(), None)  # NULL reads back as NaN
    assert table.values.tolist() == [
        ["2026-03", "150200-P001", "150200", "rejected", "R003,R007", "IM-ZCP-2026.1"],
        ["2026-03", "150200-P002", "150200", "not_submitted", None, "IM-ZCP-2026.1"],
    ]
    folder = settings.state_dir / "reminders" / MONTH
    assert sorted(p.name for p in folder.iterdir()) == ["150200.xlsx"]  # only the city with parks to chase
    sheet = pd.read_excel(folder / "150200.xlsx", sheet_name="缺报名单", dtype=str, engine="openpyxl")
    assert sheet["园区代码 park_code"].tolist() == ["150200-P001", "150200-P002"]
    assert sheet["错误规则 rule_ids"].fillna("").tolist() == ["R003,R007", ""]
    assert sheet["被退回文件 rejected files"].fillna("").tolist() == ["landing/2026-03/150200_batch_2026-03.csv", ""]
