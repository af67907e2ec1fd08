"""Window scores, grades, caps and ranks (STANDARD §5–§6), and the quarter and half assessments."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd

from zc_pipeline.domain import periods as p
from zc_pipeline.domain.measures import is_null
from zc_pipeline.domain import cultivation
from zc_pipeline.domain.accreditation import ACCREDITATION_COLUMNS, accreditation
from zc_pipeline.domain.interviews import with_interviews
from zc_pipeline.domain.outcomes import year_end_outcomes, year_end_quarters
from zc_pipeline.domain.rebounds import detect_rebounds, unrectified_in
from zc_pipeline.domain.summaries import (
    CITY_COLUMNS,
    REGION_COLUMNS,
    city_quarter_summary,
    region_half_summary,
)
from zc_pipeline.domain.periods import window_is_due
from zc_pipeline.domain.windows import aggregate_window, month_versions, window_bounds
from zc_pipeline.standards import GRADES, Rulebooks, Standard

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
    "month_standard_versions",
]
REGISTRY_COLUMNS = [
    "park_code", "league_city_code", "category", "baseline_year", "baseline_carbon_per_energy",
    "baseline_green_share", "target_green_share", "target_date",
]
HALF_COLUMNS = [
    "park_code", "half", "assessment", "window_start", "window_end", "league_city_code", "category",
    *SCORED,
    "rank_in_region", "spot_check", "outcome", "standard_version", "month_standard_versions",
]


def threshold_key(category: str, annualised_energy_tce: float, std: Standard) -> str:
    """Rulebook key of the threshold T: national or regional indicator, the large one for big parks."""
    level = "national" if category == "national" else "regional"
    large = annualised_energy_tce >= std.num("threshold.large_energy_tce")
    return f"threshold.{level}_large" if large else f"threshold.{level}"


def threshold(category: str, annualised_energy_tce: float, std: Standard) -> float:
    """Threshold T on carbon_per_energy (§5)."""
    return std.num(threshold_key(category, annualised_energy_tce, std))


def thresholds(category: pd.Series, annualised_energy_tce: pd.Series, std: Standard) -> np.ndarray:
    """`threshold` of each park, by the same keys (NaN where the energy is NaN: nothing reported)."""
    keys = [threshold_key(c, e, std) if not is_null(e) else None for c, e in zip(category, annualised_energy_tce)]
    return np.array([std.num(k) if k else np.nan for k in keys], dtype=float)


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


def _points(values: np.ndarray):
    """A float for one park, the array for many (the rules below take either)."""
    return float(values) if np.ndim(values) == 0 else values


def score_carbon(ci, baseline, t, std: Standard):
    """Carbon points of one park or of arrays of parks (NaN CI: none)."""
    weight = std.num("weight.carbon")
    ci, baseline, t = (np.asarray(x, dtype=float) for x in (ci, baseline, t))
    with np.errstate(divide="ignore", invalid="ignore"):  # the quotient where a branch before it decides
        partial = weight * np.clip((baseline - ci) / (baseline - t), 0.0, 1.0)
    return _points(np.where(np.isnan(ci), 0.0, np.where(ci <= t, weight, np.where(baseline <= t, 0.0, partial))))


def score_green(share, target, std: Standard):
    """Full marks when the target is 0; none when the share is NULL (that check comes first)."""
    weight = std.num("weight.green")
    share, target = np.asarray(share, dtype=float), np.asarray(target, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = weight * np.clip(share / target, 0.0, 1.0)
    return _points(np.where(np.isnan(share), 0.0, np.where(target == 0, weight, partial)))


def score_retrofit(rate, std: Standard):
    """Full marks when nothing is planned (rate NULL); capped at the weight if completed > planned."""
    weight = std.num("weight.retrofit")
    rate = np.asarray(rate, dtype=float)
    return _points(np.where(np.isnan(rate), weight, weight * np.clip(rate, 0.0, 1.0)))


def score_reporting(on_time, expected, std: Standard):
    with np.errstate(divide="ignore", invalid="ignore"):  # a park expected to report nothing scores no window
        return _points(std.num("weight.reporting") * np.asarray(on_time, dtype=float)
                       / np.asarray(expected, dtype=float))


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
    return score_parks(window_parks(agg, dim_park, period, std, rebound_status_at_end, spot_check_failed), std)


def window_parks(
    agg: pd.DataFrame,
    dim_park: pd.DataFrame,
    period: str,
    std: Standard,
    rebound_status_at_end: pd.DataFrame,
    spot_check_failed: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Each aggregated park with what its score rests on besides its measures: its registry columns,
    green target at the window's end, threshold (`_threshold`) and caps holding (`_caps`, §6).
    Decided once per window, however often its parks are scored (what-if scores them many times)."""
    _, end = window_bounds(period)
    caps = caps_holding(agg, period, rebound_status_at_end, spot_check_failed)
    out = agg.merge(dim_park[REGISTRY_COLUMNS], on="park_code", how="left", validate="one_to_one")
    out = out.reset_index(drop=True)
    out["green_target_at_end"] = [
        green_target(g0, gt, year, date, end)
        for g0, gt, year, date in zip(out["baseline_green_share"], out["target_green_share"], out["baseline_year"],
                                      out["target_date"])
    ]
    out["_threshold"] = thresholds(out["category"], out["annualised_energy_tce"], std)
    out["_caps"] = [tuple(caps[code]) for code in out["park_code"]]
    return out


