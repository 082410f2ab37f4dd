"""RunDetails: text without IPython, HTML outputs without ipywidgets, widgets with them,
and refreshing while the sweep runs."""

from __future__ import annotations

import builtins
import json
import sys
import time

import pytest

from hypersweep import RunDetails
from tests.unit.plots.fake_sweep import add_run, demo_sweep


@pytest.fixture
def sweep(tmp_path):
    return demo_sweep(tmp_path)


def test_without_a_notebook_the_table_is_printed(sweep, capsys):
    RunDetails(sweep).show()
    out = capsys.readouterr().out
    assert "demo · " in out and "best acc (max): 0.9 (run 1" in out
    assert "Completed *" in out and out.count("HD_") >= 7


def test_without_ipython_installed_the_table_is_printed(sweep, capsys, monkeypatch):
    real_import = builtins.__import__

    def no_ipython(name, *args, **kwargs):
        if name.startswith("IPython"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_ipython)
    RunDetails(sweep).show()
    assert "termination reason" in capsys.readouterr().out


class FakeShell:
    pass


@pytest.fixture
def notebook(monkeypatch):
    """A pretend notebook: get_ipython() answers, display() records what was shown."""
    import IPython
    import IPython.display

    shown = []

    class Handle:
        def __init__(self, obj):
            self.objs = [obj]

        def update(self, obj, raw=False):
            self.objs.append(obj)

    def display(obj, display_id=False, raw=False):
        handle = Handle(obj)
        shown.append(handle)
        return handle if display_id else None

    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell())
    monkeypatch.setattr(IPython.display, "display", display)
    return shown


def test_html_outputs_without_ipywidgets_update_while_the_sweep_runs(sweep, notebook,
                                                                     monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails
    details = RunDetails(sweep, refresh_seconds=0.05)
    details.show()
    try:
        table, *charts = notebook
        assert len(charts) == 4 and "HD_" in table.objs[0].data
        # Plotly's own MIME type, shown raw: no nbformat, no plotly.js copy, no CDN
        bundle = charts[0].objs[0]
        assert set(bundle) == {"application/vnd.plotly.v1+json", "text/plain"}
        assert bundle["application/vnd.plotly.v1+json"]["data"]
        assert "cdn" not in json.dumps(bundle).lower()
        add_run(sweep, 6, {"lr": 0.03, "batch": 16, "dropout": 0.1}, [0.91, 0.95])
        deadline = time.time() + 5
        while len(charts[-1].objs) < 2 and time.time() < deadline:  # the last one updated
            time.sleep(0.05)
        assert "run 6" in table.objs[-1].data and "0.95" in table.objs[-1].data
        assert len(charts[0].objs) >= 2
    finally:
        details.stop()


def test_ipywidgets_box_holds_the_table_and_a_tab_per_chart(sweep, notebook):
    pytest.importorskip("ipywidgets")
    details = RunDetails(sweep, refresh_seconds=60)
    details.show()
    details.stop()
    (box,) = [h.objs[0] for h in notebook]
    table, tabs = box.children
    assert "HD_" in table.value and len(tabs.children) == 4
    assert [tabs.get_title(i) for i in range(4)] == ["metrics", "parallel coordinates",
                                                     "scatter", "importance"]
    (output,) = tabs.children[0].outputs
    assert output["output_type"] == "display_data"
    assert output["data"]["application/vnd.plotly.v1+json"]["data"]


def test_a_finished_sweep_is_not_polled(sweep, notebook, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    sweep._store.update_experiment(sweep.id, status="Completed")
    details = RunDetails(sweep)
    details.show()
    assert details._thread is None


def test_run_details_needs_a_sweep():
    with pytest.raises(TypeError, match="HyperDriveRun"):
        RunDetails("HD_x")


def test_a_child_run_shows_its_own_row_and_curve(sweep, capsys):
    """As Azure's widget takes any run: a child run shows itself, not a traceback."""
    child = sweep.get_children()[1]
    details = RunDetails(child)
    data = details.snapshot()
    assert [r["id"] for r in data.runs] == [child.id]
    assert set(data.series) <= {child.id}
    details.show()
    out = capsys.readouterr().out
    others = [c.id for c in sweep.get_children() if c.id != child.id]
    assert child.id in out and not [o for o in others if o in out]
    assert set(details.figures()) == set(RunDetails(sweep).figures())

