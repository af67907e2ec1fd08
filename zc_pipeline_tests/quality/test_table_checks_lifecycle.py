"""The lifecycle tables' own checks (docs/quality.md) pass on good rows and fail on broken ones."""
import datetime as dt

import pandas as pd
import pytest

from zc_pipeline.quality.table_checks import Context, evaluate
from zc_pipeline.standards import load_standard

STD = load_standard()
D = dt.date


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("quality_lifecycle")


def verdict(state_dir, table, rows, ctx=None) -> dict:
    return {o.check: o.passed for o in evaluate(state_dir, table, rows, ctx or Context(), "test")}


def periods(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"park_code": p, "valid_from": f, "valid_to": t, "listed": on, "source": s,
                          "source_file": None, "source_sha256": None, "source_row": None, "reason": None,
                          "run_id": "r"} for p, f, t, on, s in rows])


def test_list_periods_must_chain(state_dir):
    # P001: listed [2025-01-01, 2026-02-01), then off from 2026-02-01 (open): chained.
    good = periods(("150100-P001", D(2025, 1, 1), D(2026, 2, 1), True, "registry"),
                   ("150100-P001", D(2026, 2, 1), None, False, "year_end_outcome"))
    assert verdict(state_dir, "cultivation_list", good) == {"schema": True, "list_periods_chained": True}
    gap = good.assign(valid_from=[D(2025, 1, 1), D(2026, 3, 1)])  # a month belongs to no period
    assert verdict(state_dir, "cultivation_list", gap)["list_periods_chained"] is False
    same = good.assign(listed=[True, True])  # a period that changes nothing
    assert verdict(state_dir, "cultivation_list", same)["list_periods_chained"] is False
    closed = good.assign(valid_to=[D(2026, 2, 1), D(2026, 5, 1)])  # the last period must stay open
    assert verdict(state_dir, "cultivation_list", closed)["list_periods_chained"] is False


def test_accredited_exactly_when_nothing_failed(state_dir):
    rows = pd.DataFrame({"park_code": ["150100-P001", "150100-P002"], "year": "2025", "accredited": [True, False],
                         "reasons_failed": [None, "grade"], "run_id": "r", "standard_version": STD.version})
    assert verdict(state_dir, "park_accreditation", rows) == {"schema": True, "accreditation_consistent": True}
    wrong = rows.assign(accredited=[True, True])  # accredited with a failed criterion
    assert verdict(state_dir, "park_accreditation", wrong)["accreditation_consistent"] is False


def test_a_year_nominates_at_most_the_rulebook_s_limit(state_dir):
    # outcome.max_nominations = 5: five rows pass, six fail.
    def nominated(n):
        return pd.DataFrame({"year": "2025", "park_code": [f"150100-P{i:03d}" for i in range(1, n + 1)],
                             "rank": range(1, n + 1), "accredited": False, "score": 90.0, "run_id": "r",
                             "standard_version": STD.version})
    limit = Context(nomination_limit=STD.int("outcome.max_nominations"))
    assert verdict(state_dir, "national_nomination", nominated(5), limit)["nominations_within_limit"] is True
    assert verdict(state_dir, "national_nomination", nominated(6), limit)["nominations_within_limit"] is False
