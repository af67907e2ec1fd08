"""The `zc` resource owns its warehouse engine: opened at a run's setup, disposed at its teardown."""
from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from zc_pipeline.defs.io import WarehouseReader
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.warehouse.writer import read_table, replace_partition


def test_a_run_opens_one_engine_and_disposes_it_at_teardown(tmp_path, monkeypatch, warehouse_target):
    opened: list[sa.Engine] = []
    disposed: list[sa.Engine] = []
    open_engine = ZcResource.open_engine

    def spy(self):
        engine = open_engine(self)
        opened.append(engine)
        sa.event.listen(engine, "engine_disposed", lambda e: disposed.append(e))
        return engine

    monkeypatch.setattr(ZcResource, "open_engine", spy)
    zc = ZcResource(data_dir=str(tmp_path), warehouse_url=warehouse_target.url,
                    warehouse_schema=warehouse_target.schema, state_dir=str(tmp_path / "state"))
    seen: list[sa.Engine] = []

    @dg.asset
    def rebound_alert(zc: ZcResource) -> None:  # writes its table itself, like every asset
        seen.append(zc.engine())
        replace_partition(zc.engine(), "rebound_alert", read_table(zc.engine(), "rebound_alert"), {}, validate=False)

    @dg.asset(ins={"rebound_alert": dg.AssetIn(input_manager_key="warehouse_reader")})
    def reader(zc: ZcResource, rebound_alert) -> None:  # reads through the IO manager's nested `zc`
        seen.append(zc.engine())

    for _ in range(2):
        before = len(opened)
        result = dg.materialize([rebound_alert, reader], resources={"zc": zc, "warehouse_reader": WarehouseReader(zc=zc)})
        assert result.success
        this_run = opened[before:]
        # the resource's engine, shared by the run's assets (the IO manager's nested `zc` is set up as its own)
        assert seen[-1] is seen[-2] and seen[-1] in this_run and len(this_run) <= 2
        assert sorted(map(id, disposed)) == sorted(map(id, opened))  # every one let go when its run ended
    assert "rebound_alert" in sa.inspect(opened[0]).get_table_names(schema=warehouse_target.schema)  # tables created at setup


def test_outside_a_run_the_engine_opens_on_first_use(tmp_path, warehouse_target):
    zc = ZcResource(data_dir=str(tmp_path), warehouse_url=warehouse_target.url,
                    warehouse_schema=warehouse_target.schema, state_dir=str(tmp_path / "state"))
    engine = zc.engine()
    assert zc.engine() is engine
    assert read_table(engine, "park_month").empty  # its tables created
    engine.dispose()