def score_parks(parks: pd.DataFrame, std: Standard) -> pd.DataFrame:
    """SCORE_COLUMNS of `window_parks` rows: every park's components at once, by the rules above."""
    reported = parks["months_reported"].to_numpy() != 0
    components = {
        "score_carbon": score_carbon(parks["carbon_per_energy"], parks["baseline_carbon_per_energy"],
                                     parks["_threshold"], std),
        "score_green": score_green(parks["green_share"], parks["green_target_at_end"], std),
        "score_retrofit": score_retrofit(parks["retrofit_rate"], std),
        "score_reporting": score_reporting(parks["months_on_time"], parks["months_expected"], std),
    }
    out = parks.assign(**{c: np.where(reported, values, np.nan) for c, values in components.items()})
    total = sum(components[c] for c in COMPONENTS)  # summed in the rule's order
    out["score"] = [round_score(x, std) if r else 0.0 for x, r in zip(total.tolist(), reported)]
    # grades and caps decided once per distinct score and set of caps holding
    grades = {score: grade_of(score, std) for score in set(out["score"])}
    keys = [(grades[score], caps) for score, caps in zip(out["score"], out["_caps"])]
    capped = {key: apply_caps(key[0], list(key[1]), std) for key in set(keys)}
    decided = [capped[key] for key in keys]
    out["grade"] = [grade for grade, _ in decided]
    out["grade_cap"] = [cap for _, cap in decided]
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
    park_month: pd.DataFrame, dim_park: pd.DataFrame, quarter: str, std: Standard, as_of: dt.date,
    interviews: pd.DataFrame | None = None, month_rules: Standard | Rulebooks | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(park_quarter_assessment rows, city_quarter_summary rows); both empty until the quarter is due.

    `interviews`: the accepted interview rows (park_code, alert_period, interviewed_on), for the
    city's count of interviews overdue (none given: every interview due in the quarter is missing);
    each alert's due day follows its own month's rulebook in `month_rules` (default: `std`).
    """
    if not window_is_due(quarter, as_of, std):
        return pd.DataFrame(columns=QUARTER_COLUMNS), pd.DataFrame(columns=CITY_COLUMNS)
    agg, rebounds = window_inputs(park_month, dim_park, quarter, std, as_of)
    held = interviews if interviews is not None else pd.DataFrame(columns=["park_code", "alert_period", "interviewed_on"])
    rebounds = with_interviews(rebounds, held, month_rules or std)
    rows = score_window(agg, dim_park, quarter, std, rebounds)
    rows["quarter"] = quarter
    rows["standard_version"] = std.version
    rows["month_standard_versions"] = rows["park_code"].map(month_versions(park_month, quarter))
    rows = rows[QUARTER_COLUMNS]
    return rows, city_quarter_summary(rows, park_month, dim_park, quarter, rebounds)


class HalfAssessment(NamedTuple):
    parks: pd.DataFrame  # park_half_assessment rows
    region: pd.DataFrame  # the region_half_summary row
    accreditation: pd.DataFrame  # park_accreditation rows (year-end only; empty for a mid-year half)


def assess_half(
    park_month: pd.DataFrame,
    dim_park: pd.DataFrame,
    half: str,
    std: Standard,
    as_of: dt.date,
    spot_check_failed: set[str] | frozenset[str] = frozenset(),
    quarter_rows: pd.DataFrame | None = None,
    list_rows: pd.DataFrame | None = None,
) -> HalfAssessment:
    """The half's park rows, region row and (year-end) accreditation; all empty until the half is due.

    Year-end outcomes need the year's Q3 and Q4 grades: from `quarter_rows` (e.g. the stored
    park_quarter_assessment) where it has them, else assessed here from the same inputs. `spot_check` is 'fail' for `spot_check_failed` parks and
    'not_sampled' otherwise; the caller fills in the sample's real statuses. `list_rows`: the
    cultivation list's history (`cultivation.history`; default: the registry's flags alone); the
    outcomes and accreditation ask it for the window's last day.
    """
    if not window_is_due(half, as_of, std):
        return HalfAssessment(pd.DataFrame(columns=HALF_COLUMNS), pd.DataFrame(columns=REGION_COLUMNS),
                              pd.DataFrame(columns=ACCREDITATION_COLUMNS))
    if list_rows is None:
        list_rows = cultivation.history(dim_park)
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
    rows["month_standard_versions"] = rows["park_code"].map(month_versions(park_month, half))
    rows["outcome"] = None
    accredited = pd.DataFrame(columns=ACCREDITATION_COLUMNS)
    if year_end and not rows.empty:
        given = quarter_rows if quarter_rows is not None and len(quarter_rows) else None
        have = set() if given is None else set(given["quarter"])
        assessed = [
            assess_quarter(park_month, dim_park, q, std, as_of)[0]
            for q in year_end_quarters(half)
            if q not in have
        ]
        quarters = pd.concat([q for q in (given, *assessed) if q is not None])
        listed = cultivation.on_list(list_rows, window_bounds(half)[1])
        unrectified = frozenset(unrectified_in(rebounds, p.score_window(half)))
        accredited = accreditation(rows, listed, frozenset(spot_check_failed), unrectified, std)
        passed = frozenset(accredited.loc[accredited["accredited"], "park_code"])
        rows["outcome"] = year_end_outcomes(rows, quarters, listed, passed, std)
    rows = rows[HALF_COLUMNS]
    own = p.months_of(half)
    enacted = cultivation.removals_enacted(list_rows, p.month_start(own[0]), p.month_end(own[-1]))
    return HalfAssessment(rows, region_half_summary(rows, park_month, dim_park, half, enacted), accredited)
