"""The league-city's quarterly evaluation workbook (季度评估): one xlsx per league-city and quarter.

Sheets: the ranked parks with score components, caps, thresholds and targets; the grade
distribution with a native bar chart; per park the last months' carbon per energy and green share
as native line charts against the threshold and target path; open and overdue rebounds; missing
reports; the what-if per park. Charts are native Excel charts over the sheets' cells, so they
stay editable in Excel and WPS.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from zc_pipeline.reports.common import (
    CAP, CATEGORY, GRADES, MISSING_REASON, REBOUND_STATUS, document_time, en, missing, quarter_zh, what_if_reason, zh,
)
from zc_pipeline.reports.svg import GRADE_COLOURS, PALETTE
from zc_pipeline.reports.xlsx import CPE, DATE, POINTS, RATIO, TONNES, Book, Col, ref

RANKING_SHEET = "评估排名"
GRADES_SHEET = "等级分布"
TREND_SHEET = "月度趋势"
REBOUND_SHEET = "反弹整改"
MISSING_SHEET = "缺报"
WHAT_IF_SHEET = "情景测算"
HEADER_ROW = 4  # every sheet: title, subtitle, blank, then the table's header
TREND_BLOCK_ROWS = 18  # a park's block on the trend sheet: title, header, months, room for the charts
MEASURED_COLOUR = PALETTE[0]
REFERENCE_COLOUR = PALETTE[3]  # the threshold or target path, dashed


@dataclass(frozen=True)
class CityQuarter:
    """Everything one league-city's quarterly workbook shows, read from the warehouse."""

    city_code: str
    city_name_zh: str
    city_name_en: str
    quarter: str
    as_of: dt.date
    standard_version: str
    weights: dict[str, float]  # score component -> its maximum points (rulebook)
    cap_limits: dict[str, str]  # cap -> the grade it allows at most (rulebook)
    # park_quarter_assessment rows of the city's parks, with park_name, threshold and
    # rebound_months (the alerts open or overdue at the quarter's end, e.g. "2026-03")
    parks: pd.DataFrame
    grade_counts: dict[str, int]  # city_quarter_summary grade_a..grade_d
    trend_months: list[str]
    # one row per park and trend month: carbon_per_energy, green_share (NULL when not reported),
    # threshold (the quarter's) and green_target (the target path at the month's end)
    trend: pd.DataFrame
    # alerts of the city's parks open or overdue at the quarter's end: park_code, park_name, period,
    # previous_period, previous_carbon_per_energy, carbon_per_energy, increase, rectify_by,
    # status (at the quarter's end), status_now, rectified_in
    rebounds: pd.DataFrame
    missing_reports: pd.DataFrame  # missing_report rows of the quarter's months, with park_name
    what_if: pd.DataFrame | None  # park_what_if rows of the quarter, with park_name; None: not computed


def cap_why(row: dict, cap_limits: dict[str, str]) -> str:
    """Why a cap lowered the grade, in the park's own figures (zh / en)."""
    cap = row.get("grade_cap")
    if missing(cap):
        return ""
    if cap == "missing_report":
        detail = f"已报 {row['months_reported']}/{row['months_expected']} 个月 / {row['months_reported']} of {row['months_expected']} months reported"
    elif cap == "rebound_unrectified":
        detail = f"{row.get('rebound_months') or ''}"
    else:
        detail = ""
    text = f"{zh(CAP, cap)} / {en(CAP, cap)}（≤ {cap_limits[cap]}）"
    return f"{text}：{detail}" if detail else text


def _met(value, limit, below: bool) -> str:
    if missing(value) or missing(limit):
        return ""
    ok = float(value) <= float(limit) if below else float(value) >= float(limit)
    return "达标 met" if ok else ("超出 above" if below else "未达 below")


