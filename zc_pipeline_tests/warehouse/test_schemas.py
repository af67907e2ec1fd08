"""The pandera schemas of the warehouse tables, before writes and on stored rows (no GX here)."""
import pandas as pd
import pytest

from zc_pipeline.warehouse.schemas import FrameSchemaError, check_frame, failure_cases, table_schema
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import read_table, replace_partition
from zc_pipeline_tests.support.frames import park_month, quarter_rows


def test_every_table_has_a_schema_with_its_columns():
    for name, table in TABLES.items():
        assert set(table_schema(name).columns) == set(table.c.keys()), name


def test_valid_rows_pass():
    assert failure_cases("park_month", park_month()).empty
    assert failure_cases("park_quarter_assessment", quarter_rows()).empty


@pytest.mark.parametrize(
    "column, value, check",
    [
        ("green_share", 1.2, "in_range(0, 1)"),
        ("co2_t", -5.0, "greater_than_or_equal_to(0)"),
        ("period", "2026-13", "str_matches"),
        ("on_time", "yes", "isin"),
        ("energy_tce", "lots", "coerce_dtype"),
    ],
)
def test_a_broken_park_month_fails_its_schema(column, value, check):
    frame = park_month().astype(object)
    frame.loc[1, column] = value
    cases = failure_cases("park_month", frame)
    assert len(cases) >= 1
    assert (cases["column"] == column).any()
    assert cases["check"].astype(str).str.contains(check, regex=False).any()


def test_enums_of_the_assessment():
    frame = quarter_rows()
    frame.loc[0, "grade"] = "E"
    frame.loc[1, "grade_cap"] = "too_pretty"
    cases = failure_cases("park_quarter_assessment", frame)
    assert set(cases["column"]) == {"grade", "grade_cap"}


def test_duplicate_keys_fail_the_stored_table_check():
    frame = pd.concat([park_month(), park_month(1)], ignore_index=True)
    cases = failure_cases("park_month", frame, unique=True)
    assert (cases["check"].astype(str).str.contains("unique")).any()


def test_the_writer_refuses_a_frame_that_breaks_the_schema(warehouse_engine):
    replace_partition(warehouse_engine, "park_month", park_month(), {"period": "2026-03"})
    broken = park_month().assign(green_share=[0.3, 1.5, 0.3])
    with pytest.raises(FrameSchemaError, match="green_share"):
        replace_partition(warehouse_engine, "park_month", broken, {"period": "2026-03"})
    # nothing of the broken frame reached BI: the earlier rows are intact
    assert read_table(warehouse_engine, "park_month")["green_share"].tolist() == [0.3, 0.3, 0.3]


def test_partial_frames_are_checked_on_the_columns_they_have():
    check_frame("park_month", pd.DataFrame({"park_code": ["150200-P001"], "period": ["2026-03"], "co2_t": [1.0]}))
    with pytest.raises(FrameSchemaError):
        check_frame("park_month", pd.DataFrame({"park_code": ["150200-P001"], "period": ["2026-03"], "co2_t": [-1.0]}))
