"""Rulebooks over time: the package's IM-ZCP-2026.1 (in force from 2025-01-01) and a region's own files
in `<data dir>/standards/`. A month is computed under the rulebook in force on its first day, a quarter,
half or year under the one in force on its last day; a file that cannot be used is refused, each
problem naming the file and the key (docs/rulebooks.md)."""
import datetime as dt
import hashlib
from pathlib import Path

import pytest

from zc_pipeline.errors import UserError
from zc_pipeline.standards import RulebookError, check_new, load_rulebooks, standard_path
from zc_pipeline_tests.support.rulebooks import region_rulebook

OLD, NEW = "IM-ZCP-2026.1", "IM-R-2026.2"


def edit(path: Path, old: str, new: str) -> Path:
    """The file with its one occurrence of `old` replaced by `new`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def refusal(data_dir: Path) -> list[str]:
    """The lines of the RulebookError that loading the data folder's rulebooks raises."""
    with pytest.raises(RulebookError) as caught:
        load_rulebooks(data_dir)
    return str(caught.value).splitlines()


@pytest.fixture
def july(tmp_path) -> Path:
    """A data folder whose region's rulebook IM-R-2026.2 takes effect on 2026-07-01 with grid factor 0.6479."""
    region_rulebook(tmp_path, NEW, "2026-07-01", co2__grid_electricity=0.6479)
    return tmp_path


# --- which rulebook a period is computed under ---------------------------------------------------


@pytest.mark.parametrize("period, version", [
    ("2025-12", OLD),
    ("2026-06", OLD),  # a month: the rulebook in force on its first day, 2026-06-01
    ("2026-07", NEW),  # 2026-07-01 is the region's effective_from
    ("2026-Q2", OLD),  # a window: the rulebook in force on its last day, 2026-06-30
    ("2026-Q3", NEW),  # ends 2026-09-30
    ("2026-H1", OLD),  # mid-year evaluation, Jan-Jun: ends 2026-06-30
    ("2026-H2", NEW),  # year-end assessment, Jan-Dec: ends 2026-12-31
    ("2026", NEW),
])
def test_a_month_takes_the_rulebook_of_its_first_day_a_window_that_of_its_last(july, period, version):
    assert load_rulebooks(july).for_period(period).version == version


def test_each_month_reads_the_values_of_its_own_rulebook(july):
    books = load_rulebooks(july)
    assert books.for_period("2026-06")["co2.grid_electricity"] == 0.6096
    assert books.for_period("2026-07")["co2.grid_electricity"] == 0.6479
    assert books.for_period("2026-07").effective_from == dt.date(2026, 7, 1)
    assert not books.for_period("2026-07").forced


def test_the_installed_rulebooks_are_in_effective_order_with_the_files_they_came_from(july):
    books = load_rulebooks(july)
    assert [(b.version, b.effective_from, b.source_file) for b in books.books] == [
        (OLD, dt.date(2025, 1, 1), "zc_pipeline/standards/IM-ZCP-2026.1.yaml"),
        (NEW, dt.date(2026, 7, 1), "standards/IM-R-2026.2.yaml"),
    ]


@pytest.mark.parametrize("data_dir", ["none", "no standards folder", "empty standards folder"])
def test_without_a_regions_rulebook_the_package_one_governs_every_period(tmp_path, data_dir):
    folder = {"none": None, "no standards folder": tmp_path, "empty standards folder": tmp_path}[data_dir]
    if data_dir == "empty standards folder":
        (tmp_path / "standards").mkdir()
    books = load_rulebooks(folder)
    assert [b.version for b in books.books] == [OLD]
    assert {books.for_period(p).version for p in ("2025-01", "2026-07", "2026-Q3", "2026-H2", "2027")} == {OLD}


def test_a_month_before_the_earliest_rulebook_has_none(july):
    with pytest.raises(RulebookError, match="no rulebook is in force on 2024-12-01: the earliest takes effect on "
                                            "2025-01-01"):
        load_rulebooks(july).for_period("2024-12")


# --- files that cannot be used --------------------------------------------------------------------


