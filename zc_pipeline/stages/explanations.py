"""Explanations for auditors, without Dagster: load the warehouse rows they read once, narrow them
to one park and window, explain many windows one after another (a process pool whose workers load
those rows themselves), and read a park's grade_history."""
from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import itertools
import json
from collections import deque
from collections.abc import Iterator

import pandas as pd
import sqlalchemy as sa

from zc_pipeline.domain import periods as p
from zc_pipeline.domain.outcomes import year_end_quarters
from zc_pipeline.domain.rebounds import detect_rebounds
from zc_pipeline.domain.explain import (
    COLUMNS, ExplainInputs, explain, explain_rows, records, ref_rows, standard_from_ref, values_by_submission,
)
from zc_pipeline.standards import Standard, base_version
from zc_pipeline.warehouse.engine import absolute_url, make_engine, schema_of
from zc_pipeline.warehouse.tables import EXPLANATION_LINE, grade_explanation
from zc_pipeline.warehouse.writer import distinct_values, read_table

STORED_COLUMNS = [c.name for c in grade_explanation.columns if c.name != "run_id"]  # the run adds run_id
LINE_AT = [COLUMNS.index(c.name) for c in EXPLANATION_LINE]  # a line's stored fields, in COLUMNS

ASSESSMENT_TABLE = {"quarter": ("park_quarter_assessment", "quarter"), "half": ("park_half_assessment", "half")}


class AuditError(LookupError):
    """A park or period the warehouse cannot explain; the message says why in Chinese and English."""


def normalise_period(period: str) -> str:
    """Accept `2026-Q2`, `2026-H1`, `2026-03` (and lower case)."""
    period = period.strip().upper()
    p.period_kind(period)  # raises on anything else
    return period


def months_to_explain(windows: list[str]) -> list[str]:
    """The park_month rows an explanation of these windows reads: each window's months and the month
    before it (a rebound dated in the window's first month compares with it); earlier months
    change no line, later ones are not seen at the window's end."""
    months: set[str] = set()
    for window in windows:
        scored = p.score_window(window)
        months.update([p.add_months(scored[0], -1), *scored])
    return sorted(months)


def read_assessments(engine: sa.Engine, where: dict | None = None) -> dict[str, pd.DataFrame]:
    """{"quarter": park_quarter_assessment rows, "half": park_half_assessment rows}."""
    return {kind: read_table(engine, table, where=where) for kind, (table, _) in ASSESSMENT_TABLE.items()}


def stale_windows(engine: sa.Engine, previous: dict[str, str]) -> tuple[dict[str, str], list[str], list[tuple[str, str]]]:
    """(each assessed window's inputs as grade_explanation records them, the windows to rewrite,
    their (park, window) pairs in window order). A window's inputs are its assessment's run, and
    for a half the latest allocation of the fund it is the basis of (its lines list that fund); a
    window is rewritten when they differ from `previous` (what the last rewrite recorded) or when
    it has no lines stored."""
    assessments = read_assessments(engine)
    current = {}
    for kind in ("quarter", "half"):
        rows = assessments[kind]
        current.update(dict(zip(rows[kind], rows["run_id"])))
    funding = read_table(engine, "funding_allocation")
    for half, runs in funding.groupby("basis_half")["run_id"]:
        if half in current:
            current[half] = f"{current[half]} funding {max(runs)}"
    stored = distinct_values(engine, "grade_explanation", "period")
    stale = sorted(period for period, run in current.items() if previous.get(period) != run or period not in stored)
    pairs = []
    for period in stale:
        kind = p.period_kind(period)
        rows = assessments[kind]
        pairs += [(code, period) for code in rows.loc[rows[kind] == period, "park_code"]]
    return current, stale, pairs


def months_by_park(park_month: pd.DataFrame) -> dict[str, tuple[list[dict], list[str]]]:
    """park -> (its park_month rows as records in month order, their months): a window is a run of
    them, found by bisecting. One sort and one conversion for every park."""
    out: dict[str, tuple[list[dict], list[str]]] = {}
    for r in records(park_month.sort_values(["park_code", "period"], kind="stable")):
        recs, periods = out.setdefault(r["park_code"], ([], []))
        recs.append(r)
        periods.append(r["period"])
    return out


