"""The JSON API: thin handlers over the sweep cache, the figure builders and the store.

Every handler is a plain function (Starlette runs it in its thread pool) that reads, never
writes. Figures are the same dicts ``hypersweep.plots`` wraps for notebooks.
"""

from __future__ import annotations

import json
import shlex
import time
from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from hypersweep.dashboard import _files
from hypersweep.dashboard._cache import SweepCache
from hypersweep.dashboard._queries import run_totals
from hypersweep.dashboard._responses import error, json_response
from hypersweep.errors import NotFoundError
from hypersweep.plots._analysis import compute_saved, importance
from hypersweep.plots._curves import metrics_figure, run_metric_figures
from hypersweep.plots._data import TERMINAL, SweepData
from hypersweep.plots._space import axis_options, parallel_figure, scatter3d_figure, scatter_figure
from hypersweep.plots._summary import importance_figure, savings_figure
from hypersweep.plots._table import STATUSES, query, table_columns, table_rows

__all__ = ["Api"]

MAX_PAGE = 500
TEXT_FILES = (".txt", ".log", ".json", ".jsonl", ".csv", ".tsv", ".yaml", ".yml", ".md", ".out")


def describe_policy(policy: dict[str, Any] | None) -> str:
    """``bandit (slack_factor=0.2, evaluation_interval=1, ...)`` or ``none``."""
    if not policy:
        return "none"
    options = ", ".join(f"{k}={v}" for k, v in policy.items() if k != "type")
    return f"{policy.get('type', '?')} ({options})" if options else str(policy.get("type"))


def _summary(data: SweepData, version: str) -> dict[str, Any]:
    exp, best = data.experiment, data.best_run()
    counts = Counter(r["status"] for r in data.runs)
    return {"id": exp["id"], "name": exp["name"], "status": exp["status"],
            "message": exp.get("message"), "created": exp.get("created"),
            "started": exp.get("started"), "ended": exp.get("ended"), "metric": data.metric,
            "goal": "maximize" if data.maximize else "minimize", "sampling": data.sampling,
            "policy": describe_policy(data.policy),
            "policy_type": (data.policy or {}).get("type", "none"),
            "max_total_runs": data.max_total_runs,
            "max_concurrent_runs": data.max_concurrent_runs, "runs": len(data.runs),
            "done": sum(counts[s] for s in TERMINAL), "counts": dict(counts),
            "best": None if best is None else {"id": best["id"], "number": best["number"],
                                               "value": best["primary_best"]},
            "params": [{"name": a.name, "kind": a.kind, "expression": a.expression}
                       for a in data.axes],
            "axes": axis_options(data), "version": version}