def test_a_rulebook_error_is_a_user_error_exit_code_2():
    assert issubclass(RulebookError, UserError) and RulebookError.exit_code == 2


def test_a_regions_file_of_the_packages_version_is_a_conflict_naming_both_files(tmp_path):
    region_rulebook(tmp_path, OLD, "2026-07-01")
    assert refusal(tmp_path) == [
        "rulebooks in conflict / 评价规则文件相互冲突:",
        "zc_pipeline/standards/IM-ZCP-2026.1.yaml and standards/IM-ZCP-2026.1.yaml: key 'version' is IM-ZCP-2026.1 "
        "in both",
    ]


def test_a_regions_file_in_force_from_the_packages_day_is_a_conflict_naming_both_files(tmp_path):
    region_rulebook(tmp_path, NEW, "2025-01-01")
    assert refusal(tmp_path) == [
        "rulebooks in conflict / 评价规则文件相互冲突:",
        "zc_pipeline/standards/IM-ZCP-2026.1.yaml and standards/IM-R-2026.2.yaml: key 'effective_from' is 2025-01-01 "
        "in both",
    ]


def test_two_regions_files_in_force_from_one_day_are_a_conflict(tmp_path):
    region_rulebook(tmp_path, NEW, "2026-07-01")
    region_rulebook(tmp_path, "IM-R-2026.3", "2026-07-01")
    assert refusal(tmp_path)[1] == ("standards/IM-R-2026.2.yaml and standards/IM-R-2026.3.yaml: key 'effective_from' "
                                    "is 2026-07-01 in both")


def test_a_rulebook_taking_effect_mid_month_is_refused(tmp_path):
    region_rulebook(tmp_path, NEW, "2026-07-15")
    assert refusal(tmp_path) == [
        "rulebook IM-R-2026.2.yaml cannot be used / 评价规则文件不可用:",
        "IM-R-2026.2.yaml: key 'effective_from' is 2026-07-15; a rulebook takes effect on a month's first day",
    ]


def test_an_effective_from_that_is_not_a_date_is_refused(tmp_path):
    region_rulebook(tmp_path, NEW, "next July")
    assert refusal(tmp_path)[1] == "IM-R-2026.2.yaml: key 'effective_from' must be a date YYYY-MM-01, not 'next July'"


def test_an_effective_from_with_a_time_of_day_is_refused_naming_the_file_and_key(tmp_path):
    region_rulebook(tmp_path, NEW, "2026-07-01 00:00:00")
    assert refusal(tmp_path)[1] == ("IM-R-2026.2.yaml: key 'effective_from' must be a date YYYY-MM-01, "
                                    "not '2026-07-01 00:00:00'")


def test_a_misspelt_key_is_unknown_and_the_key_it_meant_is_missing(tmp_path):
    edit(region_rulebook(tmp_path, NEW, "2026-07-01"), "{key: co2.grid_electricity,", "{key: co2.grid_electricty,")
    assert refusal(tmp_path) == [
        "rulebook IM-R-2026.2.yaml cannot be used / 评价规则文件不可用:",
        "IM-R-2026.2.yaml: key 'co2.grid_electricity' is missing",
        "IM-R-2026.2.yaml: key 'co2.grid_electricty' is not a rulebook key (see IM-ZCP-2026.1)",
    ]


def test_a_key_left_out_is_missing(tmp_path):
    path = region_rulebook(tmp_path, NEW, "2026-07-01")
    line = next(x for x in path.read_text(encoding="utf-8").splitlines(keepends=True) if "{key: grade.B," in x)
    edit(path, line, "")
    assert refusal(tmp_path) == [
        "rulebook IM-R-2026.2.yaml cannot be used / 评价规则文件不可用:",
        "IM-R-2026.2.yaml: key 'grade.B' is missing",
    ]


def test_a_key_given_twice_is_refused(tmp_path):
    path = region_rulebook(tmp_path, NEW, "2026-07-01")
    line = next(x for x in path.read_text(encoding="utf-8").splitlines(keepends=True) if "{key: grade.B," in x)
    edit(path, line, line + line.replace("value: 70,", "value: 72,"))
    assert refusal(tmp_path)[1:] == ["IM-R-2026.2.yaml: key 'grade.B' appears twice"]


