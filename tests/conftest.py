"""Test-wide settings: Hypothesis without wall-clock deadlines (CI machines are shared)."""

from hypothesis import settings

settings.register_profile("hypersweep", deadline=None, print_blob=True)
settings.load_profile("hypersweep")
