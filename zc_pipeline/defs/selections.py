"""Which assets each of the project's jobs runs, by name (no Dagster import): `defs/operations.py`
builds the jobs from them and `runner.py` launches subsets of those jobs in dependency order."""

# the lists are reference data too: read with the registry, the history rewritten from what is stored
REFERENCE_ASSETS = ["dim_league_city", "dim_park", "ref_standard", "list_change", "cultivation_list"]
MONTH_ASSETS = ["landing_file", "submission", "submitted_value", "validation_issue", "park_month",
                "month_over_month_warning", "missing_report"]
MONTHLY_ROLLUP_ASSETS = ["rebound_alert", "rebound_interview", "rectification_notice"]
QUARTER_ASSETS = ["park_quarter_assessment", "city_quarter_summary", "park_quarter_what_if", "city_quarter_workbook"]
HALF_ASSETS = ["spot_check_sample", "spot_check_result", "park_half_assessment", "region_half_summary",
               "park_half_what_if", "park_accreditation", "national_nomination", "factor_priority", "cultivation_list",
               "park_report_card", "region_bulletin"]
YEAR_ASSETS = ["funding_allocation"]
EXPLANATION_ASSETS = ["grade_explanation"]
LIFECYCLE_ASSETS = ["list_change", "cultivation_list", "rebound_alert", "rebound_interview"]
