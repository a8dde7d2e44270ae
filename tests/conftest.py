"""Test-wide settings: hypothesis without deadlines (shared machines are noisy)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "chainrule",
    deadline=None,
    max_examples=int(os.environ.get("CHAINRULE_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("chainrule")
