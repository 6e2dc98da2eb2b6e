"""Shared test settings: hypothesis profiles and small helpers."""

import math

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile("default")


def close(a: float, b: float, rel: float, abs_: float = 0.0) -> bool:
    """True when a and b agree to `rel` relative (or `abs_` absolute) tolerance."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)
