"""The region's bulletin for a half (mid-year evaluation H1, year-end assessment H2): one
self-contained HTML file, charts inline as SVG, no network, printable to A4."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from zc_pipeline.reports import common, svg
from zc_pipeline.reports.common import GRADES
from zc_pipeline.reports.html import render



@dataclass(frozen=True)
class RegionHalf:
    """Everything the half's bulletin shows, read from the warehouse."""

    half: str
    as_of: dt.date
    standard_version: str
    summary: dict  # the region_half_summary row
    # per league-city with assessed parks: league_city_code, name_zh, name_en, parks, grade_a..grade_d
    grades_by_city: pd.DataFrame
    trend_months: list[str]
    trend: pd.DataFrame  # per month: period, energy_tce, co2_t, carbon_per_energy, green_share (region sums)
    # park_half_assessment rows with outcome nominate_national (+ park_name, city_zh, nomination_rank,
    # accredited), in the year's nomination order
    nominated: pd.DataFrame
    removed: pd.DataFrame  # ... with outcome remove_from_list
    accredited: pd.DataFrame  # the parks accredited on this year-end (park_code, park_name, city_zh); none at mid-year
    # the sampled parks: park_code, park_name, city_zh, draw_order, risk_weight, months_checked,
    # max_discrepancy, spot_check; `spot_check_seed` and `eligible_parks` describe the draw
    spot_checks: pd.DataFrame
    spot_check_seed: str | None
    # funding_allocation rows of the half's year (+ park_name), None when the year has none
    funding: pd.DataFrame | None
    budget: int | None
    quarters: tuple[str, str]  # the half's two quarters, compared for the best improvers
    # best improvers: park_code, park_name, city_zh, before, after, change (fall / rise, > 0), best first
    improvers_carbon: pd.DataFrame
    improvers_green: pd.DataFrame


def grade_chart(data: RegionHalf) -> str:
    rows = data.grades_by_city
    stacks = [(f"{g}级", [int(v) for v in rows[f"grade_{g.lower()}"]], svg.GRADE_COLOURS[g]) for g in GRADES]
    return svg.stacked_bars(list(rows["name_zh"]), stacks, title="各盟市园区等级分布 grade distribution by league-city")


def trend_charts(data: RegionHalf) -> tuple[str, str]:
    months = data.trend_months
    t = data.trend.set_index("period").reindex(months)
    ci = svg.line_chart(months, [svg.Series("全区碳排放强度 carbon per energy", list(t["carbon_per_energy"]))],
                        title="全区碳排放强度 region carbon per energy", y_label="tCO2/tce",
                        y_format=lambda v: f"{v:.2f}")
    green = svg.line_chart(months, [svg.Series("全区绿电占比 green share", list(t["green_share"]), svg.PALETTE[2])],
                           title="全区绿电占比 region green share", y_format=lambda v: f"{v * 100:.0f}%")
    return ci, green


def spot_checks_by_city(data: RegionHalf) -> pd.DataFrame:
    """Per league-city (name_zh: the grade table's order, then any other city drawn) the parks drawn
    and their results so far: drawn, passed, failed, pending; cities with none drawn left out. A
    park drawn but without a result of this half counts as drawn only."""
    checks = data.spot_checks
    cities = list(dict.fromkeys([*data.grades_by_city["name_zh"], *sorted(set(checks["city_zh"]))]))
    counts = pd.crosstab(checks["city_zh"], checks["spot_check"]).reindex(
        index=cities, columns=["pass", "fail", "pending"], fill_value=0)
    counts.columns = ["passed", "failed", "pending"]
    counts.insert(0, "drawn", checks["city_zh"].value_counts().reindex(cities, fill_value=0))
    return counts[counts["drawn"] > 0]


def build_bulletin(data: RegionHalf, printed: bool = False) -> bytes:
    """The bulletin as UTF-8 HTML bytes (same data, same bytes). `printed`: the edition the PDF is
    printed from, without what print leaves out anyway (the draw list: a PDF would lay it out
    unseen, and it grows with the region)."""
    ci_chart, green_chart = trend_charts(data)
    funding = data.funding
    eligible = funding[funding["eligible"]].sort_values("priority") if funding is not None else None
    ineligible = (funding[~funding["eligible"]]["reason"].value_counts().sort_index()
                  if funding is not None else pd.Series(dtype=int))
    return render(
        "bulletin.html.j2", d=data, year_end=data.half.endswith("H2"),
        title_zh=f"内蒙古自治区零碳园区{common.half_zh(data.half)}通报",
        title_en=f"Inner Mongolia zero-carbon parks: {common.half_en(data.half)}",
        grade_chart=grade_chart(data), ci_chart=ci_chart, green_chart=green_chart,
        trend=data.trend.set_index("period").reindex(data.trend_months).reset_index(names="period"),
        eligible=eligible, ineligible=ineligible, spot_by_city=spot_checks_by_city(data), printed=printed,
        allocated=int(funding["allocated_yuan"].sum()) if funding is not None else 0,
    )


def bulletin_pdf(page: bytes) -> bytes:
    """The bulletin's printed edition (`build_bulletin(data, printed=True)`) as an A4 PDF
    (WeasyPrint: no browser; same page, same bytes).

    Chinese text needs a CJK font on the machine (Debian: fonts-noto-cjk)."""
    from weasyprint import HTML

    return HTML(string=page.decode("utf-8")).write_pdf()
