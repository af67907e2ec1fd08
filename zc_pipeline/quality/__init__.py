"""Data quality: pandera schema checks and Great Expectations suites over the stored warehouse rows.

`expectations.py` says what is expected of each table (plain data, no GX import); `gx.py` runs the
suites with Great Expectations 1.x and keeps the Data Docs site at `<state_dir>/data_docs/`;
`table_checks.py` reads a partition and turns both into check outcomes for `defs/checks.py`.
"""
