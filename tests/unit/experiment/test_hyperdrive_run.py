"""HyperDriveRun's read methods on a stored sweep: argument checks."""

from __future__ import annotations

import pytest

from tests.unit.plots.fake_sweep import demo_sweep


@pytest.fixture
def sweep(tmp_path):
    return demo_sweep(tmp_path)


@pytest.mark.parametrize("name", ["reverse", "discard_no_metric"])
def test_sorted_children_flags_must_be_booleans(sweep, name):
    from hypersweep import ConfigurationError

    with pytest.raises(ConfigurationError, match=f"{name} must be True or False, got 'yes'"):
        sweep.get_children_sorted_by_primary_metric(**{name: "yes"})
    assert sweep.get_children_sorted_by_primary_metric(**{name: True})
