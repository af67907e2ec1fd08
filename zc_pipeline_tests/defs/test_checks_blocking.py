"""A failing blocking check stops the downstream assets of the same run."""
import dagster as dg

from zc_pipeline.defs.checks import build_checks
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.partitions import month_partitions
from zc_pipeline.warehouse.engine import create_all, make_engine
from zc_pipeline.warehouse.writer import replace_partition
from zc_pipeline_tests.support.frames import park_month


def test_a_failing_schema_check_stops_downstream_assets(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    create_all(make_engine(url))
    zc = ZcResource(data_dir=str(tmp_path), warehouse_url=url, state_dir=str(tmp_path / "state"), as_of="2026-03-05")
    ran = []

    @dg.asset(name="park_month", partitions_def=month_partitions)
    def broken_park_month(context, zc: ZcResource):
        # bypass the pre-write validation to simulate rows that broke the contract anyway
        rows = park_month().assign(green_share=[0.3, 4.0, 0.3])
        replace_partition(zc.engine(), "park_month", rows, {"period": "2026-03"}, validate=False)

    @dg.asset(partitions_def=month_partitions, deps=["park_month"])
    def downstream(context):
        ran.append(context.partition_key)

    checks = build_checks("park_month_checks", ("park_month",), "month")
    result = dg.materialize([broken_park_month, downstream, checks], partition_key="2026-03",
                            resources={"zc": zc}, raise_on_error=False, instance=dg.DagsterInstance.ephemeral())
    assert not result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["schema"].passed is False
    assert "green_share" in evaluations["schema"].metadata["failure_cases"].md_str  # the row and value that broke it
    assert ran == []  # the downstream asset never ran
    assert "downstream" not in {e.step_key for e in result.all_events if e.is_step_success}