def _ranking_columns(data: CityQuarter) -> list[Col]:
    w = data.weights
    return [
        Col("排名", "rank", lambda r: r["rank_in_city"], None, 6),
        Col("园区代码", "park code", lambda r: r["park_code"], None, 13),
        Col("园区名称", "park", lambda r: r["park_name"], None, 30),
        Col("类别", "category", lambda r: zh(CATEGORY, r["category"]), None, 9),
        Col("等级", "grade", lambda r: r["grade"], None, 6),
        Col("得分", "score", lambda r: r["score"], POINTS, 7),
        Col(f"碳强度得分（{w['carbon']:g}）", "score_carbon", lambda r: r["score_carbon"], POINTS, 12),
        Col(f"绿电得分（{w['green']:g}）", "score_green", lambda r: r["score_green"], POINTS, 12),
        Col(f"改造得分（{w['retrofit']:g}）", "score_retrofit", lambda r: r["score_retrofit"], POINTS, 12),
        Col(f"报送得分（{w['reporting']:g}）", "score_reporting", lambda r: r["score_reporting"], POINTS, 12),
        Col("等级上限", "grade cap", lambda r: None if missing(r["grade_cap"]) else data.cap_limits[r["grade_cap"]], None, 8),
        Col("上限原因", "why capped", lambda r: cap_why(r, data.cap_limits), None, 36),
        Col("碳排放强度 tCO2/tce", "carbon per energy", lambda r: r["carbon_per_energy"], CPE, 11),
        Col("阈值 tCO2/tce", "threshold", lambda r: r["threshold"], CPE, 10),
        Col("碳强度对标", "vs threshold", lambda r: _met(r["carbon_per_energy"], r["threshold"], True), None, 10),
        Col("绿电占比", "green share", lambda r: r["green_share"], RATIO, 9),
        Col("目标路径", "target", lambda r: r["green_target_at_end"], RATIO, 9),
        Col("绿电对标", "vs target", lambda r: _met(r["green_share"], r["green_target_at_end"], False), None, 10),
        Col("应报月数", "months expected", lambda r: r["months_expected"], None, 9),
        Col("已报月数", "months reported", lambda r: r["months_reported"], None, 9),
        Col("按时月数", "months on time", lambda r: r["months_on_time"], None, 9),
    ]


def _subtitle(data: CityQuarter) -> str:
    return (f"{data.city_name_zh}（{data.city_code}）· 数据截至 {data.as_of.isoformat()} · 评价规则 {data.standard_version}"
            f" / {data.city_name_en}, {data.quarter}, as of {data.as_of.isoformat()}")


def _ranked(parks: pd.DataFrame) -> list[dict]:
    order = parks.assign(_rank=parks["rank_in_city"].astype(float)).sort_values(["_rank", "park_code"], kind="mergesort")
    return order.drop(columns="_rank").to_dict("records")


def _ranking_sheet(book: Book, ws, data: CityQuarter) -> None:
    book.title(ws, f"{data.city_name_zh}零碳园区{quarter_zh(data.quarter)}评估", _subtitle(data))
    last = book.table(ws, HEADER_ROW, _ranking_columns(data), _ranked(data.parks))
    book.note(ws, last + 2, "排名按四舍五入后的得分（同分同名次）；得分各分项为未取整值。"
                            " Rank by the rounded score (equal scores share a rank); components are unrounded.")
    book.print_setup(ws, HEADER_ROW)


def _grades_sheet(book: Book, ws, data: CityQuarter) -> None:
    book.title(ws, f"{data.city_name_zh}{quarter_zh(data.quarter)}等级分布", _subtitle(data))
    rows = [{"grade": g, "parks": int(data.grade_counts.get(g, 0))} for g in GRADES]
    cols = [Col("等级", "grade", lambda r: r["grade"], None, 8), Col("园区数", "parks", lambda r: r["parks"], None, 10)]
    last = book.table(ws, HEADER_ROW, cols, rows)
    book.chart(ws, (4, 4), {"type": "column"}, [{
        "name": ref(GRADES_SHEET, HEADER_ROW, 2), "values": ref(GRADES_SHEET, HEADER_ROW + 1, 2, last),
        "categories": ref(GRADES_SHEET, HEADER_ROW + 1, 1, last),
        "points": [{"fill": {"color": GRADE_COLOURS[g]}} for g in GRADES],
    }], title="等级分布 grade distribution", size_cm=(14, 8), legend=False,
        x_axis={"name": "等级 grade"}, y_axis={"name": "园区数 parks", "min": 0, "major_unit": 1})
    book.print_setup(ws)


