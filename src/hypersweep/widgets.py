"""``RunDetails(run).show()``: a sweep's runs table and charts in Jupyter, refreshed while
it runs — HyperDrive's notebook widget, with the dashboard's figures.

Three ways to show, chosen by what is installed:

- ipywidgets (``pip install 'hypersweep[notebook]'``): a box with the table and a tab
  per chart, updated in place;
- IPython without ipywidgets: plain HTML and Plotly outputs, updated through display ids;
- no IPython (a script, a terminal): the table printed as text, once.

Example::

    from hypersweep import RunDetails
    RunDetails(hyperdrive_run).show()
"""

from __future__ import annotations

import dataclasses
import html
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from hypersweep.plots import to_figure
from hypersweep.plots._analysis import importance
from hypersweep.plots._curves import metrics_figure
from hypersweep.plots._data import TERMINAL, SweepData, load_sweep
from hypersweep.plots._space import parallel_figure, scatter_figure
from hypersweep.plots._summary import importance_figure
from hypersweep.plots._table import html_table, text_table

__all__ = ["RunDetails"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"

CHARTS: dict[str, Callable[[SweepData], dict[str, Any]]] = {
    "metrics": metrics_figure,
    "parallel coordinates": parallel_figure,
    "scatter": lambda d: scatter_figure(d),
    "importance": lambda d: importance_figure(importance(d), d.metric),
}


def _headline(data: SweepData) -> str:
    best = data.best_run()
    done = sum(r["status"] in TERMINAL for r in data.runs)
    best_text = "none yet" if best is None else \
        f"{best['primary_best']:.6g} (run {best['number']}, {best['id']})"
    return (f"{data.experiment['name']} · {data.id} · {data.experiment['status']} · runs "
            f"{done}/{data.max_total_runs or len(data.runs)} ended · best {data.metric} "
            f"({'max' if data.maximize else 'min'}): {best_text}")


class RunDetails:
    """The runs table and charts of a sweep (a ``HyperDriveRun``) for notebooks; given
    one of its child runs, the same for that run alone.

    ``show()`` returns at once; while the sweep runs, a background thread re-reads the
    store every ``refresh_seconds`` and updates the output when something changed, then
    stops after the sweep ends (or on :meth:`stop`).
    """

    def __init__(self, run: Any, *, refresh_seconds: float = 5.0) -> None:
        if not hasattr(run, "_store") or not hasattr(run, "id"):
            raise TypeError(f"RunDetails needs a HyperDriveRun, got {type(run).__name__}")
        from hypersweep.experiment._runs import Run

        self.run = run
        # a child run: its sweep's snapshot, narrowed to it (as Azure's widget shows a run)
        self._only = run.id if isinstance(run, Run) else None
        self._sweep_id = run.parent_id if isinstance(run, Run) else run.id
        self.refresh_seconds = refresh_seconds
        self._data: SweepData | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- content ---------------------------------------------------------------------
    def snapshot(self) -> SweepData:
        """A fresh snapshot (curves of unchanged runs reused from the last one)."""
        data = load_sweep(self.run._store, self._sweep_id, series=True, previous=self._data)
        if self._only is not None:
            keep = self._only
            data = dataclasses.replace(
                data, runs=tuple(r for r in data.runs if r["id"] == keep),
                series=None if data.series is None else
                {k: v for k, v in data.series.items() if k == keep})
        self._data = data
        return data

    def text(self) -> str:
        """The headline and the runs table as plain text."""
        data = self.snapshot()
        return f"{_headline(data)}\n\n{text_table(data, time.time())}"

    def html(self, data: SweepData | None = None) -> str:
        """The headline and the runs table as an HTML fragment (every value escaped)."""
        data = data or self.snapshot()
        return (f"<div class='hypersweep-run-details'><p><b>{html.escape(_headline(data))}"
                f"</b></p>{html_table(data, time.time())}</div>")

    def figures(self, data: SweepData | None = None) -> dict[str, Any]:
        """Chart name → ``plotly.graph_objects.Figure`` (the dashboard's figures)."""
        data = data or self.snapshot()
        return {name: to_figure(build(data)) for name, build in CHARTS.items()}

    def bundles(self, data: SweepData | None = None) -> dict[str, dict[str, Any]]:
        """Chart name → a display bundle: the figure as Plotly's own MIME type, which
        JupyterLab, Notebook 7 and VS Code draw natively. Shown raw rather than through
        Plotly's renderers: those need ``nbformat`` (a traceback per chart without it)
        and may embed 4.8 MB of plotly.js per output or load MathJax from a CDN."""
        out = {}
        for name, fig in self.figures(data).items():
            spec = json.loads(fig.to_json())
            spec["config"] = {"displaylogo": False, "responsive": True}
            out[name] = {PLOTLY_MIME: spec,
                         "text/plain": f"<{name} chart: open in JupyterLab, Notebook 7 or "
                                       "VS Code, or run `hypersweep ui` for the dashboard>"}
        return out

    # -- showing ---------------------------------------------------------------------
    def show(self) -> None:
        """Display in the running notebook, or print the table when there is none."""
        try:
            from IPython import get_ipython
        except ImportError:
            print(self.text())
            return
        if get_ipython() is None:
            print(self.text())
            return
        try:
            import ipywidgets
        except ImportError:
            render = self._show_html()
        else:
            render = self._show_widgets(ipywidgets)
        self._start(render)

    def _show_html(self) -> Callable[[SweepData], None]:
        from IPython.display import HTML, display

        data = self.snapshot()
        table = display(HTML(self.html(data)), display_id=True)
        charts = {name: display(bundle, raw=True, display_id=True)
                  for name, bundle in self.bundles(data).items()}

        def render(new: SweepData) -> None:
            table.update(HTML(self.html(new)))
            for name, bundle in self.bundles(new).items():
                charts[name].update(bundle, raw=True)
        return render

    def _show_widgets(self, widgets: Any) -> Callable[[SweepData], None]:
        from IPython.display import display

        table = widgets.HTML()
        outputs = {name: widgets.Output() for name in CHARTS}
        tabs = widgets.Tab(children=list(outputs.values()))
        for i, name in enumerate(outputs):
            tabs.set_title(i, name)

        def render(new: SweepData) -> None:
            table.value = self.html(new)
            for name, bundle in self.bundles(new).items():
                outputs[name].outputs = ({"output_type": "display_data", "data": bundle,
                                          "metadata": {}},)
        render(self.snapshot())
        display(widgets.VBox([table, tabs]))
        return render

    # -- refreshing ------------------------------------------------------------------
    def _start(self, render: Callable[[SweepData], None]) -> None:
        if self._data is not None and self._data.experiment["status"] in TERMINAL:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(render,), daemon=True,
                                         name=f"RunDetails-{self.run.id}")
        self._thread.start()

    @staticmethod
    def _key(data: SweepData) -> Any:
        return (data.experiment["status"],
                tuple((r["id"], r["status"], r["primary_count"]) for r in data.runs))

    def _loop(self, render: Callable[[SweepData], None]) -> None:
        last = self._key(self._data) if self._data is not None else None
        while not self._stop.wait(self.refresh_seconds):
            try:
                data = self.snapshot()
                if self._key(data) != last:
                    render(data)
                    last = self._key(data)
            except Exception:  # a notebook helper must never raise from its thread
                continue
            if data.experiment["status"] in TERMINAL:
                return

    def stop(self) -> None:
        """Stop refreshing."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.refresh_seconds + 5)

    def _repr_html_(self) -> str:
        return self.html()
