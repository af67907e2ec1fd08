"""The spot-check sample is drawn once and kept; only `zc spot-check redraw` replaces it."""
import datetime as dt
import os

import dagster as dg
import pytest
import sqlalchemy as sa

from zc_pipeline.definitions import build_definitions
from zc_pipeline.runner import redraw_spot_checks
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline.warehouse.writer import read_table
from zc_pipeline_tests.conftest import run_sample_pipeline
from zc_pipeline_tests.defs.test_assessment import AS_OF, MONTHS, build_region


@pytest.fixture
def region_run(tmp_path):
    old = os.environ.get("DAGSTER_HOME")
    data, state = tmp_path / "data", tmp_path / "state"
    build_region(data)
    try:
        yield run_sample_pipeline(state, data_dir=data, as_of=AS_OF, first=MONTHS[0], last=MONTHS[-1])
    finally:
        os.environ.pop("DAGSTER_HOME", None) if old is None else os.environ.__setitem__("DAGSTER_HOME", old)


def test_kept_sample_survives_rematerialization_and_redraw_replaces_it(region_run):
    engine, settings = region_run.engine, region_run.settings
    drawn = read_table(engine, "spot_check_sample", where={"half": "2026-H1"})
    # 4 parks report in 2026-H1: k = ceil(0.25 * 4) = 1
    assert len(drawn) == 1 and drawn["draw_order"].tolist() == [1]
    # seed = first 16 hex digits of sha256("2026-H1|IM-ZCP-2026.1") — the documented, stored seed
    assert drawn["seed"].tolist() == ["400e5442cdbe6430"]

    # tamper with the stored row: a later materialization must keep what is stored, not re-draw
    sample = TABLES["spot_check_sample"]
    with engine.begin() as conn:
        conn.execute(sa.update(sample).where(sample.c.half == "2026-H1").values(risk_weight=99.0))
    defs = build_definitions(settings)
    with dg.DagsterInstance.get() as instance:
        assert dg.materialize(defs.assets, selection=["spot_check_sample"], partition_key="2026-01",
                              instance=instance, resources=defs.resources).success
    kept = read_table(engine, "spot_check_sample", where={"half": "2026-H1"})
    assert kept["risk_weight"].tolist() == [99.0] and kept["park_code"].tolist() == drawn["park_code"].tolist()

    redraw_spot_checks(settings, "2026-H1", echo=lambda *_: None)
    again = read_table(engine, "spot_check_sample", where={"half": "2026-H1"})
    # the draw is reproducible: the same park with its real weight, recorded by a tagged run
    assert again[["park_code", "risk_weight", "draw_order", "seed"]].equals(
        drawn[["park_code", "risk_weight", "draw_order", "seed"]])
    assert set(again["run_id"]) != set(drawn["run_id"])
    with dg.DagsterInstance.get() as instance:
        tagged = instance.get_runs(filters=dg.RunsFilter(tags={"zc/redraw": "2026-H1"}))
    assert len(tagged) == 1
    half = read_table(engine, "park_half_assessment", where={"half": "2026-H1"})
    assert len(half) == 4 and set(half["run_id"]) == set(again["run_id"])


def test_redraw_refuses_a_non_half(tmp_path):
    from zc_pipeline.settings import load_settings

    settings = load_settings(state_dir=tmp_path, as_of=dt.date(2026, 7, 15))
    with pytest.raises(SystemExit, match="not a half: '2026-Q1'"):
        redraw_spot_checks(settings, "2026-Q1", echo=lambda *_: None)
