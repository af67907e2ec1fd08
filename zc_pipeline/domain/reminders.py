"""Missing-report reminders (pure): which parks have no submission in force for a month past its deadline."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from zc_pipeline.domain.interviews import OVERDUE
from zc_pipeline.domain.periods import deadline, deadline_passed

COLUMNS = ["period", "park_code", "league_city_code", "reason", "rule_ids"]
# What the workbook adds for the people who chase the parks.
DETAIL_COLUMNS = ["park_name", "missing_zh", "missing_en", "deadline", "rejected_files", "error_messages"]


def _enrolled_by(dim_park: pd.DataFrame, month: str) -> pd.DataFrame:
    """Registry parks whose enrolment month is on or before `month` (STANDARD §4: months_expected)."""
    enrolled = pd.to_datetime(dim_park["enrolled_on"]).dt.strftime("%Y-%m")
    return dim_park[enrolled <= month]


def missing_reports(
    month: str,
    dim_park: pd.DataFrame,
    submissions: pd.DataFrame,
    issues: pd.DataFrame,
    as_of: dt.date,
    deadline_day: int,
) -> pd.DataFrame:
    """Parks expected for `month` without a submission in force, once its deadline has passed.

    `submissions`: the month's submission rows (every status), including file-level rejections
    of files in the month's folder; `issues`: their validation issues. A park with only rejected
    submissions is `rejected` (rule_ids = the distinct error rule ids, sorted); a park with none is
    `not_submitted`. Before the deadline has passed nobody is late: no rows.
    """
    out_cols = COLUMNS + DETAIL_COLUMNS
    if not deadline_passed(month, as_of, deadline_day):
        return pd.DataFrame(columns=out_cols)
    parks = _enrolled_by(dim_park, month)
    subs = submissions[submissions["park_code"].isin(parks["park_code"])]
    in_force = set(subs.loc[subs["in_force"].astype(bool), "park_code"])
    tried = subs[subs["status"] == "rejected"]
    errors = issues[(issues["severity"] == "error") & issues["submission_id"].isin(tried["submission_id"])]
    errors = errors.merge(tried[["submission_id", "park_code"]], on="submission_id")
    due = deadline(month, deadline_day).isoformat()

    rows = []
    for park in parks.sort_values("park_code").itertuples(index=False):
        if park.park_code in in_force:
            continue
        own = tried[tried["park_code"] == park.park_code]
        if own.empty:
            reason, rule_ids, files, messages = "not_submitted", None, None, None
            zh = f"未报送{month}月度自测表"
            en = f"no monthly self-test for {month} received"
        else:
            mine = errors[errors["park_code"] == park.park_code]
            reason = "rejected"
            rule_ids = ",".join(sorted(set(mine["rule_id"]))) or None
            files = "; ".join(sorted(set(own["source_file"])))
            messages = "; ".join(dict.fromkeys(
                f"[{r}] {zh} / {en}" for r, zh, en in zip(mine["rule_id"], mine["message_zh"], mine["message_en"])))
            zh = f"{month}月度自测表被退回，请更正后重新报送"
            en = f"the {month} self-test was rejected; correct it and resubmit"
        rows.append([month, park.park_code, park.league_city_code, reason, rule_ids,
                     park.park_name, zh, en, due, files, messages or None])
    return pd.DataFrame(rows, columns=out_cols, dtype=object)  # object: None stays None for BI and tests



OVERDUE_INTERVIEW_COLUMNS = ["league_city_code", "park_code", "park_name", "alert_period", "rectify_by",
                             "interview_due"]


def interviews_overdue(month: str, alerts: pd.DataFrame, dim_park: pd.DataFrame) -> pd.DataFrame:
    """Rebounds of months up to `month` whose interview is overdue (not held, due day passed) as the
    alerts were judged: what the league-city still has to do (STANDARD §13)."""
    late = alerts[(alerts["period"] <= month) & (alerts["interview_status"] == OVERDUE)]
    parks = dim_park.set_index("park_code")
    out = pd.DataFrame({
        "league_city_code": late["park_code"].map(parks["league_city_code"]), "park_code": late["park_code"],
        "park_name": late["park_code"].map(parks["park_name"]), "alert_period": late["period"],
        "rectify_by": late["rectify_by"].astype(str), "interview_due": late["interview_due"].astype(str),
    }, columns=OVERDUE_INTERVIEW_COLUMNS)
    return out.sort_values(["league_city_code", "alert_period", "park_code"], ignore_index=True)
