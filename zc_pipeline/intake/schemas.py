"""pandera schemas for intake frames; failures become issues at the exact cell.

Each checked column maps to one rule, so a failure case's (index, column) is enough to name the
rule and, through the checked frame, the place. Checks that span several fields (certificates vs
grid, completed vs planned) are in `parse.py`, where the places of both cells are at hand.
"""
from __future__ import annotations

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
