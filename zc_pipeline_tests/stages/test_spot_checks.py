"""A half's spot-check sample: drawn once and kept — unless a what-if run (--standard) drew it."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from zc_pipeline.stages.spot_checks import draw_half_sample
from zc_pipeline.warehouse.engine import create_all, make_engine
from zc_pipeline.warehouse.writer import read_table, replace_partition
from zc_pipeline_tests.domain.test_spot_checks import DIM5, H1, PM5, STD

AS_OF = dt.date(2026, 7, 11)  # June's deadline has passed: H1 is due
FORCED = dataclasses.replace(STD, version=f"{STD.version}+forced", forced=True)


def _warehouse(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    create_all(engine)
    return engine


def _forced_sample(engine) -> None:
    replace_partition(engine, "spot_check_sample", pd.DataFrame([{
        "half": H1, "park_code": "150100-P001", "risk_weight": 1.0, "draw_order": 1, "seed": "0" * 16,
        "standard_version": FORCED.version, "run_id": "what-if"}]), {"half": H1})


def test_a_sample_a_forced_run_drew_is_drawn_again_by_the_halfs_own_rulebook(tmp_path):
    engine = _warehouse(tmp_path)
    _forced_sample(engine)
    sample = draw_half_sample(engine, PM5, DIM5, H1, STD, AS_OF, "r")
    assert sample.draw == "drawn now"
    stored = read_table(engine, "spot_check_sample", where={"half": H1})
    assert set(stored["standard_version"]) == {STD.version}
    assert sorted(stored["park_code"]) == sorted(sample.rows["park_code"])
    # k = ceil(0.25 × 5 eligible parks) = 2, with the seed of the half and the rulebook's own version
    assert len(stored) == 2 and set(stored["seed"]) == {"400e5442cdbe6430"}
    assert draw_half_sample(engine, PM5, DIM5, H1, STD, AS_OF, "r2").draw == "kept: drawn earlier"


def test_a_forced_run_keeps_the_sample_a_forced_run_drew(tmp_path):
    engine = _warehouse(tmp_path)
    _forced_sample(engine)
    assert draw_half_sample(engine, PM5, DIM5, H1, FORCED, AS_OF, "r").draw == "kept: drawn earlier"