def _line_chart(book: Book, ws, anchor: tuple[int, int], title: str, first_col: int, header_row: int,
                last_row: int, y_title: str, number_format: str) -> None:
    """The measured line (solid, circles) and its reference (dashed: threshold or target path)."""
    months = ref(TREND_SHEET, header_row + 1, 1, last_row)

    def series(col: int, **look) -> dict:
        return {"name": ref(TREND_SHEET, header_row, col), "categories": months,
                "values": ref(TREND_SHEET, header_row + 1, col, last_row), "smooth": False, **look}

    book.chart(ws, anchor, {"type": "line"}, [
        series(first_col, line={"color": MEASURED_COLOUR},
               marker={"type": "circle", "fill": {"color": MEASURED_COLOUR}, "border": {"color": MEASURED_COLOUR}}),
        series(first_col + 1, line={"color": REFERENCE_COLOUR, "dash_type": "dash"},
               marker={"type": "none"}),
    ], title=title, size_cm=(15, 7.5), blanks_as_gaps=True,
        y_axis={"name": y_title or None, "num_format": number_format, "min": 0})


TREND_COLUMNS = [
    Col("月份", "month", lambda r: r["period"], None, 10),
    Col("碳排放强度", "carbon per energy", lambda r: r["carbon_per_energy"], CPE, 12),
    Col("阈值", "threshold", lambda r: r["threshold"], CPE, 10),
    Col("绿电占比", "green share", lambda r: r["green_share"], RATIO, 10),
    Col("目标路径", "target path", lambda r: r["green_target"], RATIO, 10),
]


def trend_block_row(index: int) -> int:
    """First row (the park's title) of the `index`-th park's block on the trend sheet."""
    return HEADER_ROW + index * TREND_BLOCK_ROWS


def _trend_sheet(book: Book, ws, data: CityQuarter) -> None:
    months = data.trend_months
    book.title(ws, f"{data.city_name_zh}各园区近{len(months)}个月碳排放强度与绿电占比",
               _subtitle(data) + f" · {months[0]}–{months[-1]}")
    parks = _ranked(data.parks)
    grid = pd.MultiIndex.from_product([[p["park_code"] for p in parks], months], names=["park_code", "period"])
    rows = data.trend.set_index(["park_code", "period"]).reindex(grid).reset_index().to_dict("records")
    n = len(months)
    for i, park in enumerate(parks):
        top = trend_block_row(i)
        book.put(ws, top, 1, f"{park['park_name']}（{park['park_code']}）", book.fmt(bold=True, font_size=12))
        last = book.table(ws, top + 1, TREND_COLUMNS, rows[i * n:(i + 1) * n])
        _line_chart(book, ws, (top, 7), "碳排放强度 carbon per energy", 2, top + 1, last, "tCO2/tce", "0.00")
        _line_chart(book, ws, (top, 15), "绿电占比 green share", 4, top + 1, last, "", "0%")
    book.print_setup(ws)


REBOUND_COLUMNS = [
    Col("园区代码", "park code", lambda r: r["park_code"], None, 13),
    Col("园区名称", "park", lambda r: r["park_name"], None, 30),
    Col("反弹月份", "month", lambda r: r["period"], None, 9),
    Col("上月", "previous month", lambda r: r["previous_period"], None, 9),
    Col("上月碳排放强度", "before", lambda r: r["previous_carbon_per_energy"], CPE, 12),
    Col("本月碳排放强度", "after", lambda r: r["carbon_per_energy"], CPE, 12),
    Col("升幅", "increase", lambda r: r["increase"], RATIO, 9),
    Col("整改期限", "rectify by", lambda r: r["rectify_by"], DATE, 12),
    Col("季度末状态", "status at quarter end", lambda r: f"{zh(REBOUND_STATUS, r['status'])} {r['status']}", None, 14),
    Col("当前状态", "status as of the as-of date", lambda r: f"{zh(REBOUND_STATUS, r['status_now'])} {r['status_now']}", None, 14),
    Col("整改完成月", "rectified in", lambda r: r["rectified_in"], None, 10),
]


