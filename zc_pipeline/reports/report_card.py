"""A park's report card for a half: one printable page (HTML, charts inline as SVG) with its months'
carbon per energy and green share against its threshold and target path, its grade history and
its what-if."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zc_pipeline.reports import common, svg
from zc_pipeline.reports.html import render


@dataclass(frozen=True)
class ParkHalf:
    """Everything one park's report card shows, read from the warehouse."""

    half: str
    as_of: dt.date
    standard_version: str
    park: dict  # dim_park row, with city_zh and city_en
    assessment: dict  # park_half_assessment row, with threshold
    cap_limits: dict[str, str]
    months: list[str]  # the half's score window (H2: Jan–Dec)
    # one record per month of `months`, in order: period, carbon_per_energy, green_share (NaN when not
    # reported), threshold, green_target
    trend: list[dict]
    grade_history: list[dict]  # level, period, grade, score: the latest published per window up to the half
    what_if: dict | None  # the park_what_if row of the half; None: not computed


def charts(data: ParkHalf) -> tuple[str, str]:
    t = {k: [r[k] for r in data.trend] for k in ("carbon_per_energy", "threshold", "green_share", "green_target")}
    labels = [m[5:] for m in data.months]
    ci = svg.line_chart(
        labels,
        [svg.Series("碳排放强度", list(t["carbon_per_energy"])),
         svg.Series("阈值", list(t["threshold"]), svg.PALETTE[3], dashed=True, markers=False)],
        title="碳排放强度 carbon per energy", y_label="tCO2/tce", y_format=lambda v: f"{v:.2f}",
        width=340, height=210)
    green = svg.line_chart(
        labels,
        [svg.Series("绿电占比", list(t["green_share"]), svg.PALETTE[2]),
         svg.Series("目标路径", list(t["green_target"]), svg.PALETTE[3], dashed=True, markers=False)],
        title="绿电占比 green share", y_format=lambda v: f"{v * 100:.0f}%", width=340, height=210)
    return ci, green


def build_report_card(data: ParkHalf) -> bytes:
    """The report card as UTF-8 HTML bytes (same data, same bytes)."""
    ci_chart, green_chart = charts(data)
    a = data.assessment
    return render(
        "report_card.html.j2", d=data, a=a, ci_chart=ci_chart, green_chart=green_chart,
        title_zh=f"{data.park['park_name']} {common.half_zh(data.half)}成绩单",
        trend=data.trend,
        cap_limit=None if common.missing(a.get("grade_cap")) else data.cap_limits[a["grade_cap"]],
    )
