"""Deterministic synthetic data for tests, demos and benchmarks (clearly not real people)."""
