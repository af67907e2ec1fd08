"""The input lines of an explanation list a submission's values in (row, column) order, NULL places last."""
import math

import pandas as pd

from zc_pipeline.domain.explain import values_by_submission


def test_values_come_by_row_then_column_with_null_places_last_and_ties_in_table_order():
    values = pd.DataFrame(
        [
            ("S1", 3.0, "B", "first (3, B)"),
            ("S1", math.nan, None, "no place"),
            ("S2", 1.0, "A", "other submission"),
            ("S1", 3.0, None, "row 3, no column"),
            ("S1", 2.0, "C", "(2, C)"),
            ("S1", 3.0, "B", "second (3, B)"),
            ("S1", math.nan, "A", "no row, column A"),
        ],
        columns=["submission_id", "row", "column", "field"],
    )
    by_sub = values_by_submission(values)
    assert [v["field"] for v in by_sub["S1"]] == [
        "(2, C)", "first (3, B)", "second (3, B)", "row 3, no column", "no row, column A", "no place",
    ]
    assert [v["field"] for v in by_sub["S2"]] == ["other submission"]


def test_values_of_mixed_types_are_still_ordered_as_pandas_orders_them():
    # not what the warehouse holds (row is an integer column), but an ExplainInputs built by hand may
    values = pd.DataFrame([("S1", 3, "B", "3"), ("S1", "2", "A", "'2'"), ("S1", 1, None, "1")],
                          columns=["submission_id", "row", "column", "field"])
    assert [v["field"] for v in values_by_submission(values)["S1"]] == ["1", "3", "'2'"]
