"""Window scores, grades, caps and ranks (STANDARD §5–§6), and the quarter and half assessments."""
from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.domain.measures import is_null
from zc_pipeline.domain.outcomes import year_end_outcomes, year_end_quarters
from zc_pipeline.domain.rebounds import detect_rebounds, unrectified_in
from zc_pipeline.domain.summaries import (
    CITY_COLUMNS,
    REGION_COLUMNS,
    city_quarter_summary,
    region_half_summary,
)
from zc_pipeline.domain.periods import window_is_due
from zc_pipeline.domain.windows import aggregate_window, window_bounds
from zc_pipeline.standards import GRADES, Standard

NOT_SAMPLED = "not_sampled"
SPOT_CHECK_FAIL = "fail"
MID_YEAR, YEAR_END = "mid_year", "year_end"
# §5 rounds the summed components to 9 decimals first, to drop float noise before half-up rounding.
FLOAT_NOISE_DECIMALS = 9

MEASURES = [
    "months_expected",
    "months_reported",
    "months_on_time",
    "energy_tce",
    "co2_t",
    "carbon_per_energy",
    "green_share",
    "green_target_at_end",
    "retrofit_rate",
]
COMPONENTS = ["score_carbon", "score_green", "score_retrofit", "score_reporting"]
SCORED = [*MEASURES, *COMPONENTS, "score", "grade", "grade_cap"]
SCORE_COLUMNS = ["park_code", "league_city_code", "category", *SCORED, "rank_in_city", "rank_in_region"]
QUARTER_COLUMNS = [
    "park_code", "quarter", "league_city_code", "category", *SCORED, "rank_in_city", "standard_version",
]
REGISTRY_COLUMNS = [
    "park_code", "league_city_code", "category", "baseline_year", "baseline_carbon_per_energy",
    "baseline_green_share", "target_green_share", "target_date",
]
HALF_COLUMNS = [
    "park_code", "half", "assessment", "window_start", "window_end", "league_city_code", "category",
    *SCORED,
    "rank_in_region", "spot_check", "outcome", "standard_version",
]


def threshold_key(category: str, annualised_energy_tce: float, std: Standard) -> str:
    """Rulebook key of the threshold T: national or regional indicator, the large one for big parks."""
    level = "national" if category == "national" else "regional"
    large = annualised_energy_tce >= std.num("threshold.large_energy_tce")
    return f"threshold.{level}_large" if large else f"threshold.{level}"


def threshold(category: str, annualised_energy_tce: float, std: Standard) -> float:
    """Threshold T on carbon_per_energy (§5)."""
    return std.num(threshold_key(category, annualised_energy_tce, std))


