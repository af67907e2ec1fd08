"""The sample region's reports, as `zc run` wrote them: every window and alert has its files, each
file holds the warehouse's figures, and the same inputs give the same bytes."""
from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from lxml import html
from openpyxl import load_workbook
from weasyprint import HTML

from zc_pipeline.reports import city_workbook as cw
from zc_pipeline.reports.notice import FIGURES_TITLE
from zc_pipeline.settings import DEMO_AS_OF
from zc_pipeline.standards import load_standard
from zc_pipeline.stages import reports as stage
from zc_pipeline.warehouse.engine import make_engine
from zc_pipeline.warehouse.writer import read_table

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def files(sample_run) -> pd.DataFrame:
    return read_table(sample_run.engine, "report_file")


@pytest.fixture(scope="module")
def tables(sample_run) -> dict[str, pd.DataFrame]:
    names = ["park_quarter_assessment", "city_quarter_summary", "park_half_assessment", "rebound_alert", "park_month",
             "dim_park", "park_what_if", "park_accreditation"]
    return {n: read_table(sample_run.engine, n) for n in names}


def _file(sample_run, files, **match) -> Path:
    rows = files
    for column, value in match.items():
        rows = rows[rows[column] == value]
    (path,) = rows["path"]
    return Path(sample_run.settings.state_dir) / path


def test_every_window_and_alert_has_its_files_listed_with_their_hash(sample_run, files, tables):
    q, h, alerts = tables["park_quarter_assessment"], tables["park_half_assessment"], tables["rebound_alert"]
    by_kind = {k: set(zip(g["period"], g["league_city_code"].fillna(""), g["park_code"].fillna("")))
               for k, g in files.groupby("kind")}
    assert by_kind["city_quarter_workbook"] == set(zip(q["quarter"], q["league_city_code"], [""] * len(q)))
    assert by_kind["region_bulletin"] == {(half, "", "") for half in h["half"]}
    assert by_kind["region_bulletin_pdf"] == by_kind["region_bulletin"]
    assert by_kind["park_report_card"] == set(zip(h["half"], h["league_city_code"], h["park_code"]))
    city = tables["dim_park"].set_index("park_code")["league_city_code"]
    assert by_kind["rectification_notice"] == set(zip(alerts["period"], alerts["park_code"].map(city), alerts["park_code"]))
    root = Path(sample_run.settings.state_dir)
    for path, sha in zip(files["path"], files["sha256"]):
        assert path.startswith("reports/")
        assert hashlib.sha256((root / path).read_bytes()).hexdigest() == sha, path


