"""Dagster-free steps: load from the warehouse, call the rules or builders, write back."""