def _clamp01(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def green_target(
    baseline_share: float, target_share: float, baseline_year: int, target_date: dt.date, at: dt.date
) -> float:
    """g(t): in days, baseline_share on 31 Dec of baseline_year to target_share at target_date."""
    t0 = dt.date(int(baseline_year), 12, 31)
    if target_date <= t0:
        return target_share
    progress = _clamp01((at - t0).days / (target_date - t0).days)
    return baseline_share + (target_share - baseline_share) * progress


def score_carbon(ci: float, baseline: float, t: float, std: Standard) -> float:
    weight = std.num("weight.carbon")
    if is_null(ci):
        return 0.0
    if ci <= t:
        return weight
    if baseline <= t:
        return 0.0
    return weight * _clamp01((baseline - ci) / (baseline - t))


def score_green(share: float, target: float, std: Standard) -> float:
    """Full marks when the target is 0; none when the share is NULL (that check comes first)."""
    weight = std.num("weight.green")
    if is_null(share):
        return 0.0
    if target == 0:
        return weight
    return weight * _clamp01(share / target)


def score_retrofit(rate: float, std: Standard) -> float:
    """Full marks when nothing is planned (rate NULL); capped at the weight if completed > planned."""
    weight = std.num("weight.retrofit")
    return weight if is_null(rate) else weight * _clamp01(rate)


def score_reporting(on_time: int, expected: int, std: Standard) -> float:
    return std.num("weight.reporting") * on_time / expected


def round_score(total: float, std: Standard) -> float:
    """Round to 9 decimals, then half-up to the rulebook's decimals, in decimal arithmetic."""
    cleaned = Decimal(repr(round(total, FLOAT_NOISE_DECIMALS)))
    step = Decimal(1).scaleb(-std.int("score.decimals"))
    return float(cleaned.quantize(step, rounding=ROUND_HALF_UP))


def grade_of(score: float, std: Standard) -> str:
    for letter in GRADES[:-1]:
        if Decimal(repr(score)) >= Decimal(str(std[f"grade.{letter}"])):
            return letter
    return GRADES[-1]


def cap_conditions(
    months_reported: int, months_expected: int, spot_check_failed: bool, rebound_unrectified: bool
) -> dict[str, bool]:
    """Each cap -> whether its §6 condition holds, whether or not it lowers the grade."""
    return {
        "no_report": months_reported == 0,
        "spot_check_failed": spot_check_failed,
        "missing_report": months_reported < months_expected,
        "rebound_unrectified": rebound_unrectified,
    }


def binding_cap(uncapped: str, holding: list[str], std: Standard) -> str | None:
    """grade_cap: the strictest holding cap below the uncapped grade, ties by the rulebook's
    `cap.precedence`; `no_report` is always named (§6)."""
    if "no_report" in holding:
        return "no_report"
    precedence = std.cap_precedence()
    limit = {cap: GRADES.index(std[f"cap.{cap}"]) for cap in holding}
    lowering = [cap for cap in holding if limit[cap] > GRADES.index(uncapped)]
    return min(lowering, key=lambda cap: (-limit[cap], precedence.index(cap)), default=None)


def apply_caps(uncapped: str, holding: list[str], std: Standard) -> tuple[str, str | None]:
    """(published grade, grade_cap): the strictest holding cap applies; named if it lowered the grade."""
    grade = GRADES[max([GRADES.index(uncapped), *(GRADES.index(std[f"cap.{cap}"]) for cap in holding)])]
    return grade, binding_cap(uncapped, holding, std)


def sql_rank(scores: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """SQL RANK() over the score, descending: equal scores share a rank, the next rank skips."""
    if groups is None:
        ranks = scores.rank(method="min", ascending=False)
    else:
        ranks = scores.groupby(groups).rank(method="min", ascending=False)
    return ranks.astype("Int64")


def caps_holding(
    agg: pd.DataFrame,
    period: str,
    rebound_status_at_end: pd.DataFrame,
    spot_check_failed: set[str] | frozenset[str] = frozenset(),
) -> dict[str, list[str]]:
    """park_code -> the caps whose condition holds (§6), whether or not they lower the grade."""
    rebound_parks = unrectified_in(rebound_status_at_end, p.score_window(period))
    return {
        r.park_code: [
            cap
            for cap, holds in cap_conditions(
                r.months_reported, r.months_expected, r.park_code in spot_check_failed, r.park_code in rebound_parks
            ).items()
            if holds
        ]
        for r in agg.itertuples(index=False)
    }


def score_window(
    agg: pd.DataFrame,
    dim_park: pd.DataFrame,
    period: str,
    std: Standard,
    rebound_status_at_end: pd.DataFrame,
    spot_check_failed: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Score, grade, cap and rank each aggregated park (SCORE_COLUMNS).

    `rebound_status_at_end` is `detect_rebounds(..., through_month=<window's last month>)`.
    """
    if agg.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    _, end = window_bounds(period)
    caps = caps_holding(agg, period, rebound_status_at_end, spot_check_failed)
    df = agg.merge(dim_park[REGISTRY_COLUMNS], on="park_code", how="left", validate="one_to_one")

    rows = []
    for r in df.itertuples(index=False):
        target = green_target(
            r.baseline_green_share, r.target_green_share, r.baseline_year, r.target_date, end
        )
        holding = caps[r.park_code]
        row = {"green_target_at_end": target}
        if r.months_reported == 0:
            row.update({c: math.nan for c in COMPONENTS}, score=0.0)
        else:
            t = threshold(r.category, r.annualised_energy_tce, std)
            row["score_carbon"] = score_carbon(r.carbon_per_energy, r.baseline_carbon_per_energy, t, std)
            row["score_green"] = score_green(r.green_share, target, std)
            row["score_retrofit"] = score_retrofit(r.retrofit_rate, std)
            row["score_reporting"] = score_reporting(r.months_on_time, r.months_expected, std)
            row["score"] = round_score(sum(row[c] for c in COMPONENTS), std)
        row["grade"], row["grade_cap"] = apply_caps(grade_of(row["score"], std), holding, std)
        rows.append(row)

    out = pd.concat([df.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
    out["rank_in_city"] = sql_rank(out["score"], out["league_city_code"])
    out["rank_in_region"] = sql_rank(out["score"])
    return out[SCORE_COLUMNS]


def window_inputs(
    park_month: pd.DataFrame, dim_park: pd.DataFrame, period: str, std: Standard, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(each park's sums over the window, rebound statuses at its last month): what score_window scores."""
    agg = aggregate_window(park_month, dim_park, period, std, as_of)
    last = p.score_window(period)[-1]
    return agg, detect_rebounds(park_month, dim_park, std, as_of, through_month=last)


def assess_quarter(
    park_month: pd.DataFrame, dim_park: pd.DataFrame, quarter: str, std: Standard, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(park_quarter_assessment rows, city_quarter_summary rows); both empty until the quarter is due."""
    if not window_is_due(quarter, as_of, std):
        return pd.DataFrame(columns=QUARTER_COLUMNS), pd.DataFrame(columns=CITY_COLUMNS)
    agg, rebounds = window_inputs(park_month, dim_park, quarter, std, as_of)
    rows = score_window(agg, dim_park, quarter, std, rebounds)
    rows["quarter"] = quarter
    rows["standard_version"] = std.version
    rows = rows[QUARTER_COLUMNS]
    return rows, city_quarter_summary(rows, park_month, dim_park, quarter, rebounds)


def assess_half(
    park_month: pd.DataFrame,
    dim_park: pd.DataFrame,
    half: str,
    std: Standard,
    as_of: dt.date,
    spot_check_failed: set[str] | frozenset[str] = frozenset(),
    quarter_rows: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(park_half_assessment rows, region_half_summary row); both empty until the half is due.

    Year-end outcomes need the year's Q3 and Q4 grades: from `quarter_rows` (e.g. the stored
    park_quarter_assessment) where it has them, else assessed here from the same inputs. `spot_check` is 'fail' for `spot_check_failed` parks and
    'not_sampled' otherwise; the caller fills in the sample's real statuses.
    """
    if not window_is_due(half, as_of, std):
        return pd.DataFrame(columns=HALF_COLUMNS), pd.DataFrame(columns=REGION_COLUMNS)
    agg, rebounds = window_inputs(park_month, dim_park, half, std, as_of)
    rows = score_window(agg, dim_park, half, std, rebounds, spot_check_failed)
    year_end = half.endswith("H2")
    rows["half"] = half
    rows["assessment"] = YEAR_END if year_end else MID_YEAR
    rows["window_start"], rows["window_end"] = window_bounds(half)
    rows["spot_check"] = [
        SPOT_CHECK_FAIL if code in spot_check_failed else NOT_SAMPLED for code in rows["park_code"]
    ]
    rows["standard_version"] = std.version
    rows["outcome"] = None
    if year_end and not rows.empty:
        given = quarter_rows if quarter_rows is not None and len(quarter_rows) else None
        have = set() if given is None else set(given["quarter"])
        assessed = [
            assess_quarter(park_month, dim_park, q, std, as_of)[0]
            for q in year_end_quarters(half)
            if q not in have
        ]
        quarters = pd.concat([q for q in (given, *assessed) if q is not None])
        rows["outcome"] = year_end_outcomes(rows, quarters, dim_park, std)
    rows = rows[HALF_COLUMNS]
    return rows, region_half_summary(rows, park_month, dim_park, half)
