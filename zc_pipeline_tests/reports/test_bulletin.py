"""The bulletin's spot checks per league-city: every park drawn is counted, whatever its result."""
from types import SimpleNamespace

import numpy as np
import pandas as pd

from zc_pipeline.reports.bulletin import spot_checks_by_city


def _half(checks: list[tuple[str, object]]) -> SimpleNamespace:
    """The two things the summary reads: the grade table's cities and the parks drawn (city, result)."""
    return SimpleNamespace(
        grades_by_city=pd.DataFrame({"name_zh": ["呼和浩特市", "包头市", "乌海市"]}),
        spot_checks=pd.DataFrame(checks, columns=["city_zh", "spot_check"]),
    )


def test_each_city_counts_its_parks_drawn_and_their_results():
    summary = spot_checks_by_city(_half([
        ("包头市", "pass"), ("包头市", "fail"), ("包头市", "pending"),
        ("呼和浩特市", "pass"),
        ("包头市", np.nan),  # drawn, no result of this half: drawn only
        ("阿拉善盟", "fail"),  # a city the grade table does not list: after its cities
    ]))
    assert summary.index.tolist() == ["呼和浩特市", "包头市", "阿拉善盟"]  # 乌海市 had none drawn
    assert summary.to_dict("index") == {
        "呼和浩特市": {"drawn": 1, "passed": 1, "failed": 0, "pending": 0},
        "包头市": {"drawn": 4, "passed": 1, "failed": 1, "pending": 1},
        "阿拉善盟": {"drawn": 1, "passed": 0, "failed": 1, "pending": 0},
    }
    assert summary["drawn"].sum() == 6  # every park drawn, as the section's head counts them


def test_a_half_without_a_draw_has_no_rows():
    assert spot_checks_by_city(_half([])).empty
