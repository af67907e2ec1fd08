"""`zc rulebook list` and `zc rulebook check FILE`: the installed rulebooks and their spans, a new file
checked before it is installed; and every command refusing to start on a broken rulebook."""
import hashlib
import os

import pytest

from zc_pipeline.cli import main
from zc_pipeline.standards import standard_path
from zc_pipeline_tests.support.rulebooks import region_rulebook

OLD, NEW = "IM-ZCP-2026.1", "IM-R-2026.2"
PACKAGE_SHA = hashlib.sha256(standard_path(OLD).read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def no_zc_env(monkeypatch, tmp_path):
    """In-process runs: no ZC_* variable from outside, state in the test's folder."""
    for name in [k for k in os.environ if k.startswith("ZC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ZC_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    yield
    os.environ.pop("ZC_DATA_DIR", None)  # `main` sets it for `--data-dir`; the monkeypatch restores any outer one


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_list_gives_each_installed_rulebook_with_its_span_file_and_sha256(tmp_path, capsys):
    region = region_rulebook(tmp_path / "data", NEW, "2026-07-01", co2__grid_electricity=0.6479)
    assert main(["--data-dir", str(tmp_path / "data"), "rulebook", "list"]) == 0
    captured = capsys.readouterr()
    assert [line.split() for line in captured.out.splitlines()] == [
        [OLD, "in", "force", "2025-01-01", "until", "2026-06-30", "zc_pipeline/standards/IM-ZCP-2026.1.yaml",
         "sha256", PACKAGE_SHA],
        [NEW, "in", "force", "2026-07-01", "onwards", "standards/IM-R-2026.2.yaml", "sha256", sha(region)],
    ]
    assert captured.err == ""


def test_the_list_of_a_region_without_rulebooks_is_the_packages_alone(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    assert main(["--data-dir", str(tmp_path / "data"), "rulebook", "list"]) == 0
    assert [line.split() for line in capsys.readouterr().out.splitlines()] == [
        [OLD, "in", "force", "2025-01-01", "onwards", "zc_pipeline/standards/IM-ZCP-2026.1.yaml", "sha256", PACKAGE_SHA],
    ]


def test_checking_a_good_file_says_it_is_usable_and_which_months_it_would_govern(tmp_path, capsys):
    region_rulebook(tmp_path / "data", "IM-R-2027.1", "2027-01-01")
    draft = region_rulebook(tmp_path / "draft", NEW, "2026-07-01", co2__grid_electricity=0.6479)
    assert main(["--data-dir", str(tmp_path / "data"), "rulebook", "check", str(draft)]) == 0
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert len(out) == 2 and captured.err == ""
    assert out[0].startswith(f"{draft}: rulebook IM-R-2026.2, ")
    assert out[0].endswith(f" entries, sha256 {sha(draft)} — usable / 可用")
    assert out[1] == (f"  installed in {(tmp_path / 'data' / 'standards').resolve()} it would govern the months from "
                      "2026-07 to 2026-12, and the quarters, halves and years that hold them; `zc run` recomputes "
                      "those, and only those")


def test_checking_the_latest_file_says_it_governs_every_month_from_its_start(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    draft = region_rulebook(tmp_path / "draft", NEW, "2026-07-01")
    assert main(["--data-dir", str(tmp_path / "data"), "rulebook", "check", str(draft)]) == 0
    assert " it would govern the months from 2026-07, and the quarters" in capsys.readouterr().out


def test_checking_a_broken_file_names_the_file_and_key_of_each_problem(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    draft = region_rulebook(tmp_path / "draft", NEW, "2026-07-15", co2__grid_electricity="high")
    assert main(["--data-dir", str(tmp_path / "data"), "rulebook", "check", str(draft)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "zc rulebook: rulebook IM-R-2026.2.yaml cannot be used / 评价规则文件不可用:",
        "IM-R-2026.2.yaml: key 'effective_from' is 2026-07-15; a rulebook takes effect on a month's first day",
        "IM-R-2026.2.yaml: key 'co2.grid_electricity' must be a number, not 'high'",
    ]
    assert "Traceback" not in captured.err


def test_checking_a_file_in_force_from_an_installed_ones_day_names_both_files(tmp_path, capsys):
    region_rulebook(tmp_path / "data", "IM-R-2027.1", "2027-01-01")
    draft = region_rulebook(tmp_path / "draft", NEW, "2027-01-01")
    assert main(["--data-dir", str(tmp_path / "data"), "rulebook", "check", str(draft)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "zc rulebook: rulebook IM-R-2026.2.yaml cannot be installed / 评价规则文件不可安装:",
        "standards/IM-R-2027.1.yaml and IM-R-2026.2.yaml: key 'effective_from' is 2027-01-01 in both",
    ]


def test_checking_a_file_that_is_not_there_is_an_error(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    missing = tmp_path / "IM-R-2026.2.yaml"
    assert main(["--data-dir", str(tmp_path / "data"), "rulebook", "check", str(missing)]) == 2
    assert capsys.readouterr().err == f"zc rulebook: no rulebook file {missing} / 找不到评价规则文件 {missing}\n"


@pytest.fixture
def broken_region(tmp_path):
    """A data folder whose installed rulebook IM-R-2026.2 has a misspelt key."""
    path = region_rulebook(tmp_path / "data", NEW, "2026-07-01")
    path.write_text(path.read_text(encoding="utf-8").replace("{key: grade.B,", "{key: grade.b,"), encoding="utf-8")
    return tmp_path / "data"


BROKEN = [
    "rulebook IM-R-2026.2.yaml cannot be used / 评价规则文件不可用:",
    "IM-R-2026.2.yaml: key 'grade.B' is missing",
    "IM-R-2026.2.yaml: key 'grade.b' is not a rulebook key (see IM-ZCP-2026.1)",
]


def test_a_broken_installed_rulebook_stops_the_list(broken_region, capsys):
    assert main(["--data-dir", str(broken_region), "rulebook", "list"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"zc rulebook: {BROKEN[0]}", *BROKEN[1:]]


def test_a_broken_installed_rulebook_stops_validate_before_any_file_is_read(broken_region, tmp_path, capsys):
    assert main(["--data-dir", str(broken_region), "validate", str(tmp_path / "no-such.xlsx")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"zc validate: {BROKEN[0]}", *BROKEN[1:]]


def test_a_broken_installed_rulebook_stops_zc_run_before_the_pipeline_starts(broken_region, monkeypatch, capsys):
    import zc_pipeline.runner

    started = []
    monkeypatch.setattr(zc_pipeline.runner, "run_pipeline", lambda *args, **kwargs: started.append(args))
    assert main(["--data-dir", str(broken_region), "run", "--as-of", "2026-08-15"]) == 2
    assert started == []
    assert capsys.readouterr().err.splitlines() == [f"zc run: {BROKEN[0]}", *BROKEN[1:]]


@pytest.mark.parametrize("how", ["flag", "ZC_STANDARD"])
def test_zc_run_forcing_an_unknown_rulebook_lists_the_installed_ones(tmp_path, monkeypatch, capsys, how):
    import zc_pipeline.runner

    region_rulebook(tmp_path / "data", NEW, "2026-07-01")
    started = []
    monkeypatch.setattr(zc_pipeline.runner, "run_pipeline", lambda *args, **kwargs: started.append(args))
    argv = ["--data-dir", str(tmp_path / "data"), "run", "--as-of", "2026-08-15"]
    if how == "flag":
        argv += ["--standard", "IM-ZCP-2099.1"]
    else:
        monkeypatch.setenv("ZC_STANDARD", "IM-ZCP-2099.1")
    assert main(argv) == 2
    assert started == []
    assert capsys.readouterr().err == ("zc run: no rulebook 'IM-ZCP-2099.1' is installed; installed: IM-ZCP-2026.1, "
                                       "IM-R-2026.2 / 没有该版本的评价规则\n")
