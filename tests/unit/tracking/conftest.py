"""Fixtures for the tracking client: a sweep-like environment or none at all.

``get_context()`` caches its run per channel path, so every fixture starts and ends with
an empty cache.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hypersweep import tracking

CONTRACT_VARS = ("HYPERSWEEP_METRICS_PATH", "HYPERSWEEP_RUN_ID", "HYPERSWEEP_EXPERIMENT",
                 "HYPERSWEEP_SWEEP_ID", "HYPERSWEEP_OUTPUT_DIR", "HYPERSWEEP_RUN_DIR",
                 "HYPERSWEEP_RESUME_FROM", "AZUREML_DATAREFERENCE_MODEL_LOCATION")


@pytest.fixture
def clean_env(monkeypatch):
    """No trial-contract variables, an empty context cache."""
    for name in CONTRACT_VARS:
        monkeypatch.delenv(name, raising=False)
    tracking._CACHE.clear()
    yield monkeypatch
    tracking._CACHE.clear()


@pytest.fixture
def channel(clean_env, tmp_path) -> Path:
    """The environment of a trial (docs/trial-contract.md); yields the channel path."""
    path = tmp_path / "logs" / "metrics.jsonl"
    path.parent.mkdir()
    clean_env.setenv("HYPERSWEEP_METRICS_PATH", str(path))
    clean_env.setenv("HYPERSWEEP_RUN_ID", "HD_0123abcd_3")
    clean_env.setenv("HYPERSWEEP_EXPERIMENT", "digits")
    clean_env.setenv("HYPERSWEEP_SWEEP_ID", "HD_0123abcd")
    clean_env.setenv("HYPERSWEEP_OUTPUT_DIR", str(tmp_path / "outputs"))
    return path


def records(path: Path) -> list[dict]:
    """The channel's records, each checked to carry a float ``time`` (then removed)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        assert isinstance(obj.pop("time"), float), line
        out.append(obj)
    return out
