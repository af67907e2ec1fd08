"""The rulebooks as versioned sources: a new or changed rulebook marks stale exactly the months it
governs and the windows over them."""
import dagster as dg
from dagster._utils.test.data_versions import get_stale_status_resolver

from zc_pipeline.defs.common import RULEBOOK
from zc_pipeline.defs.lineage import record_rulebooks, rulebook_sources
from zc_pipeline.partitions import month_partitions, quarter_partitions
from zc_pipeline.standards import load_rulebooks
from zc_pipeline_tests.support.rulebooks import region_rulebook

MONTHS = ["2026-05", "2026-06", "2026-07", "2026-08"]


def _assets(data_dir):
    """Like the pipeline: a month asset and a quarter asset, each reading the rulebook in force."""

    @dg.asset(partitions_def=month_partitions, deps=[RULEBOOK])
    def park_month():
        return None

    @dg.asset(partitions_def=quarter_partitions, deps=[RULEBOOK, park_month])
    def park_quarter_assessment():
        return None

    return [*rulebook_sources(lambda: load_rulebooks(data_dir)), park_month, park_quarter_assessment]


def _statuses(instance, assets):
    resolver = get_stale_status_resolver(instance, assets)
    month, quarter = dg.AssetKey("park_month"), dg.AssetKey("park_quarter_assessment")
    return ({m: resolver.get_status(month, m).name for m in MONTHS},
            {q: resolver.get_status(quarter, q).name for q in ("2026-04", "2026-07")})


def test_a_rulebook_from_july_marks_july_on_and_the_third_quarter_stale_and_removing_it_reverts(tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    assets = _assets(tmp_path)
    record_rulebooks(instance, load_rulebooks(tmp_path), MONTHS)
    for m in MONTHS:
        assert dg.materialize(assets[2:3], instance=instance, partition_key=m).success
    for q in ("2026-04", "2026-07"):
        assert dg.materialize(assets[3:], instance=instance, partition_key=q, selection=[assets[3]]).success
    fresh = ({m: "FRESH" for m in MONTHS}, {"2026-04": "FRESH", "2026-07": "FRESH"})
    assert _statuses(instance, assets) == fresh

    rulebook = region_rulebook(tmp_path, "IM-R-2026.2", "2026-07-01", co2__grid_electricity=0.6479)
    reported = record_rulebooks(instance, load_rulebooks(tmp_path), MONTHS)  # what `zc run` does first
    assert sorted(reported) == ["2026-07", "2026-08"]  # only the months whose rulebook changed
    months, quarters = _statuses(instance, assets)
    assert months == {"2026-05": "FRESH", "2026-06": "FRESH", "2026-07": "STALE", "2026-08": "STALE"}
    assert quarters == {"2026-04": "FRESH", "2026-07": "STALE"}
    resolver = get_stale_status_resolver(instance, assets)
    assert any(c.category.name == "DATA" and c.dependency and c.dependency.asset_key == dg.AssetKey("rulebook_in_force")
               for c in resolver.get_stale_causes(dg.AssetKey("park_month"), "2026-07"))

    rulebook.unlink()
    record_rulebooks(instance, load_rulebooks(tmp_path), MONTHS)
    assert _statuses(instance, assets) == fresh  # the months are back on the rulebook they were computed under


def test_the_pipeline_wires_the_rulebook_in_force_into_lineage():
    from zc_pipeline.definitions import CODE_VERSION, defs

    graph = defs.resolve_asset_graph()
    assert dg.AssetKey("standard_files") in graph.get(dg.AssetKey("ref_standard")).parent_keys
    for key in ("submission", "park_month", "month_over_month_warning", "missing_report", "rebound_alert",
                "park_quarter_assessment", "park_half_assessment", "spot_check_sample", "spot_check_result",
                "funding_allocation", "city_quarter_workbook", "region_bulletin", "park_report_card",
                "rectification_notice"):
        assert dg.AssetKey("rulebook_in_force") in graph.get(dg.AssetKey(key)).parent_keys, key
    for key in ("ref_standard", "park_month", "park_quarter_assessment", "grade_explanation"):
        assert graph.get(dg.AssetKey(key)).code_version == CODE_VERSION, key
    # code references link assets to their source
    assert "dagster/code_references" in graph.get(dg.AssetKey("park_month")).metadata


def test_observing_the_sources_as_the_ui_does_records_each_months_rulebook(tmp_path):
    from dagster._core.definitions.data_version import extract_data_version_from_entry
    from dagster._core.definitions.observe import observe

    region_rulebook(tmp_path, "IM-R-2026.2", "2026-07-01", co2__grid_electricity=0.6479)
    books = load_rulebooks(tmp_path)
    files, in_force = rulebook_sources(lambda: books)
    instance = dg.DagsterInstance.ephemeral()
    assert observe([files], instance=instance).success and observe([in_force], instance=instance).success

    def version(month):
        record = instance.get_latest_data_version_record(in_force.key, is_source=True, partition_key=month)
        return extract_data_version_from_entry(record.event_log_entry).value

    assert version("2026-06") == books.get("IM-ZCP-2026.1").sha256[:16]
    assert version("2026-07") == books.get("IM-R-2026.2").sha256[:16]
