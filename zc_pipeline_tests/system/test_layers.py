"""The package's layers, read from its import statements (module level and inside functions)."""
from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "zc_pipeline"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (`from zc_pipeline.x import y` counts y when it is a module)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}

    def known(name: str) -> str:
        while name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("zc_pipeline"):
                targets = [known(f"{node.module}.{a.name}") for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [known(a.name) for a in node.names if a.name.startswith("zc_pipeline")]
            else:
                continue
            graph[name] |= {t for t in targets if t != name}
    return graph


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_no_import_circle(graph):
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        pytest.fail(f"import circle: {' -> '.join(exc.args[1])}")


def test_storage_knows_no_rules(graph):
    """warehouse/ (tables, engine, writer, reads) imports nothing of the domain, the stages or Dagster wiring."""
    crossed = sorted((a, b) for a, targets in graph.items() for b in targets
                     if a.startswith("zc_pipeline.warehouse") and
                     b.startswith(("zc_pipeline.domain", "zc_pipeline.stages", "zc_pipeline.defs", "zc_pipeline.intake")))
    assert crossed == []


def test_intake_reads_and_judges_files_and_writes_nothing(graph):
    """intake/ (readers, rules, receipts) imports no storage, stage or Dagster wiring: the stages that
    record a month or a programme file (stages/) call it and write."""
    crossed = sorted((a, b) for a, targets in graph.items() for b in targets
                     if a.startswith("zc_pipeline.intake") and
                     b.startswith(("zc_pipeline.warehouse", "zc_pipeline.stages", "zc_pipeline.defs")))
    assert crossed == []


def test_assets_wire_stages_and_never_call_the_rules_themselves(graph):
    """defs/ (assets, checks, jobs, schedules, sensors) reaches the domain only through a stage."""
    crossed = sorted((a, b) for a, targets in graph.items() for b in targets
                     if a.startswith("zc_pipeline.defs") and b.startswith("zc_pipeline.domain"))
    assert crossed == []
