"""Spot checks (STANDARD §8): weights, the pinned draw, verification and park status, by hand."""
from __future__ import annotations

import datetime as dt
import hashlib
import random

import pandas as pd
import pytest

from zc_pipeline.domain import spot_checks as sc
from zc_pipeline_tests.domain.frames import STD, dim, month, months, park

H1 = "2026-H1"
H2 = "2026-H2"


def alerts(*keys: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(keys, columns=["park_code", "period"])


def issues(*rows: tuple[str, str]) -> pd.DataFrame:
    """validation_issue rows: (submission_id, severity)."""
    return pd.DataFrame(rows, columns=["submission_id", "severity"])


# --- the n = 5 region of docs/spot_checks.md --------------------------------------------------------
# 150100-P001  Jan–Mar in force, nothing else                            w = 1
# 150100-P002  a rebound alert dated 2026-02                             w = 1 + 2×1 = 3
# 150100-P003  2 warnings on its in-force April submission; a warning   w = 1 + 1×2 = 3
#              on a superseded April submission and an error row do not count
# 150200-P001  alert 2026-03 + 1 warning (alert 2025-12 is before H1)    w = 1 + 2×1 + 1×1 = 4
# 150200-P002  enrolled 2026-03-15: Feb (pre-enrolment, with an alert)   w = 1
#              is ignored, March counts
# not eligible: 150300-P001 (enrolled 2026-07-01, only May data), 150300-P002 (only July data)
DIM5 = dim(
    park("150100-P001"), park("150100-P002"), park("150100-P003"), park("150200-P001"),
    park("150200-P002", enrolled_on=dt.date(2026, 3, 15)),
    park("150300-P001", enrolled_on=dt.date(2026, 7, 1)), park("150300-P002"),
)
PM5 = months(
    *(month("150100-P001", m) for m in ("2026-01", "2026-02", "2026-03")),
    month("150100-P002", "2026-01"), month("150100-P002", "2026-02"),
    month("150100-P003", "2026-04"),
    month("150200-P001", "2025-12"), month("150200-P001", "2026-03"),
    month("150200-P002", "2026-02"), month("150200-P002", "2026-03"),
    month("150300-P001", "2026-05"), month("150300-P002", "2026-07"),
)
ALERTS5 = alerts(("150100-P002", "2026-02"), ("150200-P001", "2025-12"), ("150200-P001", "2026-03"),
                 ("150200-P002", "2026-02"), ("150300-P002", "2026-07"))
WARNINGS5 = issues(
    ("150100-P003|2026-04", "warning"), ("150100-P003|2026-04", "warning"),
    ("150100-P003|2026-04", "error"),  # not a warning row
    ("superseded-150100-P003-2026-04", "warning"),  # not the in-force submission
    ("150200-P001|2026-03", "warning"),
    ("150300-P001|2026-05", "warning"),  # park not eligible
)


def test_risk_weights_count_alerts_and_warnings_of_the_halfs_own_in_force_months():
    w = sc.risk_weights(H1, PM5, ALERTS5, WARNINGS5, STD, dim_park=DIM5)
    assert w.to_dict("list") == {
        "park_code": ["150100-P001", "150100-P002", "150100-P003", "150200-P001", "150200-P002"],
        "rebound_alerts": [0, 1, 0, 1, 0],
        "warning_rows": [0, 0, 2, 1, 0],
        "risk_weight": [1.0, 3.0, 3.0, 4.0, 1.0],
    }


def test_h2_weights_use_jul_to_dec_only():
    w = sc.risk_weights(H2, PM5, ALERTS5, WARNINGS5, STD, dim_park=DIM5)
    # only 150300-P002 has a month (July) in H2; its July alert counts: 1 + 2×1 = 3
    assert w[["park_code", "risk_weight"]].to_dict("list") == {"park_code": ["150300-P002"], "risk_weight": [3.0]}


def test_seed_is_the_sha256_prefix_of_half_and_version():
    # sha256("2026-H1|IM-ZCP-2026.1") = 400e5442cdbe6430373080267f56…
    assert sc.draw_seed(H1, STD) == "400e5442cdbe6430"
    assert hashlib.sha256(b"2026-H1|IM-ZCP-2026.1").hexdigest().startswith("400e5442cdbe6430")
    # sha256("2026-H2|IM-ZCP-2026.1") = 0cddeb3197907bc1e46a1ac5…
    assert sc.draw_seed(H2, STD) == "0cddeb3197907bc1"


def test_the_n5_draw_pinned_by_hand():
    # seed = int("400e5442cdbe6430", 16) = 4615719313997718576; random.Random(seed).random() gives,
    # one per eligible park in park_code order:
    #   park          w   u                     key = u ** (1/w)
    #   150100-P001   1   0.6705107572360597    0.6705107572360597
    #   150100-P002   3   0.5597451083435492    0.5597451083435492 ** (1/3) = 0.8241319836929747
    #   150100-P003   3   0.8672878043585076    0.8672878043585076 ** (1/3) = 0.9536472186743834
    #   150200-P001   4   0.5659297304187566    0.5659297304187566 ** (1/4) = 0.8673424999288074
    #   150200-P002   1   0.38395364211039484   0.38395364211039484
    # k = ceil(0.25 × 5) = ceil(1.25) = 2  ->  150100-P003 (0.954), 150200-P001 (0.867)
    rng = random.Random(4615719313997718576)
    assert [rng.random() for _ in range(5)] == [0.6705107572360597, 0.5597451083435492, 0.8672878043585076,
                                                0.5659297304187566, 0.38395364211039484]
    weights = sc.risk_weights(H1, PM5, ALERTS5, WARNINGS5, STD, dim_park=DIM5)
    keys = sc.draw_keys(H1, weights, STD)
    assert keys["key"].tolist() == pytest.approx([0.6705107572360597, 0.8241319836929747, 0.9536472186743834,
                                                  0.8673424999288074, 0.38395364211039484], rel=1e-15)
    sample = sc.draw_sample(H1, weights, STD)
    assert sample.to_dict("records") == [
        {"half": H1, "park_code": "150100-P003", "risk_weight": 3.0, "draw_order": 1, "seed": "400e5442cdbe6430",
         "standard_version": "IM-ZCP-2026.1"},
        {"half": H1, "park_code": "150200-P001", "risk_weight": 4.0, "draw_order": 2, "seed": "400e5442cdbe6430",
         "standard_version": "IM-ZCP-2026.1"},
    ]


def test_the_n8_draw_pinned_by_hand():
    # seed = int("0cddeb3197907bc1", 16) = 927155696536943553; eight parks, park 6 has w = 1 + 2×2 = 5
    #   park          w   u                     key
    #   150100-P001   1   0.7664740027919771    0.7664740027919771
    #   150100-P002   1   0.6581046069324515    0.6581046069324515
    #   150100-P003   1   0.31768962507732745   0.31768962507732745
    #   150100-P004   1   0.6882807482902105    0.6882807482902105
    #   150100-P005   1   0.42162849342585484   0.42162849342585484
    #   150100-P006   5   0.526890637929153     0.526890637929153 ** (1/5) = 0.8797192521778916
    #   150100-P007   1   0.7060203260927678    0.7060203260927678
    #   150100-P008   1   0.8391491728791294    0.8391491728791294
    # k = ceil(0.25 × 8) = ceil(2.0) = 2 -> P006 (0.880), P008 (0.839); unweighted, P006 would rank 6th
    codes = [f"150100-P00{i}" for i in range(1, 9)]
    pm = months(*(month(c, "2026-09") for c in codes), month("150100-P006", "2026-08"))
    w = sc.risk_weights(H2, pm, alerts(("150100-P006", "2026-08"), ("150100-P006", "2026-09")),
                        issues(), STD, dim_park=dim(*(park(c) for c in codes)))
    assert w["risk_weight"].tolist() == [1, 1, 1, 1, 1, 5, 1, 1]
    keys = sc.draw_keys(H2, w, STD)
    assert keys["u"].tolist() == [0.7664740027919771, 0.6581046069324515, 0.31768962507732745, 0.6882807482902105,
                                  0.42162849342585484, 0.526890637929153, 0.7060203260927678, 0.8391491728791294]
    sample = sc.draw_sample(H2, w, STD)
    assert sample[["park_code", "draw_order", "seed"]].to_dict("list") == {
        "park_code": ["150100-P006", "150100-P008"], "draw_order": [1, 2], "seed": ["0cddeb3197907bc1"] * 2,
    }


@pytest.mark.parametrize("n, k", [(0, 0), (1, 1), (4, 1), (5, 2), (8, 2), (9, 3)])
def test_sample_size_is_ceil_of_a_quarter(n, k):
    # ceil(0.25 n): 0 -> 0, 0.25 -> 1, 1.0 -> 1, 1.25 -> 2, 2.0 -> 2, 2.25 -> 3
    assert sc.sample_size(n, STD) == k


def test_equal_keys_are_ordered_by_park_code(monkeypatch):
    class Half:  # every u = 0.5, so equal weights give equal keys
        def __init__(self, seed):
            pass

        def random(self):
            return 0.5

    monkeypatch.setattr(sc.random, "Random", Half)
    weights = pd.DataFrame({"park_code": ["150200-P001", "150100-P002", "150100-P001", "150100-P003"],
                            "risk_weight": [1.0] * 4})
    # k = ceil(0.25 × 4) = 1: of four keys 0.5, the smallest park_code wins
    assert sc.draw_sample(H1, weights, STD)["park_code"].tolist() == ["150100-P001"]


def test_an_empty_half_draws_nobody():
    empty = sc.risk_weights(H1, months(), alerts(), issues(), STD, dim_park=DIM5)
    assert sc.draw_sample(H1, empty, STD).empty


# --- verification and status ---------------------------------------------------------------------
SAMPLE = pd.DataFrame({"half": [H1, H1, H1], "park_code": ["150100-P001", "150100-P002", "150100-P003"],
                       "risk_weight": [1.0, 1.0, 1.0], "draw_order": [1, 2, 3], "seed": ["x"] * 3})


def co2_months(*rows: tuple) -> pd.DataFrame:
    """park_month rows (park_code, period, co2_t[, reported_co2_t]); not reported = NaN."""
    return pd.DataFrame([month(p, m, co2_t=c, reported_co2_t=r[0] if r else float("nan")) for p, m, c, *r in rows])


PM_V = co2_months(
    ("150100-P001", "2026-01", 110.0, 108.0),
    ("150100-P001", "2026-02", 1.1),
    ("150100-P002", "2026-03", 110.01),
    ("150200-P001", "2026-02", 300.0),
)


def verifications(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["park_code", "period", "verified_co2_t"])


def test_discrepancy_exactly_the_limit_passes_and_just_above_fails():
    v = verifications(
        ("150100-P001", "2026-01", 100.0),  # |110 − 100| / 100 = 0.10 -> not above 0.10: pass
        ("150100-P001", "2026-02", 1.0),    # |1.1 − 1.0| / 1.0 = 0.10 on the decimals shown (float: 0.10000000000000009): pass
        ("150100-P002", "2026-03", 100.0),  # |110.01 − 100| / 100 = 0.1001 > 0.10: fail
        ("150200-P001", "2026-02", 600.0),  # not sampled: |300 − 600| / 600 = 0.5, fail, changes no grade
        ("150100-P001", "2026-04", 50.0),   # no submission in force for April: kept, not compared
    )
    r = sc.verify(H1, SAMPLE, v, PM_V, STD)
    assert r.columns.tolist() == sc.RESULT_COLUMNS
    got = r.set_index(["park_code", "period"])
    assert got.loc[("150100-P001", "2026-01")].to_dict() == {
        "half": H1, "sampled": True, "co2_t": 110.0, "reported_co2_t": 108.0, "verified_co2_t": 100.0,
        "discrepancy": 0.1, "result": "pass", "source_row": None, "standard_version": "IM-ZCP-2026.1"}
    # a file's rows carry their line through, so an explanation can cite it
    traced = sc.verify(H1, SAMPLE, v.assign(source_row=range(2, 2 + len(v))), PM_V, STD)
    assert traced.set_index(["park_code", "period"]).loc[("150100-P001", "2026-01"), "source_row"] == 2
    assert got.loc[("150100-P001", "2026-02"), ["discrepancy", "result"]].tolist() == [0.1, "pass"]
    assert got.loc[("150100-P002", "2026-03"), ["discrepancy", "result"]].tolist() == [0.1001, "fail"]
    assert got.loc[("150200-P001", "2026-02"), ["sampled", "discrepancy", "result"]].tolist() == [False, 0.5, "fail"]
    april = got.loc[("150100-P001", "2026-04")]
    assert pd.isna(april["co2_t"]) and pd.isna(april["discrepancy"]) and april["result"] is None
    assert pd.isna(got.loc[("150100-P002", "2026-03"), "reported_co2_t"])

    status = sc.park_status(H1, SAMPLE, r, parks=["150100-P001", "150100-P002", "150100-P003", "150200-P001"])
    assert status.to_dict("list") == {
        "park_code": ["150100-P001", "150100-P002", "150100-P003", "150200-P001"],
        # P001 two passes; P002 0.1001 fails; P003 sampled without rows: pending; 150200-P001 not drawn
        "spot_check": ["pass", "fail", "pending", "not_sampled"],
    }


def test_a_sampled_park_with_only_uncomparable_rows_is_pending():
    r = sc.verify(H1, SAMPLE, verifications(("150100-P003", "2026-05", 10.0)), PM_V, STD)
    assert sc.park_status(H1, SAMPLE, r)["spot_check"].tolist() == ["pending", "pending", "pending"]


def test_months_before_enrolment_are_not_compared_when_dim_park_is_given():
    late = dim(park("150100-P001", enrolled_on=dt.date(2026, 2, 1)))
    r = sc.verify(H1, SAMPLE, verifications(("150100-P001", "2026-01", 10.0)), PM_V, STD, dim_park=late)
    assert r["result"].tolist() == [None]


def test_zero_verified_co2():
    pm = co2_months(("150100-P001", "2026-01", 0.0), ("150100-P002", "2026-01", 5.0))
    r = sc.verify(H1, SAMPLE, verifications(("150100-P001", "2026-01", 0.0), ("150100-P002", "2026-01", 0.0)), pm, STD)
    # 0 vs 0 agrees (discrepancy 0); 5 vs 0 has no finite discrepancy and fails
    assert r["result"].tolist() == ["pass", "fail"]
    assert r["discrepancy"].iloc[0] == 0.0 and pd.isna(r["discrepancy"].iloc[1])


def test_rows_outside_the_half_are_refused():
    with pytest.raises(ValueError, match="outside the half"):
        sc.verify(H1, SAMPLE, verifications(("150100-P001", "2026-07", 10.0)), PM_V, STD)


def test_a_forced_rulebook_seeds_the_draw_as_its_own_version():
    import dataclasses

    forced = dataclasses.replace(STD, version=f"{STD.version}+forced", forced=True)
    assert sc.draw_seed(H1, forced) == sc.draw_seed(H1, STD)
