"""The programme's lifecycle end to end through the jobs users run (STANDARD §13, FILES.md §6).

Three parks enrolled 2025-12-01 (baseline_cpe 3, baseline and target green share 0: the path is 0,
so any green share meets it and score_green = 30):
- A 150100-P001 regional and B 150200-P001 regional, December 2025: grid 100 MWh + green direct
  900 MWh -> 1000 MWh × 0.300 = 300 tce, 100 × 0.6096 = 60.96 t, CI 0.2032 <= T 0.4 -> 40; green
  share 0.9 -> 30; retrofit 4/4 -> 20; one month expected, on time -> 10: score 100, grade A.
  January 2026: grid 1000 MWh + raw coal 500 t -> 300 + 357.15 = 657.15 tce, 609.6 + 950.15 =
  1559.75 t, CI 2.3735 > 0.2032 × 1.05: a rebound in 2026-01, its interview due 10 Feb + 15 days =
  2026-02-25. A is interviewed on 2026-02-25 (the last allowed day: on time), B never (overdue).
- D 150100-P002 pilot reports nothing: 2025-H2 grade D (no_report) -> remove_from_list, enacted
  on the first day of the month after 2025-12's deadline (2026-01-10): 2026-02-01. Hohhot's list
  file re-admits it from 2026-04-01.
"""
from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd

from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.defs.region import region_defs
from zc_pipeline_tests.support.region import RegionPark, workbook, write_registry

ENROLLED = dt.date(2025, 12, 1)
A = RegionPark("150100-P001", "呼和浩特测试园区", enrolled_on=ENROLLED)
D = RegionPark("150100-P002", "呼和浩特待整改园区", category="pilot", enrolled_on=ENROLLED)
B = RegionPark("150200-P001", "包头测试园区", enrolled_on=ENROLLED)
CLEAN = [("电网购电", "MWh", 100), ("绿电直供", "MWh", 900)]
DIRTY = [("电网购电", "MWh", 1000), ("原煤", "t", 500)]
ECONOMY = {"value_added_10k_yuan": 20000, "retrofit_planned": 4, "retrofit_completed": 4}


def text(value) -> str | None:
    """A stored value as text, NULL as None."""
    return None if pd.isna(value) else str(value)


def write_region(data) -> None:
    write_registry(data, [A, D, B])
    for park in (A, B):
        workbook(data, "2025-12", park, dt.date(2026, 1, 5), CLEAN, ECONOMY)
        workbook(data, "2026-01", park, dt.date(2026, 2, 5), DIRTY, ECONOMY)
    lists = data / "landing" / "lists"
    lists.mkdir(parents=True)
    (lists / "150100_2026-03-20.csv").write_text(
        "园区代码,操作,生效日期,原因\n150100-P002,纳入,2026-04-01,整改到位\n", encoding="utf-8")
    interviews = data / "landing" / "interviews"
    interviews.mkdir(parents=True)
    (interviews / "2026.csv").write_text(
        "park_code,alert_period,interviewed_on,note\n150100-P001,2026-01,2026-02-25,约谈\n", encoding="utf-8")


def test_lists_removals_interviews_accreditation_and_priority_through_the_jobs(tmp_path):
    data = tmp_path / "data"
    write_region(data)
    settings, defs = region_defs(tmp_path, dt.date(2026, 7, 15))  # after June's deadline: 2026-H1 is due
    runs = [("month_job", "2025-12"), ("month_job", "2026-01"), ("half_job", "2025-07"),  # 2025-H2
            ("quarter_job", "2026-01"), ("half_job", "2026-01")]  # 2026-Q1, 2026-H1
    with dg.instance_for_test() as instance:
        for job, key in runs:
            assert defs.resolve_job_def(job).execute_in_process(partition_key=key, instance=instance).success, (job, key)
    engine = make_engine(settings.warehouse_url)

    half = read_table(engine, "park_half_assessment", where={"half": "2025-H2"}).set_index("park_code")
    assert half[["grade", "outcome"]].to_dict("index") == {
        A.code: {"grade": "A", "outcome": "nominate_national"}, D.code: {"grade": "D", "outcome": "remove_from_list"},
        B.code: {"grade": "A", "outcome": "nominate_national"}}

    history = read_table(engine, "cultivation_list")
    periods = [(r.park_code, text(r.valid_from), text(r.valid_to), bool(r.listed), r.source)
               for r in history.itertuples()]
    assert sorted(periods) == [
        (A.code, "2025-12-01", None, True, "registry"),
        (D.code, "2025-12-01", "2026-02-01", True, "registry"),
        (D.code, "2026-02-01", "2026-04-01", False, "year_end_outcome"),
        (D.code, "2026-04-01", None, True, "city_list"),
        (B.code, "2025-12-01", None, True, "registry"),
    ]
    enacted = read_table(engine, "region_half_summary").set_index("half")["removals_enacted"].to_dict()
    assert enacted == {"2025-H2": 0, "2026-H1": 1}  # 2026-02-01 lies in 2026-H1's own six months

    # 2025: A and B pass every criterion; D fails the grade and the green path (no green share at all)
    accredited = read_table(engine, "park_accreditation").set_index("park_code")
    assert {c: (bool(r.accredited), text(r.reasons_failed)) for c, r in accredited.iterrows()} == {
        A.code: (True, None), D.code: (False, "grade,green_share_below_path"), B.code: (True, None)}
    nominated = read_table(engine, "national_nomination")
    assert nominated[["year", "park_code", "rank", "accredited"]].to_dict("records") == [
        {"year": "2025", "park_code": A.code, "rank": 1, "accredited": True},  # equal scores 100: park_code
        {"year": "2025", "park_code": B.code, "rank": 2, "accredited": True}]

    # 2025-H2: A and B grade A (tier 1); D is still on the list on 31 Dec 2025 (tier 3).
    # 2026-H1: A and B reported one month of six (missing_report: at most C) -> tier 3; D is back
    # on the list from 2026-04-01, so it is there on 30 June (tier 3).
    tiers = {(r.half, r.park_code): (r.tier, r.reason) for r in read_table(engine, "factor_priority").itertuples()}
    assert tiers == {("2025-H2", A.code): (1, "grade A"), ("2025-H2", B.code): (1, "grade A"),
                     ("2025-H2", D.code): (3, "on_list"), ("2026-H1", A.code): (3, "on_list"),
                     ("2026-H1", B.code): (3, "on_list"), ("2026-H1", D.code): (3, "on_list")}

    alerts = read_table(engine, "rebound_alert").set_index("park_code")
    assert {c: (r.period, text(r.interviewed_on), text(r.interview_due), r.interview_status)
            for c, r in alerts.iterrows()} == {
        A.code: ("2026-01", "2026-02-25", "2026-02-25", "on_time"),
        B.code: ("2026-01", None, "2026-02-25", "overdue")}
    summary = read_table(engine, "city_quarter_summary", where={"quarter": "2026-Q1"})
    assert dict(zip(summary["league_city_code"], summary["interviews_overdue"])) == {"150100": 0, "150200": 1}
    assert read_table(engine, "list_change")["status"].tolist() == ["accepted"]
    assert read_table(engine, "rebound_interview")["status"].tolist() == ["accepted"]
