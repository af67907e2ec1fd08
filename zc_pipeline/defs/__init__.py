"""Dagster wiring by stage: thin assets that load inputs, call one domain function, write, report."""
