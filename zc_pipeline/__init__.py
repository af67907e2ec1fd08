"""zc_pipeline — the reporting cycle of Inner Mongolia's zero-carbon industrial parks."""