def test_the_workbook_holds_the_assessment_and_charts_its_ranges(sample_run, files, tables):
    quarter, city = "2026-Q1", "150300"  # Wuhai: a rebound overdue at the quarter's end
    book = load_workbook(_file(sample_run, files, kind="city_quarter_workbook", period=quarter, league_city_code=city))
    ws = book[cw.RANKING_SHEET]
    header = [ws.cell(cw.HEADER_ROW, j).value.split("\n")[1] for j in range(1, ws.max_column + 1)]
    shown = pd.DataFrame([[c.value for c in row] for row in ws.iter_rows(min_row=cw.HEADER_ROW + 1)
                          if row[1].value], columns=header).set_index("park code")
    q = tables["park_quarter_assessment"]
    stored = q[(q["quarter"] == quarter) & (q["league_city_code"] == city)].set_index("park_code")
    assert sorted(shown.index) == sorted(stored.index)
    pairs = {"rank": "rank_in_city", "grade": "grade", "score": "score", "score_carbon": "score_carbon",
             "score_green": "score_green", "score_retrofit": "score_retrofit", "score_reporting": "score_reporting",
             "carbon per energy": "carbon_per_energy", "green share": "green_share", "target": "green_target_at_end",
             "months expected": "months_expected", "months reported": "months_reported", "months on time": "months_on_time"}
    for label, column in pairs.items():
        # xlsx stores a number with 16 significant digits (openpyxl writes '%.16g'): equal to that precision
        expected = stored.loc[shown.index, column].tolist()
        if stored[column].dtype == float:
            expected = pytest.approx(expected, rel=1e-15, nan_ok=True)
        assert shown[label].tolist() == expected, label
    assert list(shown["rank"]) == sorted(shown["rank"])

    summary = tables["city_quarter_summary"].set_index(["league_city_code", "quarter"]).loc[(city, quarter)]
    grades = book[cw.GRADES_SHEET]
    first = cw.HEADER_ROW + 1
    assert [grades.cell(first + i, 2).value for i in range(4)] == [summary[f"grade_{g}"] for g in "abcd"]
    (bar,) = grades._charts
    assert bar.series[0].val.numRef.f == f"'{cw.GRADES_SHEET}'!$B${first}:$B${first + 3}"

    trend = book[cw.TREND_SHEET]
    assert len(trend._charts) == 2 * len(stored)
    pm = tables["park_month"].set_index(["park_code", "period"])["carbon_per_energy"]
    top = cw.trend_block_row(0)
    code = shown.index[0]
    months = [trend.cell(r, 1).value for r in range(top + 2, top + 14)]
    assert months[-1] == "2026-03" and len(months) == 12
    for k, month in enumerate(months):
        value = trend.cell(top + 2 + k, 2).value
        assert value == (pytest.approx(pm[(code, month)], rel=1e-15) if (code, month) in pm.index else None)
    assert trend._charts[0].series[0].val.numRef.f == f"'{cw.TREND_SHEET}'!$B${top + 2}:$B${top + 13}"

    rebounds = book[cw.REBOUND_SHEET]
    listed = [r for r in rebounds.iter_rows(min_row=cw.HEADER_ROW + 1, values_only=True) if r[0]]
    assert len(listed) == summary["open_rebounds"] > 0

    what_if = tables["park_what_if"]
    stored_w = what_if[(what_if["period"] == quarter) & what_if["park_code"].isin(stored.index)].set_index("park_code")
    sheet = book[cw.WHAT_IF_SHEET]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=cw.HEADER_ROW + 1, values_only=True) if r[0]}
    assert set(rows) == set(stored_w.index)
    for code, r in rows.items():
        needed = stored_w.loc[code, "green_share_needed"]
        assert r[6] == (None if pd.isna(needed) else pytest.approx(needed, rel=1e-15))


def _svg_values(doc, series: str) -> dict[str, float]:
    (group,) = [g for g in doc.iter(f"{SVG}g", "g") if g.get("data-series") == series]
    return {c.get("data-x"): float(c.get("data-value")) for c in group.iter(f"{SVG}circle", "circle")}


