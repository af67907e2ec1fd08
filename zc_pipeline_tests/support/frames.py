"""Valid stored rows of warehouse tables, to break one thing at a time."""
import pandas as pd

from zc_pipeline.warehouse.tables import TABLES

SHA = "a" * 64


def stored(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows with every column of `table` (missing ones NULL), as read_table returns them."""
    cols = TABLES[table].c.keys()
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def park_month(n: int = 3, period: str = "2026-03") -> pd.DataFrame:
    # co2 = 2 t per tce -> carbon_per_energy 2.0; green 30 of 100 MWh
    return stored("park_month", [
        {"park_code": f"150200-P{i:03d}", "period": period, "grid_electricity_mwh": 70.0, "green_direct_mwh": 30.0,
         "electricity_mwh": 100.0, "green_mwh": 30.0, "energy_tce": 50.0, "co2_t": 100.0, "carbon_per_energy": 2.0,
         "green_share": 0.3, "retrofit_rate": 0.5, "on_time": True, "submission_id": f"s{i}",
         "source_sha256": SHA, "run_id": "r", "standard_version": "IM-ZCP-2026.1"}
        for i in range(1, n + 1)
    ])


def quarter_rows() -> pd.DataFrame:
    base = {"quarter": "2026-Q1", "league_city_code": "150200", "category": "regional", "months_expected": 3,
            "months_reported": 3, "months_on_time": 3, "energy_tce": 150.0, "co2_t": 300.0, "carbon_per_energy": 2.0,
            "green_share": 0.3, "green_target_at_end": 0.4, "retrofit_rate": 0.5, "run_id": "r",
            "standard_version": "IM-ZCP-2026.1", "rank_in_city": 1}
    return stored("park_quarter_assessment", [
        {**base, "park_code": "150200-P001", "score": 88.0, "grade": "A", "grade_cap": None},
        # band B lowered to C by missing_report
        {**base, "park_code": "150200-P002", "score": 75.0, "grade": "C", "grade_cap": "missing_report",
         "months_reported": 2, "rank_in_city": 2},
        # no report: score 0, D, cap always named
        {**base, "park_code": "150200-P003", "score": 0.0, "grade": "D", "grade_cap": "no_report", "months_reported": 0,
         "energy_tce": None, "co2_t": None, "carbon_per_energy": None, "green_share": None, "rank_in_city": 3},
    ])


def funding_rows(allocated: list[int]) -> pd.DataFrame:
    return stored("funding_allocation", [
        {"year": "2026", "project_id": f"F-{i}", "park_code": "150200-P001", "project_type": "ccus_demo",
         "investment_yuan": 100_000_000, "eligible": True, "reason": "eligible", "rate": 0.3, "grade": "A",
         "requested_yuan": a, "allocated_yuan": a, "priority": i + 1}
        for i, a in enumerate(allocated)
    ])
