"""Integration tests use the shared sweep fixtures of tests/conftest.py."""
