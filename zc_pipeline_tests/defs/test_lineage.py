"""The rulebook files as a versioned source: a changed file marks its dependants stale."""
import dagster as dg
from dagster._core.definitions.data_version import StaleStatus
from dagster._utils.test.data_versions import get_stale_status_resolver

from zc_pipeline.defs.lineage import record_standard_files, standard_files_source, standards_digest
from zc_pipeline.standards import load_standard


def _assets(folder):
    """Like the pipeline: ref_standard reads the source; assessments carry the rulebook hash as code_version."""
    code_version = standards_digest(folder)[1]["IM-TEST-1.yaml"][:16]

    @dg.asset(deps=["standard_files"], code_version=code_version)
    def ref_standard():
        return None

    @dg.asset(deps=[ref_standard], code_version=code_version)
    def park_quarter_assessment():
        return None

    return [standard_files_source(folder, key=dg.AssetKey("standard_files")), ref_standard, park_quarter_assessment]


def test_a_standard_file_change_marks_dependants_stale(tmp_path):
    rulebook = tmp_path / "IM-TEST-1.yaml"
    rulebook.write_text("version: IM-TEST-1\nentries: [{key: weight.carbon, value: 40}]\n")
    instance = dg.DagsterInstance.ephemeral()
    source, ref, assessment = _assets(tmp_path)
    record_standard_files(instance, tmp_path)
    assert dg.materialize([ref, assessment], instance=instance).success
    resolver = get_stale_status_resolver(instance, [source, ref, assessment])
    assert resolver.get_status(ref.key) == StaleStatus.FRESH
    assert resolver.get_status(assessment.key) == StaleStatus.FRESH

    rulebook.write_text("version: IM-TEST-1\nentries: [{key: weight.carbon, value: 45}]\n")
    record_standard_files(instance, tmp_path)  # what `zc run` does first
    source, ref, assessment = _assets(tmp_path)  # the code location reloaded with the new file
    resolver = get_stale_status_resolver(instance, [source, ref, assessment])
    assert resolver.get_status(ref.key) == StaleStatus.STALE
    assert any(c.category.name == "DATA" and c.dependency and c.dependency.asset_key == source.key
               for c in resolver.get_stale_causes(ref.key))
    assert resolver.get_status(assessment.key) == StaleStatus.STALE
    assert any(c.category.name == "CODE" for c in resolver.get_stale_causes(assessment.key))


def test_the_pipeline_wires_the_rulebook_hash_into_lineage():
    from zc_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    assert dg.AssetKey("standard_files") in graph.get(dg.AssetKey("ref_standard")).parent_keys
    std = load_standard()
    for key in ("ref_standard", "park_month", "park_quarter_assessment", "park_half_assessment", "grade_explanation"):
        assert graph.get(dg.AssetKey(key)).code_version == std.sha256[:16], key
    digest, files = standards_digest()
    assert files[f"{std.version}.yaml"] == std.sha256
    # code references link assets to their source
    meta = graph.get(dg.AssetKey("park_month")).metadata
    assert "dagster/code_references" in meta
