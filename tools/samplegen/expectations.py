"""What a correct pipeline should conclude from the sample: the manifest's expected and estimated figures.

The estimates are the project's own rules applied to the in-force submissions the generator planned:
the rulebook (`zc_pipeline.standards`), the domain's measures, rebounds, spot-check draw, scoring
and funding, and the intake's month-over-month warning. Nothing of STANDARD is restated here.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from tools.samplegen.region import QUANTITY_FIELDS, Region, following_day
from zc_pipeline.domain.measures import compute_park_month, energy_and_co2
from zc_pipeline.domain.periods import score_window as window_months
from zc_pipeline.domain.rebounds import detect_rebounds
from zc_pipeline.domain.scoring import SCORE_COLUMNS, score_window, window_inputs
from zc_pipeline.domain.spot_checks import draw_sample, risk_weights
from zc_pipeline.intake.month_over_month import month_over_month_warnings
from zc_pipeline.standards import GRADES, load_standard

GENERATOR_VERSION = 1
AS_OF_DAY = 15  # the recommended as-of: this day of the month after the last one (after its deadline)


class Estimator:
    """The domain's view of the planned in-force submissions: park_month, warnings, rebounds, draws, grades."""

    def __init__(self, R: Region):
        self.R = R
        self.std = std = load_standard()
        self.as_of = following_day(R.months[-1], AS_OF_DAY)
        self.dim_park = pd.DataFrame([{
            "park_code": p.code, "league_city_code": p.city, "category": p.category,
            "on_cultivation_list": p.on_list, "enrolled_on": p.enrolled_on, "baseline_year": p.baseline_year,
            "baseline_carbon_per_energy": p.baseline_cpe, "baseline_green_share": p.baseline_green,
            "target_green_share": p.target_green_share, "target_date": p.target_date,
        } for p in R.parks])
        accepted = [s for s in R.subs if s.status == "accepted" and s.park in R.by_code]
        subs = pd.DataFrame([{"park_code": s.park, "period": s.period, "submission_id": s.seq,
                              "on_time": s.on_time, "source_sha256": "", **s.values} for s in accepted],
                            columns=["park_code", "period", "submission_id", "on_time", "source_sha256",
                                     *QUANTITY_FIELDS])
        in_force = subs[subs["submission_id"].isin([s.seq for s in R.in_force.values()])]
        self.park_month = compute_park_month(in_force, std)
        self.pm = {(p, m): {"co2_t": c, "energy_tce": e} for p, m, c, e in zip(
            self.park_month["park_code"], self.park_month["period"], self.park_month["co2_t"],
            self.park_month["energy_tce"])}
        self.warnings = self._warnings(subs)
        self.rebounds = detect_rebounds(self.park_month, self.dim_park, std, self.as_of)
        self._graded: dict = {}

    def _warnings(self, subs: pd.DataFrame) -> pd.DataFrame:
        """Warning rows (submission_id, rule_id, severity) of the accepted submissions: W001–W003."""
        std = self.std
        mom = month_over_month_warnings(subs, self.park_month, std)[["submission_id", "rule_id"]]
        q = subs.astype({f: "float64" for f in QUANTITY_FIELDS})
        _, _, energy, co2 = energy_and_co2(q, std)
        gap = (q["reported_co2_t"] - co2).abs() / co2.where(co2 != 0)
        w002 = q.loc[(q["value_added_10k_yuan"] == 0) & (energy > 0), "submission_id"]
        w003 = q.loc[gap > std.num("warning.co2_gap"), "submission_id"]
        rows = pd.concat([mom, pd.DataFrame({"submission_id": w002, "rule_id": "W002"}),
                          pd.DataFrame({"submission_id": w003, "rule_id": "W003"})], ignore_index=True)
        return rows.assign(severity="warning")

    def sample(self, half: str) -> tuple[list[str], dict]:
        """The predicted spot-check draw of a half and every eligible park's risk weight."""
        weights = risk_weights(half, self.park_month, self.rebounds, self.warnings, self.std,
                               dim_park=self.dim_park)
        drawn = draw_sample(half, weights, self.std)
        as_written = {c: int(w) if float(w).is_integer() else float(w)
                      for c, w in zip(weights["park_code"], weights["risk_weight"])}
        return list(drawn["park_code"]), as_written

    def covers(self, period: str) -> bool:
        return all(m in self.R.months for m in window_months(period))

    def half_rows(self, period: str, spot_fail=frozenset()) -> pd.DataFrame:
        """score_window rows of a quarter or half (empty when the sample's months do not cover it)."""
        if not self.covers(period):
            return pd.DataFrame(columns=SCORE_COLUMNS)
        agg, rebounds = window_inputs(self.park_month, self.dim_park, period, self.std, self.as_of)
        failed = set(spot_fail) if "H" in period else set()
        return score_window(agg, self.dim_park, period, self.std, rebounds, failed)

    def grades(self, period: str, spot_fail=frozenset()) -> dict:
        """park_code -> score, grade and cap of a window, for parks enrolled by its end."""
        key = (period, frozenset(spot_fail or ()))
        if key not in self._graded:
            rows = self.half_rows(period, key[1])
            self._graded[key] = {
                p: {"score": float(s), "grade": g, "cap": None if pd.isna(c) else c}
                for p, s, g, c in zip(rows["park_code"], rows["score"], rows["grade"], rows["grade_cap"])
            }
        return self._graded[key]

    def windows(self) -> list[str]:
        years = sorted({m[:4] for m in self.R.months})
        out = []
        for y in years:
            out += [f"{y}-Q{n}" for n in range(1, 5)] + [f"{y}-H1", f"{y}-H2"]
        return out


