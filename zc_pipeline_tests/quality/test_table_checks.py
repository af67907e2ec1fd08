"""Each check fails on a deliberately broken table; the Data Docs show the failing expectation."""
import pandas as pd
import pytest

from zc_pipeline.quality.expectations import CHECKS, expected_grade, table_checks
from zc_pipeline.quality.gx import docs_index
from zc_pipeline.quality.table_checks import Context, completeness_frame, evaluate
from zc_pipeline.standards import load_standard
from zc_pipeline_tests.support.frames import funding_rows, park_month, quarter_rows, stored

STD = load_standard()


def by_check(outcomes):
    return {o.check: o for o in outcomes}


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("quality_state")


def run(state_dir, table, rows, ctx=None):
    ctx = ctx or Context(std_by_version=lambda v: STD)
    return by_check(evaluate(state_dir, table, rows, ctx, "test"))


def test_a_valid_park_month_passes_every_check(state_dir):
    rows = park_month()
    ctx = Context(in_force_ids=["s1", "s2", "s3"], std_by_version=lambda v: STD,
                  completeness=pd.DataFrame({"park_code": ["a", "b", "c"], "reported": [1.0, 1.0, 1.0]}))
    out = run(state_dir, "park_month", rows, ctx)
    assert set(out) == set(table_checks("park_month"))
    assert all(o.passed for o in out.values()), {k: o.metadata for k, o in out.items() if not o.passed}


@pytest.mark.parametrize(
    "check, breakage",
    [
        # a repeated key, a negative quantity, a ratio above 1: the schema's (no GX expectation restates them)
        ("schema", lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True)),
        ("schema", lambda f: f.assign(co2_t=[100.0, -1.0, 100.0], carbon_per_energy=[2.0, -0.02, 2.0])),
        ("schema", lambda f: f.assign(green_share=[0.3, 1.3, 0.3])),
        ("carbon_per_energy_consistent", lambda f: f.assign(carbon_per_energy=[2.0, 2.5, 2.0])),
        ("submission_in_force", lambda f: f.assign(submission_id=["s1", "s2", "s-superseded"])),
        ("schema", lambda f: f.assign(period=["2026-03", "2026-3", "2026-03"])),
    ],
)
def test_each_park_month_check_fails_on_a_broken_table(state_dir, check, breakage):
    ctx = Context(in_force_ids=["s1", "s2", "s3"], std_by_version=lambda v: STD)
    out = run(state_dir, "park_month", breakage(park_month()), ctx)
    assert not out[check].passed
    assert out[check].severity == CHECKS[check].severity == "ERROR"
    others = [k for k, o in out.items() if not o.passed and k not in (check, "schema")]
    assert not others, others  # the breakage trips only its own check


def test_completeness_warns_below_ninety_percent(state_dir):
    pm = park_month(9)
    dim_park = pd.DataFrame({"park_code": [f"150200-P{i:03d}" for i in range(1, 11)],
                             "enrolled_on": [pd.Timestamp("2025-01-01").date()] * 9 + [pd.Timestamp("2026-04-01").date()]})
    frame = completeness_frame(pm, dim_park, "2026-03")
    assert frame["reported"].mean() == 1.0  # park 10 enrols in April: not expected in March
    ctx = Context(in_force_ids=[f"s{i}" for i in range(1, 10)], completeness=frame.head(9).assign(
        reported=[1.0] * 8 + [0.0]), completeness_min=STD.num("quality.completeness_min"),
        std_by_version=lambda v: STD)  # 8 of 9 = 88.9 % < 90 %
    out = run(state_dir, "park_month", pm, ctx)
    assert not out["completeness"].passed
    assert out["completeness"].severity == "WARN"
    assert out["completeness"].metadata["share_reporting"] == pytest.approx(8 / 9, abs=1e-4)


def test_grade_consistent_with_score_and_cap(state_dir):
    bands = {"A": 85, "B": 70, "C": 60}
    limits = {"no_report": "D", "spot_check_failed": "D", "missing_report": "C", "rebound_unrectified": "B"}
    assert expected_grade(88.0, None, bands, limits) == "A"
    assert expected_grade(88.0, "rebound_unrectified", bands, limits) == "B"
    assert expected_grade(0.0, "no_report", bands, limits) == "D"
    assert run(state_dir, "park_quarter_assessment", quarter_rows())["grade_consistent"].passed
    broken = quarter_rows()
    broken.loc[0, "grade"] = "B"  # 88 points, no cap: must be A
    broken.loc[1, "grade_cap"] = None  # 75 points without a cap is B, not C
    out = run(state_dir, "park_quarter_assessment", broken)
    assert not out["grade_consistent"].passed
    failed = out["grade_consistent"].metadata["failed_expectations"][0]
    assert failed["unexpected_count"] == 2


def test_grade_history_rows_are_schema_checked(state_dir):
    history = stored("grade_history", [{"park_code": "150200-P001", "level": "month", "period": "2026-Q1",
                                        "grade": "A", "score": 88.0, "issued_at": pd.Timestamp("2026-04-20", tz="UTC")}])
    ctx = Context(std_by_version=lambda v: STD, grade_history=history)
    out = by_check(evaluate(state_dir, "park_quarter_assessment", quarter_rows(), ctx, "test", {"grade_history_schema"}))
    assert not out["grade_history_schema"].passed
    assert "level" in out["grade_history_schema"].metadata["failure_cases"]


def test_funding_within_budget(state_dir):
    budget = STD.budget(2026)
    ok = run(state_dir, "funding_allocation", funding_rows([20_000_000] * 3), Context(budget=budget))
    assert ok["funding_within_budget"].passed
    over = run(state_dir, "funding_allocation", funding_rows([20_000_000] * 13), Context(budget=budget))
    assert not over["funding_within_budget"].passed  # 260 000 000 > 240 000 000


def test_data_docs_show_the_failing_expectation(state_dir):
    out = run(state_dir, "park_month", park_month().assign(carbon_per_energy=[2.0, 2.7, 2.0]),
              Context(in_force_ids=["s1", "s2", "s3"]))
    page = out["carbon_per_energy_consistent"].metadata["data_docs"]
    assert docs_index(state_dir).exists()
    html = page.read_text()
    assert "_cpe_residual" in html
    assert "Failed" in html or "failed" in html
    assert page.relative_to(state_dir / "data_docs").parts[0] == "validations"
    assert "park_month" in docs_index(state_dir).read_text()
