"""Views over a real store: snapshots (incremental and sampled) and the public plot_*."""

from __future__ import annotations

import pytest

import hypersweep
from hypersweep.plots import _data
from hypersweep.plots._curves import metrics_figure
from hypersweep.plots._data import load_sweep, sweep_data
from tests.unit.plots.fake_sweep import add_run, demo_sweep, make_sweep


@pytest.fixture
def sweep(tmp_path):
    return demo_sweep(tmp_path)


def test_snapshot_reads_runs_axes_and_curves(sweep):
    data = load_sweep(sweep._store, sweep.id, series=True)
    assert [a.kind for a in data.axes] == ["log", "categorical", "linear"]
    assert data.axes[1].categories == ("16", "32", "64")
    assert len(data.runs) == 6 and data.stride == 1 and data.sampling == "random"
    assert data.series[f"{sweep.id}_1"] == ((1, 2, 3, 4), (0.55, 0.75, 0.88, 0.9))
    assert data.best_run()["number"] == 1
    assert load_sweep(sweep._store, "demo").id == sweep.id  # a name means its newest sweep


def test_refresh_rereads_only_changed_runs(sweep, monkeypatch):
    first = load_sweep(sweep._store, sweep.id, series=True)
    asked = []
    real = _data.read_curves
    monkeypatch.setattr(_data, "read_curves",
                        lambda *a, **k: asked.append(k.get("run_ids")) or real(*a, **k))
    add_run(sweep, 6, {"lr": 0.03, "batch": 16, "dropout": 0.1}, [0.1, 0.2])
    second = load_sweep(sweep._store, sweep.id, series=True, previous=first)
    assert asked == [[f"{sweep.id}_6"]]
    assert second.series[f"{sweep.id}_6"] == ((1, 2), (0.1, 0.2))
    assert second.series[f"{sweep.id}_0"] == first.series[f"{sweep.id}_0"]


def test_large_sweeps_are_sampled_but_the_envelope_and_best_runs_stay_exact(tmp_path,
                                                                            monkeypatch):
    monkeypatch.setattr(_data, "FULL_POINTS", 45)
    monkeypatch.setattr(_data, "TOP_RUNS", 2)
    sweep = make_sweep(tmp_path, {"x": hypersweep.uniform(0, 1)})
    for i in range(8):  # 8 runs x 10 values = 80 values → stride 2 (and 90 too)
        add_run(sweep, i, {"x": i / 10}, [i / 100 + s / 1000 for s in range(10)])
    data = load_sweep(sweep._store, sweep.id, series=True)
    assert data.stride == 2
    assert data.full_ids == {f"{sweep.id}_7", f"{sweep.id}_6"}
    assert data.series[f"{sweep.id}_7"][0] == tuple(range(1, 11))
    assert data.series[f"{sweep.id}_0"][0] == (1, 3, 5, 7, 9, 10)
    assert data.envelope == {s + 1: 0.07 + s / 1000 for s in range(10)}
    # a new best run is read whole, folded into the envelope; the old one is sampled again
    add_run(sweep, 8, {"x": 0.9}, [0.5 + s / 1000 for s in range(10)])
    later = load_sweep(sweep._store, sweep.id, series=True, previous=data)
    assert later.stride == 2 and later.full_ids == {f"{sweep.id}_8", f"{sweep.id}_7"}
    assert later.series[f"{sweep.id}_6"][0] == (1, 3, 5, 7, 9, 10)
    assert later.envelope[10] == pytest.approx(0.509)
    fig = metrics_figure(later)
    assert fig["data"][-1]["y"][-1] == pytest.approx(0.509)


def test_incremental_sampled_refresh_matches_a_fresh_read(tmp_path, monkeypatch):
    monkeypatch.setattr(_data, "FULL_POINTS", 100)
    monkeypatch.setattr(_data, "TOP_RUNS", 2)
    sweep = make_sweep(tmp_path, {"x": hypersweep.uniform(0, 1)})
    for i in range(12):
        add_run(sweep, i, {"x": i / 20}, [((i * 7) % 5) / 10 + s / 100 for s in range(10)])
    first = load_sweep(sweep._store, sweep.id, series=True)
    add_run(sweep, 12, {"x": 0.5}, [0.9, 0.1, 0.95])
    again = load_sweep(sweep._store, sweep.id, series=True, previous=first)
    fresh = load_sweep(sweep._store, sweep.id, series=True)
    assert again.stride == fresh.stride == 2
    assert again.envelope == fresh.envelope and again.full_ids == fresh.full_ids
    assert again.series == fresh.series


@pytest.mark.parametrize("name", ["plot_metrics", "plot_parallel_coordinates", "plot_scatter",
                                  "plot_scatter3d", "plot_importance", "plot_compute_saved"])
def test_public_plot_functions_return_valid_plotly_figures(sweep, name):
    import plotly.graph_objects as go

    fig = getattr(hypersweep, name)(sweep)  # go.Figure validates every property
    assert isinstance(fig, go.Figure) and len(fig.data) >= 1
    assert fig.layout.template.layout.to_plotly_json() == {}  # the dashboard's look


def test_scatter_axes_can_be_chosen(sweep):
    fig = hypersweep.plot_scatter(sweep, x="batch", y="dropout")
    assert fig.layout.xaxis.type == "category" and list(fig.data[0].y)[:2] == [0.1, 0.3]


def test_plot_functions_need_a_sweep():
    with pytest.raises(TypeError, match="HyperDriveRun or SweepData"):
        sweep_data("HD_x")


def test_plot_module_exposes_the_same_functions_as_the_package_root():
    import hypersweep.plot as plot_module

    for name in plot_module.__all__:
        assert getattr(plot_module, name) is getattr(hypersweep.plots, name)
    assert plot_module.plot_metrics is hypersweep.plot_metrics
