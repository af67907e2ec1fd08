"""Pure domain logic: pandas in, pandas out, no Dagster imports."""
