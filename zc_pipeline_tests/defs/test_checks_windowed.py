"""grade_explanation's checks read the windows its last materialization rewrote, not the whole table."""
import json

import dagster as dg
import pandas as pd

from zc_pipeline.defs.checks import build_checks
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.warehouse.engine import create_all, make_engine
from zc_pipeline.warehouse.writer import replace_partition


def explanations(period: str, line_counts: list[int]) -> pd.DataFrame:
    """A row per park, each with `line_counts[i]` lines; a count of 0 breaks the schema (at least one line)."""
    return pd.DataFrame({
        "park_code": [f"150100-P{i:03d}" for i in range(1, len(line_counts) + 1)], "period": period,
        "line_count": line_counts, "lines": [json.dumps([["score", "score", "80"]] * n) if n else "[[]]" for n in line_counts],
        "run_id": "r", "standard_version": "IM-ZCP-2026.1",
    })


def test_checks_read_the_rewritten_windows_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    create_all(make_engine(url))
    zc = ZcResource(data_dir=str(tmp_path), warehouse_url=url, state_dir=str(tmp_path / "state"), as_of="2026-03-05")
    instance = dg.DagsterInstance.ephemeral()
    writes: list[dict[str, pd.DataFrame]] = [
        {"2025-Q1": explanations("2025-Q1", [4, 0, 2])},  # 3 rows, one with no line
        {"2025-Q2": explanations("2025-Q2", [4, 2])},  # 2 rows; Q1's broken row stays stored
        {},  # nothing stale: nothing rewritten
        # two windows rewritten, read and checked one at a time: 2 + 3 rows, Q4's one bad row
        {"2025-Q3": explanations("2025-Q3", [4, 2]), "2025-Q4": explanations("2025-Q4", [0, 4, 2])},
    ]

    @dg.asset(name="grade_explanation")
    def fake_grade_explanation(context, zc: ZcResource):
        windows = writes.pop(0)
        for period, frame in windows.items():
            replace_partition(zc.engine(), "grade_explanation", frame, {"period": period}, validate=False)
        return dg.MaterializeResult(metadata={"windows_rewritten": dg.MetadataValue.json(sorted(windows))})

    checks = build_checks("grade_explanation_checks", ("grade_explanation",), None)
    seen = []
    for _ in range(4):
        result = dg.materialize([fake_grade_explanation, checks], resources={"zc": zc}, instance=instance,
                                raise_on_error=False)
        seen.append({e.check_name: e for e in result.get_asset_check_evaluations()})

    first, second, third, fourth = (s["schema"] for s in seen)
    assert (first.passed, first.metadata["rows"].value, first.metadata["windows"].value) == (False, 3, "2025-Q1")
    # 5 rows are stored, Q1's bad one among them; the run that rewrote Q2 checks Q2's 2 rows
    assert (second.passed, second.metadata["rows"].value, second.metadata["windows"].value) == (True, 2, "2025-Q2")
    assert (third.passed, third.metadata["rows"].value, third.metadata["windows"].value) == (True, 0, "none rewritten")
    assert (fourth.passed, fourth.metadata["rows"].value, fourth.metadata["failures"].value,
            fourth.metadata["windows"].value) == (False, 5, 1, "2025-Q3, 2025-Q4")
    assert "line_count" in fourth.metadata["failure_cases"].value
    assert set(seen[1]) == {"schema"}  # its key's uniqueness included: grade_explanation has no GX check
