"""The league-city quarterly workbook: its sheets hold the figures given, its charts are native and
point at the right ranges, and the same figures give the same bytes."""
import dataclasses
import io
import zipfile

import pytest
from openpyxl import load_workbook

from zc_pipeline.reports import city_workbook as cw
from zc_pipeline_tests.reports import inputs


@pytest.fixture(scope="module")
def book():
    return load_workbook(io.BytesIO(cw.build_city_workbook(inputs.city_quarter())))


def _refs(chart) -> list[str]:
    return [s.val.numRef.f for s in chart.series]


def _cats(chart) -> list[str]:
    return [s.cat.strRef.f if s.cat.strRef is not None else s.cat.numRef.f for s in chart.series]


def test_sheets_in_order(book):
    assert book.sheetnames == [cw.RANKING_SHEET, cw.GRADES_SHEET, cw.TREND_SHEET, cw.REBOUND_SHEET,
                               cw.MISSING_SHEET, cw.WHAT_IF_SHEET]


def test_ranked_table_holds_the_assessment_figures_unrounded(book):
    ws = book[cw.RANKING_SHEET]
    header = [ws.cell(cw.HEADER_ROW, j).value.split("\n")[1] for j in range(1, ws.max_column + 1)]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=cw.HEADER_ROW + 1, max_row=cw.HEADER_ROW + 2)]
    assert [r["park code"] for r in rows] == ["150200-P002", "150200-P001"]  # by rank
    first = rows[0]
    assert first["rank"] == 1 and first["grade"] == "C" and first["score"] == 96.7
    assert first["score_reporting"] == 20 / 3  # stored unrounded, shown with one decimal
    assert first["grade cap"] == "C" and "2 of 3 months reported" in first["why capped"]
    assert first["threshold"] == 0.4 and first["vs threshold"].startswith("达标")
    assert first["green share"] == 0.55 and first["target"] == 0.5
    assert (first["months expected"], first["months reported"], first["months on time"]) == (3, 2, 2)
    assert rows[1]["grade cap"] is None and rows[1]["vs threshold"].startswith("超出")


def test_grade_distribution_is_a_bar_chart_over_its_table(book):
    ws = book[cw.GRADES_SHEET]
    (chart,) = ws._charts
    assert chart.tagname == "barChart"
    first, last = cw.HEADER_ROW + 1, cw.HEADER_ROW + 4
    assert _refs(chart) == [f"'{cw.GRADES_SHEET}'!$B${first}:$B${last}"]
    assert _cats(chart) == [f"'{cw.GRADES_SHEET}'!$A${first}:$A${last}"]
    assert [ws.cell(r, 2).value for r in range(first, last + 1)] == [0, 0, 1, 1]


def test_each_park_has_two_line_charts_over_its_months(book):
    ws = book[cw.TREND_SHEET]
    charts = ws._charts
    assert [c.tagname for c in charts] == ["lineChart"] * 4
    n = len(inputs.MONTHS)
    for i, code in enumerate(["150200-P002", "150200-P001"]):  # rank order
        top = cw.trend_block_row(i)
        assert code in ws.cell(top, 1).value
        first, last = top + 2, top + 1 + n
        ci, green = charts[2 * i], charts[2 * i + 1]
        assert _refs(ci) == [f"'{cw.TREND_SHEET}'!${c}${first}:${c}${last}" for c in "BC"]
        assert _refs(green) == [f"'{cw.TREND_SHEET}'!${c}${first}:${c}${last}" for c in "DE"]
        assert set(_cats(ci)) == {f"'{cw.TREND_SHEET}'!$A${first}:$A${last}"}
        assert [ws.cell(r, 1).value for r in range(first, last + 1)] == inputs.MONTHS
    trend = inputs.trend().set_index(["park_code", "period"])
    top = cw.trend_block_row(1)  # 150200-P001
    for k, month in enumerate(inputs.MONTHS):
        row = trend.loc[("150200-P001", month)]
        assert ws.cell(top + 2 + k, 2).value == row["carbon_per_energy"]
        assert ws.cell(top + 2 + k, 3).value == row["threshold"]
        assert ws.cell(top + 2 + k, 4).value == row["green_share"]
        assert ws.cell(top + 2 + k, 5).value == row["green_target"]
    # a month without a report is an empty cell: a gap in the line, not a zero
    assert ws.cell(cw.trend_block_row(0) + 3, 2).value is None


def test_table_cells_are_boxed_and_formatted_per_column(book):
    # the header is bold on the blue fill and wraps Chinese over English; each body cell carries a
    # thin box and its column's number format (month: General, carbon per energy: 0.0000, share: 0.0%)
    ws = book[cw.TREND_SHEET]
    header = cw.trend_block_row(0) + 1
    head = ws.cell(header, 2)
    assert head.font.b and head.fill.fgColor.rgb[-6:] == "DDEBF7" and head.alignment.wrap_text  # [-6:]: alpha aside
    body = [ws.cell(header + 1, j) for j in range(1, 6)]
    assert [c.number_format for c in body] == ["General", "0.0000", "0.0000", "0.0%", "0.0%"]
    assert all(c.border.left.style == "thin" and c.border.bottom.style == "thin" for c in body)
    assert not any(c.font.b for c in body)


def test_a_park_name_that_looks_like_a_formula_stays_text():
    data = inputs.city_quarter()
    parks = data.parks.assign(park_name=["=HYPERLINK(\"http://x\")", "+1"])
    ws = load_workbook(io.BytesIO(cw.build_city_workbook(dataclasses.replace(data, parks=parks))))[cw.RANKING_SHEET]
    names = {ws.cell(r, 3).value: ws.cell(r, 3).data_type for r in (cw.HEADER_ROW + 1, cw.HEADER_ROW + 2)}
    assert names == {"=HYPERLINK(\"http://x\")": "s", "+1": "s"}


def test_a_rise_from_zero_is_an_empty_cell_not_a_broken_number():
    # a park with no carbon last month (green electricity only) rebounding: its increase is infinite
    data = inputs.city_quarter()
    rebounds = data.rebounds.assign(previous_carbon_per_energy=0.0, increase=float("inf"))
    ws = load_workbook(io.BytesIO(cw.build_city_workbook(dataclasses.replace(data, rebounds=rebounds))))[cw.REBOUND_SHEET]
    assert [ws.cell(cw.HEADER_ROW + 1, j).value for j in (5, 6, 7)] == [0, 0.5, None]


def test_rebounds_missing_reports_and_no_what_if(book):
    ws = book[cw.REBOUND_SHEET]
    assert [c.value for c in ws[cw.HEADER_ROW + 1]][:8] == ["150200-P001", "包头一园", "2026-05", "2026-04", 0.4, 0.5, 0.25,
                                                           ws.cell(cw.HEADER_ROW + 1, 8).value]
    assert ws.cell(cw.HEADER_ROW + 1, 8).value.date().isoformat() == "2026-08-31"
    assert book[cw.MISSING_SHEET].cell(cw.HEADER_ROW + 1, 2).value == "150200-P002"
    assert "No what-if" in book[cw.WHAT_IF_SHEET].cell(cw.HEADER_ROW, 1).value


def test_same_figures_same_bytes_with_the_as_of_date_stamped():
    first = cw.build_city_workbook(inputs.city_quarter())
    assert cw.build_city_workbook(inputs.city_quarter()) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:  # XlsxWriter's fixed stamp, never the clock
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert load_workbook(io.BytesIO(first)).properties.modified.date().isoformat() == "2026-07-15"
