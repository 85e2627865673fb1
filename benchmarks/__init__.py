"""Benchmarks: measured by running them, never asserted in timed tests."""
