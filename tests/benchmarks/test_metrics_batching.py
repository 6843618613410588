"""The benchmark's counting (not its timings): batched reads stay at one call per 500 series."""

from benchmarks.metrics_batching import run


def test_batched_reads_use_one_call_where_the_reference_uses_one_per_resource() -> None:
    (row,) = run([30])
    assert row["batched_calls"] == 1
    assert row["naive_calls"] == 30
