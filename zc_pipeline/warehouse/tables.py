"""Warehouse tables of WAREHOUSE.md as SQLAlchemy Core: the one definition BI, writer and dictionary share.

The MetaData has no schema; PostgreSQL's schema (`zc`) is applied per engine with
`schema_translate_map={None: schema}` (see `engine.py`). Names and meanings are a contract with BI
tools: add columns, never rename or remove them.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Column types by meaning (WAREHOUSE.md conventions).
TEXT = Text
DATE = Date
TIMESTAMP = DateTime(timezone=True)
YUAN = BigInteger  # money in whole yuan
NUM = Float(precision=53)  # double precision: ratios (0–1), tce, tCO2, quantities
COUNT = Integer
FLAG = Boolean


def _col(name: str, type_, comment: str, *, pk: bool = False, nullable: bool = True, **kw) -> Column:
    return Column(name, type_, primary_key=pk, nullable=False if pk else nullable, comment=comment, **kw)


def _table(name: str, comment: str, *items, **kw) -> Table:
    return Table(name, metadata, *items, comment=comment, **kw)


# --- shared column groups -------------------------------------------------------------------
def _run_id() -> Column:
    return _col("run_id", TEXT, "Dagster run that wrote this row.")


def _standard_version() -> Column:
    return _col("standard_version", TEXT, "Rulebook version that computed this row, e.g. IM-ZCP-2026.1: the one "
                "in force for its month, or on its window's last day; `<version>+forced` when a run forced it (--standard).")


def _month_standard_versions() -> Column:
    return _col("month_standard_versions", TEXT, "Rulebook versions the window's reported months were computed "
                "under, in month order, comma-separated (e.g. IM-ZCP-2026.1,IM-R-2026.2 when a rulebook took effect "
                "within the window); NULL when no month was reported.")


def _registry_sha256() -> Column:
    return _col("registry_sha256", TEXT, "SHA-256 (hex) of the park registry file this row used.")


def _park_code(pk: bool = True) -> Column:
    return _col("park_code", TEXT, "Park code, `<6-digit league-city code>-P<3 digits>`, e.g. 150200-P001.", pk=pk)


def _period(pk: bool = True, nullable: bool = True) -> Column:
    return _col("period", TEXT, "Report month, `YYYY-MM`.", pk=pk, nullable=nullable)


def _quarter() -> Column:
    return _col("quarter", TEXT, "Quarter, `YYYY-Qn` (its three months).", pk=True)


def _half() -> Column:
    return _col("half", TEXT, "Half-year, `YYYY-H1` or `YYYY-H2`.", pk=True)


def _location() -> list[Column]:
    """Where a value sits in the file, as Excel or a text editor shows it (header = row 1)."""
    return [
        _col("sheet", TEXT, "Worksheet name (NULL for CSV files)."),
        _col("row", COUNT, "Row number as Excel or a text editor shows it (header = row 1)."),
        _col("column", TEXT, "Column: Excel letter for workbooks, header name for CSV."),
    ]


QUANTITY_COMMENTS = {
    "grid_electricity_mwh": "Grid electricity purchased, MWh.",
    "green_direct_mwh": "Directly supplied green electricity, MWh.",
    "green_onsite_mwh": "Self-generated, self-consumed green electricity, MWh.",
    "green_certificate_mwh": "Green certificates held against grid electricity, MWh.",
    "raw_coal_t": "Raw coal, t.",
    "natural_gas_10k_m3": "Natural gas, 10^4 m3.",
    "diesel_t": "Diesel, t.",
    "gasoline_t": "Gasoline, t.",
    "purchased_heat_gj": "Purchased heat, GJ.",
    "value_added_10k_yuan": "Industrial value added, 10^4 yuan.",
    "retrofit_planned": "Energy-saving retrofit projects planned for the calendar year (cumulative).",
    "retrofit_completed": "Energy-saving retrofit projects completed so far this year (cumulative).",
    "reported_co2_t": "The park's own CO2 figure, tCO2 (NULL = not reported).",
}


def _measures() -> list[Column]:
    """Window measures shared by the quarter and half assessments (sums, ratios recomputed from sums)."""
    return [
        _col("months_expected", COUNT, "Months of the window on or after the park's enrolment month."),
        _col("months_reported", COUNT, "Expected months with a submission in force."),
        _col("months_on_time", COUNT, "Reported months whose in-force submission was on time."),
        _col("energy_tce", NUM, "Energy use over the reported months, tce."),
        _col("co2_t", NUM, "CO2 over the reported months, tCO2."),
        _col("carbon_per_energy", NUM, "co2_t / energy_tce, tCO2/tce (NULL if no energy or no report)."),
        _col("green_share", NUM, "Green electricity share of the window, fraction 0–1 (NULL if no electricity)."),
        _col("green_target_at_end", NUM, "Green-share target path g(t) at the window's last day, fraction 0–1."),
        _col("retrofit_rate", NUM, "retrofit_completed / retrofit_planned of the latest reported month, fraction 0–1."),
        _col("score_carbon", NUM, "Carbon-intensity component, 0 to the rulebook's weight.carbon points, unrounded."),
        _col("score_green", NUM, "Green-share component, 0 to weight.green points, unrounded."),
        _col("score_retrofit", NUM, "Retrofit component, 0 to weight.retrofit points, unrounded."),
        _col("score_reporting", NUM, "Reporting component, 0 to weight.reporting points, unrounded."),
        _col("score", NUM, "Total score (the sum of the weights at most), rounded half-up to score.decimals decimals."),
    ]


def _grade_and_cap() -> list[Column]:
    return [
        _col("grade", TEXT, "Published (capped) grade: A | B | C (score at or above the rulebook's grade.A, grade.B, grade.C) | D (below)."),
        _col(
            "grade_cap",
            TEXT,
            "Cap that lowered the grade: no_report | spot_check_failed | missing_report | "
            "rebound_unrectified; NULL when none applied (no_report is always named).",
        ),
    ]


def _summary_counts() -> list[Column]:
    return [
        _col("parks", COUNT, "Parks with an assessment row for the window (sub-parks included)."),
        _col("parks_reported", COUNT, "Parks with at least one month reported in the window."),
        _col("grade_a", COUNT, "Parks graded A."),
        _col("grade_b", COUNT, "Parks graded B."),
        _col("grade_c", COUNT, "Parks graded C."),
        _col("grade_d", COUNT, "Parks graded D."),
        _col("mean_score", NUM, "Mean score over all assessed parks, no-report zeros included."),
        _col("energy_tce", NUM, "Energy use, tce (a sub-park's month left out when its parent reported it)."),
        _col("co2_t", NUM, "CO2, tCO2 (a sub-park's month left out when its parent reported it)."),
        _col("carbon_per_energy", NUM, "co2_t / energy_tce, tCO2/tce."),
        _col("green_share", NUM, "Green electricity share recomputed from the summed MWh, fraction 0–1."),
    ]


# --- Reference --------------------------------------------------------------------------------
dim_league_city = _table(
    "dim_league_city",
    "The 12 league-cities (盟市) of Inner Mongolia, GB/T 2260 codes.",
    _col("league_city_code", TEXT, "GB/T 2260 six-digit code, e.g. 150200.", pk=True),
    _col("name_zh", TEXT, "Chinese name, e.g. 包头市."),
    _col("name_en", TEXT, "English name, e.g. Baotou."),
)

dim_park = _table(
    "dim_park",
    "Park registry: the merged cultivation lists of the league-cities.",
    _park_code(),
    _col("park_name", TEXT, "Park name."),
    _col("league_city_code", TEXT, "League-city the park belongs to (dim_league_city)."),
    _col("category", TEXT, "national (national construction list) | regional | pilot."),
    _col("scope", TEXT, "whole (整体) | sub_park (园中园)."),
    _col("parent_park_code", TEXT, "Parent park of a sub_park; NULL for whole parks."),
    _col("on_cultivation_list", FLAG, "The registry's flag: on the cultivation list from enrolled_on. The list over "
         "time (city changes, year-end removals) is cultivation_list."),
    _col("enrolled_on", DATE, "Date the park was enrolled; months before it are not assessed."),
    _col("baseline_year", COUNT, "Year the baselines describe, e.g. 2025."),
    _col("baseline_carbon_per_energy", NUM, "Baseline-year carbon per energy, tCO2/tce (> 0)."),
    _col("baseline_green_share", NUM, "Baseline-year green electricity share, fraction 0–1."),
    _col("target_green_share", NUM, "Target green electricity share, fraction 0–1 (≥ baseline)."),
    _col("target_date", DATE, "Date by which target_green_share is due."),
    _col("registry_sha256", TEXT, "SHA-256 of the parks.csv this row was read from (lineage for assessment rows)."),
)

ref_standard = _table(
    "ref_standard",
    "Factors and thresholds of every installed rulebook: one row per version and key.",
    _col("standard_version", TEXT, "Rulebook version, e.g. IM-ZCP-2026.1.", pk=True),
    _col("key", TEXT, "Entry key, e.g. co2.grid_electricity.", pk=True),
    _col("sha256", TEXT, "SHA-256 (hex) of the rulebook file the version was read from."),
    _col("source_file", TEXT, "That file: zc_pipeline/standards/<version>.yaml, or standards/<version>.yaml of the data folder."),
    _col("value", TEXT, "Value as written in the rulebook (numbers as text)."),
    _col("unit", TEXT, "Unit of the value, e.g. tCO2/MWh (empty when unitless)."),
    _col("source", TEXT, "Where the value comes from, or why it was chosen."),
    _col("effective_from", DATE, "Date the rulebook version takes effect (a month's first day): months from it, and windows ending after it, are computed under it until the next version's."),
)

# --- Intake (history: rows are added, never replaced) ----------------------------------------
landing_file = _table(
    "landing_file",
    "Every file ever seen in the landing area, registered before parsing.",
    _col("source_sha256", TEXT, "SHA-256 (hex) of the file content.", pk=True),
    _col("source_file", TEXT, "Path relative to the landing area.", pk=True),
    _col("size_bytes", YUAN, "File size on disk, bytes."),
    _col("first_seen_at", TIMESTAMP, "When the pipeline first registered this file (UTC)."),
    _col("kind", TEXT, "monthly | verification | funding | list | interview | registry."),
)

submission = _table(
    "submission",
    "Every park-month version ever received (accepted, rejected or superseded); never deleted.",
    _col("submission_id", TEXT, "sha256(source_sha256|source_row)[:24]: stable across re-runs.", pk=True),
    _col("park_code", TEXT, "Park code as far as it could be read (NULL when unreadable)."),
    _period(pk=False),
    _col("source_file", TEXT, "Path of the file relative to the landing area."),
    _col("source_sha256", TEXT, "SHA-256 (hex) of the file content."),
    _col("source_format", TEXT, "xlsx | csv."),
    _col("source_row", COUNT, "CSV line (header = 1); NULL for a workbook and for a file-level rejection."),
    _col("submitted_on", DATE, "填报日期 as written by the park."),
    _col("received_at", TIMESTAMP, "When the file was first registered (landing_file.first_seen_at, UTC)."),
    _col("status", TEXT, "accepted | rejected | superseded."),
    _col("in_force", FLAG, "True for the one accepted submission in force for its park-month."),
    _col("error_count", COUNT, "Validation errors of this record (file errors included)."),
    _col("warning_count", COUNT, "Validation warnings of this record."),
    _col("on_time", FLAG, "submitted_on on or before the deadline day of the following month."),
    _run_id(),
)

submitted_value = _table(
    "submitted_value",
    "Each input quantity as the park wrote it and where, so any figure can be traced back.",
    _col("submission_id", TEXT, "Submission the value belongs to.", pk=True),
    _col("field", TEXT, "Canonical quantity name, e.g. grid_electricity_mwh.", pk=True),
    _col("value_as_written", TEXT, "Cell text as written in the file."),
    _col("unit_as_written", TEXT, "Unit as written (e.g. 万kWh); NULL when the column name fixes it."),
    _col("canonical_value", NUM, "Value converted to the field's canonical unit (NULL if not numeric)."),
    *_location(),
    # SQLite keeps the rows in primary-key order, so a submission's ~12 values sit together: a
    # month's values, read by submission, come from fewer pages than through a separate key index
    # (and the key is not stored twice). Other databases ignore the option.
    sqlite_with_rowid=False,
)

validation_issue = _table(
    "validation_issue",
    "Validation errors and warnings, each naming file, place, value, rule and a zh/en message.",
    _col("issue_id", TEXT, "Stable hash of (submission_id, rule_id, severity, sheet, row, column, value).", pk=True),
    _col("submission_id", TEXT, "Submission the issue belongs to; file-level issues point to the file's rejected row."),
    _col("period", TEXT, "Report month of the submission, `YYYY-MM` (NULL when unreadable)."),
    _col("source_file", TEXT, "Path of the file relative to the landing area."),
    _col("source_sha256", TEXT, "SHA-256 (hex) of the file content."),
    *_location(),
    _col("value", TEXT, "The offending value as written."),
    _col("severity", TEXT, "error (rejects the record or file) | warning (accepted and flagged)."),
    _col("rule_id", TEXT, "Stable rule identifier from the rule catalogue."),
    _col("message_zh", TEXT, "What to fix, in Chinese."),
    _col("message_en", TEXT, "What to fix, in English."),
    _run_id(),
)

# --- Monthly facts ----------------------------------------------------------------------------
park_month = _table(
    "park_month",
    "One row per park and month with a submission in force: activity in canonical units and measures.",
    _park_code(),
    _period(),
    *[_col(name, NUM, comment) for name, comment in QUANTITY_COMMENTS.items()],
    _col("electricity_mwh", NUM, "grid + green_direct + green_onsite, MWh."),
    _col("certified_mwh", NUM, "min(green_certificate, grid), MWh."),
    _col("green_mwh", NUM, "green_direct + green_onsite + certified_mwh, MWh."),
    _col("energy_tce", NUM, "Energy use in standard coal, tce (GB/T 2589 coefficients)."),
    _col("co2_t", NUM, "Computed CO2, tCO2."),
    _col("carbon_per_energy", NUM, "co2_t / energy_tce, tCO2/tce (NULL if energy_tce = 0)."),
    _col("carbon_per_value_added", NUM, "co2_t / value_added_10k_yuan, tCO2/10^4 yuan (NULL if value added = 0)."),
    _col("green_share", NUM, "green_mwh / electricity_mwh, fraction 0–1 (NULL if no electricity)."),
    _col("retrofit_rate", NUM, "retrofit_completed / retrofit_planned, fraction 0–1 (NULL if none planned)."),
    _col("co2_reporting_gap", NUM, "(reported_co2_t − co2_t) / co2_t, fraction (NULL if not reported or co2_t = 0)."),
    _col("on_time", FLAG, "The in-force submission was on time."),
    _col("submission_id", TEXT, "The submission in force."),
    _col("source_sha256", TEXT, "SHA-256 (hex) of the file of the submission in force."),
    _run_id(),
    _standard_version(),
)

rebound_alert = _table(
    "rebound_alert",
    "Carbon-intensity rebounds (反弹): carbon_per_energy above rebound.factor × the previous month; recomputed as months change.",
    _park_code(),
    _col("period", TEXT, "Month m of the rebound, `YYYY-MM`.", pk=True),
    _col("carbon_per_energy", NUM, "carbon_per_energy of month m, tCO2/tce."),
    _col("previous_period", TEXT, "Month m−1, `YYYY-MM`."),
    _col("previous_carbon_per_energy", NUM, "carbon_per_energy of month m−1, tCO2/tce."),
    _col("increase", NUM, "carbon_per_energy(m) / carbon_per_energy(m−1) − 1, fraction."),
    _col("rectify_by", DATE, "Last day of month m + rebound.rectify_months."),
    _col("status", TEXT, "open | rectified | overdue (as of the as_of date)."),
    _col("rectified_in", TEXT, "First later month m′ ≤ m + rebound.rectify_months back at or below the m−1 value; NULL otherwise."),
    _col("as_of", DATE, "As-of date the status was judged on."),
    _run_id(),
    _standard_version(),
    _col("interviewed_on", DATE, "Day the league-city interviewed the park about this rebound (earliest accepted "
         "row of landing/interviews/*.csv held by as_of); NULL when none."),
    _col("interview_due", DATE, "Last day the interview is on time: the month's submission deadline + "
         "lifecycle.interview_days."),
    _col("interview_status", TEXT, "on_time | late | overdue (not held, due day passed) | pending (not held, not yet "
         "due), judged on as_of; late and overdue are interview_overdue (STANDARD §13)."),
)

rebound_interview = _table(
    "rebound_interview",
    "Every row of the interview files (landing/interviews/<YYYY>.csv, FILES.md §6), accepted or rejected; "
    "rewritten from the files with rebound_alert.",
    _col("source_file", TEXT, "Path of the file relative to the landing area.", pk=True),
    _col("source_row", COUNT, "CSV line (header = 1).", pk=True),
    _col("source_sha256", TEXT, "SHA-256 (hex) of the interview file (two files may hold the same content)."),
    _park_code(pk=False),
    _col("alert_period", TEXT, "The rebound month the interview was about, `YYYY-MM` (as written when unreadable)."),
    _col("interviewed_on", DATE, "Day of the interview."),
    _col("note", TEXT, "The city's note."),
    _col("status", TEXT, "accepted | rejected (its errors are in validation_issue)."),
    _run_id(),
)

missing_report = _table(
    "missing_report",
    "Park-months expected but without a submission in force after the deadline.",
    _period(),
    _park_code(),
    _col("league_city_code", TEXT, "League-city of the park."),
    _col("reason", TEXT, "not_submitted (nothing received) | rejected (only rejected submissions)."),
    _col("rule_ids", TEXT, "Comma-separated rule ids of the errors that rejected the submissions (NULL if none)."),
    _run_id(),
    _standard_version(),
)

# --- Assessments ------------------------------------------------------------------------------
park_quarter_assessment = _table(
    "park_quarter_assessment",
    "Quarterly assessment of every registry park enrolled by the quarter's end.",
    _park_code(),
    _quarter(),
    _col("league_city_code", TEXT, "League-city of the park."),
    _col("category", TEXT, "national | regional | pilot (decides the carbon threshold)."),
    *_measures(),
    *_grade_and_cap(),
    _col("rank_in_city", COUNT, "RANK() over the rounded score, descending, within the league-city."),
    _run_id(),
    _standard_version(),
    _month_standard_versions(),
    _registry_sha256(),
)

city_quarter_summary = _table(
    "city_quarter_summary",
    "Quarterly roll-up per league-city.",
    _col("league_city_code", TEXT, "League-city code.", pk=True),
    _quarter(),
    *_summary_counts(),
    _col("open_rebounds", COUNT, "Rebound alerts open or overdue at the end of the quarter."),
    _run_id(),
    _standard_version(),
    _col("interviews_overdue", COUNT, "Rebound alerts of the city's parks whose interview was due within the quarter "
         "and was held late or not at all (STANDARD §13)."),
)

park_half_assessment = _table(
    "park_half_assessment",
    "Mid-year evaluation (H1, Jan–Jun) and year-end assessment (H2, Jan–Dec) per park.",
    _park_code(),
    _half(),
    _col("assessment", TEXT, "mid_year (H1) | year_end (H2)."),
    _col("window_start", DATE, "First day of the score window (1 January for both halves)."),
    _col("window_end", DATE, "Last day of the score window: the end of June (mid-year) or of December (year-end)."),
    _col("league_city_code", TEXT, "League-city of the park."),
    _col("category", TEXT, "national | regional | pilot."),
    *_measures(),
    *_grade_and_cap(),
    _col("rank_in_region", COUNT, "RANK() over the rounded score, descending, region-wide."),
    _col("spot_check", TEXT, "not_sampled | pass | fail | pending (the half's own six months)."),
    _col("outcome", TEXT, "nominate_national | remove_from_list | keep (year-end, parks on the list); NULL otherwise."),
    _run_id(),
    _standard_version(),
    _month_standard_versions(),
    _registry_sha256(),
)

region_half_summary = _table(
    "region_half_summary",
    "Half-year roll-up for the whole region.",
    _half(),
    *_summary_counts(),
    _col("nominations", COUNT, "Parks nominated for the national list (year-end only)."),
    _col("removals", COUNT, "Parks removed from the cultivation list (year-end only)."),
    _run_id(),
    _standard_version(),
    _col("removals_enacted", COUNT, "Year-end removals (of the previous year-end) that took parks off the list on a "
         "day within the half's own six months (cultivation_list rows with source year_end_outcome)."),
)

spot_check_sample = _table(
    "spot_check_sample",
    "Parks drawn for expert spot checks (weighted, reproducible draw); kept once drawn.",
    _half(),
    _park_code(),
    _col("risk_weight", NUM, "w = spot_check.weight_base + weight_per_rebound × rebound alerts + weight_per_warning × warnings in the half's six months."),
    _col("draw_order", COUNT, "1 = largest key u^(1/w)."),
    _col("seed", TEXT, "First 16 hex digits of sha256('<half>|<standard_version>')."),
    _run_id(),
    _standard_version(),
)

spot_check_result = _table(
    "spot_check_result",
    "Verification rows compared with the in-force co2_t; rows of parks not sampled are kept and change no grade.",
    _half(),
    _park_code(),
    _col("period", TEXT, "Verified month, `YYYY-MM`.", pk=True),
    _col("sampled", FLAG, "Whether the park was drawn for this half."),
    _col("co2_t", NUM, "CO2 computed from the in-force submission, tCO2."),
    _col("reported_co2_t", NUM, "The park's own CO2 figure, tCO2 (NULL if not reported)."),
    _col("verified_co2_t", NUM, "CO2 measured by the expert team, tCO2."),
    _col("discrepancy", NUM, "|co2_t − verified_co2_t| / verified_co2_t, fraction."),
    _col("result", TEXT, "pass | fail (fail when discrepancy > spot_check.discrepancy_limit)."),
    _col("source_file", TEXT, "The experts' file the row was read from, `landing/verifications/<half>.csv`."),
    _col("source_sha256", TEXT, "SHA-256 (hex) of that file."),
    _col("source_row", COUNT, "Line of the row in that file (the header is line 1)."),
    _run_id(),
    _standard_version(),
)

grade_history = _table(
    "grade_history",
    "Append-only record of published grades: a row is added only when grade, score or rulebook changed.",
    _col("history_id", Integer, "Surrogate key, increasing in insertion order.", pk=True, autoincrement=True),
    _col("park_code", TEXT, "Park code.", nullable=False),
    _col("level", TEXT, "quarter | half.", nullable=False),
    _col("period", TEXT, "The assessed window: `YYYY-Qn` or `YYYY-Hn`.", nullable=False),
    _col("grade", TEXT, "Published (capped) grade A | B | C | D."),
    _col("score", NUM, "Published score 0–100 (one decimal)."),
    _standard_version(),
    _run_id(),
    _col("issued_at", TIMESTAMP, "When this grade was published (UTC, the wall clock).", nullable=False),
    _col("as_of", DATE, "The as-of date of the run that published it: what had been published as of D is the "
         "latest row per window with as_of <= D (`zc history --as-of`); NULL in rows written before the column existed."),
    UniqueConstraint("park_code", "level", "period", "issued_at", name="uq_grade_history_issue"),
)

# One explanation line, as the view v_grade_explanation shows it (line_no is its place in `lines`).
def _line(name: str, type_, comment: str) -> Column:
    return _col(name, type_, comment, info={"stored_in": "grade_explanation.lines"})


EXPLANATION_LINE_NO = _line("line_no", COUNT, "Line number within the explanation, from 1.")
EXPLANATION_LINE: list[Column] = [
    _line("section", TEXT, "Part of the explanation, e.g. inputs, measures, score, caps."),
    _line("item", TEXT, "What the line states, e.g. co2_t or score_green."),
    _line("value", TEXT, "The value as displayed."),
    _line("unit", TEXT, "Unit of the value (NULL when unitless)."),
    _line("source_file", TEXT, "File the figure comes from (NULL for derived lines)."),
    _line("source_sha256", TEXT, "SHA-256 (hex) of that file."),
    *(_line(c.name, c.type, c.comment) for c in _location()),
    _line("note_zh", TEXT, "Explanation in Chinese."),
    _line("note_en", TEXT, "Explanation in English."),
    _line("standard_version", TEXT, "Rulebook version the line's figure comes from: the window's, or a "
          "reported month's own when it differs."),
]

grade_explanation = _table(
    "grade_explanation",
    "A park's grade explained line by line, each figure traced to its source cell: one row per park "
    "and window, the lines in `lines` (the view v_grade_explanation shows one row per line).",
    _park_code(),
    _col("period", TEXT, "The assessed window: `YYYY-Qn` or `YYYY-Hn`.", pk=True),
    _col("line_count", COUNT, "Number of lines.", nullable=False),
    _col("lines", TEXT, "The lines in order, as a JSON array of arrays, each holding the fields "
         + ", ".join(c.name for c in EXPLANATION_LINE) + " in this order.", nullable=False),
    _run_id(),
    _standard_version(),
    info={"rebuilt_when_reshaped": True, "read_by_views": ["v_grade_explanation"]},
)

def _lever_reason(lever: str) -> Column:
    return _col(
        f"{lever}_reason",
        TEXT,
        f"Why the {lever.replace('_', ' ')} lever cannot reach target_grade: capped:<cap> (a cap holding in "
        "the window limits the grade below it) | out_of_range (not even the lever's best value) | "
        "top_grade; NULL when it can.",
    )


park_what_if = _table(
    "park_what_if",
    "What-if per park and assessed window (STANDARD §12): the green share or carbon per energy that "
    "alone, all else in the window equal, would reach the next better grade.",
    _park_code(),
    _col("period", TEXT, "The assessed window: `YYYY-Qn` or `YYYY-Hn`.", pk=True),
    _col("grade", TEXT, "Published (capped) grade of the window."),
    _col("score", NUM, "Published score 0–100 (one decimal)."),
    _col("target_grade", TEXT, "The next better grade than the published one; NULL for grade A."),
    _col("green_share", NUM, "The window's green electricity share, fraction 0–1 (NULL if no electricity)."),
    _col("green_share_needed", NUM, "Smallest green share (6 decimals, rounded up) whose score reaches target_grade, fraction 0–1."),
    _col("extra_green_mwh", NUM, "(green_share_needed − green_share) × the window's electricity, MWh."),
    _lever_reason("green"),
    _col("carbon_per_energy", NUM, "The window's co2_t / energy_tce, tCO2/tce (NULL if no energy)."),
    _col("carbon_per_energy_needed", NUM, "Largest carbon per energy (6 decimals, rounded down) whose score reaches target_grade, tCO2/tce."),
    _col("co2_less_t", NUM, "(carbon_per_energy − carbon_per_energy_needed) × the window's energy_tce, tCO2."),
    _lever_reason("carbon"),
    _col("reason", TEXT, "Why neither lever reaches target_grade (capped:<cap> | out_of_range | top_grade); NULL when one can."),
    _run_id(),
    _standard_version(),
)

# --- Funding ----------------------------------------------------------------------------------
funding_allocation = _table(
    "funding_allocation",
    "Special fund (专项资金) allocation per project and year; the year's allocated sum never exceeds its budget.",
    _col("year", TEXT, "Funding year, `YYYY`.", pk=True),
    _col("project_id", TEXT, "Project identifier from the application file.", pk=True),
    _park_code(pk=False),
    _col("project_type", TEXT, "green_direct_supply | ccus_demo | other."),
    _col("investment_yuan", YUAN, "Project investment, yuan."),
    _col("basis_half", TEXT, "Assessment the decision is based on (`YYYY-` + the rulebook's funding.basis_half)."),
    _col("grade", TEXT, "Basis (capped) grade; NULL when the park is unknown or has no basis assessment."),
    _col("score", NUM, "Basis score; NULL when unknown."),
    _col("eligible", FLAG, "Whether the project is eligible."),
    _col("reason", TEXT, "eligible | not_on_list | grade_too_low | type_not_covered | park_unknown."),
    _col("rate", NUM, "Subsidy rate of the basis grade (funding.rate.<grade>); NULL when ineligible."),
    _col("requested_yuan", YUAN, "min(round_half_up(investment × rate), cap), yuan; NULL when ineligible."),
    _col("allocated_yuan", YUAN, "min(requested, budget left), yuan; 0 when ineligible."),
    _col("priority", COUNT, "1..n over eligible projects (A before B, higher score, earlier applied_on, project_id)."),
    _col("budget_left_yuan", YUAN, "What was left of the year's budget when the project's turn came (eligible projects; NULL otherwise)."),
    _run_id(),
    _standard_version(),
    _registry_sha256(),
)

# --- The programme's lifecycle (STANDARD §13) ------------------------------------------------
list_change = _table(
    "list_change",
    "Every row of the league-cities' list files (landing/lists/<city>_<YYYY-MM-DD>.csv, FILES.md §6), accepted or "
    "rejected; rewritten from the files with cultivation_list.",
    _col("source_file", TEXT, "Path of the file relative to the landing area.", pk=True),
    _col("source_row", COUNT, "CSV line (header = 1).", pk=True),
    _col("source_sha256", TEXT, "SHA-256 (hex) of the list file (two files may hold the same content)."),
    _col("league_city_code", TEXT, "League-city that sent the file (from its name; NULL when the name is not valid)."),
    _park_code(pk=False),
    _col("action", TEXT, "add | remove (纳入 | 移出), as read; as written when unreadable."),
    _col("effective_on", DATE, "Day the change takes effect."),
    _col("reason", TEXT, "The city's reason."),
    _col("status", TEXT, "accepted | rejected (its errors are in validation_issue)."),
    _run_id(),
)

cultivation_list = _table(
    "cultivation_list",
    "The cultivation list (培育名单) as history: per registry park, the periods of one status, each begun by a change. "
    "On the list on day D = a row with listed, valid_from <= D and (valid_to IS NULL or D < valid_to).",
    _park_code(),
    _col("valid_from", DATE, "First day of the period (the change's effective day; the park's enrolled_on for the "
         "first).", pk=True),
    _col("valid_to", DATE, "First day of the next period (exclusive); NULL for the current one."),
    _col("listed", FLAG, "On the list during the period."),
    _col("source", TEXT, "The change that began the period: registry (on_cultivation_list from enrolled_on) | "
         "city_list (a league-city's list file) | year_end_outcome (a year-end remove_from_list enacted)."),
    _col("source_file", TEXT, "registry/parks.csv or landing/lists/….csv; NULL for a year-end outcome."),
    _col("source_sha256", TEXT, "SHA-256 (hex) of that file."),
    _col("source_row", COUNT, "CSV line of the list file's row; NULL otherwise."),
    _col("reason", TEXT, "The city's reason; on_cultivation_list (registry); `<YYYY>-H2 remove_from_list` (year end)."),
    _run_id(),
)

park_accreditation = _table(
    "park_accreditation",
    "Accreditation (统一挂牌认定) per park and year, judged on the year-end assessment (STANDARD §13).",
    _park_code(),
    _col("year", TEXT, "Year, `YYYY` (its year-end assessment `YYYY-H2`).", pk=True),
    _col("accredited", FLAG, "Every criterion holds."),
    _col("reasons_failed", TEXT, "Failing criteria, comma-separated: not_on_list, category, grade, spot_check_failed, "
         "rebound_unrectified, green_share_below_path; NULL when accredited."),
    _run_id(),
    _standard_version(),
)

national_nomination = _table(
    "national_nomination",
    "Parks the region nominates for the national list per year (year-end outcome nominate_national), in order.",
    _col("year", TEXT, "Year, `YYYY`.", pk=True),
    _park_code(),
    _col("rank", COUNT, "1..n: accredited parks first, then higher rounded score, then park_code."),
    _col("accredited", FLAG, "The park was accredited for the year."),
    _col("score", NUM, "Year-end rounded score."),
    _run_id(),
    _standard_version(),
)

factor_priority = _table(
    "factor_priority",
    "Priority for energy, land and water quotas (能耗、用地、用水指标优先保障) per half: parks on the list on the "
    "half's last day, by tier (STANDARD §13).",
    _park_code(),
    _half(),
    _col("tier", COUNT, "1 (national-list parks and grade A) | 2 (grade B) | 3 (the rest of the list), by the rulebook."),
    _col("reason", TEXT, "Why the tier: `category <c>`, `grade <g>` or on_list."),
    _col("category", TEXT, "national | regional | pilot."),
    _col("grade", TEXT, "The half's published grade."),
    _run_id(),
    _standard_version(),
)

# --- Reports for people ---------------------------------------------------------------------
report_file = _table(
    "report_file",
    "Every report file written for people (workbooks, bulletins, notices, report cards), under the state folder.",
    _col("path", TEXT, "Path of the file relative to the state folder, e.g. reports/region_bulletin/2026-H1/….html.", pk=True),
    _col("kind", TEXT, "city_quarter_workbook | region_bulletin | region_bulletin_pdf | rectification_notice | park_report_card."),
    _col("period", TEXT, "Period the file reports on: quarter `YYYY-Qn`, half `YYYY-Hn`, or the rebound month `YYYY-MM`."),
    _col("league_city_code", TEXT, "League-city the file is for; NULL for the region's files."),
    _park_code(pk=False),
    _col("sha256", TEXT, "SHA-256 (hex) of the file content: the same inputs give the same bytes."),
    _run_id(),
)

TABLES: dict[str, Table] = dict(metadata.tables)

# Columns naming the partition a derived table is replaced by ([] = the whole table at once).
PARTITION_COLUMNS: dict[str, list[str]] = {
    "dim_league_city": [],
    "dim_park": [],
    "ref_standard": ["standard_version"],
    "park_month": ["period"],
    "rebound_alert": ["period"],
    "missing_report": ["period"],
    "park_quarter_assessment": ["quarter"],
    "city_quarter_summary": ["quarter"],
    "park_half_assessment": ["half"],
    "region_half_summary": ["half"],
    "spot_check_sample": ["half"],
    "spot_check_result": ["half"],
    "grade_explanation": ["period"],
    "park_what_if": ["period"],
    "funding_allocation": ["year"],
    "list_change": [],
    "rebound_interview": [],
    "cultivation_list": [],
    "park_accreditation": ["year"],
    "national_nomination": ["year"],
    "factor_priority": ["half"],
    "report_file": ["kind", "period"],
}

# Rows are only ever added (and a submission's status updated); never replaced wholesale.
HISTORY_TABLES = frozenset({"landing_file", "submission", "submitted_value", "validation_issue", "grade_history"})
