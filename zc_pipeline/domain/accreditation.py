"""Accreditation of parks that pass (统一挂牌认定, STANDARD §13) and the factor-priority list
(能耗、用地、用水指标优先保障): both read from a half's published assessment rows.

Each criterion is a rulebook entry, so a region can drop one (`accreditation.<criterion>: false`)
or widen the categories and grades without code.
"""
from __future__ import annotations

import pandas as pd

from zc_pipeline.standards import Standard

ACCREDITATION_COLUMNS = ["park_code", "year", "accredited", "reasons_failed"]
PRIORITY_COLUMNS = ["park_code", "half", "tier", "reason", "category", "grade"]


def accreditation(year_end_rows: pd.DataFrame, listed: frozenset[str], spot_check_failed: frozenset[str],
                  unrectified: frozenset[str], std: Standard) -> pd.DataFrame:
    """`park_accreditation` rows for every park with a year-end assessment: accredited when no
    criterion fails; `reasons_failed` names the failing criteria in STANDARD §13's order.

    `listed`: on the list on 31 Dec; `unrectified`: parks with a rebound of the year open or overdue
    at year end (the §6 rebound cap's condition); green share NULL fails the green criterion.
    """
    r = year_end_rows
    failing = {
        "not_on_list": std.flag("accreditation.on_list") & ~r["park_code"].isin(listed),
        "category": ~r["category"].isin(std.names("accreditation.categories")),
        "grade": ~r["grade"].isin(std.names("accreditation.grades")),
        "spot_check_failed": std.flag("accreditation.spot_check_not_failed") & r["park_code"].isin(spot_check_failed),
        "rebound_unrectified": std.flag("accreditation.no_unrectified_rebound") & r["park_code"].isin(unrectified),
        "green_share_below_path": std.flag("accreditation.green_share_on_path")
        & ~(r["green_share"].astype(float) >= r["green_target_at_end"].astype(float)),
    }
    reasons = pd.DataFrame(failing).apply(lambda row: ",".join(c for c, failed in row.items() if failed), axis=1)
    return pd.DataFrame({
        "park_code": r["park_code"], "year": r["half"].str[:4], "accredited": reasons.eq(""),
        "reasons_failed": reasons.where(reasons.ne(""), None),
    }, columns=ACCREDITATION_COLUMNS).astype({"accredited": bool}).reset_index(drop=True)


def factor_priority(half_rows: pd.DataFrame, listed: frozenset[str], std: Standard) -> pd.DataFrame:
    """`factor_priority` rows of a half: every park on the list on the half's last day gets a tier.

    Tier 1: a category in `priority.tier1_categories` or a grade in `priority.tier1_grades`;
    tier 2: a grade in `priority.tier2_grades`; tier 3: the rest of the list. Off the list: no row.
    """
    r = half_rows[half_rows["park_code"].isin(listed)]
    by_category = r["category"].isin(std.names("priority.tier1_categories"))
    tier1 = by_category | r["grade"].isin(std.names("priority.tier1_grades"))
    tier2 = ~tier1 & r["grade"].isin(std.names("priority.tier2_grades"))
    tier = pd.Series(3, index=r.index).mask(tier2, 2).mask(tier1, 1)
    reason = pd.Series("on_list", index=r.index).mask(tier2 | (tier1 & ~by_category), "grade " + r["grade"])
    reason = reason.mask(by_category, "category " + r["category"])
    return pd.DataFrame({
        "park_code": r["park_code"], "half": r["half"], "tier": tier.astype("int64"), "reason": reason,
        "category": r["category"], "grade": r["grade"],
    }, columns=PRIORITY_COLUMNS).sort_values(["tier", "park_code"], ignore_index=True)
