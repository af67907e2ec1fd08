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


def test_each_lifecycle_mechanism_shows_in_the_sample_region(sample_run):
    """docs/lifecycle.md's sample: a city's removal and addition, the 2025 year-end's removals
    enacted on 2026-02-01, interviews on time, late and missing as the manifest planned them, and an
    accredited park nominated first."""
    engine = sample_run.engine
    history = read_table(engine, "cultivation_list")
    city = history[history["source"].eq("city_list")]
    assert sorted(zip(city["park_code"], city["valid_from"].astype(str), city["listed"].astype(bool))) == [
        ("150400-P001", "2026-06-01", False), ("150700-P003", "2026-07-01", True)]
    year_end = history[history["source"].eq("year_end_outcome")]
    removed = read_table(engine, "park_half_assessment", where={"half": "2025-H2", "outcome": "remove_from_list"})
    assert sorted(year_end["park_code"]) == sorted(removed["park_code"]) and len(removed) > 0
    assert set(year_end["valid_from"].astype(str)) == {"2026-02-01"} and not year_end["listed"].astype(bool).any()
    enacted = read_table(engine, "region_half_summary").set_index("half")["removals_enacted"]
    assert enacted.to_dict() == {"2025-H1": 0, "2025-H2": 0, "2026-H1": len(removed)}
    alerts = read_table(engine, "rebound_alert").set_index(["park_code", "period"])
    planned = {(i["park"], i["alert_period"]): i["expect"] for i in MANIFEST["lifecycle"]["interviews"]["interviews"]}
    assert {k: alerts.loc[k, "interview_status"] for k in planned} == planned
    assert sorted(planned.values()) == ["late", "on_time", "on_time", "overdue"]
    issues = read_table(engine, "validation_issue")
    assert sorted(issues.loc[issues["rule_id"].str.match(r"^[LI]0"), "rule_id"]) == ["I012", "L011"]
    accredited = read_table(engine, "park_accreditation", where={"year": "2025"})
    assert accredited.loc[accredited["accredited"].astype(bool), "park_code"].tolist() == ["150900-P003"]
    first = read_table(engine, "national_nomination", where={"year": "2025"}).sort_values("rank").iloc[0]
    assert (first["park_code"], bool(first["accredited"])) == ("150900-P003", True)


def test_the_fund_s_certain_reasons_are_the_manifest_s(sample_run):
    """park_unknown, not_on_list (the list on 30 June, after the 2025 year-end's removals) and
    type_not_covered follow from the files alone: the generator's expectation is the pipeline's."""
    certain = {"park_unknown", "not_on_list", "type_not_covered"}
    expected = {p["project_id"]: p["expected_ineligible_reason"]
                for p in MANIFEST["estimate"]["funding"]["projects_detail"]
                if p["expected_ineligible_reason"] in certain}
    got = read_table(sample_run.engine, "funding_allocation").set_index("project_id")["reason"]
    assert {k: got[k] for k in expected} == expected
    assert set(expected.values()) == certain and list(expected.values()).count("not_on_list") == 4