class ExplainData:
    """The warehouse rows explanations read, loaded once; `inputs()` narrows them to one park and window."""

    def __init__(self, engine: sa.Engine, parks: list[str] | None = None, as_of: dt.date | None = None,
                 windows: list[str] | None = None):
        """`windows`: explain only these quarters and halves, so load only the months they need."""
        where = {"park_code": parks} if parks else None
        self.as_of = as_of
        self.windows = set(windows) if windows is not None else None
        self.dim_park = read_table(engine, "dim_park", where=where)
        months = {"period": months_to_explain(windows)} if windows is not None else {}
        self.park_month = read_table(engine, "park_month", where={**(where or {}), **months} or None)
        ids = self.park_month["submission_id"].dropna().unique().tolist()
        # as records only (every pool worker is given them): submissions by id, values by submission
        submissions = read_table(engine, "submission", where={"submission_id": ids or [""]})
        self._submission_records = {r["submission_id"]: r for r in records(submissions)}
        self._value_records = values_by_submission(
            read_table(engine, "submitted_value", where={"submission_id": ids or [""]}))
        warnings = read_table(engine, "validation_issue", where={"submission_id": ids or [""], "severity": "warning"})
        self._warnings = {sid: records(rows) for sid, rows in warnings.groupby("submission_id")}
        checks = read_table(engine, "spot_check_result", where=where)
        self._spot_checks = {key: records(rows) for key, rows in checks.groupby(["park_code", "half"])}
        self.ref_standard = read_table(engine, "ref_standard")
        self.assessments = read_assessments(engine, where)
        self.registry_files = read_table(engine, "landing_file", where={"kind": ["registry"]})
        # converted once, so one explanation costs the same however many parks the warehouse holds
        self._parks = {r["park_code"]: r for r in records(self.dim_park)}
        self._months = months_by_park(self.park_month)
        quarters = self.assessments["quarter"]
        self._quarter_grades_of = dict(zip(zip(quarters["park_code"], quarters["quarter"]), quarters["grade"]))
        self._window: tuple[str | None, dict[str, dict]] = (None, {})  # the last window's rows by park
        self._standards: dict[str, tuple] = {}
        self._funding = self._funding_by_park_and_half(read_table(engine, "funding_allocation"))
        self._registry_files: dict[object, tuple[str, str] | None] = {}
        self._alerts: dict[tuple[str, str], dict[str, list[dict]]] = {}

    def _funding_by_park_and_half(self, funding: pd.DataFrame) -> dict[tuple[str, str], list[dict]]:
        """(park, basis half) -> its projects, each with its year's budget (from its own rulebook)."""
        out: dict[tuple[str, str], list[dict]] = {}
        for (year, version), rows in funding.groupby(["year", "standard_version"]):
            try:
                budget = self._standard(str(version))[0].budget(int(year))
            except AuditError:  # its rulebook is no longer installed: the budget is not known here
                budget = None
            for r in records(rows.sort_values(["priority", "project_id"], na_position="last", kind="stable")):
                out.setdefault((r["park_code"], r["basis_half"]), []).append({**r, "budget_yuan": budget})
        return out

    def _assessment(self, kind: str, park_code: str, window: str) -> dict | None:
        """The park's assessment row of the window: the window's rows are converted once, when its
        first park is asked for (runs come window by window), and only the last window's are kept."""
        if self._window[0] != window:
            rows = self.assessments[kind]
            column = ASSESSMENT_TABLE[kind][1]
            self._window = (window, {r["park_code"]: r for r in records(rows[rows[column] == window])})
        row = self._window[1].get(park_code)
        return None if row is None else dict(row)

    def _registry_file(self, sha256) -> tuple[str, str] | None:
        """(path, SHA-256) of the registry file a park row came from; parks.csv when the registry had several files."""
        if sha256 not in self._registry_files:
            reg = self.registry_files[self.registry_files["source_sha256"] == sha256]
            found = None
            if len(reg):
                parks_csv = reg[reg["source_file"].str.endswith("parks.csv")]
                row = (parks_csv if len(parks_csv) else reg).iloc[0]
                found = (row["source_file"], row["source_sha256"])
            self._registry_files[sha256] = found
        return self._registry_files[sha256]

    def _standard(self, version: str):
        if version not in self._standards:
            self._standards[version] = self._load_standard(version)
        return self._standards[version]

    def _load_standard(self, version: str):
        """(Standard, its ref_standard rows, (file, SHA-256), rows by key) of a row's `standard_version`
        (a forced run's version is its rulebook's, marked: the lines say it as the rows do)."""
        ref = self.ref_standard[self.ref_standard["standard_version"] == base_version(version)]
        if ref.empty:
            raise AuditError(f"ref_standard 中没有标准版本 {version} / rulebook {version} is not in ref_standard")
        std = dataclasses.replace(standard_from_ref(ref), version=version)
        first = ref.iloc[0]
        source = (first["source_file"], first["sha256"]) if not pd.isna(first["sha256"]) else None
        return std, ref, source, ref_rows(ref)

    def inputs(self, park_code: str, period: str) -> ExplainInputs:
        period = normalise_period(period)
        if self.windows is not None and period not in self.windows:  # its months were not loaded
            raise AuditError(f"{period} 不在已加载的考核期内 / {period} is not among the windows loaded "
                             f"({', '.join(sorted(self.windows))})")
        if park_code not in self._parks:
            raise AuditError(f"园区 {park_code} 不在登记表中 / park {park_code} is not in the registry")
        park = dict(self._parks[park_code])
        kind = p.period_kind(period)
        assessment = None
        if kind in ASSESSMENT_TABLE:
            assessment = self._assessment(kind, park_code, period)
            if assessment is None:
                raise AuditError(f"{park_code} 在 {period} 没有考核结果 / no assessment of {park_code} for {period}")
            version = assessment["standard_version"]
        months = [period] if kind == "month" else p.score_window(period)
        recs, periods = self._months.get(park_code, ([], []))
        end = bisect.bisect_right(periods, months[-1])
        start = bisect.bisect_left(periods, months[0], 0, end)  # months[0]..months[-1] are consecutive
        if kind == "month":
            if start == end:
                raise AuditError(f"{park_code} 在 {period} 没有有效报送 / {park_code} has no submission in force for {period}")
            version = recs[start]["standard_version"]
        std, ref, std_source, refs = self._standard(str(version))
        ids = {r["submission_id"] for r in recs[start:end]}
        others = {str(r["standard_version"]) for r in recs[start:end]} - {std.version}
        month_books = {v: (books[3], books[2]) for v in sorted(others) for books in [self._standard(v)]}
        registry_file = self._registry_file(park.get("registry_sha256"))
        return ExplainInputs(
            park=park, period=period, std=std, ref_standard=ref,
            submissions={i: self._submission_records[i] for i in ids if i in self._submission_records},
            values={i: self._value_records[i] for i in ids if i in self._value_records},
            assessment=assessment, registry_file=registry_file, standard_file=std_source,
            ref_rows=refs, month_rows={r["period"]: r for r in recs[:end]}, month_books=month_books or None,
            warnings={i: self._warnings[i] for i in ids if i in self._warnings},
            spot_checks=self._spot_checks.get((park_code, period), []) if kind == "half" else None,
            quarter_grades=self._quarter_grades(park_code, period) if period.endswith("H2") else None,
            funding=self._funding.get((park_code, period)) if kind == "half" else None,
            rebounds=None if kind == "month" else [dict(a) for a in self._rebounds(period, std).get(park_code, [])],
        )

    def _rebounds(self, window: str, std: Standard) -> dict[str, list[dict]]:
        """park -> its rebound alerts dated in the window in month order, their status at its end:
        detected once for all the parks loaded, under the window's rulebook, through its last month."""
        if (window, std.version) not in self._alerts:
            months = p.score_window(window)
            as_of = self.as_of or p.month_end(months[-1]) + dt.timedelta(days=1)
            alerts = detect_rebounds(self.park_month, self.dim_park, std, as_of, through_month=months[-1])
            alerts = alerts[alerts["period"].isin(months)].sort_values(["park_code", "period"], kind="stable")
            self._alerts[(window, std.version)] = {code: records(rows) for code, rows in alerts.groupby("park_code")}
        return self._alerts[(window, std.version)]

    def _quarter_grades(self, park_code: str, half: str) -> dict[str, str]:
        """The park's published grades of the quarters of a year-end half's own months."""
        grades = self._quarter_grades_of
        return {q: grades[(park_code, q)] for q in year_end_quarters(half) if (park_code, q) in grades}


