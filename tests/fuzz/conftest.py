"""Hypothesis profiles for the fuzz tests: ``fast`` in every run, ``fuzz`` for ``make fuzz``.

The profile comes from FLOORBOARD_FUZZ_PROFILE (``make fuzz`` sets it to ``fuzz``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_OK = [
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
    HealthCheck.function_scoped_fixture,
]  # fmt: skip
settings.register_profile("fast", max_examples=60, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("fuzz", max_examples=5000, deadline=None, suppress_health_check=_SLOW_OK)
PROFILE = os.environ.get("FLOORBOARD_FUZZ_PROFILE", "fast")
