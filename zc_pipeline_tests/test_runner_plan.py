"""`zc run` plans the months in range and every window that reads them, through the partition mappings."""
from zc_pipeline.runner import plan
from zc_pipeline.definitions import build_definitions
from zc_pipeline.settings import load_settings
from zc_pipeline_tests.conftest import SAMPLE_DIR


def _plan(first=None, last=None, as_of="2026-07-15"):
    settings = load_settings(data_dir=SAMPLE_DIR, as_of=as_of, state_dir="/tmp/zc-plan-test")
    return plan(settings, first, last, build_definitions(settings).resolve_asset_graph())


def test_default_plan_is_every_landing_month_up_to_the_as_of_month():
    p = _plan()
    assert p.months[0] == "2025-01" and p.months[-1] == "2026-07"
    assert p.quarters == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert p.halves == ["2025-H1", "2025-H2", "2026-H1"]
    assert p.years == ["2025", "2026"]


def test_a_rerun_march_rereads_every_later_quarter_and_the_halves_that_read_it():
    p = _plan("2025-03", "2025-03", as_of="2026-07-15")
    assert p.months == ["2025-03"]
    # Q1 holds March; Q2 reads March for April's rebounds; every later quarter's open_rebounds counts an
    # alert of March or April that is still overdue at its end
    assert p.quarters == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    # H1 and the year-end H2 (Jan–Dec) score March; 2026-H1 reads back 18 months for January's rebound
    assert p.halves == ["2025-H1", "2025-H2", "2026-H1"]
    assert p.years == ["2025", "2026"]


def test_windows_that_have_not_ended_by_the_as_of_month_wait():
    p = _plan("2026-03", "2026-03", as_of="2026-04-20")
    assert p.quarters == ["2026-Q1"] and p.halves == [] and p.years == []


def test_a_december_rerun_reaches_the_year_end_assessment():
    p = _plan("2025-12", "2025-12")
    # 2026-Q1 reads December for January's rebounds; Q1 and Q2 count a December alert still overdue
    assert p.quarters == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert p.halves == ["2025-H2", "2026-H1"]  # the year-end assessment scores Jan–Dec
    assert p.years == ["2026"]


def test_months_after_the_as_of_month_are_not_run():
    p = _plan("2026-05", "2026-12", as_of="2026-06-20")
    assert p.months == ["2026-05", "2026-06"]


def test_a_mid_year_bulletin_is_written_once_after_its_year_is_allocated(tmp_path):
    import dagster as dg

    from zc_pipeline.runner import _run_plan

    settings = load_settings(data_dir=SAMPLE_DIR, as_of="2026-07-15", state_dir=tmp_path)
    defs = build_definitions(settings)
    p = plan(settings, None, None, defs.resolve_asset_graph())
    defined = {k.to_user_string() for a in defs.assets for k in getattr(a, "keys", [])}
    runs = []
    with dg.DagsterInstance.ephemeral() as instance:
        _run_plan(lambda job, assets, key, label: runs.append((label, assets)), p, settings, instance, defined)
    labels = [label for label, _ in runs]
    # the H1 bulletins list the fund the year's run allocates: each follows its year, the year-end
    # H2 bulletin is written by its own half's run
    assert [label for label, assets in runs if "region_bulletin" in assets] == [
        "half 2025-H2", "bulletin 2025-H1", "bulletin 2026-H1"]
    assert labels.index("bulletin 2025-H1") > labels.index("year 2025")
    assert labels.index("bulletin 2026-H1") > labels.index("year 2026")
    assert "park_report_card" in dict(runs)["half 2026-H1"]
