"""pandera schemas for intake frames; failures become issues at the exact cell.

Month files: each checked column maps to one rule, so a failure case's (index, column) is enough
to name the rule and, through the checked frame, the place. Checks that span several fields
(certificates vs grid, completed vs planned) are in `parse.py`, where the places of both cells are
at hand.

Registry and programme files: several rules check one column, so each rule is a `FieldRule` (rule
id, the column an issue names, a pandera check) and a failure case's check names the rule.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from zc_pipeline.intake.readers import NUMBER_PATTERN


def value_text_schema() -> pa.DataFrameSchema:
    """Written quantities, normalised text: must be a number (R009)."""
    return pa.DataFrameSchema({"text": pa.Column(str, pa.Check.str_matches(NUMBER_PATTERN))})


def value_sign_schema() -> pa.DataFrameSchema:
    """Quantities in canonical units: not negative (R003)."""
    return pa.DataFrameSchema(
        {"canonical_value": pa.Column(float, pa.Check.ge(0), nullable=True)}
    )


def csv_record_schema(park_codes: set[str], folder_month: str) -> pa.DataFrameSchema:
    """Batch CSV rows: park in the registry (R001), period the folder's month (R002)."""
    return pa.DataFrameSchema(
        {
            "park_code": pa.Column(str, pa.Check.isin(sorted(park_codes))),
            "period": pa.Column(str, pa.Check.eq(folder_month)),
        }
    )


RULE_OF_COLUMN = {"text": "R009", "canonical_value": "R003", "park_code": "R001", "period": "R002"}


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Failure cases of a lazy validation: `index` (of `frame`), `column`, `rule_id`."""
    empty = pd.DataFrame({"index": pd.Series([], dtype="int64"), "column": [], "rule_id": []})
    if frame.empty:
        return empty
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna() & cases["column"].isin(list(RULE_OF_COLUMN))]
        out = pd.DataFrame({"index": cases["index"].astype("int64"), "column": cases["column"]})
        out["rule_id"] = out["column"].map(RULE_OF_COLUMN)
        return out.drop_duplicates().reset_index(drop=True)
    return empty


@dataclass(frozen=True)
class FieldRule:
    """One rule as a pandera check: of `column`'s values, or of the whole frame (`row=True`, for a
    rule that reads several fields; the check returns one boolean per row) naming `column`."""

    rule_id: str
    column: str
    check: pa.Check
    row: bool = False


def every_value(fn, element_wise: bool = False) -> pa.Check:
    """A check that judges missing values too (pandera passes them by default): for a missing value
    that is an error, or for text read as '' where there is none, which spares pandera the search."""
    return pa.Check(fn, element_wise=element_wise, ignore_na=False)


def rule_failures(rules: list[FieldRule], frame: pd.DataFrame) -> pd.DataFrame:
    """Failure cases of `rules` on `frame` (validated lazily, in one pass): `index`, `column`,
    `rule_id`, ordered by index, then by the rules' order."""
    out = pd.DataFrame({"index": pd.Series([], dtype="int64"), "column": [], "rule_id": []})
    if frame.empty:
        return out
    by_place: dict[tuple[str | None, int], int] = {}  # (column or None for a row check, check_number) -> rule
    columns: dict[str, list[pa.Check]] = {}
    row_checks: list[pa.Check] = []
    for n, r in enumerate(rules):
        checks = row_checks if r.row else columns.setdefault(r.column, [])
        by_place[(None if r.row else r.column, len(checks))] = n
        checks.append(r.check)
    # nullable: a value that could not be read is for the rules to judge, not for pandera
    schema = pa.DataFrameSchema({c: pa.Column(checks=checks, nullable=True) for c, checks in columns.items()},
                                checks=row_checks)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        if cases["index"].isna().any():  # a check that raised, or a missing column: a bug, not the file's fault
            raise RuntimeError(f"rule checks could not run:\n{cases[cases['index'].isna()].to_string()}") from exc
        places = zip(cases["schema_context"] == "DataFrameSchema", cases["column"], cases["check_number"])
        found = pd.DataFrame({"index": cases["index"].astype("int64").to_numpy(),
                              "rule": [by_place[(None if row else c, int(k))] for row, c, k in places]})
        found = found.drop_duplicates().sort_values(["index", "rule"], ignore_index=True)
        out = pd.DataFrame({"index": found["index"], "column": [rules[n].column for n in found["rule"]],
                            "rule_id": [rules[n].rule_id for n in found["rule"]]})
    return out
