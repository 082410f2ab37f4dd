"""PostgreSQL integration tests share one throwaway server per session (``server.py``)."""

from tests.integration.postgres.server import postgres_server, postgres_url  # noqa: F401