class Api:
    """Request handlers bound to one store (through its sweep cache)."""

    def __init__(self, cache: SweepCache) -> None:
        self.cache = cache
        self.store = cache.store

    # -- experiments -------------------------------------------------------------------
    def experiments(self, request: Request) -> Response:
        totals = run_totals(self.store)
        out = []
        for row in reversed(self.store.experiments()):
            spec = json.loads(row["spec"] or "{}")
            t = totals.get(row["id"], {"runs": 0, "done": 0, "running": 0,
                                       "max_best": None, "min_best": None})
            maximize = str(spec.get("primary_metric_goal", "maximize")).lower() != "minimize"
            out.append({"id": row["id"], "name": row["name"], "status": row["status"],
                        "sampling": (spec.get("sampling") or {}).get("type", "?"),
                        "policy": (spec.get("policy") or {}).get("type", "none"),
                        "runs": t["runs"], "done": t["done"], "running": t["running"],
                        "max_total_runs": spec.get("max_total_runs"),
                        "metric": spec.get("primary_metric_name"),
                        "goal": "maximize" if maximize else "minimize",
                        "best": t["max_best"] if maximize else t["min_best"],
                        "created": row["created"], "started": row["started"]})
        return json_response(request, {"experiments": out})

    def experiment(self, request: Request) -> Response:
        version, data = self.cache.snapshot(request.path_params["id"])
        return json_response(request, _summary(data, version))

    def runs(self, request: Request) -> Response:
        q = request.query_params
        version, data = self.cache.snapshot(request.path_params["id"])
        status = q.get("status", "")
        if status and status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        columns = table_columns(data)
        rows = query(columns, table_rows(data, time.time()), sort=q.get("sort") or None,
                     descending=q.get("desc", "") in ("1", "true"), text=q.get("q", ""),
                     status=status)
        offset = max(0, _int(q.get("offset"), 0, "offset"))
        limit = min(MAX_PAGE, max(1, _int(q.get("limit"), 100, "limit")))
        best = data.best_run()
        return json_response(request, {
            "columns": columns, "rows": rows[offset:offset + limit], "total": len(data.runs),
            "matched": len(rows), "offset": offset, "limit": limit, "version": version,
            "best_id": best["id"] if best else None})

    def figure(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        q = request.query_params
        args = tuple(q.get(k) or None for k in ("x", "y", "z"))
        builders = {
            "metrics": lambda d: metrics_figure(d),
            "parallel": parallel_figure,
            "scatter": lambda d: scatter_figure(d, args[0], args[1]),
            "scatter3d": lambda d: scatter3d_figure(d, *args),
            "importance": lambda d: importance_figure(importance(d), d.metric),
            "savings": lambda d: savings_figure(compute_saved(d)),
        }
        if kind not in builders:
            return error(request, 404, f"no figure {kind!r}; figures: {', '.join(builders)}")
        version, data = self.cache.snapshot(request.path_params["id"],
                                            series=kind == "metrics")
        key = (data.id, version, kind, args if kind.startswith("scatter") else ())
        fig = self.cache.memo(key, lambda: builders[kind](data))
        return json_response(request, {"figure": fig, "version": version})

    def importance(self, request: Request) -> Response:
        version, data = self.cache.snapshot(request.path_params["id"])
        result = self.cache.memo((data.id, version, "importance-data"), lambda: importance(data))
        return json_response(request, {**result, "version": version})

    def savings(self, request: Request) -> Response:
        version, data = self.cache.snapshot(request.path_params["id"])
        totals = {k: v for k, v in compute_saved(data).items() if k != "runs"}
        return json_response(request, {**totals, "version": version})

    # -- runs ----------------------------------------------------------------------------
    def _run(self, request: Request) -> dict[str, Any]:
        return self.store.run(request.path_params["id"])

    def run(self, request: Request) -> Response:
        row = self._run(request)
        exp = self.store.experiment(row["experiment_id"])
        spec = json.loads(exp["spec"] or "{}")
        command = list(row["command"] or [])
        return json_response(request, {
            "id": row["id"], "number": row["number"], "status": row["status"],
            "message": row["message"], "exit_code": row["exit_code"],
            "params": row["params"], "arguments": row["arguments"], "command": command,
            "command_line": shlex.join(str(t) for t in command),
            "created": row["created"], "started": row["started"], "ended": row["ended"],
            "host": row["host"], "pid": row["pid"], "resumed_from": row["resumed_from"],
            "primary_best": row["primary_best"], "primary_count": row["primary_count"],
            "experiment": {"id": exp["id"], "name": exp["name"],
                           "metric": spec.get("primary_metric_name")},
            "version": f"{row['status']}:{row['channel_offset']}:{row['primary_count']}"})

    def run_metrics(self, request: Request) -> Response:
        row = self._run(request)
        return json_response(request, run_metric_figures(self.store.metrics([row["id"]])))

    def run_log(self, request: Request) -> Response:
        lines = min(5000, max(1, _int(request.query_params.get("lines"), 200, "lines")))
        return json_response(request, _files.tail(self._run(request)["run_dir"], lines))

    def run_files(self, request: Request) -> Response:
        return json_response(request, _files.list_files(self._run(request)["run_dir"]))

    def run_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = _files.resolve(self._run(request)["run_dir"], name)
        if path is None:
            return error(request, 404, f"run has no file {name!r} under outputs/ or logs/")
        text = name.lower().endswith(TEXT_FILES)
        return FileResponse(
            path, media_type="text/plain; charset=utf-8" if text else "application/octet-stream",
            filename=name.rsplit("/", 1)[-1],
            content_disposition_type="inline" if text else "attachment",
            headers={"content-security-policy": "sandbox; default-src 'none'"})


def _int(text: str | None, default: int, field: str) -> int:
    if text in (None, ""):
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{field} must be an integer, got {text!r}") from None


def handle_errors(request: Request, exc: Exception) -> Response:
    """404 for unknown ids, 400 for bad query values."""
    if isinstance(exc, NotFoundError):
        return error(request, 404, str(exc))
    return error(request, 400, str(exc))
