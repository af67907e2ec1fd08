"""What-if (STANDARD §12): the value one lever would need for the next better grade, all else equal.

Each lever's trial values are scored by `score_parks`, the rules `score_window` applies, so §5–§6
(rounding, bands, caps) apply exactly; what does not move with a lever is decided once per window.
The score is monotone in each lever, so a bisection over the rulebook's decimal grid finds the
exact smallest green share and largest carbon per energy that reach the target.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from zc_pipeline.domain.scoring import apply_caps, score_parks, window_inputs, window_parks
from zc_pipeline.domain.periods import window_is_due
from zc_pipeline.standards import GRADES, Standard

TOP_GRADE, CAPPED, OUT_OF_RANGE = "top_grade", "capped", "out_of_range"
WHAT_IF_COLUMNS = [
    "park_code", "period", "grade", "score", "target_grade",
    "green_share", "green_share_needed", "extra_green_mwh", "green_reason",
    "carbon_per_energy", "carbon_per_energy_needed", "co2_less_t", "carbon_reason",
    "reason", "standard_version",
]


def what_if_window(
    park_month: pd.DataFrame,
    dim_park: pd.DataFrame,
    period: str,
    std: Standard,
    as_of: dt.date,
    spot_check_failed: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """park_what_if rows of a quarter or half, from the inputs of its assessment; empty until it is due."""
    if not window_is_due(period, as_of, std):
        return pd.DataFrame(columns=WHAT_IF_COLUMNS)
    agg, rebounds = window_inputs(park_month, dim_park, period, std, as_of)
    return what_if(agg, dim_park, period, std, rebounds, spot_check_failed)


def what_if(
    agg: pd.DataFrame,
    dim_park: pd.DataFrame,
    period: str,
    std: Standard,
    rebound_status_at_end: pd.DataFrame,
    spot_check_failed: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """WHAT_IF_COLUMNS for each park `score_window` scores from the same arguments."""
    if agg.empty:
        return pd.DataFrame(columns=WHAT_IF_COLUMNS)
    agg = agg.reset_index(drop=True)

    parks = window_parks(agg, dim_park, period, std, rebound_status_at_end, spot_check_failed)
    published = score_parks(parks, std)
    rank = published["grade"].map(GRADES.index).to_numpy()
    target = np.maximum(rank - 1, 0)

    def reaches(column: str):
        """(values, rows) -> whether each park of `rows` reaches its target grade with `column` = values
        (False for the others). Only those parks are scored: a park's grade is its own, and a search
        asks fewer parks at every step (the capped and the top grade never)."""
        def _reaches(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
            out = np.zeros(len(agg), dtype=bool)
            if rows.any():
                scored = score_parks(parks[rows].assign(**{column: values[rows]}), std)
                out[rows] = scored["grade"].map(GRADES.index).to_numpy() <= target[rows]
            return out
        return _reaches

    reason = np.array([_blocked(r, t, list(caps), std) for caps, r, t in zip(parks["_caps"], rank, target)],
                      dtype=object)

    scale = 10 ** std.int("what_if.decimals")
    share_k, share_reason = _smallest_reaching(
        reaches("green_share"), agg["green_share"].to_numpy(float), reason, scale)
    ci_k, ci_reason = _largest_reaching(
        reaches("carbon_per_energy"), agg["carbon_per_energy"].to_numpy(float), reason, scale)

    share_needed = share_k / scale
    ci_needed = ci_k / scale
    out = pd.DataFrame({
        "park_code": agg["park_code"],
        "period": period,
        "grade": published["grade"],
        "score": published["score"].astype(float),
        "target_grade": [None if r == TOP_GRADE else GRADES[t] for r, t in zip(reason, target)],
        "green_share": agg["green_share"].astype(float),
        "green_share_needed": share_needed,
        "extra_green_mwh": (share_needed - agg["green_share"]) * agg["electricity_mwh"],
        "green_reason": share_reason,
        "carbon_per_energy": agg["carbon_per_energy"].astype(float),
        "carbon_per_energy_needed": ci_needed,
        "co2_less_t": (agg["carbon_per_energy"] - ci_needed) * agg["energy_tce"],
        "carbon_reason": ci_reason,
        "standard_version": std.version,
    })
    # one reason for the window when neither lever gets there (a cap and the top grade block both)
    out["reason"] = np.array([g if g is not None and g == c else None for g, c in zip(share_reason, ci_reason)],
                             dtype=object)
    return out[WHAT_IF_COLUMNS]


def _blocked(rank: int, target: int, holding: list[str], std: Standard) -> str | None:
    """Why no lever can reach the target: the top grade, or a cap whose limit is below it."""
    if rank == 0:
        return TOP_GRADE
    capped_at, cap = apply_caps(GRADES[target], holding, std)
    return f"{CAPPED}:{cap}" if capped_at != GRADES[target] else None


def _smallest_reaching(reaches, current: np.ndarray, blocked: np.ndarray, scale: int):
    """(smallest k/scale in [0, 1] that reaches the target, NaN if none; reason per park).

    The score grows with the green share: bisection keeps `lo` short of the target, `hi` reaching it.
    """
    free = pd.isna(blocked)
    best = reaches(np.where(free, 1.0, current), free)
    reason = np.where(free & ~best, OUT_OF_RANGE, blocked)
    search = free & best
    lo, hi = np.full(len(current), -1), np.full(len(current), scale)
    while (step := search & (hi - lo > 1)).any():
        mid = (lo + hi) // 2
        ok = reaches(np.where(step, mid / scale, current), step)
        hi, lo = np.where(step & ok, mid, hi), np.where(step & ~ok, mid, lo)
    return np.where(search, hi, np.nan), reason


def _largest_reaching(reaches, current: np.ndarray, blocked: np.ndarray, scale: int):
    """(largest k/scale ≥ 0 that reaches the target, NaN if none; reason per park).

    The score falls as carbon per energy rises; 0 is the lever's best value (below any threshold).
    Bisection keeps `lo` reaching the target and `hi` short of it.
    """
    free = pd.isna(blocked)
    best = reaches(np.where(free, 0.0, current), free)
    reason = np.where(free & ~best, OUT_OF_RANGE, blocked)
    search = free & best
    lo = np.zeros(len(current), dtype=np.int64)
    # above the current value the score is no higher; a NULL value scores as no carbon points, so
    # its bound is raised until the score no longer reaches the target
    hi = np.where(np.isnan(current), scale, np.ceil(np.nan_to_num(current) * scale) + 1).astype(np.int64)
    growing = search  # a park whose bound no longer reaches keeps it: it is not asked again
    while (growing := growing & reaches(np.where(growing, hi / scale, current), growing)).any():
        lo, hi = np.where(growing, hi, lo), np.where(growing, hi * 2, hi)
    while (step := search & (hi - lo > 1)).any():
        mid = (lo + hi) // 2
        ok = reaches(np.where(step, mid / scale, current), step)
        lo, hi = np.where(step & ok, mid, lo), np.where(step & ~ok, mid, hi)
    return np.where(search, lo, np.nan), reason



def _pct(share) -> str:
    return "—" if pd.isna(share) else f"{share:.4%}"


def _ci(value) -> str:
    return "—" if pd.isna(value) else f"{value:.6f}"


def _lever_lines(row) -> list[tuple[str, str]]:
    """(zh, en) per lever: the value needed and what it means, or why no lever gets there."""
    from zc_pipeline.domain.explain import CAP_NOTES

    target, reason = row["target_grade"], row["reason"]
    if reason == TOP_GRADE:
        return [(f"{row['grade']} 已是最高等级", f"{row['grade']} is the top grade: nothing better to reach")]
    if isinstance(reason, str) and reason.startswith(CAPPED):
        cap = reason.split(":", 1)[1]
        zh_note, en_note = CAP_NOTES.get(cap, (cap, cap))
        return [(f"封顶 {cap}（{zh_note}）使等级达不到 {target}，单项指标无法改变",
                 f"capped: {cap} ({en_note}) keeps the grade below {target}; no single lever lifts it")]
    lines = []
    share, mwh = _pct(row["green_share"]), row["extra_green_mwh"]
    if row["green_reason"] == OUT_OF_RANGE:
        lines.append((f"绿电占比 {share}：提高到 100% 也达不到 {target}",
                      f"green share {share}: out of range, not even 100% reaches {target}"))
    else:
        needed = _pct(row["green_share_needed"])
        lines.append((
            f"绿电占比 {share} → {needed} 即可达到 {target}"
            + ("（窗口内无用电，无法折算电量）" if pd.isna(mwh) else f"，即窗口内增加绿电 {mwh:,.1f} MWh"),
            f"green share {share} → {needed} reaches {target}"
            + (" (no electricity in the window: no MWh to name)" if pd.isna(mwh)
               else f": {mwh:,.1f} MWh more green electricity over the window"),
        ))
    ci, tonnes = _ci(row["carbon_per_energy"]), row["co2_less_t"]
    if row["carbon_reason"] == OUT_OF_RANGE:
        lines.append((f"单位能耗碳排放 {ci} tCO2/tce：降至阈值也达不到 {target}",
                      f"carbon per energy {ci} tCO2/tce: out of range, not even the threshold reaches {target}"))
    else:
        needed = _ci(row["carbon_per_energy_needed"])
        lines.append((
            f"单位能耗碳排放 {ci} → {needed} tCO2/tce 及以下即可达到 {target}"
            + ("（窗口内无能耗，无法折算排放量）" if pd.isna(tonnes) else f"，即窗口内少排 CO2 {tonnes:,.1f} t"),
            f"carbon per energy {ci} → {needed} tCO2/tce or lower reaches {target}"
            + (" (no energy in the window: no tonnes to name)" if pd.isna(tonnes)
               else f": {tonnes:,.1f} t less CO2 over the window"),
        ))
    return lines


def render(row, lang: str = "both") -> str:
    """A park_what_if row for the terminal: a head line, then one line per lever, in zh, en or both."""
    nxt = row["target_grade"]
    head = (f"{row['park_code']} {row['period']} — 已发布等级 {row['grade']}（{row['score']:.1f} 分）"
            + ("" if pd.isna(nxt) else f"，下一等级 {nxt}") + f" — {row['standard_version']}",
            f"{row['park_code']} {row['period']} — published {row['grade']} ({row['score']:.1f})"
            + ("" if pd.isna(nxt) else f", next better grade {nxt}") + f" — {row['standard_version']}")
    out = []
    for i, pair in enumerate([head, *_lever_lines(row)]):
        langs = {"zh": pair[:1], "en": pair[1:]}.get(lang, pair)
        out += [("  " if i else "") + line for line in langs]
    return "\n".join(out)
