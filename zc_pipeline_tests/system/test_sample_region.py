"""The committed sample region through `zc run`: the counts match the generator's manifest."""
import json


from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.conftest import SAMPLE_DIR

MANIFEST = json.loads((SAMPLE_DIR / "MANIFEST.json").read_text(encoding="utf-8"))


def test_every_month_loads_and_counts_match_the_manifest(sample_run):
    subs = read_table(sample_run.engine, "submission")
    expected = MANIFEST["expected"]
    files = read_table(sample_run.engine, "landing_file")
    for month, exp in expected["per_month"].items():
        got = subs[subs["source_file"].str.startswith(f"landing/{month}/")]
        counts = (len(got), int(got["in_force"].sum()), int((got["status"] == "superseded").sum()),
                  int((got["status"] == "rejected").sum()), int(got["source_file"].nunique()))
        assert counts == (exp["submissions"], exp["in_force"], exp["superseded"], exp["rejected"], exp["files"]), month
        assert files["source_file"].str.startswith(f"landing/{month}/").sum() == exp["files"], month
    totals = expected["totals"]
    assert len(subs) == totals["submissions"]
    assert int((subs["status"] == "rejected").sum()) == totals["rejected"]
    assert int((subs["status"] == "superseded").sum()) == totals["superseded"]
    assert int(subs["in_force"].sum()) == totals["in_force"]
    assert len(read_table(sample_run.engine, "park_month")) == totals["in_force"]


def test_all_four_grades_occur_in_2025_and_2026(sample_run):
    q = read_table(sample_run.engine, "park_quarter_assessment")
    h = read_table(sample_run.engine, "park_half_assessment")
    for year in ("2025", "2026"):
        grades = set(q.loc[q["quarter"].str.startswith(year), "grade"]) | set(h.loc[h["half"].str.startswith(year), "grade"])
        assert grades == {"A", "B", "C", "D"}, (year, grades)
