"""Explain a park's month, quarter or half line by line (the lines grade_explanation stores), and grades as of a date.

Pure: frames in, frames out. Every input quantity is traced to its file, SHA-256, sheet, row and
the unit as written; factors and thresholds carry the rulebook version and source (ref_standard);
the score components and caps are recomputed in words from the stored assessment row.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.domain.measures import CANONICAL_UNITS, is_null
from zc_pipeline.domain.outcomes import year_end_quarters
from zc_pipeline.domain.rebounds import UNRECTIFIED
from zc_pipeline.domain.scoring import (
    SPOT_CHECK_FAIL,
    cap_conditions,
    grade_of,
    threshold,
    threshold_key,
)
from zc_pipeline.domain.windows import MONTHS_PER_YEAR, annualised_energy
from zc_pipeline.standards import GRADES, Standard

COLUMNS = ["park_code", "period", "line_no", "section", "item", "value", "unit", "source_file", "source_sha256",
           "sheet", "row", "column", "note_zh", "note_en", "standard_version"]

# Canonical unit of each quantity field, and the rulebook entries converting it (tce, CO2).
CARRIER_KEYS = {
    "grid_electricity_mwh": ("tce.electricity.{conv}", "co2.grid_electricity"),
    "green_direct_mwh": ("tce.electricity.{conv}", "co2.green_electricity"),
    "green_onsite_mwh": ("tce.electricity.{conv}", "co2.green_electricity"),
    "raw_coal_t": ("tce.raw_coal", "co2.raw_coal"),
    "natural_gas_10k_m3": ("tce.natural_gas", "co2.natural_gas"),
    "diesel_t": ("tce.diesel", "co2.diesel"),
    "gasoline_t": ("tce.gasoline", "co2.gasoline"),
    "purchased_heat_gj": ("tce.purchased_heat", "co2.purchased_heat"),
}
PARK_FIELDS = [
    ("park_name", None, "园区名称", "park name"),
    ("category", None, "类别（决定碳强度阈值）", "category (decides the carbon threshold)"),
    ("scope", None, "范围", "scope"),
    ("enrolled_on", None, "纳入日期；此前月份不考核", "enrolment date; earlier months are not assessed"),
    ("baseline_year", None, "基准年", "baseline year"),
    ("baseline_carbon_per_energy", "tCO2/tce", "基准年单位能耗碳排放 B", "baseline carbon per energy B"),
    ("baseline_green_share", "fraction", "基准年绿电占比 g0", "baseline green share g0"),
    ("target_green_share", "fraction", "目标绿电占比 gT", "target green share gT"),
    ("target_date", None, "目标日期 tT", "target date tT"),
]
MEASURE_NOTES = {
    "months_expected": ("窗口内纳入后应报月数", "months of the window on or after enrolment"),
    "months_reported": ("其中有有效报送的月数", "of which months with a submission in force"),
    "months_on_time": ("其中按时报送的月数", "of which months submitted on time"),
    "energy_tce": ("能耗合计（各月之和）", "energy use, sum of the months"),
    "co2_t": ("二氧化碳排放合计（各月之和）", "CO2, sum of the months"),
    "carbon_per_energy": ("单位能耗碳排放 CI = co2_t / energy_tce", "carbon per energy CI = co2_t / energy_tce"),
    "green_share": ("绿电占比 = 绿电 / 用电（由合计重算）", "green share = green MWh / electricity MWh (from the sums)"),
    "green_target_at_end": ("窗口末日的绿电目标路径 g(t)", "green target path g(t) at the window's last day"),
    "retrofit_rate": ("节能改造完成率（最近报送月，累计）", "retrofit completion rate (latest reported month, cumulative)"),
}
MEASURE_UNITS = {"energy_tce": "tce", "co2_t": "tCO2", "carbon_per_energy": "tCO2/tce", "green_share": "fraction",
                 "green_target_at_end": "fraction", "retrofit_rate": "fraction"}
MONTH_MEASURES = ["electricity_mwh", "certified_mwh", "green_mwh", "energy_tce", "co2_t", "carbon_per_energy",
                  "carbon_per_value_added", "green_share", "retrofit_rate", "co2_reporting_gap"]
CAP_NOTES = {
    "no_report": ("窗口内无任何有效报送", "no month reported in the window"),
    "spot_check_failed": ("本半年专家抽查核验未通过", "a sampled month of the half failed verification"),
    "missing_report": ("存在应报未报月份", "some expected months were not reported"),
    "rebound_unrectified": ("窗口内有至窗口末仍未整改的碳强度反弹", "a rebound dated in the window is open or overdue at its end"),
}


@dataclass
class ExplainInputs:
    """Everything one explanation reads, already narrowed to the park (see stages/explanations.py)."""

    park: dict  # dim_park row
    period: str  # YYYY-MM, YYYY-Qn or YYYY-Hn
    std: Standard  # built from the ref_standard rows of the version used (`standard_from_ref`)
    ref_standard: pd.DataFrame  # those rows: key, value, unit, source
    month_rows: dict[str, dict]  # the park's park_month rows up to the window's end, by month
    submissions: dict[str, dict]  # submission rows of the in-force ids in the window, by submission_id
    values: dict[str, list[dict]]  # submitted_value rows of those submissions by id (`values_by_submission`)
    assessment: dict | None = None  # park_quarter_assessment / park_half_assessment row
    registry_file: tuple[str, str] | None = None  # (source_file, sha256) of the registry
    standard_file: tuple[str, str] | None = None  # (path, sha256) of the rulebook file
    ref_rows: dict[str, dict] | None = None  # ref_standard rows by key, when the caller keeps them per version
    # version -> (its ref_standard rows by key, (path, sha256) of its file): the rulebooks the window's
    # months were computed under, when one is not the window's own
    month_books: dict[str, tuple[dict[str, dict], tuple[str, str] | None]] | None = None
    warnings: dict[str, list[dict]] | None = None  # validation_issue warnings by submission id (the window's)
    spot_checks: list[dict] | None = None  # the half's spot_check_result rows of the park
    quarter_grades: dict[str, str] | None = None  # the park's published quarter grades (year-end outcome)
    funding: list[dict] | None = None  # funding_allocation rows of the park whose basis is this half, each
    #                                    with its year's `budget_yuan`
    # a quarter's or half's: the park's rebound alerts dated in the window, in month order, their
    # status at its end (`detect_rebounds` under the window's rulebook, through its last month; the
    # caller runs it once for every park it explains)
    rebounds: list[dict] | None = None


def standard_from_ref(ref: pd.DataFrame) -> Standard:
    """A Standard from stored ref_standard rows, so an explanation uses the figures that were in force."""
    version = str(ref["standard_version"].iloc[0])
    eff = ref["effective_from"].iloc[0]
    entries = {r.key: {"key": r.key, "value": r.value, "unit": r.unit, "source": r.source}
               for r in ref.itertuples(index=False)}
    return Standard(version, eff if isinstance(eff, dt.date) else dt.date.fromisoformat(str(eff)), entries)


def fmt(value) -> str | None:
    """Display text: integers without decimals, floats to at most 6 decimals, NULL as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


