"""Reports for people, without Dagster: read the warehouse, call the builders, write the files under
`<state folder>/reports/<kind>/…` and list them in `report_file`.

Each function writes one partition of report files (a quarter's city workbooks, a half's bulletin
or report cards, every rectification notice) and replaces exactly that partition's `report_file`
rows in one transaction; files of the partition that are no longer produced are removed. Numbers
that need a rule (a park's threshold, its green-share target path, rebound statuses at a window's
end) come from the domain functions the assessment uses, with the rulebook the run uses.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from zc_pipeline.domain import periods as p
from zc_pipeline.domain.rebounds import UNRECTIFIED, detect_rebounds
from zc_pipeline.domain.scoring import green_target, thresholds
from zc_pipeline.domain.windows import annualised_energy
from zc_pipeline.parallel import map_in_pool
from zc_pipeline.standards import Rulebooks, Standard
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import lock_partition, read_table, replace_partition

REPORTS_DIR = "reports"
PARALLEL_MIN_PARKS = 200  # a quarter with fewer parks writes its workbooks in one process: a pool would cost more
PDF_KIND = "region_bulletin_pdf"  # the bulletin printed to PDF, beside its HTML
COMPONENTS = ("carbon", "green", "retrofit", "reporting")  # score components, as the rulebook's weight.<name>


@dataclass(frozen=True)
class ReportFile:
    """One built file and what it is about."""

    path: str  # relative to the state folder, with forward slashes
    content: bytes
    kind: str
    period: str
    league_city_code: str | None = None
    park_code: str | None = None


def publish(engine: sa.Engine, state_dir: Path, partition: dict, files: list[ReportFile], run_id: str) -> pd.DataFrame:
    """Write the files, replace the partition's report_file rows, remove the partition's stale files.

    `partition`: the report_file rows the files replace, e.g. {"kind": "park_report_card", "period": "2026-H1"}.
    All of it with the partition's turn taken: of two runs publishing one partition at once (two
    month runs rewriting the notices), the later writes its files and rows after the other, so the
    listed hashes are the bytes on disk and no listed file is removed as the other's stale one.
    """
    state_dir = Path(state_dir)
    rows = pd.DataFrame(
        [{"path": f.path, "kind": f.kind, "period": f.period, "league_city_code": f.league_city_code,
          "park_code": f.park_code, "sha256": hashlib.sha256(f.content).hexdigest(), "run_id": run_id}
         for f in sorted(files, key=lambda f: f.path)],
        columns=list(TABLES["report_file"].c.keys()),
    )
    with engine.begin() as conn:
        lock_partition(conn, "report_file", partition)
        before = read_table(conn, "report_file", where=partition)
        for f in files:
            _write(state_dir / f.path, f.content)
        replace_partition(conn, "report_file", rows, partition)
        for stale in sorted(set(before["path"]) - set(rows["path"])):
            (state_dir / stale).unlink(missing_ok=True)
    return rows


def _write(path: Path, content: bytes) -> None:
    """Replace the file in one step (a reader never sees half a file); an unchanged file is left alone."""
    if path.exists() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # a name of its own (another process may be replacing the same file), created with the usual mode
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


# --- shared reads and rules -------------------------------------------------------------------
def _cities(engine) -> dict[str, tuple[str, str]]:
    rows = read_table(engine, "dim_league_city")
    return {r.league_city_code: (r.name_zh, r.name_en) for r in rows.itertuples()}


def _with_names(frame: pd.DataFrame, dim_park: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(dim_park[["park_code", "park_name"]], on="park_code", how="left")


def park_thresholds(rows: pd.DataFrame, std: Standard) -> pd.Series:
    """The carbon-per-energy threshold each assessed park was scored against (STANDARD §5)."""
    energy, reported = rows["energy_tce"].astype(float), rows["months_reported"]
    with np.errstate(divide="ignore", invalid="ignore"):  # a park that reported nothing: as no energy
        annualised = annualised_energy(energy, reported).where((reported > 0) & energy.notna(), 0.0)
    return pd.Series(thresholds(rows["category"], annualised, std), index=rows.index, dtype=float)


def target_paths(dim_park: pd.DataFrame, codes, months: list[str]) -> list[float]:
    """The green-share target g(t) at the end of each month, park after park (STANDARD §5)."""
    ends = [p.month_end(m) for m in months]
    parks = dim_park.set_index("park_code").loc[list(codes)]
    return [green_target(r.baseline_green_share, r.target_green_share, r.baseline_year, r.target_date, end)
            for r in parks.itertuples() for end in ends]


def trend_months(last: str, std: Standard) -> list[str]:
    """The report trend's months: `report.trend_months` ending with `last`."""
    return p.month_range(p.add_months(last, 1 - std.int("report.trend_months")), last)


