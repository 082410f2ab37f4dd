"""Test-wide settings and fixtures.

Hypothesis runs without wall-clock deadlines (CI machines are shared); the ``workspace``
and ``source`` fixtures give each test a fresh store and a copy of the test scripts.
"""

from hypothesis import settings

from tests.sweeps import source, workspace  # noqa: F401  (fixtures)

settings.register_profile("hypersweep", deadline=None, print_blob=True)
settings.load_profile("hypersweep")
