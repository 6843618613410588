"""Benchmarks: printed tables with ratios against a reference run in the same process."""
