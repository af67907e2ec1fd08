"""`zc explain` and grade_explanation on the committed sample region (a capped quarter, a capped half)."""
import itertools
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from zc_pipeline.cli import main
from zc_pipeline.defs.explain import rewritten_windows
from zc_pipeline.domain.explain import explain
from zc_pipeline.domain.periods import add_months, score_window
from zc_pipeline.quality.gx import docs_index
from zc_pipeline.stages.explanations import AuditError, ExplainData, stored_form
from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.support.views import read_view

pytestmark = pytest.mark.long_first  # its first test builds the session's sample run


# From the sample region (as-of 2026-07-15): a quarter capped by an unrectified rebound and a
# mid-year evaluation capped by a failed spot check.
CAPPED_QUARTER = ("152900-P002", "2025-Q4")  # score 100.0, band A, published B (rebound_unrectified)
CAPPED_HALF = ("150500-P001", "2026-H1")  # score 72.4, band B, published D (spot_check_failed)


def line(lines, item):
    rows = lines[lines["item"] == item]
    assert len(rows) == 1, item
    return rows.iloc[0]


def test_capped_quarter(sample_run):
    data = ExplainData(sample_run.engine, as_of=sample_run.settings.as_of)
    lines = explain(data.inputs(*CAPPED_QUARTER))
    assert line(lines, "score")["value"] == "100"
    assert line(lines, "uncapped_grade")["value"] == "A"
    assert line(lines, "grade")["value"] == "B"
    assert line(lines, "grade_cap")["value"] == "rebound_unrectified"
    assert line(lines, "cap.rebound_unrectified")["value"] == "applies"
    assert line(lines, "rebound 2025-10")["value"] == "open"
    # every input quantity traced to file, SHA-256, sheet, row and unit as written
    grid = line(lines, "2025-10 grid_electricity_mwh")
    assert grid["source_file"] == "landing/2025-10/152900-P002_2025-10.xlsx"
    assert len(grid["source_sha256"]) == 64
    assert (grid["sheet"], grid["row"], grid["unit"]) == ("能源消费", 2, "MWh")
    inputs = lines[lines["section"] == "inputs"]
    assert inputs["source_sha256"].notna().all()
    # factors with their rulebook source
    factor = line(lines, "co2.grid_electricity")
    assert factor["value"] == "0.6096" and "MEE/NBS" in factor["note_en"] and factor["standard_version"] == "IM-ZCP-2026.1"
    assert line(lines, "threshold.regional")["value"] == "0.4"
    for component in ("score_carbon", "score_green", "score_retrofit", "score_reporting"):
        assert line(lines, component)["note_en"]


def test_capped_half(sample_run):
    data = ExplainData(sample_run.engine, as_of=sample_run.settings.as_of)
    lines = explain(data.inputs(*CAPPED_HALF))
    assert line(lines, "score")["value"] == "72.4"
    assert line(lines, "uncapped_grade")["value"] == "B"
    assert line(lines, "grade")["value"] == "D"
    assert line(lines, "grade_cap")["value"] == "spot_check_failed"
    assert line(lines, "cap.spot_check_failed")["value"] == "applies"
    assert line(lines, "score_reporting")["note_en"] == "10 × 6 / 6"
    months = {i.split()[0] for i in lines.loc[lines["section"] == "inputs", "item"]}
    assert months == {f"2026-{m:02d}" for m in range(1, 7)}  # the mid-year window Jan–Jun


def test_the_cli_explains_in_both_languages(sample_run, monkeypatch, capsys):
    monkeypatch.setenv("ZC_WAREHOUSE_URL", sample_run.settings.warehouse_url)
    assert main(["explain", *CAPPED_HALF]) == 0
    out = capsys.readouterr().out
    assert "封顶" in out and "Caps" in out and "spot_check_failed" in out
    assert "sha256 " in out and "sheet 能源消费" in out
    assert main(["explain", CAPPED_HALF[0], "2026-h3"]) == 2


