"""Every table and column of WAREHOUSE.md exists, with a description, on both databases."""
from __future__ import annotations

import sqlalchemy as sa

from zc_pipeline.warehouse.engine import create_all, make_engine, schema_of
from zc_pipeline.warehouse.tables import HISTORY_TABLES, PARTITION_COLUMNS, TABLES

# WAREHOUSE.md, written out by hand (the spec is not parsed at test time).
SPEC_COLUMNS = {
    "dim_league_city": "league_city_code name_zh name_en",
    "dim_park": "park_code park_name league_city_code category scope parent_park_code on_cultivation_list "
    "enrolled_on baseline_year baseline_carbon_per_energy baseline_green_share target_green_share target_date",
    "ref_standard": "standard_version key value unit source effective_from",
    "landing_file": "source_sha256 source_file size_bytes first_seen_at kind",
    "submission": "submission_id park_code period source_file source_sha256 source_format source_row "
    "submitted_on received_at status in_force error_count warning_count on_time run_id",
    "submitted_value": "submission_id field value_as_written unit_as_written canonical_value sheet row column",
    "validation_issue": "submission_id source_file source_sha256 sheet row column value severity rule_id "
    "message_zh message_en run_id",
    "park_month": "park_code period grid_electricity_mwh green_direct_mwh green_onsite_mwh green_certificate_mwh "
    "raw_coal_t natural_gas_10k_m3 diesel_t gasoline_t purchased_heat_gj value_added_10k_yuan retrofit_planned "
    "retrofit_completed reported_co2_t energy_tce co2_t carbon_per_energy carbon_per_value_added green_share "
    "retrofit_rate co2_reporting_gap on_time submission_id source_sha256 run_id standard_version",
    "rebound_alert": "park_code period carbon_per_energy previous_period previous_carbon_per_energy increase "
    "rectify_by status rectified_in as_of run_id standard_version interviewed_on",
    "park_quarter_assessment": "park_code quarter league_city_code category months_expected months_reported "
    "months_on_time energy_tce co2_t carbon_per_energy green_share green_target_at_end retrofit_rate score_carbon "
    "score_green score_retrofit score_reporting score grade grade_cap rank_in_city run_id standard_version "
    "registry_sha256",
    "city_quarter_summary": "league_city_code quarter parks parks_reported grade_a grade_b grade_c grade_d "
    "mean_score energy_tce co2_t carbon_per_energy green_share open_rebounds run_id interviews_overdue",
    "park_half_assessment": "park_code half assessment window_start window_end months_expected months_reported "
    "months_on_time energy_tce co2_t carbon_per_energy green_share green_target_at_end retrofit_rate score_carbon "
    "score_green score_retrofit score_reporting score grade grade_cap rank_in_region spot_check outcome run_id "
    "standard_version registry_sha256",
    "region_half_summary": "half parks parks_reported grade_a grade_b grade_c grade_d mean_score energy_tce co2_t "
    "carbon_per_energy green_share nominations removals run_id",
    "spot_check_sample": "half park_code risk_weight draw_order seed run_id",
    "spot_check_result": "half park_code period sampled co2_t reported_co2_t verified_co2_t discrepancy result run_id",
    "grade_history": "park_code level period grade score standard_version run_id issued_at",
    "funding_allocation": "year project_id park_code project_type investment_yuan basis_half grade score eligible "
    "reason rate requested_yuan allocated_yuan priority run_id standard_version",
    "park_what_if": "park_code period grade target_grade green_share green_share_needed extra_green_mwh "
    "carbon_per_energy carbon_per_energy_needed co2_less_t reason run_id standard_version",
    "report_file": "kind period league_city_code park_code path sha256 run_id",
    "cultivation_list": "park_code valid_from valid_to source source_file source_sha256 run_id",
    "national_nomination": "year park_code rank accredited",
    "park_accreditation": "park_code year accredited reasons_failed run_id standard_version",
    "factor_priority": "park_code half tier reason run_id standard_version",
}
SPEC_PK = {
    "dim_league_city": ["league_city_code"],
    "dim_park": ["park_code"],
    "ref_standard": ["standard_version", "key"],
    "landing_file": ["source_sha256", "source_file"],
    "submission": ["submission_id"],
    "park_month": ["park_code", "period"],
    "rebound_alert": ["park_code", "period"],
    "park_quarter_assessment": ["park_code", "quarter"],
    "city_quarter_summary": ["league_city_code", "quarter"],
    "park_half_assessment": ["park_code", "half"],
    "region_half_summary": ["half"],
    "spot_check_sample": ["half", "park_code"],
    "spot_check_result": ["half", "park_code", "period"],
    "funding_allocation": ["year", "project_id"],
    "park_what_if": ["park_code", "period"],
    "report_file": ["path"],
}
ADDED_TABLES = {"missing_report", "grade_explanation", "list_change", "rebound_interview"}


