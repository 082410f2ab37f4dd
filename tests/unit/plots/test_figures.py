"""The figure builders, exactly, on small hand-made sweeps."""

from __future__ import annotations

import math

import pytest

from hypersweep.errors import ConfigurationError
from hypersweep.plots._curves import metrics_figure, run_metric_figures, running_best, thin
from hypersweep.plots._data import Axis
from hypersweep.plots._space import parallel_figure, scatter3d_figure, scatter_figure
from hypersweep.plots._style import esc
from tests.unit.plots._data import data, run

XSS = "<img src=x onerror=alert(1)>"


def three_runs():
    runs = [run(0, {"lr": 0.001, "batch": 16, "dropout": 0.1}, 0.8, 3),
            run(1, {"lr": 0.01, "batch": 32, "dropout": 0.2}, 0.9, 3),
            run(2, {"lr": 0.1, "batch": 16, "dropout": 0.3}, 0.5, 2, status="Canceled")]
    return data(runs, {0: [0.5, 0.7, 0.8], 1: [0.6, 0.9, 0.85], 2: [0.4, 0.5]})


def test_running_best_and_thin():
    assert running_best([math.nan, 0.3, 0.2, 0.5], maximize=True) == [None, 0.3, 0.3, 0.5]
    assert running_best([0.3, 0.2, "s", 0.5], maximize=False) == [0.3, 0.2, 0.2, 0.2]
    x, y = thin(range(1, 101), [float(i % 10) for i in range(100)] + [], 10)
    assert x[0] == 1 and x[-1] == 100 and len(x) <= 12
    assert min(v for v in y if v is not None) == 0.0 and max(y) == 9.0  # extremes survive


def test_metrics_chart_has_a_line_per_run_and_the_best_so_far_envelope():
    fig = metrics_figure(three_runs())
    names = [t["name"] for t in fig["data"]]
    assert names == ["run 0", "run 1", "run 2", "best so far"]
    assert fig["data"][1]["x"] == [1, 2, 3] and fig["data"][1]["y"] == [0.6, 0.9, 0.85]
    assert fig["data"][1]["meta"] == "HD_x_1"  # a click opens the run
    best = fig["data"][-1]
    assert best["x"] == [1, 2, 3] and best["y"] == [0.6, 0.9, 0.9]
    assert best["line"]["shape"] == "hv"


def test_metrics_chart_for_minimize_takes_the_minimum():
    runs = [run(0, {}, 0.2, 2), run(1, {}, 0.1, 2)]
    fig = metrics_figure(data(runs, {0: [0.3, 0.2], 1: [0.5, 0.1]}, goal="minimize", axes=()))
    assert fig["data"][-1]["y"] == [0.3, 0.1]


def test_runs_that_logged_once_give_a_scatter_by_run_number_and_a_step_line():
    runs = [run(0, {}, 0.5, 1), run(1, {}, 0.4, 1), run(2, {}, 0.7, 1), run(3, {}, None, 0)]
    fig = metrics_figure(data(runs, {0: [0.5], 1: [0.4], 2: [0.7]}, axes=()))
    points, step = fig["data"]
    assert points["mode"] == "markers" and points["x"] == [0, 1, 2]
    assert points["y"] == [0.5, 0.4, 0.7] and points["customdata"] == ["HD_x_0", "HD_x_1",
                                                                       "HD_x_2"]
    assert step["x"] == [0, 1, 2] and step["y"] == [0.5, 0.5, 0.7]
    assert step["line"]["shape"] == "hv"


def test_metrics_chart_without_values_says_so():
    fig = metrics_figure(data([run(0, {}, None, 0)], {}))
    assert fig["data"] == [] and "no run has logged 'acc'" in fig["layout"]["annotations"][0][
        "text"]
    with pytest.raises(ValueError, match="series=True"):
        metrics_figure(data([run(0, {}, None, 0)]))


def test_many_runs_are_merged_into_one_trace_with_the_best_runs_on_top():
    runs = [run(i, {}, i / 1000, 2) for i in range(250)]
    fig = metrics_figure(data(runs, {i: [0.0, i / 1000] for i in range(250)}, axes=()))
    merged = fig["data"][0]
    assert merged["type"] == "scatter" and merged["name"] == "230 other runs"
    assert merged["x"].count(None) == 230
    lines = [t for t in fig["data"] if t.get("meta")]
    assert sorted(int(t["name"].split()[1]) for t in lines) == list(range(230, 250))
    assert fig["data"][-1]["y"] == [0.0, 0.249]