class _Lines:
    def __init__(self, inp: ExplainInputs):
        self.inp = inp
        self.rows: list[tuple] = []  # in COLUMNS order
        self.refs = inp.ref_rows if inp.ref_rows is not None else ref_rows(inp.ref_standard)
        self.months = inp.month_rows
        self.seen: set[tuple[str, str]] = set()

    def add(self, section, item, value, unit=None, zh="", en="", source=None, sheet=None, row=None, column=None,
            version=None):
        file, sha = source if source else (None, None)
        self.rows.append((
            self.inp.park["park_code"], self.inp.period, len(self.rows) + 1, section, item, fmt(value), _text(unit),
            _text(file), _text(sha), _text(sheet), None if is_null(row) else int(row), _text(column), zh, en,
            version or self.inp.std.version,
        ))

    def ref(self, section: str, key: str, zh: str = "", en: str = "", book=None) -> None:
        """A rulebook entry's line: of the window's rulebook, or of `book` = (version, refs, file)."""
        version, refs, file = book or (None, self.refs, self.inp.standard_file)
        r = refs.get(key)
        if r is None or (section, key, version) in self.seen:
            return
        self.seen.add((section, key, version))
        source = r["source"]
        self.add(section, key, r["value"], r["unit"] or None, f"{zh}来源：{source}".strip(),
                 f"{en + '; ' if en else ''}source: {source}", source=file, version=version)


def _text(value) -> str | None:
    """A text field of a line: NULL (None, NaN) as None."""
    return None if is_null(value) else value


