"""Benchmarks: printed tables with ratios against a reference run in the same process.

``python -m benchmarks`` runs them all: batched metric reads, then the fleet benchmark.
"""

import sys

from benchmarks import guard_fleet, metrics_batching

metrics_batching.main()
print(flush=True)
sys.exit(guard_fleet.main([]))
