"""Helpers of benchmarks/load.py (a package, so ``make bench`` does not run them)."""
