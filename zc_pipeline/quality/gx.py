"""Run expectation suites with Great Expectations 1.x and keep the Data Docs site up to date.

GX is imported inside the functions (its import costs seconds). The GX project lives in
`<state_dir>/gx/` (suites and every validation result, so the site keeps the history); the static
Data Docs site is `<state_dir>/data_docs/index.html`, rendered by `flush_docs` (after each check
step, or once at the end of `zc run`).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from zc_pipeline.quality.expectations import Expectation

SITE_NAME = "zc_data_docs"
DATASOURCE = "zc_warehouse"


@dataclass
class _Project:
    """This process's hold on a state dir's GX project: its context (created on first use), the
    validation definitions fetched or registered through it, and the validation results whose
    Data Docs pages are not built yet."""

    state_dir: str
    context: object = None
    definitions: dict[str, tuple] = field(default_factory=dict)  # suite -> (signature, definition)
    pending: list = field(default_factory=list)

    def forget(self) -> None:
        self.context = None
        self.definitions.clear()


@functools.cache
def _project(state_dir: str) -> _Project:
    return _Project(state_dir)


def _project_of(state_dir: str | Path) -> _Project:
    return _project(str(Path(state_dir).resolve()))


@dataclass
class Batch:
    suite: str  # also the GX data asset name, e.g. park_month
    frame: pd.DataFrame
    expectations: list[Expectation]
    run_name: str  # what the Data Docs list shows, e.g. "2026-03 run 1a2b3c4d"


@dataclass
class CheckVerdict:
    passed: bool
    failures: list[dict] = field(default_factory=list)  # one per failed expectation


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    checks: dict[str, CheckVerdict]
    page: Path | None = None  # this validation's Data Docs page
    evaluated: int = 0


def docs_dir(state_dir: str | Path) -> Path:
    return Path(state_dir) / "data_docs"


def docs_index(state_dir: str | Path) -> Path:
    return docs_dir(state_dir) / "index.html"


def _context(state_dir: str | Path):
    """The file-backed GX context of this state dir (created on first use, then held by its project)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    project = _project_of(state_dir)
    if project.context is not None:
        return project.context
    import great_expectations as gx

    key = project.state_dir
    root = _project_root(key)
    root.mkdir(parents=True, exist_ok=True)
    # Creating a context reads great_expectations.yml and the lines below write it: a process that
    # reads it while another writes it fails on a half-written file, so one process at a time.
    with _project_lock(key):
        ctx = gx.get_context(mode="file", project_root_dir=str(root))
        ctx.variables.progress_bars = {"globally": False}
        ctx.variables.save()
        if SITE_NAME not in ctx.get_site_names():
            ctx.add_data_docs_site(
                site_name=SITE_NAME,
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                      "base_directory": str(docs_dir(key))},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
    project.context = ctx
    return ctx


def _project_root(state_dir: str | Path) -> Path:
    """The folder the GX project is created in (GX keeps its files in a `gx/` below it)."""
    return Path(state_dir).resolve() / "gx"


@contextmanager
def _project_lock(state_dir: str | Path) -> Iterator[None]:
    """An exclusive lock on the state dir's GX project, across processes (advisory, POSIX `flock`)."""
    import fcntl

    with open(_project_root(state_dir) / ".zc-project.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _gx_expectation(e: Expectation):
    import great_expectations.expectations as gxe

    return getattr(gxe, e.type)(**e.kwargs, meta={"check": e.check})


SIGNATURE_KEY = "zc_signature"  # in each suite's meta: what it was registered with
RACE_ATTEMPTS = 3


def _signature(expectations: list[Expectation]) -> str:
    text = repr([(e.check, e.type, sorted(e.kwargs.items())) for e in expectations])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _validation_definition(state_dir: str | Path, suite_name: str, expectations: list[Expectation]):
    """The suite's validation definition: cached in this process, else the stored one when it was
    registered with the same expectations, else registered anew.

    Registering rewrites GX's JSON/YAML stores and gives every expectation a new id, which makes
    the definitions other processes hold stale; so a suite is written only when it changed.
    """
    ctx = _context(state_dir)
    signature = _signature(expectations)
    held = _project_of(state_dir).definitions
    cached = held.get(suite_name)
    if cached is not None and cached[0] == signature:
        return cached[1]
    vd = _stored(ctx, suite_name, signature)
    if vd is None:
        with _project_lock(state_dir):  # registering writes the stores other processes read
            vd = _register(ctx, suite_name, expectations, signature)
    held[suite_name] = (signature, vd)
    return vd


def _stored(ctx, suite_name: str, signature: str):
    from great_expectations.exceptions import DataContextError

    try:
        vd = ctx.validation_definitions.get(suite_name)
    except (DataContextError, KeyError, ValueError):  # not stored yet (GX raises each, by store)
        return None
    return vd if (vd.suite.meta or {}).get(SIGNATURE_KEY) == signature else None


def _register(ctx, suite_name: str, expectations: list[Expectation], signature: str):
    import great_expectations as gx

    try:
        source = ctx.data_sources.get(DATASOURCE)
    except KeyError:
        source = ctx.data_sources.add_or_update_pandas(DATASOURCE)
    try:
        asset = source.get_asset(suite_name)
    except LookupError:
        asset = source.add_dataframe_asset(suite_name)
    batch_def = asset.batch_definitions[0] if asset.batch_definitions else \
        asset.add_batch_definition_whole_dataframe("whole_frame")
    suite = ctx.suites.add_or_update(gx.ExpectationSuite(
        name=suite_name, expectations=[_gx_expectation(e) for e in expectations],
        meta={SIGNATURE_KEY: signature},
    ))
    return ctx.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch_def, suite=suite)
    )