def _rebound_sheet(book: Book, ws, data: CityQuarter) -> None:
    book.title(ws, f"{data.city_name_zh}碳排放强度反弹：季度末未整改（整改中或逾期）", _subtitle(data))
    rows = data.rebounds.sort_values(["rectify_by", "park_code", "period"], kind="mergesort").to_dict("records")
    last = book.table(ws, HEADER_ROW, REBOUND_COLUMNS, rows)
    if not rows:
        book.note(ws, last + 1, "本季度末无整改中或逾期的反弹。 No rebound open or overdue at the quarter's end.")
    book.print_setup(ws, HEADER_ROW)


MISSING_COLUMNS = [
    Col("月份", "month", lambda r: r["period"], None, 9),
    Col("园区代码", "park code", lambda r: r["park_code"], None, 13),
    Col("园区名称", "park", lambda r: r["park_name"], None, 30),
    Col("原因", "reason", lambda r: f"{zh(MISSING_REASON, r['reason'])} {r['reason']}", None, 22),
    Col("退回规则", "rules", lambda r: r["rule_ids"], None, 12),
]


def _missing_sheet(book: Book, ws, data: CityQuarter) -> None:
    book.title(ws, f"{data.city_name_zh}{quarter_zh(data.quarter)}缺报月份", _subtitle(data))
    rows = data.missing_reports.sort_values(["period", "park_code"], kind="mergesort").to_dict("records")
    last = book.table(ws, HEADER_ROW, MISSING_COLUMNS, rows)
    if not rows:
        book.note(ws, last + 1, "本季度无缺报。 No month missing this quarter.")
    book.print_setup(ws, HEADER_ROW)


WHAT_IF_COLUMNS = [
    Col("园区代码", "park code", lambda r: r["park_code"], None, 13),
    Col("园区名称", "park", lambda r: r["park_name"], None, 30),
    Col("等级", "grade", lambda r: r["grade"], None, 6),
    Col("得分", "score", lambda r: r["score"], POINTS, 7),
    Col("目标等级", "target grade", lambda r: r["target_grade"], None, 8),
    Col("绿电占比", "green share", lambda r: r["green_share"], RATIO, 9),
    Col("所需绿电占比", "green share needed", lambda r: r["green_share_needed"], RATIO, 11),
    Col("需增绿电 MWh", "extra green MWh", lambda r: r["extra_green_mwh"], TONNES, 12),
    Col("绿电措施说明", "green lever", lambda r: " / ".join(filter(None, what_if_reason(r.get("green_reason")))), None, 30),
    Col("碳排放强度", "carbon per energy", lambda r: r["carbon_per_energy"], CPE, 11),
    Col("所需碳排放强度", "carbon per energy needed", lambda r: r["carbon_per_energy_needed"], CPE, 12),
    Col("需减排 tCO2", "CO2 less t", lambda r: r["co2_less_t"], TONNES, 12),
    Col("碳强度措施说明", "carbon lever", lambda r: " / ".join(filter(None, what_if_reason(r.get("carbon_reason")))), None, 30),
]


def _what_if_sheet(book: Book, ws, data: CityQuarter) -> None:
    book.title(ws, f"{data.city_name_zh}{quarter_zh(data.quarter)}情景测算：单项措施达到上一等级所需",
               _subtitle(data) + " · 其余条件不变 / one lever at a time, all else equal")
    if data.what_if is None:
        book.note(ws, HEADER_ROW, "本季度尚无情景测算结果。 No what-if has been computed for this quarter.")
        return
    order = data.what_if.merge(data.parks[["park_code", "rank_in_city"]], on="park_code", how="left")
    rows = _ranked(order)
    book.table(ws, HEADER_ROW, WHAT_IF_COLUMNS, rows)
    book.print_setup(ws, HEADER_ROW)


def build_city_workbook(data: CityQuarter) -> bytes:
    """The league-city's quarterly evaluation workbook as xlsx bytes (same data, same bytes)."""
    book = Book()
    for name, fill in ((RANKING_SHEET, _ranking_sheet), (GRADES_SHEET, _grades_sheet), (TREND_SHEET, _trend_sheet),
                       (REBOUND_SHEET, _rebound_sheet), (MISSING_SHEET, _missing_sheet), (WHAT_IF_SHEET, _what_if_sheet)):
        fill(book, book.sheet(name), data)
    heading = f"{data.city_name_zh}零碳园区{quarter_zh(data.quarter)}评估 ({data.city_code}, {data.quarter})"
    return book.bytes(document_time(data.as_of), heading)
