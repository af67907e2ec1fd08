"""Which file each park sends each month, and the messy cases of FILES.md woven into them."""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd

from tools.samplegen.csv_batches import csv_row
from tools.samplegen.region import CARRIER_FIELDS, CARRIERS, Park, Region, Submission, round_to, following_day
from tools.samplegen.workbooks import as_written, economy_rows_for, energy_rows_for, unit_for, write_workbook
from zc_pipeline.domain.measures import co2_of
from zc_pipeline.domain.periods import add_months, month_start
from zc_pipeline.domain.submissions import choose_in_force
from zc_pipeline.standards import load_standard


def xlsx(R: Region, park: Park, month: str, values: dict, submitted_on: dt.date, *, name=None,
         period=None, units=None, status="accepted", level=None, why="", omit=(),
         code=None, track=True) -> str:
    """Write one park's workbook into landing/<month>/ and record the submission it should give."""
    fname = name or f"{park.code}_{month}.xlsx"
    path = R.out / "landing" / month / fname
    order = None
    if int(hashlib.sha256(park.code.encode()).hexdigest()[:2], 16) % 3 == 0:
        order = ["报告期", "园区代码", "园区名称", "填报人", "填报日期"]
    write_workbook(path, park_code=code or park.code, park_name=park.name,
                   period=period if period is not None else month, submitted_on=submitted_on,
                   reporter=R.reporter(park), energy_rows=energy_rows_for(park, values, units),
                   economy=economy_rows_for(values), omit_sheets=omit, info_order=order)
    rel = R.rel(path)
    if track:
        p_read = period if isinstance(period, str) else month
        R.subs.append(Submission(rel, month, "xlsx", code or park.code, p_read, submitted_on,
                                    status, values if status == "accepted" else None,
                                    None, level, why))
    return rel


def plan_submissions(R: Region) -> None:
    months = set(R.months)
    for m in R.months:
        for p in R.parks:
            code = p.code
            if month_start(m) < p.enrolled_on.replace(day=1):
                if not (code == "152200-P003" and m in ("2025-05", "2025-06")):
                    continue
            if code == "150700-P002" and "2025-07" <= m <= "2025-12":
                if m == "2025-07":
                    R.add_case(case="stopped_reporting", park=code, month=m,
                               months=[x for x in R.months if "2025-07" <= x <= "2025-12"],
                               expect="no files 2025-07..2025-12: 2025-Q3/Q4 no_report (score 0, D)")
                continue  # stopped reporting for half a year
            if code == "150400-P003" and m == "2025-11":
                R.add_case(case="missing_month", park=code, month=m,
                           expect="no submission; months_reported < months_expected (missing_report cap)")
                continue
            v = dict(R.truth[(code, m)])
            on = R.submit_date(p, m)
            if p.channel == "csv":
                csv_row(R, p, m, v, on)
                continue
            _xlsx_submission(R, p, m, v, on, months)
    # a workbook for a park code missing from the registry
    for m in ("2026-04",):
        if m in months and "150400-P001" in R.by_code:
            p = R.by_code["150400-P001"]
            name = "150400-P009_2026-04.xlsx"
            rel = xlsx(R, p, m, R.truth[(p.code, m)], following_day(m, 6), name=name,
                         code="150400-P009", status="rejected", level="file", why="park_unknown")
            R.add_case(case="invalid_file", file=rel, park="150400-P009", month=m,
                       expect="file_error", why="park code not in the registry")