def test_a_missing_version_is_refused(tmp_path):
    edit(region_rulebook(tmp_path, NEW, "2026-07-01"), f"version: {NEW}\n", "")
    assert refusal(tmp_path)[1:] == ["IM-R-2026.2.yaml: key 'version' is missing"]


def test_text_where_the_rulebook_has_a_number_is_refused(tmp_path):
    region_rulebook(tmp_path, NEW, "2026-07-01", co2__grid_electricity="high")
    assert refusal(tmp_path) == [
        "rulebook IM-R-2026.2.yaml cannot be used / 评价规则文件不可用:",
        "IM-R-2026.2.yaml: key 'co2.grid_electricity' must be a number, not 'high'",
    ]


def test_every_problem_of_a_file_is_told_at_once(tmp_path):
    path = region_rulebook(tmp_path, NEW, "2026-07-15", co2__grid_electricity="high")
    edit(path, "{key: grade.A,", "{key: grade.AA,")
    assert refusal(tmp_path)[1:] == [
        "IM-R-2026.2.yaml: key 'effective_from' is 2026-07-15; a rulebook takes effect on a month's first day",
        "IM-R-2026.2.yaml: key 'grade.A' is missing",
        "IM-R-2026.2.yaml: key 'co2.grid_electricity' must be a number, not 'high'",
        "IM-R-2026.2.yaml: key 'grade.AA' is not a rulebook key (see IM-ZCP-2026.1)",
    ]


def test_invalid_yaml_is_refused_naming_the_file_and_the_line(tmp_path):
    path = region_rulebook(tmp_path, NEW, "2026-07-01")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[9].startswith("  - {key: tce.raw_coal,")
    lines[9] = lines[9].rstrip("\n") + "}\n"  # line 10: one brace too many
    path.write_text("".join(lines), encoding="utf-8")
    assert refusal(tmp_path) == ["IM-R-2026.2.yaml: not valid YAML at line 10 / 评价规则文件格式错误"]


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    (tmp_path / "standards").mkdir()
    (tmp_path / "standards" / "IM-R-2026.2.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    assert refusal(tmp_path)[1:] == [
        "IM-R-2026.2.yaml: not a rulebook (a mapping with version, effective_from and entries)"]


def test_a_file_named_differently_from_its_version_is_refused(tmp_path):
    path = region_rulebook(tmp_path, NEW, "2026-07-01")
    path.rename(path.with_name("IM-R-2026-2.yaml"))
    assert refusal(tmp_path) == [
        "rulebook IM-R-2026-2.yaml cannot be used / 评价规则文件不可用:",
        "IM-R-2026-2.yaml: key 'version' is 'IM-R-2026.2' but the file must be named IM-R-2026.2.yaml",
    ]


# --- keys a region may add ------------------------------------------------------------------------


def test_a_region_may_add_a_unit_spelling_and_a_years_budget(tmp_path):
    path = region_rulebook(tmp_path, NEW, "2026-07-01")
    diesel = "  - {key: unit.diesel_t.t, value: 1, unit: t per unit, source: \"SI\"}\n"
    edit(path, diesel, diesel + "  - {key: unit.diesel_t.万t, value: 10000, unit: t per unit, source: \"10^4 t\"}\n"
                                "  - {key: funding.budget.2027, value: 300000000, unit: yuan, source: \"notice\"}\n")
    books = load_rulebooks(tmp_path)
    assert books.for_period("2026-07").unit_factors("diesel_t") == {"t": 1.0, "万t": 10000.0}
    assert books.for_period("2026-07").budget(2027) == 300_000_000
    assert books.for_period("2026-06").unit_factors("diesel_t") == {"t": 1.0}  # the package's rulebook has no 万t
    assert books.for_period("2026-06").budget(2027) is None


