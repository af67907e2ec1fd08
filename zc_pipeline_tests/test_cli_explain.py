"""`zc explain PARK YYYY`: a year is its year-end assessment YYYY-H2, scored Jan–Dec (STANDARD §2)."""
from zc_pipeline.cli import main


def test_a_year_explains_its_year_end_assessment(sample_run, monkeypatch, capsys):
    monkeypatch.setenv("ZC_WAREHOUSE_URL", sample_run.settings.warehouse_url)
    assert main(["explain", "152900-P002", "2025-H2"]) == 0
    half = capsys.readouterr().out.splitlines()
    assert main(["explain", "152900-P002", "2025"]) == 0
    year = capsys.readouterr().out.splitlines()
    assert year[0] == "2025: the year-end assessment 2025-H2, scored over Jan-Dec / 2025 年终考核即 2025-H2（1–12 月）"
    assert year[1] == "152900-P002 2025-H2 — standard IM-ZCP-2026.1"
    assert year[1:] == half
    inputs = {line.split()[0] for line in half if line.startswith("  20")}
    assert inputs == {f"2025-{m:02d}" for m in range(1, 13)}  # the whole year, Jan–Dec