def test_the_bulletin_parses_and_its_charts_carry_the_warehouse_values(sample_run, files, tables):
    half = "2025-H2"
    doc_bytes = _file(sample_run, files, kind="region_bulletin", period=half).read_bytes()
    doc = html.fromstring(doc_bytes)
    h = tables["park_half_assessment"]
    h = h[h["half"] == half]
    bars = {(r.get("data-category"), r.get("data-series")): float(r.get("data-value"))
            for r in doc.iter(f"{SVG}rect", "rect") if r.get("data-series")}
    names = read_table(sample_run.engine, "dim_league_city").set_index("league_city_code")["name_zh"]
    counts = h.groupby(["league_city_code", "grade"]).size()
    for (code, grade), n in counts.items():
        assert bars[(names[code], f"{grade}级")] == n
    assert sum(bars.values()) == len(h)

    # the region's monthly carbon per energy: sums over the month's reports, a sub-park left out
    # when its parent reported the same month (STANDARD §4), months before enrolment ignored
    pm, parks = tables["park_month"], tables["dim_park"].set_index("park_code")
    pm = pm[pm["period"] >= pm["park_code"].map(parks["enrolled_on"].map(lambda d: d.strftime("%Y-%m")))]
    have = set(zip(pm["park_code"], pm["period"]))
    parent = pm["park_code"].map(parks["parent_park_code"])
    pm = pm[[not (isinstance(par, str) and (par, m) in have) for par, m in zip(parent, pm["period"])]]
    sums = pm.groupby("period")[["co2_t", "energy_tce"]].sum()
    ci = _svg_values(doc, "全区碳排放强度 carbon per energy")
    assert list(ci) == [f"2025-{m:02d}" for m in range(1, 13)]
    for month, value in ci.items():
        assert value == pytest.approx(sums.loc[month, "co2_t"] / sums.loc[month, "energy_tce"], rel=1e-12)

    nominated = {tr.get("data-park") for tr in doc.get_element_by_id("nominated").iter("tr") if tr.get("data-park")}
    removed = {tr.get("data-park") for tr in doc.get_element_by_id("removed").iter("tr") if tr.get("data-park")}
    assert nominated == set(h.loc[h["outcome"] == "nominate_national", "park_code"]) != set()
    assert removed == set(h.loc[h["outcome"] == "remove_from_list", "park_code"]) != set()
    # nominated in the year's order (national_nomination.rank: accredited first), the accredited ones marked
    order = read_table(sample_run.engine, "national_nomination", where={"year": "2025"}).sort_values("rank")
    rows = [tr for tr in doc.get_element_by_id("nominated").iter("tr") if tr.get("data-park")]
    assert [tr.get("data-park") for tr in rows] == order["park_code"].tolist()
    assert [tr[-1].text_content() for tr in rows] == ["是" if a else "否" for a in order["accredited"]]
    accredited = tables["park_accreditation"]
    accredited = accredited.loc[(accredited["year"] == "2025") & accredited["accredited"].astype(bool), "park_code"]
    assert accredited.tolist() == ["150900-P003"]
    assert "150900-P003" in doc.get_element_by_id("nominated").text_content()
    sampled = {tr.get("data-park") for tr in doc.get_element_by_id("spot-check-annex").iter("tr") if tr.get("data-park")}
    assert sampled == set(h.loc[h["spot_check"] != "not_sampled", "park_code"])
    failed = [tr.get("data-failed-park") for tr in doc.get_element_by_id("spot-checks").iter("tr") if tr.get("data-failed-park")]
    assert set(failed) == set(h.loc[h["spot_check"] == "fail", "park_code"]) != set()
    by_city = {tr.get("data-city"): [int(td.text_content()) for td in tr[1:]]
               for tr in doc.get_element_by_id("spot-checks-by-city").iter("tr") if tr.get("data-city")}
    # drawn, passed, failed, pending per league-city: the 9 parks drawn for 2025-H2, all verified, the
    # one in 乌海市 failed (its row in park_half_assessment says so: spot_check "fail")
    assert by_city == {"呼和浩特市": [1, 1, 0, 0], "乌海市": [1, 0, 1, 0], "赤峰市": [1, 1, 0, 0], "通辽市": [1, 1, 0, 0],
                       "呼伦贝尔市": [2, 2, 0, 0], "巴彦淖尔市": [1, 1, 0, 0], "锡林郭勒盟": [1, 1, 0, 0],
                       "阿拉善盟": [1, 1, 0, 0]}
    assert sum(n for n, *_ in by_city.values()) == len(sampled)
    # printed, the draw list (which grows with the region) stays out; the summary and the failed parks stay in
    printed = {anchor for page in HTML(string=doc_bytes.decode("utf-8")).render().pages for anchor in page.anchors}
    assert {"spot-checks", "spot-checks-by-city"} <= printed and "spot-check-annex" not in printed

    pdf = _file(sample_run, files, kind="region_bulletin_pdf", period=half).read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")

    q = tables["park_quarter_assessment"].set_index(["park_code", "quarter"])["carbon_per_energy"]
    improvers = [tr for tr in doc.get_element_by_id("best-improvers").iter("tr") if tr.get("data-park")]
    falls = [(tr.get("data-park"), float(tr.get("data-change"))) for tr in improvers[:load_standard().int("report.best_improvers")]]
    assert falls and [c for _, c in falls] == sorted((c for _, c in falls), reverse=True)
    for code, change in falls:
        assert change == pytest.approx(q[(code, "2025-Q3")] - q[(code, "2025-Q4")])