def _forget(state_dir: str | Path) -> None:
    """Drop this process's context and definitions: the next use re-reads the stores from disk."""
    _project_of(state_dir).forget()


def _run(state_dir: str | Path, batch: Batch, run_id):
    """Validate one batch; when another process re-registered the suite meanwhile (GX reports the
    held definition as not fresh), read the stores again and retry."""
    from great_expectations.exceptions.resource_freshness import ResourceFreshnessAggregateError

    for attempt in range(RACE_ATTEMPTS):
        vd = _validation_definition(state_dir, batch.suite, batch.expectations)
        try:
            return vd.run(batch_parameters={"dataframe": batch.frame}, run_id=run_id, result_format="SUMMARY")
        except ResourceFreshnessAggregateError:
            if attempt == RACE_ATTEMPTS - 1:
                raise
            _forget(state_dir)


def _failure(result) -> dict:
    cfg = result.expectation_config
    info = result.result or {}
    out = {"expectation": cfg.type, **{k: v for k, v in cfg.kwargs.items() if k not in ("value_set", "batch_id")}}
    if result.exception_info and result.exception_info.get("raised_exception"):
        out["exception"] = str(result.exception_info.get("exception_message"))[:300]
    for k in ("unexpected_count", "unexpected_percent", "observed_value"):
        if k in info and info[k] is not None:
            out[k] = info[k] if not isinstance(info[k], float) else round(info[k], 6)
    partial = info.get("partial_unexpected_list")
    if partial:
        out["examples"] = [str(v) for v in partial[:5]]
    return out


def validate(state_dir: str | Path, batches: list[Batch], build_docs: bool = True) -> dict[str, SuiteOutcome]:
    """Validate each batch against its suite, store the results, rebuild the Data Docs; outcomes by suite."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    outcomes: dict[str, SuiteOutcome] = {}
    ids = []
    for batch in batches:
        if not batch.expectations:
            continue
        run_id = RunIdentifier(run_name=batch.run_name, run_time=dt.datetime.now(dt.timezone.utc))
        result = _run(state_dir, batch, run_id)
        checks: dict[str, CheckVerdict] = {}
        for r in result.results:
            name = (r.expectation_config.meta or {}).get("check", "expectations")
            verdict = checks.setdefault(name, CheckVerdict(True))
            if not r.success:
                verdict.passed = False
                verdict.failures.append(_failure(r))
        identifier = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=batch.suite),
            run_id=run_id,
            batch_identifier=f"{DATASOURCE}-{batch.suite}",
        )
        ids.append(identifier)
        page = docs_dir(state_dir).joinpath("validations", *identifier.to_tuple()[:-1],
                                            f"{identifier.to_tuple()[-1]}.html")
        outcomes[batch.suite] = SuiteOutcome(batch.suite, bool(result.success), checks, page, len(result.results))
    _project_of(state_dir).pending.extend(ids)
    if build_docs:
        flush_docs(state_dir)
    return outcomes


def flush_docs(state_dir: str | Path) -> None:
    """Render the pages of the validations run since the last flush and rebuild the site's index."""
    project = _project_of(state_dir)
    ids, project.pending = project.pending, []
    if ids:
        _context(state_dir).build_data_docs(site_names=[SITE_NAME], resource_identifiers=ids)