def test_a_regions_budget_must_still_be_a_number(tmp_path):
    path = region_rulebook(tmp_path, NEW, "2026-07-01")
    edit(path, "  - {key: funding.budget.2026,",
         "  - {key: funding.budget.2027, value: lots, unit: yuan, source: \"notice\"}\n  - {key: funding.budget.2026,")
    assert refusal(tmp_path)[1:] == ["IM-R-2026.2.yaml: key 'funding.budget.2027' must be a number, not 'lots'"]


# --- a forced rulebook (what-if re-runs) ----------------------------------------------------------


@pytest.mark.parametrize("period", ["2025-12", "2026-06", "2026-07", "2026-Q3", "2026-H2", "2026"])
def test_a_forced_rulebook_governs_every_period_and_says_it_was_forced(july, period):
    book = load_rulebooks(july, forced=OLD).for_period(period)
    assert (book.version, book.forced, book["co2.grid_electricity"]) == ("IM-ZCP-2026.1+forced", True, 0.6096)


def test_a_regions_rulebook_forced_governs_months_before_it_takes_effect(july):
    book = load_rulebooks(july, forced=NEW).for_period("2025-12")
    assert (book.version, book.forced, book["co2.grid_electricity"]) == ("IM-R-2026.2+forced", True, 0.6479)


def test_forcing_an_unknown_version_lists_the_installed_ones(july):
    with pytest.raises(RulebookError) as caught:
        load_rulebooks(july, forced="IM-ZCP-2099.1")
    assert str(caught.value) == ("no rulebook 'IM-ZCP-2099.1' is installed; installed: IM-ZCP-2026.1, IM-R-2026.2 / "
                                 "没有该版本的评价规则")


# --- ref_standard ---------------------------------------------------------------------------------


def test_ref_standard_holds_every_version_with_its_files_sha256(july):
    frame = load_rulebooks(july).to_frame()
    package_sha = hashlib.sha256(standard_path(OLD).read_bytes()).hexdigest()
    region_sha = hashlib.sha256((july / "standards" / "IM-R-2026.2.yaml").read_bytes()).hexdigest()
    per_version = frame.groupby("standard_version").agg(
        sha256=("sha256", "unique"), source_file=("source_file", "unique"), rows=("key", "size"),
        effective_from=("effective_from", "unique"))
    assert per_version.loc[OLD, "sha256"].tolist() == [package_sha]
    assert per_version.loc[NEW, "sha256"].tolist() == [region_sha]
    assert package_sha != region_sha
    assert per_version.loc[OLD, "source_file"].tolist() == ["zc_pipeline/standards/IM-ZCP-2026.1.yaml"]
    assert per_version.loc[NEW, "source_file"].tolist() == ["standards/IM-R-2026.2.yaml"]
    assert per_version.loc[OLD, "effective_from"].tolist() == [dt.date(2025, 1, 1)]
    assert per_version.loc[NEW, "effective_from"].tolist() == [dt.date(2026, 7, 1)]
    assert per_version.loc[NEW, "rows"] == per_version.loc[OLD, "rows"]  # the region's copy has every key
    grid = frame[frame["key"] == "co2.grid_electricity"].set_index("standard_version")["value"]
    assert grid.to_dict() == {OLD: "0.6096", NEW: "0.6479"}


# --- checking a new file before installing it ------------------------------------------------------


def test_a_new_rulebook_governs_the_months_up_to_the_next_ones_start(tmp_path):
    region_rulebook(tmp_path / "data", "IM-R-2027.1", "2027-01-01")
    draft = region_rulebook(tmp_path / "draft", NEW, "2026-07-01", co2__grid_electricity=0.6479)
    book, first, last = check_new(load_rulebooks(tmp_path / "data"), draft)
    assert (book.version, first, last) == (NEW, "2026-07", "2026-12")
    assert book.sha256 == hashlib.sha256(draft.read_bytes()).hexdigest()


def test_the_latest_rulebook_governs_every_month_from_its_start_on(tmp_path):
    draft = region_rulebook(tmp_path / "draft", NEW, "2026-07-01")
    book, first, last = check_new(load_rulebooks(tmp_path / "data"), draft)
    assert (book.version, first, last) == (NEW, "2026-07", None)


