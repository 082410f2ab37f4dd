"""Ray integration tests share one real local cluster per session (see ``cluster.py``)."""

from tests.integration.ray.cluster import ray_cluster  # noqa: F401  (fixture)
