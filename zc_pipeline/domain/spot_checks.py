"""Expert spot checks (STANDARD §8): risk weights, the reproducible weighted draw, verification, status.

The draw is written out step by step in docs/spot_checks.md so an auditor can redo it by hand.
"""
from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from decimal import Decimal
from typing import Iterable

import pandas as pd

from zc_pipeline.domain.periods import month_of, months_of
from zc_pipeline.standards import Standard, base_version

SAMPLE_COLUMNS = ["half", "park_code", "risk_weight", "draw_order", "seed", "standard_version"]
RESULT_COLUMNS = ["half", "park_code", "period", "sampled", "co2_t", "reported_co2_t",
                  "verified_co2_t", "discrepancy", "result", "source_row", "standard_version"]


def _half_park_months(half: str, park_month: pd.DataFrame, dim_park: pd.DataFrame) -> pd.DataFrame:
    """In-force park-months of the half's own six months, on or after the park's enrolment month."""
    enrolled = dict(zip(dim_park["park_code"], dim_park["enrolled_on"].map(month_of)))
    pm = park_month[park_month["period"].isin(months_of(half))]
    counts = [p in enrolled and period >= enrolled[p] for p, period in zip(pm["park_code"], pm["period"])]
    return pm[pd.Series(counts, index=pm.index, dtype=bool)]


def risk_weights(half: str, park_month: pd.DataFrame, rebound_alerts: pd.DataFrame,
                 warnings: pd.DataFrame, std: Standard, *, dim_park: pd.DataFrame) -> pd.DataFrame:
    """Eligible parks of a half with their risk weight w = base + per_rebound × alerts + per_warning × warnings.

    `warnings`: `validation_issue` rows (submission_id, severity); only warning rows of the in-force
    submissions (park_month.submission_id) of counted months count. Alerts count when dated in a
    counted month (rebound_alert.period).
    """
    pm = _half_park_months(half, park_month, dim_park)
    counted = set(zip(pm["park_code"], pm["period"]))
    rebounds = Counter(p for p, m in zip(rebound_alerts["park_code"], rebound_alerts["period"]) if (p, m) in counted)
    if "severity" in warnings.columns:
        warnings = warnings[warnings["severity"] == "warning"]
    park_of_submission = dict(zip(pm["submission_id"], pm["park_code"]))
    warned = Counter(park_of_submission[s] for s in warnings["submission_id"] if s in park_of_submission)
    parks = sorted({p for p, _ in counted})
    base, per_rebound, per_warning = (std.num(f"spot_check.{k}") for k in ("weight_base", "weight_per_rebound", "weight_per_warning"))
    return pd.DataFrame({
        "park_code": parks,
        "rebound_alerts": [rebounds[p] for p in parks],
        "warning_rows": [warned[p] for p in parks],
        "risk_weight": [base + per_rebound * rebounds[p] + per_warning * warned[p] for p in parks],
    }, columns=["park_code", "rebound_alerts", "warning_rows", "risk_weight"])


def draw_seed(half: str, std: Standard) -> str:
    """The first 16 hex digits of sha256("<half>|<standard_version>") — stored as text, used as an int.
    A forced run's rulebook seeds as its version (the mark is not part of the rulebook)."""
    return hashlib.sha256(f"{half}|{base_version(std.version)}".encode("utf-8")).hexdigest()[:16]


def sample_size(n: int, std: Standard) -> int:
    """k = ceil(fraction × n), in decimal arithmetic so 0.1 × 30 is 3, not 4."""
    return math.ceil(Decimal(str(std["spot_check.fraction"])) * n)


def draw_keys(half: str, weights: pd.DataFrame, std: Standard) -> pd.DataFrame:
    """Every eligible park in park_code order with its u = random() and key = u ** (1 / w)."""
    if weights["park_code"].duplicated().any():
        raise ValueError(f"{half}: a park appears twice in the risk weights")
    if (weights["risk_weight"] <= 0).any():
        raise ValueError(f"{half}: risk weights must be positive")
    rng = random.Random(int(draw_seed(half, std), 16))
    out = weights[["park_code", "risk_weight"]].sort_values("park_code", ignore_index=True)
    out["u"] = [rng.random() for _ in range(len(out))]
    out["key"] = [u ** (1 / w) for u, w in zip(out["u"], out["risk_weight"])]
    return out


