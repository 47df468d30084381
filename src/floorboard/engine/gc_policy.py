"""Garbage-collector policy for processes that hold an engine.

The engine keeps hundreds of thousands of small, long-lived lists (buckets, contacts, agents).
With CPython's default thresholds the cyclic collector rescans them every few thousand
allocations, which costs about a quarter of the event rate (bench/engine_throughput.py measures
both). The engine creates no reference cycles in its state, so collecting less often is safe.
"""

from __future__ import annotations

import gc


def tune_for_engine() -> None:
    gc.collect()
    gc.freeze()  # what exists at start-up is never garbage
    gc.set_threshold(100_000, 50, 100)
