"""Field rules as pandera checks: each failure names its rule and column, in row then rule order."""
import pandas as pd
import pandera.pandas as pa
import pytest

from zc_pipeline.intake.registry import RegistryError, read_registry
from zc_pipeline.intake.schemas import FieldRule, rule_failures

RULES = [
    FieldRule("X001", "a", pa.Check.isin(["ok"])),
    FieldRule("X002", "b", pa.Check(lambda f: f["a"] != f["b"]), row=True),  # reads two fields, names b
    FieldRule("X003", "a", pa.Check(lambda s: s != "bad")),
]


def test_failures_come_by_row_then_in_the_rules_order():
    frame = pd.DataFrame({"a": ["ok", "bad", "ok"], "b": ["x", "bad", "ok"]})
    out = rule_failures(RULES, frame)
    assert list(out.itertuples(index=False, name=None)) == [
        (1, "a", "X001"), (1, "b", "X002"), (1, "a", "X003"), (2, "b", "X002"),
    ]


def test_no_rows_no_failures():
    assert rule_failures(RULES, pd.DataFrame({"a": [], "b": []})).empty


def test_a_check_that_cannot_run_is_a_bug_not_a_passed_check():
    broken = [FieldRule("X009", "a", pa.Check(lambda s: s.no_such_method()))]
    with pytest.raises(RuntimeError, match="could not run"):
        rule_failures(broken, pd.DataFrame({"a": ["x"]}))


def test_one_registry_row_lists_its_issues_in_column_order(tmp_path):
    (tmp_path / "league_cities.csv").write_text("league_city_code,name_zh,name_en\n150600,鄂尔多斯市,Ordos\n")
    (tmp_path / "parks.csv").write_text(
        "park_code,park_name,league_city_code,category,scope,parent_park_code,on_cultivation_list,enrolled_on,"
        "baseline_year,baseline_carbon_per_energy,baseline_green_share,target_green_share,target_date\n"
        "bad,名,150900,x,whole,150600-P001,maybe,2025-13-01,y,-1,0.5,-0.2,z\n")
    with pytest.raises(RegistryError) as exc:
        read_registry(tmp_path)
    issues = exc.value.issues
    assert list(zip(issues["rule_id"], issues["column"], issues["value"])) == [
        ("REG002", "park_code", "bad"),
        ("REG004", "league_city_code", "150900"),
        ("REG006", "category", "x"),
        ("REG009", "parent_park_code", "150600-P001"),
        ("REG006", "on_cultivation_list", "maybe"),
        ("REG010", "enrolled_on", "2025-13-01"),
        ("REG010", "target_date", "z"),
        ("REG010", "baseline_year", "y"),
        ("REG006", "baseline_carbon_per_energy", "-1"),
        ("REG006", "target_green_share", "-0.2"),
        ("REG011", "target_green_share", "-0.2"),  # a share out of range can be below the baseline too
    ]
    assert set(issues["row"]) == {2}
