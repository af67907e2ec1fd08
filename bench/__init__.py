"""Benchmarks: `python -m bench [--sizes 1000,10000] [--quick]`; every figure is a ratio to a same-run baseline."""