def _xlsx_submission(R: Region, p: Park, m: str, v: dict, on: dt.date, months: set) -> None:
    code = p.code
    rng = R.rng
    # -- pre-enrolment data (stored, ignored)
    if code == "152200-P003" and month_start(m) < p.enrolled_on:
        rel = xlsx(R, p, m, v, on)
        R.add_case(case="pre_enrolment", park=code, month=m, file=rel, enrolled_on=p.enrolled_on.isoformat(),
                   expect="accepted and in force, stored in park_month but ignored by §5–§8")
        return
    # -- on-time boundary
    deadline_day = load_standard().int("deadline_day")
    if code == "150800-P001" and m == "2025-03":
        on = following_day(m, deadline_day)
        rel = xlsx(R, p, m, v, on)
        R.add_case(case="deadline_day", park=code, month=m, file=rel, submitted_on=on.isoformat(),
                   expect=f"on_time true (submitted exactly on the {deadline_day}th)")
        return
    if code == "150800-P002" and m == "2025-03":
        on = following_day(m, deadline_day + 1)
        rel = xlsx(R, p, m, v, on)
        R.add_case(case="late", park=code, month=m, file=rel, submitted_on=on.isoformat(),
                   expect="on_time false (one day after the deadline)")
        return
    # -- Excel date as 报告期
    if code == "150900-P001" and m == "2025-03":
        rel = xlsx(R, p, m, v, on, period=dt.datetime(2025, 3, 1))
        R.add_case(case="period_excel_date", park=code, month=m, file=rel,
                   expect="accepted; 报告期 is an Excel date (2025-03-01) read as 2025-03")
        return
    # -- resubmission with different numbers
    if code == "150100-P002" and m == "2025-05":
        first = dict(v)
        first["grid_electricity_mwh"] = round_to(v["grid_electricity_mwh"] * 1.06, 1)
        first["diesel_t"] = round_to(v["diesel_t"] * 1.3, 2)
        _resubmission(R, p, m, first, v, following_day(m, 4), following_day(m, 8),
                      "v2 in force, v1 superseded, both accepted, on time")
        return
    # -- late resubmission: the in-force one is late, so the month is late
    if code == "150400-P002" and m == "2026-01":
        first = dict(v)
        first["raw_coal_t"] = round_to(v["raw_coal_t"] * 0.9, 1)
        _resubmission(R, p, m, first, v, following_day(m, 7), following_day(m, 20),
                      "v2 in force and late: the month is not on time although v1 was")
        return
    # -- rejected resubmission never displaces the accepted one
    if code == "150500-P002" and m == "2025-10":
        on1, on2 = following_day(m, 6), following_day(m, 9)
        f1 = xlsx(R, p, m, v, on1)
        bad = dict(v)
        bad["raw_coal_t"] = -abs(v["raw_coal_t"])
        f2 = xlsx(R, p, m, bad, on2, name=f"{code}_{m}_v2.xlsx", status="rejected",
                    level="record", why="negative quantity")
        R.add_case(case="resubmission_rejected", park=code, month=m, in_force_file=f1,
                   rejected_file=f2, field="raw_coal_t", value=bad["raw_coal_t"],
                   expect="v2 rejected (negative quantity); v1 stays in force")
        return
    # -- period not the folder's month, then a correction
    if code == "150700-P001" and m == "2025-08":
        prev = add_months(m, -1)
        f1 = xlsx(R, p, m, v, on, period=prev, status="rejected", level="file",
                    why="period not the folder's month")
        on2 = following_day(m, 12)
        f2 = xlsx(R, p, m, v, on2, name=f"{code}_{m}_更正.xlsx")
        R.add_case(case="invalid_file", file=f1, park=code, month=m, period_written=prev,
                   expect="file_error", why="period not the folder's month")
        R.add_case(case="late", park=code, month=m, file=f2, submitted_on=on2.isoformat(),
                   expect="corrected file accepted and in force, late (12th)")
        return
    # -- missing sheet, then a correction
    if code == "150800-P003" and m == "2026-02":
        f1 = xlsx(R, p, m, v, following_day(m, 3), status="rejected", level="file",
                    why="missing sheet 经济与改造", omit=("经济与改造",))
        f2 = xlsx(R, p, m, v, following_day(m, 6), name=f"{code}_{m}_v2.xlsx")
        R.add_case(case="invalid_file", file=f1, park=code, month=m, missing_sheet="经济与改造",
                   expect="file_error", why="missing sheet", corrected_by=f2)
        return
    # -- corrupt workbook (random bytes), then a re-upload
    if code == "150300-P002" and m == "2025-12":
        path = R.out / "landing" / m / f"{code}_{m}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(rng.getrandbits(8) for _ in range(4096)))
        rel = R.rel(path)
        R.subs.append(Submission(rel, m, "xlsx", None, None, None, "rejected", level="file",
                                 why="unreadable workbook"))
        f2 = xlsx(R, p, m, v, following_day(m, 7), name=f"{code}_{m}_重新上传.xlsx")
        R.add_case(case="invalid_file", file=rel, park=None, month=m, expect="file_error",
                   why="corrupt .xlsx (random bytes); park and period unreadable",
                   corrected_by=f2)
        return
    # -- warnings
    if code == "152200-P001" and m in ("2025-09",):
        bad = dict(v)
        bad["grid_electricity_mwh"] = round_to(v["grid_electricity_mwh"] * 1000, 1)
        rel = xlsx(R, p, m, bad, on)
        R.add_case(case="warning", park=code, month=m, file=rel, field="grid_electricity_mwh",
                   rule="carrier more than 10x the previous month (a kWh figure written as MWh)",
                   value=bad["grid_electricity_mwh"], expect="accepted with a warning")
        return
    if code == "152200-P001" and m == "2025-10":
        rel = xlsx(R, p, m, v, on)
        R.add_case(case="warning", park=code, month=m, file=rel, field="grid_electricity_mwh",
                   rule="carrier less than 0.1x the previous month in force (2025-09 was 1000x)",
                   expect="accepted with a warning")
        return
    if code == "150100-P003" and m == "2026-01":
        bad = dict(v)
        bad["value_added_10k_yuan"] = 0
        rel = xlsx(R, p, m, bad, on)
        R.add_case(case="warning", park=code, month=m, file=rel, field="value_added_10k_yuan",
                   rule="value added 0 with energy > 0", expect="accepted with a warning")
        return
    if code == "150500-P001" and m == "2025-07":
        bad = dict(v)
        bad["reported_co2_t"] = round_to(co2_of(v, load_standard()) * 1.25, 0)
        rel = xlsx(R, p, m, bad, on)
        R.add_case(case="warning", park=code, month=m, file=rel, field="reported_co2_t",
                   rule="reported CO2 more than 10% away from computed (+25%)",
                   value=bad["reported_co2_t"], expect="accepted with a warning")
        return
    if code in ("150300-P003", "152200-P002") and on.day > deadline_day and (code, "late") not in R.seen:
        R.seen.add((code, "late"))
        rel = xlsx(R, p, m, v, on)
        R.add_case(case="late", park=code, month=m, file=rel, submitted_on=on.isoformat(),
                   expect="on_time false")
        return
    rel = xlsx(R, p, m, v, on)
    if p.profile.units and (code, "units") not in R.seen:
        R.seen.add((code, "units"))
        units = {f: unit_for(p, f) for f in CARRIER_FIELDS if v[f] and unit_for(p, f) != {c[0]: c[3] for c in CARRIERS}[f]}
        R.add_case(case="mixed_units", park=code, month=m, file=rel, units=units,
                   canonical={f: v[f] for f in units},
                   as_written={f: as_written(v[f], units[f], f) for f in units},
                   expect="converted to canonical units (same in every month of this park)")