def test_metadata_has_every_spec_table_column_and_key():
    assert set(TABLES) == set(SPEC_COLUMNS) | ADDED_TABLES
    for name, columns in SPEC_COLUMNS.items():
        missing = set(columns.split()) - set(TABLES[name].c.keys())
        assert not missing, f"{name} lacks {missing}"
    for name, pk in SPEC_PK.items():
        assert [c.name for c in TABLES[name].primary_key.columns] == pk, name


def test_pipeline_additions():
    assert {"electricity_mwh", "certified_mwh", "green_mwh"} <= set(TABLES["park_month"].c.keys())
    assert [c.name for c in TABLES["validation_issue"].primary_key] == ["issue_id"]
    assert TABLES["validation_issue"].c.period.nullable
    assert [c.name for c in TABLES["grade_history"].primary_key] == ["history_id"]
    assert [c.name for c in TABLES["missing_report"].primary_key] == ["period", "park_code"]
    assert [c.name for c in TABLES["grade_explanation"].primary_key] == ["park_code", "period"]  # lines in one row
    # submission stays exactly as specified
    assert set(TABLES["submission"].c.keys()) == set(SPEC_COLUMNS["submission"].split())


def test_every_table_is_either_partitioned_or_history():
    assert set(PARTITION_COLUMNS) | HISTORY_TABLES == set(TABLES)
    assert not set(PARTITION_COLUMNS) & HISTORY_TABLES
    for name, parts in PARTITION_COLUMNS.items():
        assert set(parts) <= set(TABLES[name].c.keys()), name


def test_tables_columns_and_comments_in_the_database(warehouse_engine):
    inspector = sa.inspect(warehouse_engine)
    schema = schema_of(warehouse_engine)
    assert set(TABLES) <= set(inspector.get_table_names(schema=schema))
    on_pg = warehouse_engine.dialect.name == "postgresql"
    for name, table in TABLES.items():
        assert table.comment, name
        columns = {c["name"]: c for c in inspector.get_columns(name, schema=schema)}
        assert set(columns) == set(table.c.keys()), name
        for column in table.columns:
            assert column.comment, f"{name}.{column.name} has no comment"
            if on_pg:  # SQLite has no COMMENT ON: the definitions carry them there
                assert columns[column.name]["comment"] == column.comment, f"{name}.{column.name}"
        if on_pg:
            assert inspector.get_table_comment(name, schema=schema)["text"] == table.comment
        pk = inspector.get_pk_constraint(name, schema=schema)["constrained_columns"]
        assert pk == [c.name for c in table.primary_key.columns], name


def test_submitted_values_are_stored_in_key_order_on_sqlite(tmp_path):
    # WITHOUT ROWID: the table is its primary-key B-tree, so a submission's values are read together
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    create_all(engine)
    with engine.connect() as conn:
        ddl = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    assert ddl["submitted_value"].rstrip().endswith("WITHOUT ROWID")
    assert not ddl["submission"].rstrip().endswith("WITHOUT ROWID")  # the other tables keep SQLite's default
