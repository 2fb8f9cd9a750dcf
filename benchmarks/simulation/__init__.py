"""Simulated learners and quiz policies for benchmarks/simulate.py (docs/adaptivity.md)."""
