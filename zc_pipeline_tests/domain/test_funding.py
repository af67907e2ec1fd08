"""Special fund (STANDARD §10): eligibility order, amounts, priority and allocation, by hand."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zc_pipeline.domain import funding
from zc_pipeline.domain.cultivation import history, on_list, year_end_removals
from zc_pipeline.domain.funding import FundingBudgetMissing, allocate
from zc_pipeline_tests.domain.frames import STD, dim, park

DIM = dim(park("150100-P001"), park("150100-P002"), park("150100-P003"), park("150100-P004"),
          park("150200-P001", on_cultivation_list=False), park("150200-P002"))
H1 = pd.DataFrame({
    "park_code": ["150100-P001", "150100-P002", "150100-P003", "150100-P004", "150200-P001"],
    "grade": ["A", "A", "B", "C", "A"],
    "score": [90.0, 90.0, 88.0, 65.0, 95.0],
})  # 150200-P002 has no H1 assessment


def app(project_id: str, park_code: str, investment: str, project_type: str = "ccus_demo",
        applied_on: dt.date = dt.date(2026, 3, 1)) -> dict:
    return {"project_id": project_id, "park_code": park_code, "project_name": project_id,
            "project_type": project_type, "investment_10k_yuan": investment, "applied_on": applied_on}


def apps(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def with_budget(budget: int | None, year: int = 2026):
    entries = {k: v for k, v in STD.entries.items() if k != f"funding.budget.{year}"}
    if budget is not None:
        entries[f"funding.budget.{year}"] = {"key": f"funding.budget.{year}", "value": budget}
    return dataclasses.replace(STD, entries=entries)


def by_id(frame: pd.DataFrame) -> dict[str, dict]:
    return {r["project_id"]: r for r in frame.to_dict("records")}


def test_reasons_are_checked_in_order():
    out = by_id(allocate(2026, apps(
        app("U", "159900-P001", "10", "other"),   # not in the registry (and type not covered): park_unknown
        app("L", "150200-P001", "10", "other"),   # off the list and type not covered: not_on_list comes first
        app("T", "150100-P001", "10", "other"),   # on the list, grade A, type other: type_not_covered
        app("C", "150100-P004", "10"),            # grade C: grade_too_low
        app("N", "150200-P002", "10"),            # no H1 row: grade_too_low with grade NULL
        app("E", "150100-P003", "10", "green_direct_supply"),
    ), DIM, H1, STD))
    assert {k: r["reason"] for k, r in out.items()} == {
        "U": "park_unknown", "L": "not_on_list", "T": "type_not_covered", "C": "grade_too_low",
        "N": "grade_too_low", "E": "eligible"}
    for k in "ULTCN":
        r = out[k]
        assert (r["eligible"], r["allocated_yuan"]) == (False, 0)
        assert pd.isna(r["rate"]) and pd.isna(r["requested_yuan"]) and pd.isna(r["priority"])
    assert pd.isna(out["U"]["grade"]) and pd.isna(out["U"]["score"])
    assert (out["L"]["grade"], out["L"]["score"]) == ("A", 95.0)  # known park: its basis is shown
    assert pd.isna(out["N"]["grade"]) and pd.isna(out["N"]["score"])
    # E: grade B, 10 × 10 000 × 0.20 = 20 000
    assert (out["E"]["rate"], out["E"]["requested_yuan"], out["E"]["allocated_yuan"], out["E"]["priority"]) == (0.2, 20000, 20000, 1)
    assert out["E"]["basis_half"] == "2026-H1" and out["E"]["year"] == "2026"
    assert out["E"]["standard_version"] == "IM-ZCP-2026.1"


def test_rate_and_round_half_up_on_the_investment_as_written():
    out = by_id(allocate(2026, apps(
        app("A1", "150100-P001", "123.45"),   # A: 123.45 × 10 000 × 0.30 = 1 234 500 × 0.30 = 370 350
        app("B1", "150100-P003", "1.23425"),  # B: 1.23425 × 10 000 × 0.20 = 12 342.5 × 0.20 = 2 468.5 -> 2 469
    ), DIM, H1, STD))                         # (round-half-even would give 2 468)
    assert out["A1"]["investment_yuan"] == 1234500 and out["A1"]["requested_yuan"] == 370350
    assert out["B1"]["requested_yuan"] == 2469
    assert out["B1"]["investment_yuan"] == 12343  # 12 342.5 yuan, rounded half-up to whole yuan


def test_requested_is_capped_at_20_million():
    out = by_id(allocate(2026, apps(
        app("BIG", "150100-P001", "10000"),     # 10 000 × 10 000 × 0.30 = 30 000 000 -> cap 20 000 000
        app("EDGE", "150100-P002", "6666.67"),  # 66 666 700 × 0.30 = 20 000 010 -> cap 20 000 000
        app("UNDER", "150100-P003", "9999.99"),  # 99 999 900 × 0.20 = 19 999 980 (under the cap)
    ), DIM, H1, STD))
    assert [out[k]["requested_yuan"] for k in ("BIG", "EDGE", "UNDER")] == [20000000, 20000000, 19999980]


def test_priority_grade_then_score_then_applied_on_then_project_id():
    out = allocate(2026, apps(
        app("P-B", "150100-P003", "1"),                                         # B 88.0: after every A
        app("P-z", "150100-P001", "1", applied_on=dt.date(2026, 2, 1)),         # A 90.0, 2026-02-01, id P-z
        app("P-a", "150100-P002", "1", applied_on=dt.date(2026, 2, 1)),         # A 90.0, 2026-02-01, id P-a
        app("P-early", "150100-P002", "1", applied_on=dt.date(2026, 1, 15)),    # A 90.0, earliest date
        app("P-off", "150200-P001", "1"),                                       # ineligible: no priority
    ), DIM, H1, STD)
    assert out["project_id"].tolist() == ["P-early", "P-a", "P-z", "P-B", "P-off"]
    assert out["priority"].tolist()[:4] == [1, 2, 3, 4] and pd.isna(out["priority"].iloc[4])


def test_last_allocation_is_partial_and_the_sum_stays_within_budget():
    std = with_budget(700000)
    out = by_id(allocate(2026, apps(
        app("first", "150100-P001", "100"),   # A 90.0: 1 000 000 × 0.30 = 300 000, left 700 000 − 300 000 = 400 000
        app("second", "150100-P002", "120", applied_on=dt.date(2026, 3, 2)),  # A 90.0 later: 360 000, left 40 000
        app("third", "150100-P003", "100"),   # B: 200 000 requested, 40 000 left -> 40 000
        app("fourth", "150100-P003", "1", applied_on=dt.date(2026, 4, 1)),  # B later: 2 000 requested, 0 left
    ), DIM, H1, std))
    assert [out[k]["allocated_yuan"] for k in ("first", "second", "third", "fourth")] == [300000, 360000, 40000, 0]
    assert out["third"]["requested_yuan"] == 200000
    assert sum(r["allocated_yuan"] for r in out.values()) == 700000


def test_a_year_with_applications_but_no_budget_is_an_error():
    with pytest.raises(FundingBudgetMissing) as err:
        allocate(2031, apps(app("X", "150100-P001", "1")), DIM, H1, STD)
    assert "funding.budget.2031" in err.value.message_zh and "funding.budget.2031" in err.value.message_en
    assert "预算" in str(err.value) and "budget" in str(err.value)


def test_a_year_without_applications_has_no_rows():
    out = allocate(2031, apps(), DIM, H1, STD)
    assert out.empty and out.columns.tolist() == funding.ALLOCATION_COLUMNS


def test_a_float_investment_is_refused():
    with pytest.raises(TypeError, match="float"):
        allocate(2026, apps(app("X", "150100-P001", 123.45)), DIM, H1, STD)


def test_decimal_investment_is_accepted():
    out = allocate(2026, apps(app("X", "150100-P001", Decimal("123.45"))), DIM, H1, STD)
    assert out["requested_yuan"].tolist() == [370350]


PARKS = [f"150100-P00{i}" for i in range(1, 7)]
application = st.fixed_dictionaries({
    "park_code": st.sampled_from(PARKS + ["159900-P001"]),
    "project_type": st.sampled_from(["green_direct_supply", "ccus_demo", "other"]),
    "investment_10k_yuan": st.decimals(min_value=0, max_value=20000, places=4).map(str),
    "applied_on": st.dates(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
})


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(application, max_size=25),
    grades=st.lists(st.tuples(st.sampled_from("ABCD"), st.sampled_from([70.0, 85.5, 90.0])), min_size=6, max_size=6),
    on_list=st.lists(st.booleans(), min_size=6, max_size=6),
    budget=st.integers(0, 60_000_000),
)
def test_allocation_never_exceeds_budget_and_follows_priority(rows, grades, on_list, budget):
    applications = pd.DataFrame([{**r, "project_id": f"J{i:03d}"} for i, r in enumerate(rows)],
                                columns=["project_id", "park_code", "project_type", "investment_10k_yuan", "applied_on"])
    dim_park = dim(*(park(p, on_cultivation_list=flag) for p, flag in zip(PARKS, on_list)))
    half_rows = pd.DataFrame({"park_code": PARKS[:5], "grade": [g for g, _ in grades[:5]],
                              "score": [s for _, s in grades[:5]]})
    out = allocate(2026, applications, dim_park, half_rows, with_budget(budget))
    assert len(out) == len(rows)
    assert out["allocated_yuan"].sum() <= budget
    eligible = out[out["eligible"]].sort_values("priority")
    assert eligible["priority"].tolist() == list(range(1, len(eligible) + 1))
    assert (eligible["allocated_yuan"] <= eligible["requested_yuan"]).all()
    assert (out.loc[~out["eligible"], "allocated_yuan"] == 0).all()
    short = False  # once a project is short of its request, nobody after it gets money
    for requested, allocated in zip(eligible["requested_yuan"], eligible["allocated_yuan"]):
        assert not (short and allocated > 0)
        short = short or allocated < requested
    # grade A before B, then higher score
    keys = list(zip(eligible["grade"], -eligible["score"]))
    assert keys == sorted(keys)


def test_on_the_list_is_asked_for_the_basis_half_s_last_day():
    # 150100-P001 is registry-listed but its 2025 year-end removal took effect on 2026-02-01, so on
    # 30 June 2026 (2026-H1's last day) it is off the list: not_on_list, though graded A. 150200-P001,
    # off the registry's list, was added by its city from 2026-06-30 (the day itself): it is on the
    # list and its grade A makes it eligible: 10 000 × 10 000 yuan × 0.30 = 30 000 000, capped at 20 000 000.
    assert funding.basis_day(2026, STD) == dt.date(2026, 6, 30)
    removals = year_end_removals(pd.DataFrame({"park_code": ["150100-P001"], "half": ["2025-H2"],
                                               "outcome": ["remove_from_list"]}), lambda half: STD)
    added = pd.DataFrame([{"park_code": "150200-P001", "action": "add", "effective_on": dt.date(2026, 6, 30),
                           "source": "city_list", "source_file": "landing/lists/150200_2026-06-01.csv",
                           "source_sha256": "ab", "source_row": 2, "reason": "纳入"}])
    listed = on_list(history(DIM, added, removals), funding.basis_day(2026, STD))
    out = by_id(allocate(2026, apps(app("R", "150100-P001", "10000"), app("A", "150200-P001", "10000")),
                         DIM, H1, STD, listed))
    assert (out["R"]["reason"], out["R"]["allocated_yuan"]) == ("not_on_list", 0)
    assert (out["A"]["reason"], out["A"]["requested_yuan"]) == ("eligible", 20_000_000)