def test_grade_explanation_holds_every_explanation_and_the_view_shows_its_lines(sample_run):
    """Every stored window of every park, read line by line through v_grade_explanation, is what
    `explain` gives for it now: the same lines, in order, every column."""
    stored = read_table(sample_run.engine, "grade_explanation")
    periods = set(stored["period"])
    assert {"2025-Q4", "2026-H1", "2025-H2"} <= periods
    # one row for each park and window assessed, every run of every window written (with two cores
    # or more, each of the sample's windows goes to the pool in several runs)
    assessed = {(code, period) for kind, table in (("quarter", "park_quarter_assessment"), ("half", "park_half_assessment"))
                for code, period in read_table(sample_run.engine, table)[["park_code", kind]].itertuples(index=False)}
    assert sorted(zip(stored["park_code"], stored["period"])) == sorted(assessed)
    assert len(assessed) == 214 + 107
    view = read_view(sample_run.engine, "v_grade_explanation", order_by=["park_code", "period", "line_no"])
    assert len(view) == stored["line_count"].sum()
    data = ExplainData(sample_run.engine, as_of=sample_run.settings.as_of)
    fresh = pd.concat([explain(data.inputs(code, period)) for code, period in zip(stored["park_code"], stored["period"])],
                      ignore_index=True)
    fresh = fresh.sort_values(["park_code", "period", "line_no"], kind="stable").reset_index(drop=True)
    assert view["run_id"].notna().all()
    def plain(frame):  # NULL as None, whatever each side's dtype made of it
        frame = frame.astype(object)
        return frame.where(frame.notna(), None)

    pd.testing.assert_frame_equal(plain(view.drop(columns="run_id")), plain(fresh), check_dtype=False)
    capped = view[(view["park_code"] == CAPPED_QUARTER[0]) & (view["period"] == CAPPED_QUARTER[1])]
    assert capped["line_no"].tolist() == list(range(1, len(capped) + 1))
    assert line(capped, "grade")["value"] == "B"
    # the run's one grade_explanation materialization wrote every window, so its checks read them all
    with dg.DagsterInstance.from_config(str(Path(sample_run.settings.state_dir) / "dagster_home")) as instance:
        assert rewritten_windows(instance) == sorted(periods)


def test_explanations_in_the_pool_equal_those_in_one_process(sample_run, monkeypatch):
    """Every quarter and half of the sample region explained by pool workers (each loading the rows
    from the warehouse itself) and by a plain loop over the rows loaded here: the same rows for each
    window, in the same order (the table is written from the pooled ones)."""
    import concurrent.futures

    from zc_pipeline import parallel
    from zc_pipeline.stages import explanations

    data = ExplainData(sample_run.engine, as_of=sample_run.settings.as_of)
    pairs = [(code, period) for kind in ("quarter", "half")
             for code, period in zip(data.assessments[kind]["park_code"], data.assessments[kind][kind])]
    assert len(pairs) > explanations.PARALLEL_MIN_EXPLANATIONS  # the sample run's grade_explanation used the pool too
    pools = []

    class CountingPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", CountingPool)
    monkeypatch.setattr(explanations, "PARALLEL_MAX_RUN", 7)  # a window goes to the workers in runs of 7
    runs = list(explanations.explain_runs(sample_run.engine, sample_run.settings.as_of, pairs))
    assert len(pools) == 1
    assert max(len(frame) for _, frame, _ in runs) == 7
    periods = list(dict.fromkeys(period for _, period in pairs))
    assert [period for period, _ in itertools.groupby(period for period, _, _ in runs)] == periods  # a window's runs in a row
    # each window's last run, and only that one, says so (the writer commits the window with it)
    assert [last for _, _, last in runs] == [i + 1 == len(runs) or runs[i + 1][0] != period
                                             for i, (period, _, _) in enumerate(runs)]
    pooled = {period: pd.concat([frame for p, frame, _ in runs if p == period], ignore_index=True) for period in periods}
    for period in periods:
        alone = pd.DataFrame([stored_form(data.inputs(code, p)) for code, p in pairs if p == period],
                             columns=explanations.STORED_COLUMNS)
        assert pooled[period]["period"].eq(period).all()
        pd.testing.assert_frame_equal(pooled[period], alone)


def test_months_an_explanation_reads():
    from zc_pipeline.stages.explanations import months_to_explain

    # a quarter and the month before it (a rebound in January compares with December)
    assert months_to_explain(["2026-Q1"]) == ["2025-12", "2026-01", "2026-02", "2026-03"]
    # H2 scores the whole year: December before it and January to December, 13 months
    assert months_to_explain(["2025-H2"]) == ["2024-12"] + [f"2025-{m:02d}" for m in range(1, 13)]
    assert months_to_explain(["2026-Q1", "2025-Q4"]) == ["2025-09", "2025-10", "2025-11", "2025-12",
                                                         "2026-01", "2026-02", "2026-03"]


