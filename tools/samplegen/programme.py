"""Programme files: the experts' spot-check verifications per half, and the special-fund applications."""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd

from tools.samplegen.csv_batches import fmt_num
from tools.samplegen.expectations import Estimator
from tools.samplegen.region import Region, write_csv
from zc_pipeline.domain import cultivation
from zc_pipeline.domain.funding import allocate, basis_day
from zc_pipeline.domain.outcomes import year_end_outcomes, year_end_quarters
from zc_pipeline.domain.windows import window_bounds
from zc_pipeline.domain.periods import add_months, half_of, month_start, months_of

YEAR = 2026  # the funding round the sample applies to
INSPECTORS = ["自治区零碳园区专家组-张明", "自治区零碳园区专家组-其木格", "自治区零碳园区专家组-王磊",
              "自治区零碳园区专家组-李晓红", "第三方核查机构-中环联合(内蒙古)"]


def write_verifications(R: Region, est: Estimator) -> dict:
    """Spot-check results for ~half the eligible parks of each half (plus every predicted draw)."""
    info = {}
    limit = est.std.num("spot_check.discrepancy_limit")
    halves = sorted({half_of(m) for m in R.months})
    for half in halves:
        months = months_of(half)
        if any(m not in R.months for m in months):
            continue
        vrng = random.Random(f"{R.rng.random()}|{half}")
        sample, weights = est.sample(half)
        eligible = sorted(weights)
        others = [c for c in eligible if c not in sample and c not in ("152200-P001",)]
        vrng.shuffle(others)
        chosen = set(sample) | set(others[: max(0, len(eligible) // 2 - len(sample))])
        chosen.discard("152200-P001")  # its 1000x month would fail for a reason unrelated to checks
        # one predicted-sampled park fails (prefer a mid-grade park), plus two non-sampled parks
        pre = est.grades(half)
        mid = [c for c in sample if c in pre and pre[c]["grade"] in ("B", "C")]
        fail_sampled = (mid or [c for c in sample if c != "152200-P001"])[:1]
        fail_other = sorted(c for c in chosen if c not in sample)[:2]
        fails = set(fail_sampled) | set(fail_other)
        rows = []
        verified_base = month_start(add_months(months[-1], 1))
        fail_rows = []
        for code in sorted(chosen):
            bad_month = None
            if code in fails:
                in_m = [m for m in months if (code, m) in est.pm]
                bad_month = in_m[vrng.randrange(len(in_m))]
            for m in months:
                d = est.pm.get((code, m))
                if d is None:
                    continue
                if m == bad_month:
                    factor = vrng.choice([0.84, 0.86, 1.15, 1.18])  # all beyond the limit
                    fail_rows.append({"park": code, "month": m, "sampled_predicted": code in sample})
                else:
                    factor = 1 + vrng.uniform(-0.04, 0.04)
                vco2 = round(d["co2_t"] * factor, 1)
                ven = round(d["energy_tce"] * (1 + vrng.uniform(-0.03, 0.03)), 1)
                room = (est.as_of - verified_base).days - 1
                von = verified_base + dt.timedelta(days=vrng.randint(min(4, room), min(45, room)))
                rows.append([code, m, f"{ven:.1f}", f"{vco2:.1f}", vrng.choice(INSPECTORS),
                             von.isoformat()])
        path = R.out / "landing" / "verifications" / f"{half}.csv"
        write_csv(path, ["park_code", "period", "verified_energy_tce", "verified_co2_t", "inspector",
                         "verified_on"], rows)
        info[half] = {"file": R.rel(path), "parks_with_rows": len(chosen), "rows": len(rows),
                      "eligible_parks": len(eligible), "predicted_sample": sample,
                      "predicted_risk_weights": {c: weights[c] for c in sample},
                      "failing_rows": fail_rows}
        for fr in fail_rows:
            R.add_case(case="spot_check_discrepancy", file=R.rel(path), park=fr["park"],
                       month=fr["month"],
                       expect=f"discrepancy > {limit:.2f}: fail if the park is sampled, otherwise stored only",
                       sampled_predicted=fr["sampled_predicted"])
    return info


def _listed_on_basis_day(est: Estimator, spot_fail: dict, city_changes: pd.DataFrame) -> frozenset[str]:
    """The parks on the list on the fund's day (30 June): the registry, the year before's year-end
    removals (as the domain decides them on the planned months) and the cities' changes."""
    before = f"{YEAR - 1}-H2"
    removals = pd.DataFrame(columns=["park_code", "half", "outcome"])
    if est.covers(before):
        rows = est.half_rows(before, frozenset(spot_fail.get(before, set()))).assign(half=before)
        quarters = pd.concat([est.half_rows(q).assign(quarter=q) for q in year_end_quarters(before)])
        listed = cultivation.on_list(cultivation.history(est.dim_park), window_bounds(before)[1])
        removals = rows.assign(outcome=year_end_outcomes(rows, quarters, listed, frozenset(), est.std))
    history = cultivation.history(est.dim_park, city_changes, cultivation.year_end_removals(removals, lambda h: est.std))
    return cultivation.on_list(history, basis_day(YEAR, est.std))


def write_funding(R: Region, est: Estimator, spot_fail: dict, city_changes: pd.DataFrame) -> dict:
    """The year's special-fund applications (~25 projects) and what the domain's allocation makes of them."""
    frng = random.Random(f"{R.rng.random()}|funding")
    std = est.std
    half_rows = est.half_rows(f"{YEAR}-H1", spot_fail.get(f"{YEAR}-H1", set()))
    h1 = dict(zip(half_rows["park_code"], half_rows["grade"]))
    funded_grades = set(std.prefixed("funding.rate"))
    core = [p for p in R.parks if p.core]
    good = [p for p in core if p.on_list and h1.get(p.code) in funded_grades]
    weak = [p for p in core if p.on_list and p not in good]
    off = [p for p in core if not p.on_list]
    projects = []
    kinds = std.covered_project_types()
    names = {"green_direct_supply": ["绿电直供专线工程", "风光储一体化绿电直供项目", "源网荷储绿电直供改造"],
             "ccus_demo": ["二氧化碳捕集利用示范工程", "CCUS全流程示范项目", "燃煤锅炉烟气碳捕集示范"],
             "other": ["园区智慧能源管理平台", "余热回收利用改造", "光伏车棚建设"]}
    for i, p in enumerate(good):
        n = 2 if i < 8 else 1
        for j in range(n):
            kind = kinds[(i + j) % 2] if p.profile.coal > 0 else "green_direct_supply"
            inv = frng.choice([6800, 7500, 8800, 10500, 12000, 15600, 9999.99, 11250.5, 23000])
            projects.append((p.code, kind, inv))
    weak.sort(key=lambda p: (p.code != "150500-P001", p.code))  # spot-check-capped park first
    for p in weak[:4]:
        projects.append((p.code, frng.choice(kinds), frng.choice([3000, 4500, 6000])))
    for p in (good[:2] + weak[:1]):
        projects.append((p.code, "other", frng.choice([800, 1200, 2500])))
    for p in off:
        projects.append((p.code, "green_direct_supply", 5000))
        projects.append((p.code, "ccus_demo", 3200))
    projects.append(("150300-P099", "green_direct_supply", 6000))
    projects = projects[:27] if len(projects) > 27 else projects
    rows, applications = [], []
    for k, (code, kind, inv) in enumerate(projects, 1):
        pid = f"ZJ{YEAR}-{k:03d}"
        pname = frng.choice(names[kind])
        applied = dt.date(YEAR, 7, 1) + dt.timedelta(days=frng.randint(0, 13))
        inv_s = fmt_num(inv)
        rows.append([pid, code, (R.by_code[code].name if code in R.by_code else "未登记园区") + pname,
                     kind, inv_s, applied.isoformat()])
        applications.append({"project_id": pid, "park_code": code, "project_type": kind,
                             "investment_10k_yuan": inv_s, "applied_on": applied})
    listed = _listed_on_basis_day(est, spot_fail, city_changes)
    allocation = allocate(YEAR, pd.DataFrame(applications), est.dim_park, half_rows, std, listed).set_index("project_id")
    expect = []
    for app in applications:
        a = allocation.loc[app["project_id"]]
        requested = None if pd.isna(a["requested_yuan"]) else int(a["requested_yuan"])
        expect.append({"project_id": app["project_id"], "park": app["park_code"], "type": app["project_type"],
                       "investment_10k_yuan": app["investment_10k_yuan"],
                       "estimated_grade": h1.get(app["park_code"]),
                       "expected_ineligible_reason": None if a["eligible"] else a["reason"],
                       "estimated_requested_yuan": requested})
    path = R.out / "landing" / "funding" / f"{YEAR}.csv"
    write_csv(path, ["project_id", "park_code", "project_name", "project_type", "investment_10k_yuan",
                     "applied_on"], rows)
    return {"file": R.rel(path), "projects": len(rows), "budget_yuan": std.budget(YEAR),
            "estimated_eligible_requested_yuan": int(allocation["requested_yuan"].sum()),
            "note": f"eligibility by grade uses the estimated {YEAR}-H1 grades; park_unknown, "
                    "not_on_list (the list on 30 June: registry, the year before's year-end removals, the cities' "
                    "changes) and type_not_covered are certain",
            "projects_detail": expect}




def write_lists(R: Region) -> dict:
    """League-cities' list changes (FILES.md §6): the off-list park added from the first day of a
    half (so the fund, decided on 30 June, still finds it off the list), a listed park removed by
    its city, and one hostile row (a park of another city) that is rejected with L011."""
    off = [p for p in R.parks if not p.on_list]
    files, changes = [], []
    if off:
        p = off[0]
        last = R.months[-1]
        path = R.out / "landing" / "lists" / f"{p.code[:6]}_{month_start(last).replace(day=20).isoformat()}.csv"
        write_csv(path, ["园区代码", "操作", "生效日期", "原因"],
                  [[p.code, "纳入", month_start(add_months(last, 1)).isoformat(), "完成整改，申请纳入培育名单"]])
        files.append({"file": R.rel(path), "park": p.code, "action": "add",
                      "expect": "on the list from the first day after the last month; not on it for the fund"})
        changes.append({"park_code": p.code, "action": "add", "effective_on": month_start(add_months(last, 1)),
                        "source": cultivation.CITY_LIST, "source_file": R.rel(path), "source_sha256": None,
                        "source_row": 2, "reason": ""})
    city = sorted({q.city for q in R.parks})[3 % len({q.city for q in R.parks})]
    mine = [q for q in R.parks if q.city == city and q.on_list and q.scope == "whole"]
    other = next(q for q in R.parks if q.city != city)
    if mine:
        removed = mine[0]
        on = month_start(R.months[-1])
        path = R.out / "landing" / "lists" / f"{city}_{(on - dt.timedelta(days=10)).isoformat()}.csv"
        write_csv(path, ["park_code", "action", "effective_on", "reason"],
                  [[removed.code, "remove", on.isoformat(), "园区主导企业停产，培育条件不再具备"],
                   [other.code, "add", on.isoformat(), "跨盟市误报"]])
        files.append({"file": R.rel(path), "park": removed.code, "action": "remove",
                      "expect": f"off the list from {on}; row 3 rejected (L011: {other.code} is not a park of {city})"})
        changes.append({"park_code": removed.code, "action": "remove", "effective_on": on,
                        "source": cultivation.CITY_LIST, "source_file": R.rel(path), "source_sha256": None,
                        "source_row": 2, "reason": ""})
    return {"files": files}, pd.DataFrame(changes, columns=cultivation.CHANGE_COLUMNS)


def write_interviews(R: Region, est: Estimator) -> dict:
    """Interviews after the estimated rebounds (FILES.md §6), one per year file: the first held on
    its last allowed day (on time), the second late, the third never (overdue at the as-of), the
    rest on time; and one row for an alert that does not exist (I012)."""
    from zc_pipeline.domain.interviews import interview_due

    alerts = est.rebounds.sort_values(["period", "park_code"]).to_dict("records")
    rows: dict[str, list[list]] = {}
    expect = []
    for i, a in enumerate(alerts):
        due = interview_due(a["period"], est.std)
        held = due if i == 0 else due + dt.timedelta(days=9) if i == 1 else None if i == 2 else due - dt.timedelta(days=5)
        status = "on_time" if held is not None and held <= due else "late" if held is not None else "overdue"
        if held is not None and held <= est.as_of:
            rows.setdefault(str(held.year), []).append([a["park_code"], a["period"], held.isoformat(),
                                                        "约谈园区主要负责人，要求限期整改"])
        expect.append({"park": a["park_code"], "alert_period": a["period"], "due": due.isoformat(),
                       "interviewed_on": None if held is None else held.isoformat(), "expect": status})
    files = []
    if alerts:
        year = str(est.as_of.year)
        ghost = alerts[0]["park_code"]
        rows.setdefault(year, []).append([ghost, f"{year}-01", f"{year}-02-20", "误报：该月无反弹预警"])
    for year, lines in sorted(rows.items()):
        path = R.out / "landing" / "interviews" / f"{year}.csv"
        write_csv(path, ["park_code", "alert_period", "interviewed_on", "note"], lines)
        files.append(R.rel(path))
    return {"files": files, "interviews": expect}
