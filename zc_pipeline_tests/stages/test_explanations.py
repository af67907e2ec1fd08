"""ExplainData finds a window in a park's months by bisecting, so it keeps them in month order."""
import pandas as pd

from zc_pipeline.stages.explanations import _in_month_order


def test_a_parks_months_are_kept_in_month_order_whatever_order_they_came_in():
    rows = pd.DataFrame({"period": ["2025-03", "2025-01", "2025-02", "2025-01"], "tag": ["c", "a1", "b", "a2"]},
                        index=[7, 3, 5, 9])
    ordered = _in_month_order(rows)
    assert ordered["period"].tolist() == ["2025-01", "2025-01", "2025-02", "2025-03"]
    assert ordered["tag"].tolist() == ["a1", "a2", "b", "c"]  # equal months keep their order
    assert ordered.index.tolist() == [0, 1, 2, 3]


def test_months_read_in_order_are_only_renumbered():
    rows = pd.DataFrame({"period": ["2025-01", "2025-02"], "tag": ["a", "b"]}, index=[4, 8])
    assert _in_month_order(rows).to_dict("list") == {"period": ["2025-01", "2025-02"], "tag": ["a", "b"]}
    assert _in_month_order(rows).index.tolist() == [0, 1]