def test_loading_only_the_windows_months_explains_the_same(sample_run):
    """A later run explains the stale windows from their months only: same lines as from the whole history."""
    full = ExplainData(sample_run.engine, as_of=sample_run.settings.as_of)
    compared = 0
    for kind in ("quarter", "half"):
        rows = full.assessments[kind]
        for window in sorted(set(rows[kind])):
            part = ExplainData(sample_run.engine, as_of=sample_run.settings.as_of, windows=[window])
            assert len(part.park_month) < len(full.park_month)  # the sample runs to 2026-07: fewer months
            for code in rows.loc[rows[kind] == window, "park_code"]:
                pd.testing.assert_frame_equal(explain(part.inputs(code, window)), explain(full.inputs(code, window)))
                compared += 1
    assert compared == 214 + 107  # every park_quarter_assessment and park_half_assessment row of the sample run
    with pytest.raises(AuditError, match="not among the windows loaded"):  # its months were not loaded
        ExplainData(sample_run.engine, as_of=sample_run.settings.as_of, windows=["2025-Q4"]).inputs(*CAPPED_HALF)


def test_the_sample_run_writes_data_docs(sample_run):
    """`zc run` renders the site once at its end: every stored validation result has its page."""
    state = sample_run.settings.state_dir
    index = docs_index(state)
    assert index.exists()
    assert "park_month" in index.read_text()
    results = list((state / "gx" / "gx" / "uncommitted" / "validations").rglob("*.json"))
    pages = list((state / "data_docs" / "validations").rglob("*.html"))
    # 19 months of park_month and of its completeness, 6 quarters and 3 halves of an assessment and a
    # summary, a year's funding (tables whose checks are all the schema's have no GX suite)
    assert len(results) > 50
    assert {r.relative_to(r.parents[3]).with_suffix("") for r in results} == \
        {h.relative_to(h.parents[3]).with_suffix("") for h in pages}


def test_what_cannot_be_explained_is_refused_with_the_reason(sample_run):
    data = ExplainData(sample_run.engine, as_of=sample_run.settings.as_of)
    months = read_table(sample_run.engine, "park_month")
    code, first = months.sort_values(["park_code", "period"]).iloc[0][["park_code", "period"]]
    with pytest.raises(AuditError, match="has no submission in force"):  # the month before its first park_month row
        data.inputs(code, add_months(first, -1))
    assert list(data.inputs(code, first).month_rows) == [first]  # its first month: that row alone
    with pytest.raises(AuditError, match="is not in the registry"):
        data.inputs("150600-P999", first)
    with pytest.raises(AuditError, match="no assessment of"):
        data.inputs(code, "2031-Q1")


def test_a_window_reads_the_parks_months_to_its_end_and_the_submissions_of_its_own_months(sample_run):
    """inputs() finds a window among the park's months by bisecting: months before and after it
    must not leak in (the expectation here is a plain filter of the stored table)."""
    data = ExplainData(sample_run.engine, as_of=sample_run.settings.as_of)
    months = read_table(sample_run.engine, "park_month")
    code = CAPPED_QUARTER[0]
    mine = months[months["park_code"] == code]
    assert mine["period"].min() < "2025-07" and mine["period"].max() > "2025-12"  # months on both sides
    for window in ("2025-Q4", "2025-H2", "2025-10"):  # H2 is scored over the whole year
        scored = [window] if window[5:].isdigit() else score_window(window)
        inp = data.inputs(code, window)
        assert list(inp.month_rows) == sorted(p for p in mine["period"] if p <= scored[-1])  # in month order
        assert sorted(inp.submissions) == sorted(mine.loc[mine["period"].isin(scored), "submission_id"])
        assert all(r["submission_id"] == sid for sid, r in inp.submissions.items())
        assert set(inp.values) == set(inp.submissions)
        assert all(v["submission_id"] == sid for sid, rows in inp.values.items() for v in rows)
        assert all(r["period"] == m and r["park_code"] == code for m, r in inp.month_rows.items())