def test_a_report_card_draws_the_parks_months_against_threshold_and_target(sample_run, files, tables):
    code, half = "152900-P002", "2025-H2"
    doc = html.fromstring(_file(sample_run, files, kind="park_report_card", period=half, park_code=code).read_bytes())
    pm = tables["park_month"]
    pm = pm[(pm["park_code"] == code) & pm["period"].str.startswith("2025")].set_index("period")
    ci = _svg_values(doc, "碳排放强度")
    assert ci == {m[5:]: v for m, v in pm["carbon_per_energy"].items()}
    assert set(_svg_values(doc, "阈值").values()) == {0.4}  # a regional park well below 1 000 000 tce a year
    row = tables["park_half_assessment"].set_index(["park_code", "half"]).loc[(code, half)]
    assert _svg_values(doc, "目标路径")["12"] == pytest.approx(row["green_target_at_end"])


def test_each_notice_carries_its_alerts_figures(sample_run, files, tables):
    for alert in tables["rebound_alert"].to_dict("records"):
        path = _file(sample_run, files, kind="rectification_notice", period=alert["period"], park_code=alert["park_code"])
        (table,) = Document(io.BytesIO(path.read_bytes())).tables
        assert table.rows[0].cells[0].text == FIGURES_TITLE
        figures = {r.cells[0].text: r.cells[1].text for r in table.rows[1:]}
        assert figures["反弹前碳排放强度 before"].startswith(f"{alert['previous_carbon_per_energy']:.4f} tCO2/tce")
        assert figures["反弹后碳排放强度 after"].startswith(f"{alert['carbon_per_energy']:.4f} tCO2/tce")
        assert figures["升幅 increase"] == f"{alert['increase'] * 100:.2f}%"
        assert figures["整改期限 rectify by"] == f"{alert['rectify_by'].year}年{alert['rectify_by'].month}月{alert['rectify_by'].day}日"
        assert f" {alert['status']}（" in figures["整改状态 status"]
        due = alert["interview_due"]
        assert figures["约谈 interview"].startswith(f"应于{due.year}年{due.month}月{due.day}日前约谈")
    # the sample's interviews (MANIFEST lifecycle): 152200-P001's 2025-09 rebound was interviewed late
    notices = {(a["park_code"], a["period"]): a for a in tables["rebound_alert"].to_dict("records")}
    late = _file(sample_run, files, kind="rectification_notice", period="2025-09", park_code="152200-P001")
    (table,) = Document(io.BytesIO(late.read_bytes())).tables
    figures = {r.cells[0].text: r.cells[1].text for r in table.rows[1:]}
    assert notices[("152200-P001", "2025-09")]["interview_status"] == "late"
    assert figures["约谈 interview"] == "应于2025年10月25日前约谈，2025年11月3日已约谈（逾期约谈 held late）"


def _copy_of_warehouse(sample_run, folder: Path):
    copy = folder / "warehouse.sqlite"
    source = sqlite3.connect(Path(sample_run.settings.state_dir) / "warehouse.sqlite")
    with sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    return make_engine(f"sqlite:///{copy}")