def _resubmission(R: Region, p: Park, m: str, first: dict, second: dict, on1: dt.date, on2: dt.date,
                  expect: str) -> None:
    """A workbook and its accepted v2 with other numbers; v2, sent later, should be in force."""
    f1 = xlsx(R, p, m, first, on1)
    f2 = xlsx(R, p, m, second, on2, name=f"{p.code}_{m}_v2.xlsx")
    R.add_case(case="resubmission", park=p.code, month=m, in_force_file=f2, superseded_file=f1,
               submitted_on={"superseded": on1.isoformat(), "in_force": on2.isoformat()}, expect=expect)


def resolve(R: Region) -> None:
    """Final statuses and on-time flags by the domain's in-force choice (FILES.md, resubmissions)."""
    for i, s in enumerate(R.subs):
        s.seq = i
    chosen = choose_in_force(pd.DataFrame({
        "submission_id": [s.seq for s in R.subs],
        "park_code": [s.park for s in R.subs],
        "period": [s.period for s in R.subs],
        "submitted_on": [s.submitted_on for s in R.subs],
        "received_at": None,  # every file lands at once
        "source_file": [s.file for s in R.subs],
        "source_row": [s.source_row for s in R.subs],
        "status": [s.status for s in R.subs],
    }), load_standard().int("deadline_day"))
    R.in_force = {}
    for s, status, in_force, on_time in zip(R.subs, chosen["status"], chosen["in_force"], chosen["on_time"]):
        s.final = "in_force" if in_force else "rejected" if status == "rejected" else "superseded"
        s.on_time = bool(on_time)
        if in_force:
            R.in_force[(s.park, s.period)] = s
