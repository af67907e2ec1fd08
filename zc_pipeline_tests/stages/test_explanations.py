"""ExplainData finds a window in a park's months by bisecting, so it keeps each park's months in month order."""
import pandas as pd

from zc_pipeline.stages.explanations import months_by_park


def test_each_parks_months_are_kept_in_month_order_whatever_order_they_came_in():
    rows = pd.DataFrame({"park_code": ["P2", "P1", "P1", "P2", "P1"],
                         "period": ["2025-01", "2025-03", "2025-01", "2025-01", "2025-02"],
                         "tag": ["x1", "c", "a", "x2", "b"]}, index=[7, 3, 5, 9, 1])
    got = months_by_park(rows)
    assert list(got) == ["P1", "P2"]
    assert got["P1"][1] == ["2025-01", "2025-02", "2025-03"]
    assert [r["tag"] for r in got["P1"][0]] == ["a", "b", "c"]
    assert [r["tag"] for r in got["P2"][0]] == ["x1", "x2"]  # equal months keep the order they came in


def test_a_parks_months_are_records_of_plain_values():
    rows = pd.DataFrame({"park_code": ["P1"], "period": ["2025-01"], "co2_t": [1.5]})
    (recs, periods), = months_by_park(rows).values()
    assert recs == [{"park_code": "P1", "period": "2025-01", "co2_t": 1.5}] and type(recs[0]["co2_t"]) is float
    assert periods == ["2025-01"]