def test_same_inputs_give_the_same_bytes(sample_run, files, tmp_path):
    """The stage run again on a copy of the warehouse, into another folder: every file byte-identical."""
    engine = _copy_of_warehouse(sample_run, tmp_path)
    std = load_standard()
    again = pd.concat([
        stage.city_quarter_workbooks(engine, tmp_path, "2026-Q1", std, DEMO_AS_OF, "again"),
        stage.region_bulletin(engine, tmp_path, "2026-H1", std, DEMO_AS_OF, "again"),
        stage.park_report_cards(engine, tmp_path, "2025-H2", std, DEMO_AS_OF, "again"),
        stage.rectification_notices(engine, tmp_path, std, "again"),
    ])
    engine.dispose()
    partitions = {("city_quarter_workbook", "2026-Q1"), ("region_bulletin", "2026-H1"), ("region_bulletin_pdf", "2026-H1"),
                  ("park_report_card", "2025-H2")}
    stored = files[[(k, p) in partitions or k == "rectification_notice" for k, p in zip(files["kind"], files["period"])]]
    assert len(again) > 40
    assert dict(zip(again["path"], again["sha256"])) == dict(zip(stored["path"], stored["sha256"]))


def test_the_pdf_is_printed_from_the_bulletin_without_its_draw_list(sample_run, tmp_path, monkeypatch):
    """The PDF is printed from the bulletin's printed edition: the spot checks per league-city and the
    failed parks as on screen, the draw list (the HTML's annex, which grows with the region) left out."""
    from zc_pipeline.reports import bulletin

    printed = []
    real_pdf = bulletin.bulletin_pdf
    monkeypatch.setattr(bulletin, "bulletin_pdf", lambda page: printed.append(page) or real_pdf(page))
    engine = _copy_of_warehouse(sample_run, tmp_path)
    rows = stage.region_bulletin(engine, tmp_path, "2025-H2", load_standard(), DEMO_AS_OF, "printed")
    engine.dispose()
    screen = html.fromstring((tmp_path / rows.loc[rows["kind"] == "region_bulletin", "path"].iloc[0]).read_bytes())
    [page] = printed
    paper = html.fromstring(page)
    assert len(screen.get_element_by_id("spot-check-annex").findall(".//tr")) == 1 + 9  # header and the 9 drawn
    assert paper.get_element_by_id("spot-check-annex", None) is None
    for shown in ("spot-checks-by-city", "overview", "best-improvers"):
        assert html.tostring(paper.get_element_by_id(shown)) == html.tostring(screen.get_element_by_id(shown))
    assert [tr.get("data-failed-park") for tr in paper.iter("tr") if tr.get("data-failed-park")] == \
        [tr.get("data-failed-park") for tr in screen.iter("tr") if tr.get("data-failed-park")] != []


def test_workbooks_written_side_by_side_in_a_pool_are_those_written_in_one_process(sample_run, files, tmp_path,
                                                                                   monkeypatch):
    """A quarter of many parks writes its cities' workbooks in pool workers: the same bytes as the
    sample run's, written in one process (its 36 parks are below the pool's threshold)."""
    from zc_pipeline import parallel

    assert len(read_table(sample_run.engine, "park_quarter_assessment", where={"quarter": "2026-Q1"})) < \
        stage.PARALLEL_MIN_PARKS
    pools = []
    real_pool = parallel.process_pool
    monkeypatch.setattr(parallel, "process_pool", lambda shared: pools.append(shared) or real_pool(shared))
    monkeypatch.setattr(stage, "PARALLEL_MIN_PARKS", 0)
    engine = _copy_of_warehouse(sample_run, tmp_path)
    pooled = stage.city_quarter_workbooks(engine, tmp_path, "2026-Q1", load_standard(), DEMO_AS_OF, "pooled")
    engine.dispose()
    assert len(pools) == 1
    stored = files[(files["kind"] == "city_quarter_workbook") & (files["period"] == "2026-Q1")]
    assert len(pooled) == len(stored) == 12  # every league-city has parks in the sample
    assert dict(zip(pooled["path"], pooled["sha256"])) == dict(zip(stored["path"], stored["sha256"]))
