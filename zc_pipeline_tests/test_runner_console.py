"""What `zc run` shows: one line per run, no Dagster beta warnings, progress only on a terminal, and a
failed run told in one line (no traceback) as a UserError naming the run, the step and the error."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import dagster as dg
import pytest

from zc_pipeline.errors import UserError
from zc_pipeline.runner import CONSOLE_QUIET, REPO_DAGSTER_YAML, ensure_dagster_home, prepare_ui, run_failure, run_pipeline
from zc_pipeline.settings import load_settings
from zc_pipeline_tests.conftest import SAMPLE_DIR

DAGSTER_NOTICES = (dg.BetaWarning, dg.PreviewWarning)


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _region(root: Path, months=("2026-02",)) -> Path:
    """The sample registry and some of its landing months (February has a rejected file)."""
    data = root / "data"
    shutil.copytree(SAMPLE_DIR / "registry", data / "registry")
    (data / "landing").mkdir()
    for month in months:
        shutil.copytree(SAMPLE_DIR / "landing" / month, data / "landing" / month)
    return data


def _settings(tmp_path: Path, data: Path, as_of="2026-04-15"):
    os.environ["DAGSTER_HOME"] = str(tmp_path / "state" / "dagster_home")
    return load_settings(data_dir=data, as_of=as_of, state_dir=tmp_path / "state",
                         warehouse_url=f"sqlite:///{tmp_path / 'state' / 'warehouse.sqlite'}")


@pytest.fixture
def dagster_home_restored():
    old = os.environ.get("DAGSTER_HOME")
    yield
    if old is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = old


@pytest.fixture(scope="module")
def terminal_run(tmp_path_factory):
    """February 2026 run in process on a terminal, with every warning recorded."""
    tmp = tmp_path_factory.mktemp("terminal_run")
    old = os.environ.get("DAGSTER_HOME")
    settings = _settings(tmp, _region(tmp))
    lines: list[str] = []
    terminal = Terminal()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run_pipeline(settings, first="2026-02", last="2026-02", echo=lines.append, terminal=terminal)
    finally:
        if old is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = old
    return lines, terminal.getvalue(), caught


def test_a_run_raises_no_dagster_beta_or_preview_warning(terminal_run):
    _, _, caught = terminal_run
    notices = [f"{w.category.__name__}: {w.message}" for w in caught if issubclass(w.category, DAGSTER_NOTICES)]
    assert notices == []


def test_importing_the_definitions_prints_no_beta_or_preview_warning():
    # a fresh interpreter: module-level definitions warn at import, once per process
    out = subprocess.run([sys.executable, "-W", "always", "-c", "import zc_pipeline.definitions"],
                         capture_output=True, text=True, check=True, timeout=300)
    assert "BetaWarning" not in out.stderr and "PreviewWarning" not in out.stderr, out.stderr


def test_source_code_links_are_still_attached():
    from zc_pipeline.definitions import build_definitions

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        defs = build_definitions()
    assert not [w for w in caught if issubclass(w.category, DAGSTER_NOTICES)]
    spec = next(s for s in defs.resolve_all_asset_specs() if s.key == dg.AssetKey("park_month"))
    assert "dagster/code_references" in spec.metadata


def test_one_line_per_run_and_the_runs_warnings_under_it(terminal_run):
    lines, _, _ = terminal_run
    runs = [line for line in lines if line.startswith("  ") and not line.startswith("    ")]
    # rebound_alert is refreshed by the month's own run (month_job), not by a run of its own
    assert [r.split()[0:2] for r in runs] == [["reference", "ok"], ["month", "2026-02"], ["quarter", "2026-Q1"],
                                              ["grade", "explanations"]]
    month = lines.index(next(r for r in runs if r.startswith("  month 2026-02")))
    assert lines[month].endswith("1 warning")
    assert lines[month + 1].startswith("    intake: rejected landing/2026-02/150800-P003_2026-02.xlsx: [F003]")


def test_on_a_terminal_the_files_parsed_and_the_windows_assessed_show_on_one_line(terminal_run):
    lines, drawn, _ = terminal_run
    # the sample's February: 32 files, all new; one window (2026-Q1) complete by 15 April
    assert "2026-02 intake: 0/32 files" in drawn and "2026-02 intake: 32/32 files" in drawn
    assert "assessment: 0/1 windows" in drawn
    assert "\n" not in drawn  # one updating line (carriage returns), erased at the end
    assert not any("\r" in line or "files" in line for line in lines)  # the run's lines are plain


def test_not_on_a_terminal_there_is_no_progress_line():
    from zc_pipeline.defs import progress

    plain = io.StringIO()
    with progress.to_terminal(plain) as on_terminal, progress.counter("2026-03 intake", "files") as parsed:
        parsed(0, 3000)
        parsed(1200, 3000)
    assert not on_terminal and plain.getvalue() == ""


def test_the_progress_line_counts_and_is_erased_at_the_end():
    from zc_pipeline.defs import progress

    terminal = Terminal()
    with progress.to_terminal(terminal) as on_terminal:
        with progress.counter("2026-03 intake", "files") as parsed:
            parsed(0, 3000)
            parsed(1200, 3000)
            assert terminal.getvalue().rsplit("\r", 1)[-1].startswith("2026-03 intake: 1200/3000 files")
            with progress.paused():
                assert terminal.getvalue().rsplit("\r", 2)[-2].strip() == ""  # cleared for an ordinary line
        assert terminal.getvalue().rsplit("\r", 2)[-2].strip() == ""  # erased
    assert on_terminal


def test_a_run_failing_on_a_project_error_raises_one_user_error_and_prints_no_traceback(tmp_path, capfd,
                                                                                        dagster_home_restored):
    data = _region(tmp_path, months=())
    parks = data / "registry" / "parks.csv"
    rows = parks.read_text(encoding="utf-8-sig").splitlines()
    fields = rows[2].split(",")
    fields[8] = "20x5"  # baseline_year of the second park
    parks.write_text("\n".join([*rows[:2], ",".join(fields), *rows[3:]]) + "\n", encoding="utf-8")
    lines: list[str] = []
    with pytest.raises(UserError) as failure:
        run_pipeline(_settings(tmp_path, data), echo=lines.append, terminal=io.StringIO())
    message = str(failure.value).splitlines()
    assert message[0].startswith("run for reference failed at step registry_tables: registry rejected: 1 problem(s)")
    assert "(Dagster run " in message[0] and "`zc ui`" in message[0]
    assert message[1:] == [
        "  parks.csv:3 [REG010] baseline_year: baseline_year is not a valid number or date: 20x5 / "
        "baseline_year 不是有效的数值或日期：20x5"
    ]
    out, err = capfd.readouterr()
    shown = "\n".join([*lines, out, err])
    assert "Traceback" not in shown and "Stack Trace" not in shown and 'File "' not in shown
    assert lines[-1].startswith("  reference              FAILED run ")


def _failed(asset) -> dg.ExecuteInProcessResult:
    return dg.materialize([asset], raise_on_error=False, instance=dg.DagsterInstance.ephemeral(),
                          run_config=CONSOLE_QUIET)


def test_a_project_error_is_told_in_its_own_words():
    @dg.asset
    def park_month():
        raise UserError("park 150100-P009 is not in the registry / 园区代码不在登记表中")

    result = _failed(park_month)
    message = str(run_failure(result, "run for month 2026-03"))
    assert message.startswith("run for month 2026-03 failed at step park_month: park 150100-P009 is not in the "
                              "registry / 园区代码不在登记表中 (Dagster run " + result.run_id)
    assert "\n" not in message


def test_a_failure_raised_over_a_project_error_tells_the_project_error():
    @dg.asset
    def dim_park():
        try:
            raise UserError("registry rejected: 2 problem(s)\n  parks.csv:3 [REG010] a\n  parks.csv:4 [REG011] b")
        except UserError as exc:
            raise dg.Failure(description="registry rejected / 园区登记表有误") from exc

    message = str(run_failure(_failed(dim_park), "run for reference")).splitlines()
    assert message[0].startswith("run for reference failed at step dim_park: registry rejected: 2 problem(s) (")
    assert message[1:] == ["  parks.csv:3 [REG010] a", "  parks.csv:4 [REG011] b"]


def test_an_unexpected_error_is_named_by_its_class():
    @dg.asset
    def submission():
        return {}["submission_id"]

    message = str(run_failure(_failed(submission), "run for month 2026-03"))
    assert message.startswith("run for month 2026-03 failed at step submission: unexpected KeyError: 'submission_id' (")


def test_the_default_dagster_home_holds_the_repositorys_instance_file(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    settings = load_settings(data_dir=SAMPLE_DIR, state_dir=tmp_path / "state", as_of="2026-04-15")
    home = ensure_dagster_home(settings)
    assert home == (tmp_path / "state" / "dagster_home").resolve()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")  # an old copy
    monkeypatch.delenv("DAGSTER_HOME")  # the next `zc` command
    ensure_dagster_home(settings)
    assert (home / "dagster.yaml").read_bytes() == REPO_DAGSTER_YAML.read_bytes()


def test_a_named_dagster_home_keeps_its_own_instance_file(tmp_path, monkeypatch):
    home = tmp_path / "deployment_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # e.g. deploy/dagster.postgres.yaml
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    ensure_dagster_home(load_settings(data_dir=SAMPLE_DIR, state_dir=tmp_path / "state", as_of="2026-04-15"))
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"


def test_the_ui_starts_in_dagster_home_with_absolute_settings(tmp_path, monkeypatch):
    for name in ("DAGSTER_HOME", "ZC_DATA_DIR", "ZC_STATE_DIR", "ZC_WAREHOUSE_URL", "PYTHONWARNINGS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO_DAGSTER_YAML, tmp_path / "dagster.yaml")  # as in the repository's root
    settings = load_settings(data_dir="data", state_dir="state", warehouse_url="sqlite:///wh.sqlite", as_of="2026-04-15")
    home = prepare_ui(settings)
    # `dagster dev` warns that a dagster.yaml "will not be used" when started in any folder but DAGSTER_HOME
    assert home == Path(os.environ["DAGSTER_HOME"]) == (tmp_path / "state" / "dagster_home").resolve()
    assert (home / "dagster.yaml").read_bytes() == REPO_DAGSTER_YAML.read_bytes()
    monkeypatch.chdir(home)
    moved = load_settings()  # what the code location reads from there
    assert moved.data_dir == (tmp_path / "data").resolve()
    assert moved.state_dir == (tmp_path / "state").resolve()
    assert moved.warehouse_url == f"sqlite:///{(tmp_path / 'wh.sqlite').resolve()}"
