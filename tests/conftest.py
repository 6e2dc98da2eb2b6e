"""Shared test settings: the hypothesis profile, the fixture behind ``needs_dot``."""

from graphviz_dot import dot_installed  # noqa: F401  (a fixture: pytest finds it here)
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile("default")
