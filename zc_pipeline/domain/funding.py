"""Special fund (专项资金, STANDARD §10): eligibility, requested amount, priority and allocation for year Y."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from zc_pipeline.domain import cultivation
from zc_pipeline.domain.windows import window_bounds
from zc_pipeline.standards import Standard

ALLOCATION_COLUMNS = [
    "year", "project_id", "park_code", "project_type", "investment_yuan", "basis_half", "grade", "score",
    "eligible", "reason", "rate", "requested_yuan", "allocated_yuan", "priority", "budget_left_yuan",
    "standard_version",
]
YUAN_PER_10K_YUAN = 10_000  # the unit 万元, not a rule


class FundingBudgetMissing(ValueError):
    """A year has funding applications but the rulebook configures no budget for it."""

    def __init__(self, year: int, version: str):
        self.year, self.version = year, version
        self.message_zh = (f"{year} 年有资金申报，但标准 {version} 未配置该年度预算（funding.budget.{year}）："
                           f"请在标准文件中加入该年度预算后重新运行。")
        self.message_en = (f"{year} has funding applications but rulebook {version} configures no budget for it "
                           f"(funding.budget.{year}): add the year's budget to the rulebook and run again.")
        super().__init__(f"{self.message_zh} / {self.message_en}")


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _exact(value: object) -> Decimal:
    """The investment as written; a float has already lost the digits the park wrote."""
    if isinstance(value, float):
        raise TypeError(f"investment_10k_yuan {value!r} is a float: pass the text as written or a Decimal")
    return Decimal(str(value))


def _basis(half_rows: pd.DataFrame) -> dict[str, tuple[str, float]]:
    if half_rows["park_code"].duplicated().any():
        raise ValueError("the H1 assessment rows name a park twice")
    return {p: (g, s) for p, g, s in zip(half_rows["park_code"], half_rows["grade"], half_rows["score"])}


def basis_day(year: int | str, std: Standard) -> dt.date:
    """The day the fund asks "on the list?": the basis half's last day (30 June for H1), when its grades stand."""
    return window_bounds(std.funding_basis(year))[1]


def allocate(year: int | str, applications: pd.DataFrame, dim_park: pd.DataFrame,
             half_rows: pd.DataFrame, std: Standard, listed: frozenset[str] | None = None) -> pd.DataFrame:
    """`funding_allocation` rows for year Y from its accepted applications and the Y-H1 grades and scores.

    `applications`: project_id, park_code, project_type, investment_10k_yuan (text or Decimal),
    applied_on. `half_rows`: the published Y-H1 `park_half_assessment` rows (park_code, grade, score).
    `listed`: the parks on the cultivation list on `basis_day` (default: the registry's flags alone).
    """
    year = int(year)  # the warehouse key is the text `YYYY`
    budget = std.budget(year)
    if budget is None and not applications.empty:
        raise FundingBudgetMissing(year, std.version)
    applied = applications.to_dict("records")
    if len({a["project_id"] for a in applied}) < len(applied):
        raise ValueError(f"{year}: a project_id appears twice among the applications")
    if listed is None:
        listed = cultivation.on_list(cultivation.history(dim_park), basis_day(year, std))
    on_list = {code: code in listed for code in dim_park["park_code"]}
    basis = _basis(half_rows)
    rates = {grade: Decimal(str(rate)) for grade, rate in std.prefixed("funding.rate").items()}
    covered = set(std.covered_project_types())
    cap = std.int("funding.project_cap")

    rows = []
    for app in applied:
        park, investment = app["park_code"], _exact(app["investment_10k_yuan"]) * YUAN_PER_10K_YUAN
        grade, score = basis.get(park, (None, None)) if park in on_list else (None, None)
        reason = ("park_unknown" if park not in on_list
                  else "not_on_list" if not on_list[park]
                  else "type_not_covered" if app["project_type"] not in covered
                  else "grade_too_low" if grade not in rates
                  else "eligible")
        eligible = reason == "eligible"
        rows.append({
            "year": str(year), "project_id": app["project_id"], "park_code": park, "project_type": app["project_type"],
            "investment_yuan": round_half_up(investment), "basis_half": std.funding_basis(year), "grade": grade, "score": score,
            "eligible": eligible, "reason": reason,
            "rate": float(rates[grade]) if eligible else None,
            "requested_yuan": min(round_half_up(investment * rates[grade]), cap) if eligible else None,
            "allocated_yuan": 0, "priority": None, "budget_left_yuan": None, "standard_version": std.version,
            "_applied_on": app["applied_on"],
        })

    queue = sorted((r for r in rows if r["eligible"]),
                   key=lambda r: (r["grade"], -r["score"], r["_applied_on"], r["project_id"]))
    left = budget
    for priority, r in enumerate(queue, start=1):
        r["priority"], r["budget_left_yuan"] = priority, left
        r["allocated_yuan"] = min(r["requested_yuan"], left)
        left -= r["allocated_yuan"]

    out = pd.DataFrame(rows, columns=[*ALLOCATION_COLUMNS, "_applied_on"]).drop(columns="_applied_on")
    out = out.astype({
        "investment_yuan": "Int64", "score": "float64", "rate": "float64", "requested_yuan": "Int64",
        "allocated_yuan": "int64", "priority": "Int64", "budget_left_yuan": "Int64", "eligible": bool, "grade": object,
    })
    return out.sort_values(["priority", "project_id"], na_position="last", ignore_index=True)[ALLOCATION_COLUMNS]
