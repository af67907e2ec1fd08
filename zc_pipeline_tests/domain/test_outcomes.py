"""STANDARD §9: year-end nominations, removals and keeps for parks on the cultivation list."""
import pandas as pd

from zc_pipeline.domain.cultivation import history, on_list
from zc_pipeline.domain.outcomes import nominations, year_end_outcomes

from .frames import STD, dim, park


def half_rows(half: str, *rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"park_code": c, "half": half, "grade": g, "score": s} for c, g, s in rows])


def with_category(halves: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    return halves.assign(category=halves["park_code"].map(registry.set_index("park_code")["category"]))


def quarter_rows(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"park_code": c, "quarter": q, "grade": g} for c, q, g in rows],
                        columns=["park_code", "quarter", "grade"])


def outcomes(halves, quarters, registry, accredited=frozenset()) -> dict:
    listed = on_list(history(registry), pd.Timestamp("2026-12-31").date())
    out = year_end_outcomes(with_category(halves, registry), quarters, listed, accredited, STD)
    return {code: (None if pd.isna(o) else o) for code, o in zip(halves["park_code"], out)}


def code(n: int) -> str:
    return f"150100-P{n:03d}"


def test_at_most_five_nominations_best_score_first_ties_by_park_code():
    # Seven regional A parks: 95, 94, 93, 92, 91, 91, 90. The limit (5) ends inside the 91 tie:
    # P005 wins it on park_code; P006 and P007 keep. A national A park (99) is never nominated and
    # does not use a slot; an A park off the list gets NULL.
    scores = [95.0, 94.0, 93.0, 92.0, 91.0, 91.0, 90.0]
    rows = [(code(i + 1), "A", s) for i, s in enumerate(scores)]
    rows += [(code(8), "A", 99.0), (code(9), "A", 98.0)]
    registry = dim(
        *(park(code(i)) for i in range(1, 8)),
        park(code(8), category="national"),
        park(code(9), on_cultivation_list=False),
    )
    got = outcomes(half_rows("2026-H2", *rows), quarter_rows(), registry)
    assert [c for c, o in got.items() if o == "nominate_national"] == [code(i) for i in range(1, 6)]
    assert (got[code(6)], got[code(7)], got[code(8)], got[code(9)]) == ("keep", "keep", "keep", None)


def test_pilot_parks_are_nominated_too():
    got = outcomes(half_rows("2026-H2", (code(1), "A", 88.0)), quarter_rows(), dim(park(code(1), category="pilot")))
    assert got[code(1)] == "nominate_national"


def test_removals():
    # P001 year-end D; P002 year-end C but D in Q3 and Q4; P003 D in Q4 only; P004 D in Q3 and in
    # Q4 of another year; P005 A at year end but D in Q3 and Q4 (removal wins, no nomination).
    halves = half_rows(
        "2026-H2", (code(1), "D", 40.0), (code(2), "C", 65.0), (code(3), "B", 75.0),
        (code(4), "B", 75.0), (code(5), "A", 90.0),
    )
    quarters = quarter_rows(
        (code(2), "2026-Q3", "D"), (code(2), "2026-Q4", "D"),
        (code(3), "2026-Q3", "C"), (code(3), "2026-Q4", "D"),
        (code(4), "2026-Q3", "D"), (code(4), "2025-Q4", "D"),
        (code(5), "2026-Q3", "D"), (code(5), "2026-Q4", "D"),
    )
    got = outcomes(halves, quarters, dim(*(park(code(i)) for i in range(1, 6))))
    assert got == {
        code(1): "remove_from_list",
        code(2): "remove_from_list",
        code(3): "keep",
        code(4): "keep",
        code(5): "remove_from_list",
    }


def test_mid_year_rows_get_null():
    got = outcomes(half_rows("2026-H1", (code(1), "A", 95.0), (code(2), "D", 10.0)), quarter_rows(),
                   dim(park(code(1)), park(code(2))))
    assert got == {code(1): None, code(2): None}


def test_accredited_parks_are_nominated_first_then_by_score():
    # Seven regional A parks 95..89; P006 (90) and P007 (89) are accredited. Limit 5: the two
    # accredited first (P006 90 before P007 89), then the best three others: P001 95, P002 94, P003 93.
    # P004 (92) and P005 (91) keep.
    scores = [95.0, 94.0, 93.0, 92.0, 91.0, 90.0, 89.0]
    registry = dim(*(park(code(i)) for i in range(1, 8)))
    halves = with_category(half_rows("2026-H2", *[(code(i + 1), "A", s) for i, s in enumerate(scores)]), registry)
    listed = frozenset(registry["park_code"])
    accredited = frozenset({code(6), code(7)})
    halves["outcome"] = year_end_outcomes(halves, quarter_rows(), listed, accredited, STD)
    assert set(halves.loc[halves["outcome"] == "keep", "park_code"]) == {code(4), code(5)}
    got = nominations(halves, accredited)
    assert got.to_dict("records") == [
        {"year": "2026", "park_code": code(6), "rank": 1, "accredited": True, "score": 90.0},
        {"year": "2026", "park_code": code(7), "rank": 2, "accredited": True, "score": 89.0},
        {"year": "2026", "park_code": code(1), "rank": 3, "accredited": False, "score": 95.0},
        {"year": "2026", "park_code": code(2), "rank": 4, "accredited": False, "score": 94.0},
        {"year": "2026", "park_code": code(3), "rank": 5, "accredited": False, "score": 93.0},
    ]


def test_a_park_removed_from_the_list_during_the_year_gets_no_outcome():
    # P001 is listed by the registry from 2025-01-01 and removed by its city from 2026-10-01: on
    # 31 Dec 2026 it is off the list, so its year-end row gets NULL even with grade D.
    registry = dim(park(code(1)), park(code(2)))
    removal = pd.DataFrame([{"park_code": code(1), "action": "remove", "effective_on": pd.Timestamp("2026-10-01").date(),
                             "source": "city_list", "source_file": "landing/lists/150100_2026-09-20.csv",
                             "source_sha256": "ab", "source_row": 2, "reason": "成效不足"}])
    listed = on_list(history(registry, removal), pd.Timestamp("2026-12-31").date())
    halves = with_category(half_rows("2026-H2", (code(1), "D", 40.0), (code(2), "D", 41.0)), registry)
    got = year_end_outcomes(halves, quarter_rows(), listed, frozenset(), STD)
    assert [None if pd.isna(o) else o for o in got] == [None, "remove_from_list"]