def manifest_of(R: Region, est: Estimator, seed, first, last, csv_share, verifications, funding,
                spot_fail, lifecycle: dict | None = None) -> dict:
    """MANIFEST.json: the cases as built, the expected submission counts, and the estimates."""
    per_month = {}
    for s in R.subs:
        d = per_month.setdefault(s.folder, {"files": set(), "submissions": 0, "in_force": 0,
                                            "superseded": 0, "rejected": 0, "file_errors": 0,
                                            "record_errors": 0})
        d["files"].add(s.file)
        d["submissions"] += 1
        d[s.final] += 1
        if s.final == "rejected":
            d["file_errors" if s.level == "file" else "record_errors"] += 1
    for d in per_month.values():
        d["files"] = len(d["files"])
    files = sorted(p.relative_to(R.out).as_posix() for p in R.out.rglob("*") if p.is_file()
                   and p.name not in ("MANIFEST.json", "README.md"))
    in_force = {s.seq for s in R.subs if s.final == "in_force"}
    warn_total = int(est.warnings["submission_id"].isin(in_force).sum())
    rebounds = [{"park": rb.park_code, "month": rb.period,
                 "carbon_per_energy": round(float(rb.carbon_per_energy), 6),
                 "previous_carbon_per_energy": round(float(rb.previous_carbon_per_energy), 6),
                 "rectify_by": rb.rectify_by.isoformat(), "status_at_as_of": rb.status,
                 "rectified_in": rb.rectified_in}
                for rb in est.rebounds.itertuples(index=False)]
    for rb in rebounds:
        R.add_case(case="rebound", park=rb["park"], month=rb["month"],
                   expect=f"rebound alert, status {rb['status_at_as_of']} at the recommended as-of",
                   rectified_in=rb["rectified_in"])
    grades = {}
    dist = {}
    if len(R.parks) <= 400:
        for w in est.windows():
            window = est.grades(w, spot_fail.get(w, frozenset()))
            for p in R.parks:
                if p.code not in window:
                    continue
                a = window[p.code]
                grades.setdefault(w, {})[p.code] = a
                dist.setdefault(w, dict.fromkeys(GRADES, 0))[a["grade"]] += 1
    p_by = R.by_code
    special = {
        "sub_park": [p.code for p in R.parks if p.scope == "sub_park"],
        "parent_of_sub_park": sorted({p.parent for p in R.parks if p.scope == "sub_park"}),
        "off_list": [p.code for p in R.parks if not p.on_list],
        "mid_year_enrolment": [p.code for p in R.parks if p.enrolled_on > dt.date(2025, 1, 1)],
        "large_over_1m_tce": [c for c in ("150600-P003",) if c in p_by],
        "green_path_30_to_50": [c for c in ("150600-P002",) if c in p_by],
        "stopped_reporting_2025H2": [c for c in ("150700-P002",) if c in p_by],
        "baseline_year_2024": [p.code for p in R.parks if p.baseline_year == 2024],
    }
    manifest = {
        "generator": "tools.samplegen", "generator_version": GENERATOR_VERSION,
        "seed": seed, "parks": len(R.parks), "league_cities": 12, "first_month": first,
        "last_month": last, "csv_share": csv_share, "standard_version": est.std.version,
        "recommended_as_of": est.as_of.isoformat(),
        "note": ("cases and expected counts follow from how the files were built; sections marked "
                 "estimate apply the project's rulebook and domain functions (STANDARD §3–§8) to "
                 "the submissions the generator planned; the pipeline reading the files is the reference"),
        "registry": {"league_cities": "registry/league_cities.csv", "parks": "registry/parks.csv",
                     "special_parks": special},
        "file_count": len(files),
        "files_by_kind": {
            "xlsx": sum(1 for f in files if f.endswith(".xlsx")),
            "csv_monthly": sum(1 for f in files if f.endswith(".csv") and f.startswith("landing/2")),
            "verification": sum(1 for f in files if "/verifications/" in f),
            "funding": sum(1 for f in files if "/funding/" in f),
            "lists": sum(1 for f in files if "/lists/" in f),
            "interviews": sum(1 for f in files if "/interviews/" in f),
        },
        "cases": R.cases,
        "expected": {
            "note": "submission rows by landing folder month; statuses after in-force resolution",
            "per_month": {m: per_month[m] for m in sorted(per_month)},
            "totals": {k: sum(d[k] for d in per_month.values())
                       for k in ("files", "submissions", "in_force", "superseded", "rejected",
                                 "file_errors", "record_errors")},
            "park_months_in_force": len(R.in_force),
            "warnings_on_in_force_estimate": warn_total,
        },
        "estimate": {
            "rebounds": rebounds,
            "verifications": verifications,
            "funding": funding,
            "grade_distribution": dist,
            "grades": grades,
        },
        "lifecycle": lifecycle or {},
    }
    return manifest


