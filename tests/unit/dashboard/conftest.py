"""A dashboard over a store holding the demo sweep, driven with Starlette's TestClient."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from hypersweep.dashboard import create_app
from tests.unit.plots.fake_sweep import demo_sweep


@pytest.fixture
def sweep(tmp_path):
    return demo_sweep(tmp_path)


@pytest.fixture
def client(sweep):
    with TestClient(create_app(sweep.experiment.workspace),
                    base_url="http://127.0.0.1:8765") as c:
        yield c