def draw_sample(half: str, weights: pd.DataFrame, std: Standard) -> pd.DataFrame:
    """The k parks with the largest keys (draw_order 1 = largest; equal keys: park_code) — `spot_check_sample`."""
    keys = draw_keys(half, weights, std)
    k = sample_size(len(keys), std)
    top = keys.sort_values(["key", "park_code"], ascending=[False, True], ignore_index=True).head(k)
    return pd.DataFrame({
        "half": half,
        "park_code": top["park_code"],
        "risk_weight": top["risk_weight"],
        "draw_order": range(1, len(top) + 1),
        "seed": draw_seed(half, std),
        "standard_version": std.version,
    }, columns=SAMPLE_COLUMNS)


def _compare(co2_t: float, verified: float, limit: Decimal) -> tuple[float | None, str | None]:
    """(discrepancy, pass|fail) on the decimals the tables show, so 110 vs 100 is exactly 0.10."""
    if pd.isna(co2_t) or pd.isna(verified):
        return None, None  # no submission in force: nothing to compare
    computed, measured = Decimal(repr(float(co2_t))), Decimal(repr(float(verified)))
    if measured == 0:
        return (0.0, "pass") if computed == 0 else (None, "fail")
    discrepancy = abs(computed - measured) / measured
    return float(discrepancy), "fail" if discrepancy > limit else "pass"


def verify(half: str, sample: pd.DataFrame, verifications: pd.DataFrame, park_month: pd.DataFrame,
           std: Standard, *, dim_park: pd.DataFrame | None = None) -> pd.DataFrame:
    """`spot_check_result` rows: every verification row of the half, compared with its in-force co2_t.

    A row for a month with no submission in force (or, given dim_park, a month before enrolment)
    is kept with co2_t, discrepancy and result NULL: it cannot be compared and decides nothing.
    """
    months = months_of(half)
    outside = sorted(set(verifications.loc[~verifications["period"].isin(months), "period"]))
    if outside:
        raise ValueError(f"{half}: verification rows for months outside the half: {outside}")
    if verifications.duplicated(["park_code", "period"]).any():
        raise ValueError(f"{half}: a park-month is verified twice")
    in_force = (park_month[park_month["period"].isin(months)] if dim_park is None
                else _half_park_months(half, park_month, dim_park))
    traced = ["source_row"] if "source_row" in verifications else []
    rows = verifications[["park_code", "period", "verified_co2_t", *traced]].merge(
        in_force[["park_code", "period", "co2_t", "reported_co2_t"]], on=["park_code", "period"], how="left"
    )
    limit = Decimal(str(std["spot_check.discrepancy_limit"]))
    compared = [_compare(c, v, limit) for c, v in zip(rows["co2_t"], rows["verified_co2_t"])]
    sampled = set(_of_half(half, sample)["park_code"])
    return pd.DataFrame({
        "half": half,
        "park_code": rows["park_code"],
        "period": rows["period"],
        "sampled": rows["park_code"].isin(sampled).astype(bool),
        "co2_t": rows["co2_t"].astype("float64"),
        "reported_co2_t": rows["reported_co2_t"].astype("float64"),
        "verified_co2_t": rows["verified_co2_t"].astype("float64"),
        "discrepancy": pd.Series([d for d, _ in compared], dtype="float64"),
        "result": pd.Series([r for _, r in compared], dtype=object),
        "source_row": rows["source_row"] if traced else None,
        "standard_version": std.version,
    }, columns=RESULT_COLUMNS).sort_values(["park_code", "period"], ignore_index=True)


def _of_half(half: str, frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["half"] == half] if "half" in frame.columns else frame


def park_status(half: str, sample: pd.DataFrame, results: pd.DataFrame,
                parks: Iterable[str] | None = None) -> pd.DataFrame:
    """spot_check per park: not_sampled | pending (sampled, no decided row) | pass | fail (any row failed).

    `parks` lists the parks to report (e.g. the half's assessed parks); default: sampled ∪ verified.
    """
    sample, results = _of_half(half, sample), _of_half(half, results)
    sampled = set(sample["park_code"])
    decided = results[results["park_code"].isin(sampled) & results["result"].notna()]
    failed = set(decided.loc[decided["result"] == "fail", "park_code"])
    passed = set(decided["park_code"]) - failed
    codes = sorted(set(parks) if parks is not None else sampled | set(results["park_code"]))
    status = [
        "not_sampled" if p not in sampled else "fail" if p in failed else "pass" if p in passed else "pending"
        for p in codes
    ]
    return pd.DataFrame({"park_code": codes, "spot_check": status}, columns=["park_code", "spot_check"])
