"""Missing-report reminders of a month without Dagster: the parks that have not submitted it, or
only had it rejected, once its deadline has passed (the table), and one workbook per league-city
for its office (`<state>/reminders/<month>/<city>.xlsx`), which also lists the city's rebound
interviews that are overdue."""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.domain.reminders import COLUMNS, OVERDUE_INTERVIEW_COLUMNS, interviews_overdue, missing_reports
from zc_pipeline.standards import Standard
from zc_pipeline.warehouse import tables as T
from zc_pipeline.warehouse.writer import read_table, replace_partition

WORKBOOK_HEADERS = {  # column -> header as the league-city office reads it
    "park_code": "园区代码 park_code",
    "park_name": "园区名称 park_name",
    "reason": "原因 reason",
    "missing_zh": "缺报内容",
    "missing_en": "what is missing",
    "deadline": "报送截止日 deadline",
    "rule_ids": "错误规则 rule_ids",
    "rejected_files": "被退回文件 rejected files",
    "error_messages": "错误说明 errors",
}


def month_attempts(engine: sa.Engine, month: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's submissions, plus file-level rejections found in its folder whatever period they read."""
    sub = T.TABLES["submission"]
    folder = sub.c.source_file.like(f"landing/{month}/%")
    stmt = sa.select(sub).where(sa.or_(sub.c.period == month, sa.and_(sub.c.status == "rejected", folder)))
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        subs = pd.DataFrame(conn.execute(stmt).fetchall(), columns=sub.c.keys())
    rejected = list(subs.loc[subs["status"] == "rejected", "submission_id"]) or [""]
    issues = read_table(engine, "validation_issue", where={"submission_id": rejected, "severity": "error"})
    return subs, issues


INTERVIEW_HEADERS = {  # the overdue interviews' sheet
    "park_code": "园区代码 park_code",
    "park_name": "园区名称 park_name",
    "alert_period": "反弹月份 rebound month",
    "rectify_by": "整改期限 rectify by",
    "interview_due": "约谈应完成日 interview due",
}
SHEETS = (("缺报名单", WORKBOOK_HEADERS), ("约谈逾期", INTERVIEW_HEADERS))


def write_workbooks(rows: pd.DataFrame, out_dir: Path, city_names: dict[str, str], month: str,
                    interviews: pd.DataFrame | None = None) -> list[str]:
    """One xlsx per league-city with missing reports or interviews overdue; the month's folder is
    rewritten so a resolved city loses its file."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    interviews = interviews if interviews is not None else pd.DataFrame(columns=OVERDUE_INTERVIEW_COLUMNS)
    written = []
    for city in sorted({*rows["league_city_code"], *interviews["league_city_code"]}):
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{city}.xlsx"
        parts = (rows[rows["league_city_code"] == city], interviews[interviews["league_city_code"] == city])
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            for (name, headers), part in zip(SHEETS, parts):
                part[list(headers)].rename(columns=headers).to_excel(xl, sheet_name=name, index=False)
                ws = xl.sheets[name]
                for col in ws.columns:
                    ws.column_dimensions[col[0].column_letter].width = 24
                ws.freeze_panes = "A2"
            pd.DataFrame({"项目": ["盟市", "月份", "缺报园区数", "约谈逾期数"],
                          "内容": [f"{city} {city_names.get(city, '')}".strip(), month, len(parts[0]), len(parts[1])]}
                         ).to_excel(xl, sheet_name="说明", index=False)
        written.append(str(path))
    return written



@dataclass(frozen=True)
class Reminders:
    table: pd.DataFrame  # the missing_report rows written
    rows: pd.DataFrame  # the same with what the workbooks show
    workbooks: list[str]
    interviews: pd.DataFrame  # the rebounds of months up to this one whose interview is overdue


def record_missing_reports(engine: sa.Engine, state_dir: Path, month: str, dim_park: pd.DataFrame, std: Standard,
                           as_of: dt.date, run_id: str) -> Reminders:
    """Replace the month's missing_report rows and rewrite its league-city workbooks, which also list
    the interviews overdue (rebound_alert as last refreshed)."""
    subs, issues = month_attempts(engine, month)
    rows = missing_reports(month, dim_park, subs, issues, as_of, std.int("deadline_day"))
    table = rows[COLUMNS].assign(run_id=run_id, standard_version=std.version)
    with engine.begin() as conn:
        replace_partition(conn, "missing_report", table, {"period": month})
    cities = read_table(engine, "dim_league_city")
    names = dict(zip(cities["league_city_code"], cities["name_zh"]))
    late = interviews_overdue(month, read_table(engine, "rebound_alert"), dim_park)
    written = write_workbooks(rows, Path(state_dir) / "reminders" / month, names, month, late)
    return Reminders(table, rows, written, late)
