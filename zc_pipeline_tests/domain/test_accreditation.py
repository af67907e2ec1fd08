"""STANDARD §13: accreditation of parks at year end, and the factor-priority tiers of a half."""
import pandas as pd
import pytest

from zc_pipeline.domain.accreditation import ACCREDITATION_COLUMNS, PRIORITY_COLUMNS, accreditation, factor_priority
from zc_pipeline.standards import load_standard_file
from zc_pipeline_tests.support.rulebooks import region_rulebook

from .frames import STD

P1 = "150100-P001"
NONE = frozenset()


def year_end(**kw) -> pd.DataFrame:
    """One 2026-H2 row that passes every criterion unless `kw` changes it: regional, A, green share
    0.50 against a target path of 0.45 at year end."""
    row = {"park_code": P1, "half": "2026-H2", "category": "regional", "grade": "A",
           "green_share": 0.50, "green_target_at_end": 0.45} | kw
    return pd.DataFrame([row])


def judge(rows, listed=frozenset({P1}), failed=NONE, unrectified=NONE, std=STD) -> list[tuple]:
    out = accreditation(rows, listed, failed, unrectified, std)
    assert list(out.columns) == ACCREDITATION_COLUMNS
    # reasons_failed NULL (None or NaN) is read as None
    return [(r.park_code, r.year, r.accredited, None if pd.isna(r.reasons_failed) else r.reasons_failed)
            for r in out.itertuples()]


def test_a_park_meeting_every_criterion_is_accredited():
    # on the list, regional, A, spot check passed, no unrectified rebound, 0.50 >= 0.45.
    assert judge(year_end()) == [(P1, "2026", True, None)]


def test_green_share_exactly_on_the_path_passes():
    assert judge(year_end(green_share=0.45)) == [(P1, "2026", True, None)]  # 0.45 >= 0.45


@pytest.mark.parametrize("rows, kw, reason", [
    (year_end(), {"listed": NONE}, "not_on_list"),
    (year_end(category="national"), {}, "category"),  # categories: regional,pilot
    (year_end(grade="B"), {}, "grade"),  # grades: A
    (year_end(), {"failed": frozenset({P1})}, "spot_check_failed"),
    (year_end(), {"unrectified": frozenset({P1})}, "rebound_unrectified"),
    (year_end(green_share=0.44), {}, "green_share_below_path"),  # 0.44 < 0.45
    (year_end(green_share=None), {}, "green_share_below_path"),  # NULL fails the green criterion
], ids=["not_on_list", "category", "grade", "spot_check", "rebound", "green_below", "green_null"])
def test_each_criterion_failing_alone(rows, kw, reason):
    assert judge(rows, **kw) == [(P1, "2026", False, reason)]


def test_a_pilot_park_can_be_accredited():
    assert judge(year_end(category="pilot")) == [(P1, "2026", True, None)]


def test_several_reasons_in_the_rulebooks_order():
    # Off the list, national, grade C, spot check failed, rebound open, green 0.1 < 0.45: all six,
    # in the order not_on_list, category, grade, spot_check_failed, rebound_unrectified, green.
    got = judge(year_end(category="national", grade="C", green_share=0.1), listed=NONE,
                failed=frozenset({P1}), unrectified=frozenset({P1}))
    assert got == [(P1, "2026", False, "not_on_list,category,grade,spot_check_failed,rebound_unrectified,"
                                       "green_share_below_path")]
    # two of them: grade B and the rebound -> "grade,rebound_unrectified"
    assert judge(year_end(grade="B"), unrectified=frozenset({P1})) == [(P1, "2026", False, "grade,rebound_unrectified")]


def test_a_region_rulebook_switches_the_green_criterion_off(tmp_path):
    std = load_standard_file(region_rulebook(tmp_path, "IM-R-2027.1", "2027-01-01",
                                             accreditation__green_share_on_path="false"), STD)
    # green 0.10 < 0.45 and NULL: both accredited under the region's rulebook
    assert judge(year_end(green_share=0.10), std=std) == [(P1, "2026", True, None)]
    assert judge(year_end(green_share=None), std=std) == [(P1, "2026", True, None)]
    # the other criteria still apply: grade B fails
    assert judge(year_end(grade="B", green_share=0.10), std=std) == [(P1, "2026", False, "grade")]


def half(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"park_code": c, "half": "2026-H1", "category": cat, "grade": g} for c, cat, g in rows])


def code(n: int) -> str:
    return f"150100-P{n:03d}"


def test_factor_priority_tiers_and_reasons_sorted_by_tier_then_park_code():
    # P001 regional C -> tier 3 on_list; P002 national C -> tier 1 "category national";
    # P003 regional A -> tier 1 "grade A"; P004 regional B -> tier 2 "grade B";
    # P005 regional D -> tier 3 on_list; P006 national A -> tier 1, category first: "category national";
    # P007 regional A off the list -> no row.
    rows = half((code(1), "regional", "C"), (code(2), "national", "C"), (code(3), "regional", "A"),
                (code(4), "regional", "B"), (code(5), "regional", "D"), (code(6), "national", "A"),
                (code(7), "regional", "A"))
    listed = frozenset(code(i) for i in range(1, 7))
    out = factor_priority(rows, listed, STD)
    assert list(out.columns) == PRIORITY_COLUMNS
    assert out[["park_code", "tier", "reason"]].values.tolist() == [
        [code(2), 1, "category national"],
        [code(3), 1, "grade A"],
        [code(6), 1, "category national"],
        [code(4), 2, "grade B"],
        [code(1), 3, "on_list"],
        [code(5), 3, "on_list"],
    ]
    assert set(out["half"]) == {"2026-H1"} and str(out["tier"].dtype) == "int64"


def test_factor_priority_of_an_empty_list_has_no_rows():
    out = factor_priority(half((code(1), "national", "A")), NONE, STD)
    assert out.empty and list(out.columns) == PRIORITY_COLUMNS
