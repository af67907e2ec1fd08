"""The report assets: in group `reports`, partitioned like the windows they report, run by the window jobs."""
import dagster as dg

from zc_pipeline.definitions import build_definitions
from zc_pipeline.settings import load_settings

PARTITIONED = {"city_quarter_workbook": "quarter", "region_bulletin": "half", "park_report_card": "half",
               "rectification_notice": None}
JOBS = {"city_quarter_workbook": {"quarter_job"}, "region_bulletin": {"half_job"}, "park_report_card": {"half_job"},
        "rectification_notice": {"month_job", "quarter_job", "half_job"}}


def test_report_assets_are_wired(tmp_path):
    defs = build_definitions(load_settings(state_dir=tmp_path, as_of="2026-07-15"))
    graph = defs.resolve_asset_graph()
    quarter = graph.get(dg.AssetKey("park_quarter_assessment")).partitions_def
    half = graph.get(dg.AssetKey("park_half_assessment")).partitions_def
    for name, kind in PARTITIONED.items():
        node = graph.get(dg.AssetKey(name))
        assert node.group_name == "reports" and node.description, name
        assert node.partitions_def == {"quarter": quarter, "half": half, None: None}[kind], name
        assert node.metadata["dagster/table_name"] == "report_file"
    for job in ("month_job", "quarter_job", "half_job", "year_job"):
        keys = {k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.selected_asset_keys}
        for name, jobs in JOBS.items():
            assert (name in keys) == (job in jobs), (job, name)
    # the workbook's trend reads the 12 months (rulebook report.trend_months) ending with its quarter
    mapping = graph.get_partition_mapping(dg.AssetKey("city_quarter_workbook"), dg.AssetKey("park_month"))
    months = graph.get(dg.AssetKey("park_month")).partitions_def
    up = mapping.get_upstream_mapped_partitions_result_for_partitions(
        quarter.subset_with_partition_keys(["2026-01"]), quarter, months).partitions_subset.get_partition_keys()
    assert list(up) == [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]


def test_the_trend_spans_the_months_the_definitions_are_built_with():
    from zc_pipeline.defs import reports
    from zc_pipeline.partitions import half_partitions, month_partitions, quarter_partitions

    workbook, bulletin = dg.map_asset_specs(reports.trend_span(6),
                                            [reports.city_quarter_workbook, reports.region_bulletin])

    def months_read(asset, window, partitions):
        mapping = asset.get_partition_mapping(dg.AssetKey("park_month"))
        return list(mapping.get_upstream_mapped_partitions_result_for_partitions(
            partitions.subset_with_partition_keys([window]), partitions, month_partitions,
        ).partitions_subset.get_partition_keys())

    # 6 months ending with 2026-Q2 (quarter key 2026-04): 1 - 6 // 3 = one quarter before it
    assert months_read(workbook, "2026-04", quarter_partitions) == [f"2026-{m:02d}" for m in range(1, 7)]
    # 6 months ending with 2026-H2 (half key 2026-07): 1 - 6 // 6 = the half alone
    assert months_read(bulletin, "2026-07", half_partitions) == [f"2026-{m:02d}" for m in range(7, 13)]


def test_the_trend_span_leaves_the_assessments_reading_of_months_alone(tmp_path):
    from zc_pipeline.defs.assessment import HALF_MONTHS, QUARTER_MONTHS

    graph = build_definitions(load_settings(state_dir=tmp_path, as_of="2026-07-15")).resolve_asset_graph()
    months = dg.AssetKey("park_month")
    assert graph.get_partition_mapping(dg.AssetKey("park_quarter_assessment"), months) == QUARTER_MONTHS
    assert graph.get_partition_mapping(dg.AssetKey("park_half_assessment"), months) == HALF_MONTHS
