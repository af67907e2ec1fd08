"""The one Definitions loads, and every warehouse-writing asset is where the layering says."""
import dagster as dg

from zc_pipeline.definitions import build_definitions
from zc_pipeline.settings import load_settings


def test_full_definitions_load(tmp_path):
    defs = build_definitions(load_settings(state_dir=tmp_path, as_of="2026-07-15"))
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    expected_groups = {
        "dim_league_city": "reference", "dim_park": "reference", "ref_standard": "reference",
        "landing_file": "intake", "submission": "intake", "submitted_value": "intake", "validation_issue": "intake",
        "park_month": "monthly", "rebound_alert": "monthly",
        "park_quarter_assessment": "assessment", "city_quarter_summary": "assessment",
        "park_half_assessment": "assessment", "region_half_summary": "assessment",
        "spot_check_sample": "assessment", "spot_check_result": "assessment",
        "funding_allocation": "funding",
    }
    assert set(expected_groups) <= keys
    for key, group in expected_groups.items():
        node = graph.get(dg.AssetKey(key))
        assert node.group_name == group, key
        assert node.description, key


def test_year_end_half_reads_january_to_december_through_the_mapping(tmp_path):
    defs = build_definitions(load_settings(state_dir=tmp_path, as_of="2026-07-15"))
    graph = defs.resolve_asset_graph()
    half = dg.AssetKey("park_half_assessment")
    node = graph.get(half)
    mapping = graph.get_partition_mapping(half, dg.AssetKey("park_month"))
    up = mapping.get_upstream_mapped_partitions_result_for_partitions(
        node.partitions_def.subset_with_partition_keys(["2025-07"]), node.partitions_def,
        graph.get(dg.AssetKey("park_month")).partitions_def,
    ).partitions_subset.get_partition_keys()
    # 2025-H2 scores Jan–Dec 2025; the mapping also reaches back to 2024-07 for January rebounds,
    # but the partitions start in 2025-01, so Jan–Dec 2025 is exactly what it reads.
    assert list(up) == [f"2025-{m:02d}" for m in range(1, 13)]


def test_local_runs_execute_in_process_and_the_deployment_chooses(tmp_path, monkeypatch):
    """UI, schedule and sensor runs of the local location run steps in process (like `zc run`);
    the production location passes the executor it is configured with."""
    import importlib.util
    from pathlib import Path

    defs = build_definitions(load_settings(state_dir=tmp_path, as_of="2026-07-15"))
    for job in ("month_job", "quarter_job", "half_job", "year_job"):
        assert defs.resolve_job_def(job).executor_def.name == "in_process", job
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"

    monkeypatch.setenv("ZC_STATE_DIR", str(tmp_path))
    spec = importlib.util.spec_from_file_location(
        "zc_deploy_definitions_exec", Path(__file__).resolve().parents[1] / "deploy" / "definitions.py")
    deployment = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(deployment)
    assert deployment.build_deployment_definitions("multiprocess").resolve_job_def("month_job").executor_def.name == "multiprocess"
    assert deployment.build_deployment_definitions("in_process").resolve_job_def("month_job").executor_def.name == "in_process"


def test_every_asset_carries_the_code_version_and_no_rulebook_hash():
    """The rulebooks reach staleness as data (defs/lineage.py), so one rulebook never stands for all."""
    from zc_pipeline.definitions import CODE_VERSION

    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    versions = {graph.get(k).code_version for k in graph.get_all_asset_keys()
                if graph.get(k).is_materializable}
    assert versions == {CODE_VERSION}