def park_trend(park_month: pd.DataFrame, dim_park: pd.DataFrame, parks: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """One row per assessed park and month: carbon_per_energy and green_share (NULL when not reported),
    the window's threshold and the target path at the month's end. Built as one grid of parks x months."""
    codes = parks["park_code"].to_numpy()
    grid = pd.DataFrame({"park_code": np.repeat(codes, len(months)), "period": np.tile(np.array(months, dtype=object), len(codes))})
    values = park_month[["park_code", "period", "carbon_per_energy", "green_share"]]
    trend = grid.merge(values, on=["park_code", "period"], how="left", validate="many_to_one")
    trend["threshold"] = np.repeat(parks["threshold"].to_numpy(dtype=float), len(months))
    trend["green_target"] = pd.Series(target_paths(dim_park, codes, months), dtype=float)
    return trend


def rebounds_at_end(park_month: pd.DataFrame, dim_park: pd.DataFrame, last: str, std: Standard,
                    as_of: dt.date) -> pd.DataFrame:
    """Alerts dated up to `last` with their status at the end of month `last` (as the caps see them)."""
    alerts = detect_rebounds(park_month, dim_park, std, as_of, through_month=last)
    return alerts[alerts["period"] <= last]


def _what_if(engine, period: str) -> pd.DataFrame | None:
    """park_what_if rows of the window; None when it has none (not computed)."""
    rows = read_table(engine, "park_what_if", where={"period": period})
    return rows if len(rows) else None


def _weights(std: Standard) -> dict[str, float]:
    return {k: std.num(f"weight.{k}") for k in COMPONENTS}


def _cap_limits(std: Standard) -> dict[str, str]:
    return {k: str(v) for k, v in std.prefixed("cap").items()}


# --- league-city quarterly workbooks ----------------------------------------------------------
def city_quarter_workbooks(engine: sa.Engine, state_dir: Path, quarter: str, std: Standard, as_of: dt.date,
                           run_id: str) -> pd.DataFrame:
    """One workbook per league-city with an assessment in `quarter`; returns the report_file rows."""
    from zc_pipeline.reports.city_workbook import CityQuarter, build_city_workbook

    kind = "city_quarter_workbook"
    assessed = read_table(engine, "park_quarter_assessment", where={"quarter": quarter})
    files: list[ReportFile] = []
    books: list[tuple[str, str, CityQuarter]] = []  # path, city, what its workbook shows
    if len(assessed):
        dim_park = read_table(engine, "dim_park")
        cities = _cities(engine)
        summary = read_table(engine, "city_quarter_summary", where={"quarter": quarter}).set_index("league_city_code")
        months = p.score_window(quarter)
        last = months[-1]
        park_month = read_table(engine, "park_month")
        park_month = park_month[park_month["period"] <= last]
        at_end = rebounds_at_end(park_month, dim_park, last, std, as_of)
        unrectified = at_end[at_end["status"].isin(UNRECTIFIED)]
        now = read_table(engine, "rebound_alert").set_index(["park_code", "period"])
        missing = read_table(engine, "missing_report", where={"period": months})
        what_if = _what_if(engine, quarter)
        assessed = _with_names(assessed, dim_park)
        assessed["threshold"] = park_thresholds(assessed, std)
        in_window = unrectified[unrectified["period"].isin(months)]
        assessed["rebound_months"] = assessed["park_code"].map(
            in_window.groupby("park_code")["period"].agg(lambda s: ", ".join(sorted(s))))
        shown = trend_months(last, std)
        for city, parks in assessed.groupby("league_city_code", sort=True):
            codes = set(parks["park_code"])
            alerts = _with_names(unrectified[unrectified["park_code"].isin(codes)], dim_park)
            keys = list(zip(alerts["park_code"], alerts["period"]))
            alerts["status_now"] = [now["status"].get(k) for k in keys]
            alerts["rectified_in"] = [now["rectified_in"].get(k) for k in keys]
            counts = summary.loc[city]
            data = CityQuarter(
                city_code=city, city_name_zh=cities[city][0], city_name_en=cities[city][1], quarter=quarter,
                as_of=as_of, standard_version=std.version, weights=_weights(std), cap_limits=_cap_limits(std),
                parks=parks.reset_index(drop=True),
                grade_counts={g: int(counts[f"grade_{g.lower()}"]) for g in "ABCD"},
                trend_months=shown, trend=park_trend(park_month, dim_park, parks, shown),
                rebounds=alerts.reset_index(drop=True),
                missing_reports=_with_names(missing[missing["park_code"].isin(codes)], dim_park),
                what_if=None if what_if is None else _with_names(what_if[what_if["park_code"].isin(codes)], dim_park),
            )
            books.append((f"{REPORTS_DIR}/{kind}/{quarter}/{city}_{cities[city][0]}_{quarter}.xlsx", city, data))
        # the cities' workbooks are independent and CPU-bound: written side by side when many parks
        contents = map_in_pool(build_city_workbook, [data for _, _, data in books],
                               worth_a_pool=len(assessed) >= PARALLEL_MIN_PARKS)
        files = [ReportFile(path, content, kind, quarter, league_city_code=city)
                 for (path, city, _), content in zip(books, contents)]
    return publish(engine, state_dir, {"kind": kind, "period": quarter}, files, run_id)


# --- the region's half-year bulletin ------------------------------------------------------------
def _city_names(frame: pd.DataFrame, dim_park: pd.DataFrame, cities: dict[str, tuple[str, str]]) -> pd.DataFrame:
    out = _with_names(frame, dim_park)
    city = out["park_code"].map(dim_park.set_index("park_code")["league_city_code"])
    out["city_zh"] = [cities.get(c, ("", ""))[0] for c in city]
    return out


def _nomination_order(nominated: pd.DataFrame, ranked: pd.DataFrame) -> pd.DataFrame:
    """The nominated parks in the year's nomination order (national_nomination.rank: accredited first)."""
    order = ranked.set_index("park_code")
    out = nominated.assign(nomination_rank=nominated["park_code"].map(order["rank"]),
                           accredited=nominated["park_code"].map(order["accredited"]).fillna(False).astype(bool))
    return out.sort_values(["nomination_rank", "park_code"], kind="mergesort").reset_index(drop=True)


def _accredited(engine: sa.Engine, half: str) -> pd.DataFrame:
    """The parks accredited on a year-end half (none at mid-year), by park code."""
    if not half.endswith("H2"):
        return pd.DataFrame(columns=["park_code"])
    rows = read_table(engine, "park_accreditation", where={"year": half[:4]})
    return rows.loc[rows["accredited"].astype(bool), ["park_code"]].reset_index(drop=True)


def region_trend(park_month: pd.DataFrame, dim_park: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """The region's sums per month, a sub-park's month left out when its parent reported it (STANDARD §4)."""
    from zc_pipeline.domain.summaries import summable_months
    from zc_pipeline.domain.windows import sum_measures

    rows = summable_months(park_month, dim_park, months, dim_park["park_code"])
    sums = sum_measures(rows, "period") if len(rows) else pd.DataFrame(columns=["carbon_per_energy", "green_share"])
    return sums.reindex(months).reset_index(names="period")


def best_improvers(quarters: pd.DataFrame, first: str, second: str, column: str, fall: bool, top: int) -> pd.DataFrame:
    """Parks whose `column` improved most from quarter `first` to `second` (a fall when `fall`), best first."""
    wide = quarters.pivot(index="park_code", columns="quarter", values=column)
    if first not in wide or second not in wide:
        return pd.DataFrame(columns=["park_code", "before", "after", "change"])
    out = pd.DataFrame({"before": wide[first], "after": wide[second]}).dropna()
    out["change"] = out["before"] - out["after"] if fall else out["after"] - out["before"]
    out = out[out["change"] > 0].reset_index()
    return out.sort_values(["change", "park_code"], ascending=[False, True], kind="mergesort").head(top).reset_index(drop=True)


def _spot_checks(engine, half: str, assessed: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    sample = read_table(engine, "spot_check_sample", where={"half": half})
    results = read_table(engine, "spot_check_result", where={"half": half})
    results = results[results["sampled"].astype(bool)]
    by_park = results.groupby("park_code")
    sample["months_checked"] = sample["park_code"].map(by_park.size()).fillna(0).astype(int)
    sample["max_discrepancy"] = sample["park_code"].map(by_park["discrepancy"].max())
    sample["spot_check"] = sample["park_code"].map(assessed.set_index("park_code")["spot_check"])
    seed = str(sample["seed"].iloc[0]) if len(sample) else None
    return sample.sort_values("draw_order").reset_index(drop=True), seed


def region_bulletin(engine: sa.Engine, state_dir: Path, half: str, std: Standard, as_of: dt.date,
                    run_id: str) -> pd.DataFrame:
    """The half's bulletin, HTML and PDF (once the half is assessed); returns the report_file rows."""
    from zc_pipeline.reports.bulletin import RegionHalf, build_bulletin, bulletin_pdf

    kind = "region_bulletin"
    summary = read_table(engine, "region_half_summary", where={"half": half})
    files: list[ReportFile] = []
    if len(summary):
        dim_park = read_table(engine, "dim_park")
        cities = _cities(engine)
        assessed = read_table(engine, "park_half_assessment", where={"half": half})
        last = p.score_window(half)[-1]
        park_month = read_table(engine, "park_month")
        counts = pd.crosstab(assessed["league_city_code"], assessed["grade"]).reindex(columns=list("ABCD"), fill_value=0)
        by_city = pd.DataFrame({f"grade_{g.lower()}": counts[g] for g in "ABCD"})
        by_city.insert(0, "parks", counts.sum(axis=1))
        by_city = by_city.reset_index()
        by_city["name_zh"] = [cities[c][0] for c in by_city["league_city_code"]]
        by_city["name_en"] = [cities[c][1] for c in by_city["league_city_code"]]
        named = _city_names(assessed, dim_park, cities).sort_values(["rank_in_region", "park_code"], kind="mergesort")
        year = half[:4]
        funding = read_table(engine, "funding_allocation", where={"year": year})
        own = p.months_of(half)
        quarters = (p.quarter_of(own[0]), p.quarter_of(own[-1]))
        pqa = read_table(engine, "park_quarter_assessment", where={"quarter": list(quarters)})
        top = std.int("report.best_improvers")
        improvers = {
            column: _city_names(best_improvers(pqa, *quarters, column, fall, top), dim_park, cities)
            for column, fall in (("carbon_per_energy", True), ("green_share", False))
        }
        spot_checks, seed = _spot_checks(engine, half, assessed)
        shown = trend_months(last, std)
        data = RegionHalf(
            half=half, as_of=as_of, standard_version=std.version, summary=summary.iloc[0].to_dict(),
            grades_by_city=by_city, trend_months=shown, trend=region_trend(park_month, dim_park, shown),
            nominated=_nomination_order(named[named["outcome"] == "nominate_national"],
                                        read_table(engine, "national_nomination", where={"year": year})),
            accredited=_city_names(_accredited(engine, half), dim_park, cities),
            removed=named[named["outcome"] == "remove_from_list"].reset_index(drop=True),
            spot_checks=_city_names(spot_checks, dim_park, cities), spot_check_seed=seed,
            funding=_with_names(funding, dim_park) if len(funding) else None, budget=std.budget(int(year)),
            quarters=quarters, improvers_carbon=improvers["carbon_per_energy"],
            improvers_green=improvers["green_share"],
        )
        stem = f"{REPORTS_DIR}/{kind}/{half}/{half}_{'中期评价' if half.endswith('H1') else '年终考核'}通报"
        files.append(ReportFile(f"{stem}.html", build_bulletin(data), kind, half))
        files.append(ReportFile(f"{stem}.pdf", bulletin_pdf(build_bulletin(data, printed=True)), PDF_KIND, half))
    return publish(engine, state_dir, {"kind": [kind, PDF_KIND], "period": half}, files, run_id)


# --- park report cards ---------------------------------------------------------------------------
def latest_grades(history: pd.DataFrame, up_to: str) -> pd.DataFrame:
    """Per park, the grade last published for each window ending on or before month `up_to`, in
    window order (park by park)."""
    columns = ["park_code", "level", "period", "grade", "score"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    ends = {w: p.score_window(w)[-1] for w in history["period"].unique()}
    rows = history.assign(_end=history["period"].map(ends))
    rows = rows[rows["_end"] <= up_to].sort_values(["issued_at", "history_id"], kind="mergesort")
    rows = rows.groupby(["park_code", "level", "period"], as_index=False).tail(1)
    rows = rows.sort_values(["park_code", "_end", "level", "period"], ascending=[True, True, False, True], kind="mergesort")
    return rows[columns].reset_index(drop=True)


def _records_by_park(frame: pd.DataFrame) -> dict[str, list[dict]]:
    """A frame's rows as records, grouped by park_code in their order (one conversion for all parks)."""
    records = frame.to_dict("records")
    return {code: [records[i] for i in rows] for code, rows in frame.groupby("park_code", sort=False).indices.items()}


def park_report_cards(engine: sa.Engine, state_dir: Path, half: str, std: Standard, as_of: dt.date,
                      run_id: str) -> pd.DataFrame:
    """One report card per park assessed in `half`; returns the report_file rows."""
    from zc_pipeline.reports.report_card import ParkHalf, build_report_card

    kind = "park_report_card"
    assessed = read_table(engine, "park_half_assessment", where={"half": half})
    files: list[ReportFile] = []
    if len(assessed):
        dim_park = read_table(engine, "dim_park")
        cities = _cities(engine)
        months = p.score_window(half)
        park_month = read_table(engine, "park_month", where={"period": months})
        assessed["threshold"] = park_thresholds(assessed, std)
        trend = park_trend(park_month, dim_park, assessed, months)
        history = read_table(engine, "grade_history", where={"park_code": list(assessed["park_code"])})
        what_if = _what_if(engine, half)
        what_if = {} if what_if is None else {r["park_code"]: r for r in what_if.to_dict("records")}
        parks = dim_park.set_index("park_code", drop=False).to_dict("index")
        trends = _records_by_park(trend)
        grades = _records_by_park(latest_grades(history, months[-1]))
        cap_limits = _cap_limits(std)
        for row in assessed.sort_values("park_code").to_dict("records"):
            code = row["park_code"]
            park = dict(parks[code])
            park["city_zh"], park["city_en"] = cities[park["league_city_code"]]
            data = ParkHalf(
                half=half, as_of=as_of, standard_version=std.version, park=park, assessment=row,
                cap_limits=cap_limits, months=months, trend=trends[code], grade_history=grades.get(code, []),
                what_if=what_if.get(code),
            )
            path = f"{REPORTS_DIR}/{kind}/{half}/{park['league_city_code']}/{code}_{half}.html"
            files.append(ReportFile(path, build_report_card(data), kind, half, park["league_city_code"], code))
    return publish(engine, state_dir, {"kind": kind, "period": half}, files, run_id)


# --- rectification notices -------------------------------------------------------------------------
def rectification_notices(engine: sa.Engine, state_dir: Path, rulebooks: Rulebooks, run_id: str) -> pd.DataFrame:
    """One notice per rebound alert, with its status as stored and the rules of its month's
    rulebook; returns the report_file rows."""
    from zc_pipeline.reports.notice import ReboundNotice, build_notice

    kind = "rectification_notice"
    alerts = read_table(engine, "rebound_alert")
    files: list[ReportFile] = []
    if len(alerts):
        dim_park = read_table(engine, "dim_park").set_index("park_code")
        cities = _cities(engine)
        rectified = sorted(alerts["rectified_in"].dropna().unique())
        months = read_table(engine, "park_month", where={"period": rectified}).set_index(["park_code", "period"])
        for alert in alerts.to_dict("records"):
            code, month = alert["park_code"], alert["period"]
            std = rulebooks.for_period(month)
            horizon = std.int("rebound.rectify_months")
            city = dim_park.loc[code, "league_city_code"]
            back = alert["rectified_in"]
            notice = ReboundNotice(
                alert=alert, park_name=dim_park.loc[code, "park_name"], city_zh=cities[city][0], city_en=cities[city][1],
                rectified_carbon_per_energy=None if pd.isna(back) else float(months.loc[(code, back), "carbon_per_energy"]),
                standard_version=alert["standard_version"], rebound_factor=std.num("rebound.factor"),
                rectify_window=(p.add_months(month, 1), p.add_months(month, horizon)),
                cap_limit=str(std["cap.rebound_unrectified"]),
            )
            path = f"{REPORTS_DIR}/{kind}/{city}/{code}_{month}_整改通知.docx"
            files.append(ReportFile(path, build_notice(notice), kind, month, city, code))
    return publish(engine, state_dir, {"kind": kind}, files, run_id)
