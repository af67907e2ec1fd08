"""`python -m tools.samplegen`: write a sample region (options as `generate_region`)."""
from __future__ import annotations

import argparse

import tools.samplegen
from tools.samplegen.generate import generate_region


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.samplegen",
                                 description=tools.samplegen.__doc__.split("\n")[0])
    ap.add_argument("--out", default="sample_data")
    ap.add_argument("--parks", type=int, default=36)
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--csv-share", type=float, default=None)
    ap.add_argument("--from", dest="first", default="2025-01")
    ap.add_argument("--to", dest="last", default="2026-06")
    a = ap.parse_args(argv)
    m = generate_region(a.out, parks=a.parks, seed=a.seed, first=a.first, last=a.last,
                        csv_share=a.csv_share)
    t = m["expected"]["totals"]
    print(f"wrote {m['file_count']} files for {m['parks']} parks, {a.first}..{a.last} under {a.out}: "
          f"{t['submissions']} submissions ({t['in_force']} in force, {t['superseded']} superseded, "
          f"{t['rejected']} rejected); recommended as-of {m['recommended_as_of']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
