"""The month-over-month warning (W001): a carrier more than 10x or less than 0.1x last month's."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from zc_pipeline.intake.catalogue import rule
from zc_pipeline.intake.parse import ISSUE_COLUMNS, fmt_num
from zc_pipeline.domain.measures import CARRIER_FIELDS
from zc_pipeline.intake.readers import FIELD_BY_NAME
from zc_pipeline.domain.periods import add_months
from zc_pipeline.standards import Standard

MOM_RULE_IDS = ("W001",)  # the rules this module computes (their rows are replaced as a set)


def month_over_month_warnings(current: pd.DataFrame, previous: pd.DataFrame, std: Standard,
                              values: pd.DataFrame | Callable[[list[str]], pd.DataFrame] | None = None,
                              ) -> pd.DataFrame:
    """W001 rows (the `issues` shape plus `submission_id`) for month m against m-1 in force.

    `current` / `previous`: park_code, period, submission_id and the carrier fields. A carrier
    that is 0 (or missing) in either month is skipped. With `values` (submitted_value rows, or a
    function giving those of the submission ids it is passed), the warning points to the cell
    where the current quantity was written. A function is asked only for the flagged
    submissions: a month of 10,000 parks has ~120,000 values and a handful of warnings.
    """
    high, low = std.num("warning.mom_ratio_high"), std.num("warning.mom_ratio_low")
    r = rule(MOM_RULE_IDS[0])
    prev = previous.assign(_next=previous["period"].map(lambda p: add_months(p, 1)))
    pairs = current.merge(prev, left_on=["park_code", "period"], right_on=["park_code", "_next"],
                          suffixes=("", "_prev"))
    flagged = []  # (submission_id, field, now, before, ratio), in pair then carrier order
    columns = {f: (pairs[f].tolist(), pairs[f"{f}_prev"].tolist()) for f in CARRIER_FIELDS}
    for i, sid in enumerate(pairs["submission_id"].tolist()):
        for f, (nows, befores) in columns.items():
            now, before = nows[i], befores[i]
            if pd.isna(now) or pd.isna(before) or now == 0 or before == 0:
                continue
            ratio = now / before
            if not low <= ratio <= high:
                flagged.append((sid, f, now, before, ratio))
    if callable(values):
        values = values(sorted({t[0] for t in flagged})) if flagged else None
    where = {}
    if values is not None and len(values):
        where = values.drop_duplicates(["submission_id", "field"]).set_index(
            ["submission_id", "field"])
    out = []
    for sid, f, now, before, ratio in flagged:
        key = (sid, f)
        if len(where) and key in where.index:
            cell = where.loc[key]
            place = {"source_row": cell.get("source_row"), "sheet": cell["sheet"],
                     "row": cell["row"], "column": cell["column"],
                     "value": cell["value_as_written"]}
        else:
            place = {"source_row": None, "sheet": None, "row": None, "column": None,
                     "value": fmt_num(now)}
        spec = FIELD_BY_NAME[f]
        zh, en = r.messages(
            label=spec.label_zh, field=f, current=fmt_num(now), previous=fmt_num(before),
            ratio=fmt_ratio(ratio), unit=spec.canonical_units(std)[0],
            low=fmt_num(low), high=fmt_num(high), value=place["value"])
        out.append({"submission_id": sid, **place,
                    "severity": r.severity, "rule_id": r.rule_id,
                    "message_zh": zh, "message_en": en})
    frame = pd.DataFrame(out, columns=ISSUE_COLUMNS)
    frame["source_row"] = frame["source_row"].astype("Int64")
    frame["row"] = frame["row"].astype("Int64")
    return frame


def fmt_ratio(ratio: float) -> str:
    """A ratio for a message: two decimals from 1 up, three significant digits below (0.004,
    not the 0 that rounding to two decimals would print for a month a thousandth of the last)."""
    if ratio >= 1:
        return fmt_num(round(ratio, 2))
    return np.format_float_positional(ratio, precision=3, fractional=False, trim="-")