def test_parallel_coordinates_axes_follow_the_expressions():
    fig = parallel_figure(three_runs())
    (trace,) = fig["data"]
    lr, batch, dropout, best = trace["dimensions"]
    assert lr["label"] == "lr (log)" and lr["values"] == [-3.0, -2.0, -1.0]
    assert lr["tickvals"] == [-3.0, -2.0, -1.0] and lr["ticktext"] == ["0.001", "0.01", "0.1"]
    assert lr["range"] == pytest.approx([-3.08, -0.92])  # 4% padding
    assert batch["values"] == [0.0, 1.0, 0.0] and batch["ticktext"] == ["16", "32"]
    assert batch["tickvals"] == [0, 1] and batch["range"] == [-0.25, 1.25]
    assert dropout["values"] == [0.1, 0.2, 0.3]
    assert best["label"] == "best acc" and best["values"] == [0.8, 0.9, 0.5]
    assert trace["line"]["color"] == [0.8, 0.9, 0.5]
    assert trace["line"]["reversescale"] is False


def test_parallel_coordinates_leave_out_runs_without_a_metric():
    runs = [run(0, {"lr": 0.01, "batch": 16, "dropout": 0.1}, None, 0),
            run(1, {"lr": 0.01, "batch": 32, "dropout": 0.1}, 0.3, 1)]
    (trace,) = parallel_figure(data(runs))["data"]
    assert trace["dimensions"][-1]["values"] == [0.3]
    assert parallel_figure(data(runs[:1]))["data"] == []


def test_scatter_axes_types_colour_and_best_star():
    fig = scatter_figure(three_runs(), "lr", "@metric")
    runs, star = fig["data"]
    assert runs["x"] == [0.001, 0.01, 0.1] and runs["y"] == [0.8, 0.9, 0.5]
    assert runs["marker"]["color"] == [0.8, 0.9, 0.5]
    assert fig["layout"]["xaxis"]["type"] == "log"
    assert star["name"] == "best run" and star["x"] == [0.01]
    fig = scatter_figure(three_runs(), "batch", "dropout")
    assert fig["layout"]["xaxis"]["type"] == "category"
    assert fig["layout"]["xaxis"]["categoryarray"] == ["16", "32"]
    assert fig["data"][0]["x"] == ["16", "32", "16"]
    with pytest.raises(ConfigurationError, match="allowed: lr, batch, dropout, @metric, @number"):
        scatter_figure(three_runs(), "nope")
    # a HyperDrive-style key with dashes finds the parameter, as written either way
    assert scatter_figure(three_runs(), "--lr", "@metric")["data"][0]["x"] == runs["x"]
    assert scatter3d_figure(three_runs(), "--lr", "--batch")["data"][0]["x"] == runs["x"]


def test_scatter3d_defaults_to_two_parameters_and_the_metric():
    fig = scatter3d_figure(three_runs())
    runs = fig["data"][0]
    assert runs["type"] == "scatter3d" and runs["z"] == [0.8, 0.9, 0.5]
    assert runs["y"] == ["16", "32", "16"]
    assert fig["layout"]["scene"]["xaxis"]["type"] == "log"


def test_runs_without_metric_are_grey_points_when_the_metric_is_not_an_axis():
    runs = [run(0, {"lr": 0.01, "batch": 16, "dropout": 0.1}, None, 0, status="Running"),
            run(1, {"lr": 0.02, "batch": 32, "dropout": 0.2}, 0.3, 1)]
    fig = scatter_figure(data(runs), "lr", "dropout")
    assert [t["name"] for t in fig["data"]] == ["runs", "no metric yet", "best run"]
    assert fig["data"][1]["x"] == [0.01]


def test_user_text_is_escaped_in_every_label():
    axes = (Axis("p", "categorical", (XSS, "b")),)
    runs = [run(0, {"p": XSS}, 0.5, 1), run(1, {"p": "b"}, 0.6, 1)]
    sweep = data(runs, {0: [0.5], 1: [0.6]}, axes=axes, metric=XSS)
    for fig in (parallel_figure(sweep), scatter_figure(sweep), metrics_figure(sweep)):
        text = repr(fig)
        assert XSS not in text and esc(XSS) in text


def test_run_metric_figures_split_series_and_scalars():
    rows = [{"name": "acc", "step": s, "kind": "metric", "value": v}
            for s, v in enumerate([0.1, 0.2, 0.3], start=1)]
    rows += [{"name": "final", "step": 1, "kind": "metric", "value": 0.9},
             {"name": "note", "step": 1, "kind": "metric", "value": "ok"},
             {"name": "bad", "step": 1, "kind": "metric", "value": math.nan},
             {"name": "cm", "step": 1, "kind": "table", "value": {"a": [1, 2], "b": ["x"]}},
             {"name": "ls", "step": 1, "kind": "list", "value": [3, 4, 5]}]
    out = run_metric_figures(rows)
    assert [f["name"] for f in out["figures"]] == ["acc", "cm", "ls"]
    acc = out["figures"][0]["figure"]["data"][0]
    assert acc["x"] == [1, 2, 3] and acc["y"] == [0.1, 0.2, 0.3]
    assert [t["name"] for t in out["figures"][1]["figure"]["data"]] == ["a"]
    assert out["scalars"] == [{"name": "bad", "value": "nan"}, {"name": "final", "value": 0.9},
                              {"name": "note", "value": "ok"}]