def ref_rows(ref_standard: pd.DataFrame) -> dict[str, dict]:
    """ref_standard rows as plain dicts by key (what the explanation's rulebook lines read)."""
    return {r["key"]: r for r in records(ref_standard)}


def _window_months(period: str) -> list[str]:
    return [period] if p.period_kind(period) == "month" else p.score_window(period)


def _park_section(out: _Lines) -> None:
    park = out.inp.park
    for name, unit, zh, en in PARK_FIELDS:
        out.add("park", name, park.get(name), unit, zh, en, source=out.inp.registry_file)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values, as the lines format them."""
    cols = list(frame.columns)
    return [dict(zip(cols, values)) for values in frame.to_numpy(dtype=object).tolist()]


def values_by_submission(values: pd.DataFrame) -> dict[str, list]:
    """submitted_value rows (dicts) of each submission, in (row, column) order, NULL places last.

    One stable sort of all the values given (a whole run's, once): each submission's rows come out
    in the order a sort of that submission's rows alone gives.
    """
    out: dict[str, list] = {}
    try:
        ordered = sorted(records(values), key=_place)
    except TypeError:  # values of mixed types in a column (not what the warehouse holds): pandas orders them
        ordered = records(values.sort_values(["row", "column"], na_position="last", kind="stable"))
    for v in ordered:
        out.setdefault(v["submission_id"], []).append(v)
    return out


def _place(v: dict) -> tuple:
    row, column = v["row"], v["column"]
    return (is_null(row), 0 if is_null(row) else row, is_null(column), "" if is_null(column) else column)


def _input_section(out: _Lines, months: list[str]) -> None:
    inp = out.inp
    enrol = p.month_of(inp.park["enrolled_on"]) if not is_null(inp.park.get("enrolled_on")) else months[0]
    pm = out.months
    subs, values = inp.submissions, inp.values
    for month in months:
        if month < enrol:
            continue
        if month not in pm:
            out.add("inputs", f"{month} submission", None, None, "本月无有效报送（缺报或被退回）",
                    "no submission in force for this month (not submitted or rejected)")
            continue
        sid = pm[month]["submission_id"]
        sub = subs.get(sid)
        source = (sub["source_file"], sub["source_sha256"]) if sub is not None else (None, pm[month]["source_sha256"])
        on_time = bool(sub["on_time"]) if sub is not None and not is_null(sub["on_time"]) else None
        submitted = fmt(sub["submitted_on"]) if sub is not None else None
        out.add("inputs", f"{month} submission", sid, None,
                f"有效报送；填报日期 {submitted}，{'按时' if on_time else '逾期'}",
                f"submission in force; submitted on {submitted}, {'on time' if on_time else 'late'}",
                source=source, row=None if sub is None else sub["source_row"])
        for v in values.get(sid, []):
            unit = CANONICAL_UNITS.get(v["field"])
            written = v["unit_as_written"] if not is_null(v["unit_as_written"]) else None
            out.add("inputs", f"{month} {v['field']}", v["value_as_written"], written,
                    f"原值（单位如填写）；换算为 {fmt(v['canonical_value'])} {unit}",
                    f"as written (unit as written); canonical {fmt(v['canonical_value'])} {unit}",
                    source=source, sheet=None if is_null(v["sheet"]) else v["sheet"], row=v["row"],
                    column=None if is_null(v["column"]) else v["column"])
        for w in (inp.warnings or {}).get(sid, []):
            out.add("inputs", f"{month} warning {w['rule_id']}", w["value"], None,
                    f"校验警告（数据已接受）：{w['message_zh']}", f"validation warning (data accepted): {w['message_en']}",
                    source=(w["source_file"], w["source_sha256"]), sheet=None if is_null(w["sheet"]) else w["sheet"],
                    row=w["row"], column=None if is_null(w["column"]) else w["column"])


def _factor_section(out: _Lines, months: list[str]) -> None:
    """The conversion factors: the window's rulebook's, or, when its months were computed under
    other rulebooks, each of those with its version, its file and the months it computed."""
    inp = out.inp
    used: dict[str, list[str]] = {}
    for m in months:
        if m in out.months:
            used.setdefault(str(out.months[m]["standard_version"]), []).append(m)
    if not used or list(used) == [inp.std.version]:
        _factors(out, inp.std.get("electricity_convention", "equivalent"))
        return
    for version, its_months in used.items():
        refs, file = (out.refs, inp.standard_file) if version == inp.std.version else inp.month_books[version]
        span = its_months[0] if len(its_months) == 1 else f"{its_months[0]}–{its_months[-1]}"
        _factors(out, refs["electricity_convention"]["value"], (version, refs, file),
                 f"{span} 按 {version} 计算；", f"{span} computed under {version}")


def _factors(out: _Lines, conv: str, book=None, zh: str = "", en: str = "") -> None:
    with_en = (lambda text: f"{en}; {text}") if en else (lambda text: text)
    out.ref("factors", "electricity_convention", f"{zh}电力折标口径。", with_en("electricity conversion convention"), book)
    for fld, (tce_key, co2_key) in CARRIER_KEYS.items():
        out.ref("factors", tce_key.format(conv=conv), f"{zh}折标准煤系数。", with_en("conversion to tce"), book)
        out.ref("factors", co2_key, f"{zh}排放因子。", with_en("CO2 emission factor"), book)


def _month_measures(out: _Lines, month: str) -> None:
    r = out.months.get(month)
    if r is None:
        return
    for m in MONTH_MEASURES:
        out.add("measures", f"{month} {m}", r.get(m), MEASURE_UNITS.get(m), "按标准第3节计算",
                "computed by STANDARD §3")


def _window_measures(out: _Lines, a: dict, months: list[str]) -> None:
    pm = out.months
    for m in [m for m in months if m in pm]:
        out.add("measures", f"{m} energy_tce", pm[m]["energy_tce"], "tce", "当月能耗", "the month's energy use")
        out.add("measures", f"{m} co2_t", pm[m]["co2_t"], "tCO2", "当月排放", "the month's CO2")
    for m, (zh, en) in MEASURE_NOTES.items():
        out.add("measures", m, a.get(m), MEASURE_UNITS.get(m), zh, en)


def _score_sections(out: _Lines, a: dict, months: list[str]) -> None:
    inp, std = out.inp, out.inp.std
    reported = int(a.get("months_reported") or 0)
    category = inp.park.get("category")
    # thresholds
    if reported:
        annual = annualised_energy(float(a["energy_tce"]), reported)
        t = threshold(category, annual, std)
        key = threshold_key(category, annual, std)
        out.add("thresholds", "annualised_energy_tce", annual, "tce/year",
                f"年化能耗 = {fmt(a['energy_tce'])} × {MONTHS_PER_YEAR} / {reported}",
                f"annualised energy = {fmt(a['energy_tce'])} × {MONTHS_PER_YEAR} / {reported}")
        out.ref("thresholds", "threshold.large_energy_tce", "大型园区年化能耗界限。", "large-park annualised energy limit")
        out.ref("thresholds", key, f"类别 {category} 适用的碳强度阈值 T。", f"threshold T for category {category}")
    for w in ("carbon", "green", "retrofit", "reporting"):
        out.ref("thresholds", f"weight.{w}", "分项满分。", "component weight")
    for g in GRADES[:-1]:
        out.ref("thresholds", f"grade.{g}", f"{g} 级最低分。", f"minimum score for {g}")
    out.ref("thresholds", "score.decimals", "总分保留小数位（四舍五入）。", "score decimals (half-up)")
    # score
    if not reported:
        out.add("score", "score", 0.0, "points", "窗口内无报送：各分项为空，总分 0", "nothing reported: components NULL, score 0")
    else:
        b = float(inp.park["baseline_carbon_per_energy"])
        ci = a.get("carbon_per_energy")
        w = std.num("weight.carbon")
        if is_null(ci):
            zh, en = "CI 为空，得 0 分", "CI is NULL: 0 points"
        elif float(ci) <= t:
            zh = en = f"CI {fmt(ci)} ≤ T {fmt(t)} → {fmt(w)}"
        else:
            zh = en = f"{fmt(w)} × clamp((B − CI)/(B − T), 0, 1) = {fmt(w)} × clamp(({fmt(b)} − {fmt(ci)})/({fmt(b)} − {fmt(t)}), 0, 1)"
        out.add("score", "score_carbon", a.get("score_carbon"), "points", zh, en)
        g = a.get("green_target_at_end")
        expr = f"{fmt(std.num('weight.green'))} × clamp(green_share / g(t), 0, 1) = {fmt(std.num('weight.green'))} × clamp({fmt(a.get('green_share'))} / {fmt(g)}, 0, 1)"
        out.add("score", "score_green", a.get("score_green"), "points", expr, expr)
        rate = a.get("retrofit_rate")
        expr = (f"{fmt(std.num('weight.retrofit'))} × {fmt(rate)}" if not is_null(rate)
                else f"无改造计划 → {fmt(std.num('weight.retrofit'))}")
        out.add("score", "score_retrofit", a.get("score_retrofit"), "points", expr,
                expr.replace("无改造计划", "nothing planned"))
        expr = f"{fmt(std.num('weight.reporting'))} × {a.get('months_on_time')} / {a.get('months_expected')}"
        out.add("score", "score_reporting", a.get("score_reporting"), "points", expr, expr)
        out.add("score", "score", a.get("score"), "points", "四项之和，四舍五入到一位小数",
                "sum of the four components, rounded half-up to one decimal")
    # caps
    if inp.rebounds is None:
        raise ValueError(f"{inp.period}: the window's rebound alerts were not given (ExplainInputs.rebounds)")
    alerts = inp.rebounds
    holds_rebound = any(alert["status"] in UNRECTIFIED for alert in alerts)
    if alerts:
        out.ref("caps", "rebound.factor", "反弹判定系数。", "rebound factor")
        out.ref("caps", "rebound.rectify_months", "整改期限（月）。", "months to rectify")
    for alert in alerts:
        cpe, before, by, status = (fmt(alert["carbon_per_energy"]), fmt(alert["previous_carbon_per_energy"]),
                                   fmt(alert["rectify_by"]), alert["status"])
        out.add("caps", f"rebound {alert['period']}", status, None,
                f"碳强度反弹：{cpe} > 上月 {before} × 系数；整改期限 {by}；窗口末状态 {status}",
                f"rebound: {cpe} > previous {before} × factor; rectify by {by}; status at the window's end {status}")
    holding = cap_conditions(
        reported, int(a.get("months_expected") or 0), a.get("spot_check") == SPOT_CHECK_FAIL, holds_rebound
    )
    for cap in std.cap_precedence():
        zh, en = CAP_NOTES[cap]
        limit = std.get(f"cap.{cap}")
        out.add("caps", f"cap.{cap}", "applies" if holding[cap] else "does not apply", None,
                f"{zh}：{'成立' if holding[cap] else '不成立'}；等级上限 {limit}",
                f"{en}: {'holds' if holding[cap] else 'does not hold'}; grade at most {limit}",
                source=inp.standard_file)
    _spot_check_lines(out)
    cap = a.get("grade_cap")
    out.add("caps", "grade_cap", None if is_null(cap) else cap, None,
            "最严的、低于未封顶等级的封顶条件（无则为空）",
            "the strictest cap below the uncapped grade (NULL when none lowered it)")
    # grade
    uncapped = grade_of(float(a.get("score") or 0.0), std)
    out.add("grade", "uncapped_grade", uncapped, None, "按总分分档的等级", "grade band of the score")
    out.add("grade", "grade", a.get("grade"), None, "公布等级（封顶后）", "published grade (after caps)")
    if p.period_kind(inp.period) == "half":
        _outcome_section(out, a)
        _funding_section(out)


def _spot_check_lines(out: _Lines) -> None:
    """The experts' verification rows of the half (STANDARD §8): each traced to its file and line."""
    rows = out.inp.spot_checks or []
    if rows:
        out.ref("caps", "spot_check.discrepancy_limit", "核验偏差上限。", "verification discrepancy limit")
    limit = out.refs.get("spot_check.discrepancy_limit", {}).get("value")
    for r in rows:
        gap = "无法比较（当月无有效报送）" if is_null(r["discrepancy"]) else f"偏差 {fmt(r['discrepancy'])}，限值 {limit}"
        gap_en = ("cannot be compared (no submission in force)" if is_null(r["discrepancy"])
                  else f"discrepancy {fmt(r['discrepancy'])} vs limit {limit}")
        drawn = "抽中" if r["sampled"] else "未抽中，不影响等级"
        drawn_en = "sampled" if r["sampled"] else "not sampled: changes no grade"
        computed = "" if is_null(r["co2_t"]) else f"，计算 {fmt(r['co2_t'])} tCO2"
        computed_en = "" if is_null(r["co2_t"]) else f", computed {fmt(r['co2_t'])} tCO2"
        out.add("caps", f"spot check {r['period']}", r["result"], None,
                f"专家核验 {fmt(r['verified_co2_t'])} tCO2{computed}；{gap}；{drawn}",
                f"experts verified {fmt(r['verified_co2_t'])} tCO2{computed_en}; {gap_en}; {drawn_en}",
                source=(r["source_file"], r["source_sha256"]) if not is_null(r.get("source_file")) else None,
                row=r.get("source_row"))


def _outcome_section(out: _Lines, a: dict) -> None:
    """The half's rank in the region and, at year end, the park's outcome (STANDARD §9)."""
    out.add("outcome", "rank_in_region", a.get("rank_in_region"), None,
            "全区按四舍五入后总分排名（同分同名次）", "rank region-wide by the rounded score (equal scores share a rank)")
    if not str(out.inp.period).endswith("H2"):
        return
    outcome, grade = a.get("outcome"), a.get("grade")
    quarters = {q: (out.inp.quarter_grades or {}).get(q) for q in year_end_quarters(out.inp.period)}
    in_quarters = "，".join(f"{q} {g or '无'}" for q, g in quarters.items())
    in_quarters_en = ", ".join(f"{q} {g or 'none'}" for q, g in quarters.items())
    for key, zh, en in (("outcome.remove_grade", "移出培育名单的等级。", "grade that removes a park from the list"),
                        ("outcome.nominate_grade", "推荐国家级的等级。", "grade nominated for the national list"),
                        ("outcome.max_nominations", "每年推荐上限。", "nominations per year at most")):
        out.ref("outcome", key, zh, en)
    if is_null(outcome):
        zh, en = "不在培育名单：无年终结果", "not on the cultivation list: no year-end outcome"
    elif outcome == "remove_from_list":
        zh = f"年终等级 {grade}，或下半年两个季度均为 {out.refs['outcome.remove_grade']['value']}（{in_quarters}）→ 移出"
        en = (f"year-end grade {grade}, or {out.refs['outcome.remove_grade']['value']} in both quarters of the half "
              f"({in_quarters_en}) → removed")
    elif outcome == "nominate_national":
        zh = f"年终等级 {grade}、非国家级、得分 {fmt(a.get('score'))} 位列全区前 {out.refs['outcome.max_nominations']['value']} 名 → 推荐"
        en = (f"year-end grade {grade}, not national, score {fmt(a.get('score'))} among the region's best "
              f"{out.refs['outcome.max_nominations']['value']} → nominated")
    else:
        zh = f"年终等级 {grade}；季度等级 {in_quarters}：既不移出也未推荐 → 保留"
        en = f"year-end grade {grade}; quarters {in_quarters_en}: neither removed nor nominated → kept"
    out.add("outcome", "outcome", outcome, None, zh, en)


def _funding_section(out: _Lines) -> None:
    """The park's projects in the fund whose grades this half decides (STANDARD §10), by priority."""
    for r in out.inp.funding or []:
        rate = "" if is_null(r["rate"]) else f"，比例 {fmt(r['rate'])}"
        rate_en = "" if is_null(r["rate"]) else f", rate {fmt(r['rate'])}"
        if r["eligible"]:
            zh = (f"{r['year']} 年项目，依据 {r['basis_half']} 等级 {r['grade']}{rate}；申请 {fmt(r['requested_yuan'])} 元；"
                  f"优先序 {fmt(r['priority'])}，此前预算余额 {fmt(r['budget_left_yuan'])} / {fmt(r['budget_yuan'])} 元")
            en = (f"{r['year']} project, basis {r['basis_half']} grade {r['grade']}{rate_en}; requested "
                  f"{fmt(r['requested_yuan'])} yuan; priority {fmt(r['priority'])}, budget left before it "
                  f"{fmt(r['budget_left_yuan'])} of {fmt(r['budget_yuan'])} yuan")
        else:
            zh = f"{r['year']} 年项目，不予支持：{r['reason']}（依据 {r['basis_half']} 等级 {r['grade'] or '无'}）"
            en = f"{r['year']} project, not eligible: {r['reason']} (basis {r['basis_half']} grade {r['grade'] or 'none'})"
        out.add("funding", f"project {r['project_id']}", r["allocated_yuan"], "yuan", zh, en, version=r["standard_version"])


def explain(inp: ExplainInputs) -> pd.DataFrame:
    """The explanation's lines (COLUMNS: v_grade_explanation's but run_id) for one park and one month, quarter or half."""
    return pd.DataFrame(explain_rows(inp), columns=COLUMNS)


def explain_rows(inp: ExplainInputs) -> list[tuple]:
    """`explain` as tuples in COLUMNS order (what grade_explanation stores, without a frame per park)."""
    out = _Lines(inp)
    months = _window_months(inp.period)
    _park_section(out)
    _input_section(out, months)
    _factor_section(out, months)
    if p.period_kind(inp.period) == "month":
        _month_measures(out, inp.period)
    elif inp.assessment is not None:
        _window_measures(out, inp.assessment, months)
        _score_sections(out, inp.assessment, months)
    return out.rows


def render(lines: pd.DataFrame, lang: str = "both") -> str:
    """Plain-text explanation for the terminal: one line per row, grouped by section."""
    heads = {"park": ("园区", "Park"), "inputs": ("输入数据", "Inputs"), "factors": ("系数", "Factors"),
             "measures": ("指标", "Measures"), "thresholds": ("阈值与权重", "Thresholds and weights"),
             "score": ("得分", "Score"), "caps": ("封顶", "Caps"), "grade": ("等级", "Grade"),
             "outcome": ("排名与年终结果", "Rank and year-end outcome"), "funding": ("专项资金", "Special fund")}
    text, section = [], None
    for r in lines.itertuples(index=False):
        if r.section != section:
            section = r.section
            zh, en = heads.get(section, (section, section))
            text.append("")
            text.append({"zh": zh, "en": en}.get(lang, f"{zh} / {en}"))
        value = "" if is_null(r.value) else str(r.value)
        unit = "" if is_null(r.unit) or r.unit is None else f" {r.unit}"
        line = f"  {r.item:<34} {value}{unit}"
        where = []
        if not is_null(r.source_file) and r.source_file:
            where.append(str(r.source_file))
        if not is_null(r.source_sha256) and r.source_sha256:
            where.append(f"sha256 {r.source_sha256}")
        if not is_null(r.sheet) and r.sheet:
            where.append(f"sheet {r.sheet}")
        if not is_null(r.row) and r.row is not None:
            where.append(f"row {int(r.row)}")
        if not is_null(r.column) and r.column:
            where.append(f"col {r.column}")
        notes = {"zh": [r.note_zh], "en": [r.note_en]}.get(lang, [r.note_zh, r.note_en])
        text.append(line)
        for n in notes:
            if n:
                text.append(f"      {n}")
        if where:
            text.append(f"      [{' · '.join(where)}]")
    return "\n".join(text).lstrip("\n")


def published_as_of(history: pd.DataFrame, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per (level, period): the latest grade_history row published as of `as_of`: by the as-of date
    of the run that published it, or, for a row without one (written before the column existed), by
    the Asia/Shanghai day it was issued.

    Columns: level, period, grade, score, standard_version, as_of, issued_at, revisions (rows up to as_of).
    """
    cols = ["level", "period", "grade", "score", "standard_version", "as_of", "issued_at", "revisions"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    h = history.copy()
    h["issued_at"] = pd.to_datetime(h["issued_at"], utc=True)
    if "as_of" not in h:
        h["as_of"] = None
    if as_of is not None:
        issued_day = h["issued_at"].dt.tz_convert(p.TIMEZONE.key).dt.date
        published_on = [d if not is_null(d) else i for d, i in zip(h["as_of"], issued_day)]
        h = h[[d <= as_of for d in published_on]]
    if h.empty:
        return pd.DataFrame(columns=cols)
    # in publication order (as grade_history is written): by the publishing run's as-of date, rows
    # without one first, then by the wall clock
    h["_dated"] = h["as_of"].notna()
    h["_as_of"] = pd.to_datetime(h["as_of"])
    order = ["_dated", "_as_of", "issued_at", *(["history_id"] if "history_id" in h else [])]
    h = h.sort_values(order, kind="mergesort", na_position="first")
    counts = h.groupby(["level", "period"]).size().rename("revisions")
    latest = h.groupby(["level", "period"]).tail(1).set_index(["level", "period"]).join(counts).reset_index()
    latest["_end"] = [p.score_window(x)[-1] for x in latest["period"]]
    latest["_level"] = latest["level"].map({"quarter": 0, "half": 1})
    latest = latest.sort_values(["_end", "_level"], kind="mergesort").reset_index(drop=True)
    return latest[cols]