def test_an_installed_file_checked_again_is_checked_as_itself(tmp_path):
    installed = region_rulebook(tmp_path, NEW, "2026-07-01")
    book, first, last = check_new(load_rulebooks(tmp_path), installed)
    assert (book.version, first, last) == (NEW, "2026-07", None)


def test_a_new_rulebook_in_force_from_an_installed_ones_day_cannot_be_installed(tmp_path):
    region_rulebook(tmp_path / "data", "IM-R-2027.1", "2027-01-01")
    draft = region_rulebook(tmp_path / "draft", NEW, "2027-01-01")
    with pytest.raises(RulebookError) as caught:
        check_new(load_rulebooks(tmp_path / "data"), draft)
    assert str(caught.value).splitlines() == [
        "rulebook IM-R-2026.2.yaml cannot be installed / 评价规则文件不可安装:",
        "standards/IM-R-2027.1.yaml and IM-R-2026.2.yaml: key 'effective_from' is 2027-01-01 in both",
    ]


def test_a_new_rulebook_of_an_installed_version_cannot_be_installed(tmp_path):
    draft = region_rulebook(tmp_path / "draft", OLD, "2026-07-01")
    with pytest.raises(RulebookError) as caught:
        check_new(load_rulebooks(tmp_path / "data"), draft)
    assert str(caught.value).splitlines()[1:] == [
        "zc_pipeline/standards/IM-ZCP-2026.1.yaml and IM-ZCP-2026.1.yaml: key 'version' is IM-ZCP-2026.1 in both"]


def test_a_broken_new_rulebook_is_refused_before_it_is_compared(tmp_path):
    draft = region_rulebook(tmp_path / "draft", NEW, "2026-07-01", co2__grid_electricity="high")
    with pytest.raises(RulebookError, match="IM-R-2026.2.yaml: key 'co2.grid_electricity' must be a number"):
        check_new(load_rulebooks(tmp_path / "data"), draft)


def test_a_unit_the_package_accepts_cannot_be_left_out(tmp_path):
    # without it every kWh submission from the rulebook's first month on would be rejected (R005)
    edit(region_rulebook(tmp_path, NEW, "2026-07-01"),
         '  - {key: unit.grid_electricity_mwh.kWh, value: 0.001, unit: MWh per unit, source: "SI"}\n', "")
    assert refusal(tmp_path)[1:] == ["IM-R-2026.2.yaml: key 'unit.grid_electricity_mwh.kWh' is missing"]


def test_a_unit_of_a_misspelt_quantity_and_a_budget_that_is_no_year_are_not_rulebook_keys(tmp_path):
    edit(region_rulebook(tmp_path, NEW, "2026-07-01"), "entries:\n", "entries:\n"
         '  - {key: unit.grid_electricty_mwh.GWh, value: 1000, unit: MWh per unit, source: "typo"}\n'
         '  - {key: funding.budget.next, value: 1, unit: yuan, source: "typo"}\n')
    assert refusal(tmp_path)[1:] == [
        "IM-R-2026.2.yaml: key 'unit.grid_electricty_mwh.GWh' is not a rulebook key (see IM-ZCP-2026.1)",
        "IM-R-2026.2.yaml: key 'funding.budget.next' is not a rulebook key (see IM-ZCP-2026.1)",
    ]


def test_an_unedited_copy_of_the_packages_rulebook_is_not_usable_beside_it(tmp_path):
    copy = tmp_path / "drafts" / f"{OLD}.yaml"
    copy.parent.mkdir()
    copy.write_bytes(standard_path(OLD).read_bytes())
    with pytest.raises(RulebookError) as caught:
        check_new(load_rulebooks(tmp_path / "data"), copy)
    assert str(caught.value).splitlines()[1:] == [
        f"zc_pipeline/standards/{OLD}.yaml and {OLD}.yaml: key 'version' is {OLD} in both",
        f"zc_pipeline/standards/{OLD}.yaml and {OLD}.yaml: key 'effective_from' is 2025-01-01 in both",
    ]
