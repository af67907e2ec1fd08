"""Seeded generator of a realistic, messy sample region (registry, landing files, MANIFEST.json).

    python -m tools.samplegen --out sample_data --parks 36 --seed 20260101 \
        [--csv-share F] [--from 2025-01 --to 2026-06]

Everything is derived from `random.Random(seed)` and the parameters: the same call writes
byte-identical files (workbook timestamps and zip entry dates are fixed, iteration is sorted, no
wall clock). The first 36 parks are a hand-designed Inner Mongolia region carrying every messy case
of FILES.md; further parks (benchmarks) are generic and, from 500 parks on, report almost only
through batch CSVs (one per league-city and month).

`MANIFEST.json` lists every messy case with its file(s), park, month and what a correct pipeline
must conclude, the expected submission counts per landing month, and — marked as estimates — the
rebounds, spot-check draw and grades that the project's own rulebook and domain functions give
for the in-force submissions the generator planned (the pipeline, reading the files, is the authority).

Modules by concern: `region` (parks, profiles, physical months, registry), `workbooks` (the
monthly xlsx template, deterministic), `csv_batches`, `submissions` (which file each park sends
and the messy cases), `programme` (verifications and funding files), `expectations` (the
manifest), `generate` (the whole run).
"""