def explain_one(engine: sa.Engine, park_code: str, period: str, as_of: dt.date | None) -> pd.DataFrame:
    """One park's explanation of a month, quarter or half (`zc explain`), from the warehouse as it is;
    AuditError when there is nothing to explain."""
    return explain(ExplainData(engine, parks=[park_code], as_of=as_of).inputs(park_code, period))


def grade_history(engine: sa.Engine, park_code: str) -> pd.DataFrame:
    return read_table(engine, "grade_history", where={"park_code": park_code})


# --- many explanations at once ------------------------------------------------------------------
PARALLEL_MIN_EXPLANATIONS = 200  # below this a process pool costs more than it saves
PARALLEL_MAX_RUN = 500  # explanations per run: what a worker and the writer hold at a time


def stored_form(inp: ExplainInputs) -> tuple:
    """One park's explanation of a window as its grade_explanation row (STORED_COLUMNS): the lines as
    one JSON array, each line its EXPLANATION_LINE fields in order; line_no is the place in it."""
    rows = explain_rows(inp)
    # allow_nan=False: a NaN (no JSON) fails here, not in every BI query of the view
    lines = json.dumps([[r[i] for i in LINE_AT] for r in rows], ensure_ascii=False, separators=(",", ":"),
                       allow_nan=False)
    return inp.park["park_code"], inp.period, len(rows), lines, inp.std.version


def _stored_rows(data: ExplainData, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """The grade_explanation rows of these pairs, in order, as one frame (one per run of parks:
    pickling a few frames back from a worker costs less than many small ones)."""
    return pd.DataFrame([stored_form(data.inputs(code, period)) for code, period in pairs], columns=STORED_COLUMNS)


def _load(source: tuple) -> ExplainData:
    """A pool worker's rows: (warehouse URL, schema, as-of, windows) read when the worker starts."""
    url, schema, as_of, windows = source
    engine = make_engine(url, schema)
    try:
        return ExplainData(engine, as_of=as_of, windows=windows)
    finally:  # the rows are read: no connection stays open while the worker explains
        engine.dispose()


def _worker_explain(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """`_stored_rows` in a pool worker, of the rows it loaded (`_load`)."""
    from zc_pipeline.parallel import shared

    return _stored_rows(shared(), pairs)


def explain_runs(engine: sa.Engine, as_of: dt.date | None,
                 pairs: list[tuple[str, str]]) -> Iterator[tuple[str, pd.DataFrame, bool]]:
    """(window, grade_explanation rows of a run of its parks, whether the run is the window's last),
    window by window in the order of `pairs`, each window's runs in turn: a row per pair,
    `stored_form(ExplainData(engine, as_of=as_of).inputs(code, window))`, in the order of the pairs;
    the rows read are those of the pairs' windows.

    A run is at most PARALLEL_MAX_RUN parks, so a caller that writes each run and lets it go holds
    a few runs' rows, not a window's (~17 KB of JSON a park: 170 MB for a window of 10,000 parks).
    Explanations are independent and CPU-bound: with many of them, pool workers explain the next
    runs while the caller writes this one, never more than two runs a worker ahead. Each worker
    loads the rows from the warehouse itself, at once with the others, instead of being sent this
    process's copy: pickling it here and again in every worker cost more than reading it, and this
    process never holds it. A warehouse other processes cannot open (in-memory SQLite) is explained
    here.
    """
    from zc_pipeline.parallel import process_pool, worker_count

    windows: dict[str, list[tuple[str, str]]] = {}
    for code, period in pairs:
        windows.setdefault(period, []).append((code, period))
    workers = worker_count()
    shareable = engine.dialect.name != "sqlite" or (engine.url.database or ":memory:") != ":memory:"
    pooled = len(pairs) >= PARALLEL_MIN_EXPLANATIONS and workers > 1 and shareable
    runs = []
    for period, own in windows.items():
        # pooled: two runs a worker at least, which evens out uneven parks
        size = min(-(-len(own) // (2 * workers)), PARALLEL_MAX_RUN) if pooled else PARALLEL_MAX_RUN
        runs += [(period, own[i : i + size], i + size >= len(own)) for i in range(0, len(own), size)]
    if not pooled:
        if runs:
            data = ExplainData(engine, as_of=as_of, windows=list(windows))
            for period, run, last in runs:
                yield period, _stored_rows(data, run), last
        return
    pool = process_pool((absolute_url(engine.url), schema_of(engine), as_of, list(windows)), load=_load)
    try:
        ahead: deque = deque()
        queued = iter(runs)
        for period, run, last in itertools.islice(queued, 2 * workers):
            ahead.append((period, pool.submit(_worker_explain, run), last))
        while ahead:
            period, done, last = ahead.popleft()
            for nxt, run, nxt_last in itertools.islice(queued, 1):
                ahead.append((nxt, pool.submit(_worker_explain, run), nxt_last))
            yield period, done.result(), last
    finally:  # a caller that stops (or fails writing) does not wait for the runs already queued
        pool.shutdown(wait=True, cancel_futures=True)
