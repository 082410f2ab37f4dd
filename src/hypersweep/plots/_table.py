"""The runs table shared by the dashboard (sorted, filtered and paged on the server), the
notebook widget (HTML) and plain text: number, best metric, status, started, duration,
id, one column per hyperparameter, and the termination reason."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from hypersweep.plots._data import SweepData
from hypersweep.plots._style import fmt, num

__all__ = ["html_table", "query", "summary_lines", "table_columns", "table_rows",
           "text_table"]

STATUSES = ("Queued", "Starting", "Running", "CancelRequested", "Completed", "Failed",
            "Canceled")


def table_columns(data: SweepData) -> list[dict[str, str]]:
    """Column descriptions: ``key`` (``p:<name>`` for hyperparameters), ``label`` and
    ``type`` (int, float, text, time, seconds)."""
    cols = [{"key": "number", "label": "#", "type": "int"},
            {"key": "best", "label": f"best {data.metric}", "type": "float"},
            {"key": "status", "label": "status", "type": "text"},
            {"key": "started", "label": "started", "type": "time"},
            {"key": "duration", "label": "duration", "type": "seconds"},
            {"key": "id", "label": "run id", "type": "text"}]
    for ax in data.axes:
        cols.append({"key": f"p:{ax.name}", "label": ax.name,
                     "type": "text" if ax.kind == "categorical" else "float"})
    cols.append({"key": "reason", "label": "termination reason", "type": "text"})
    return cols


def _cell(value: Any) -> Any:
    """A JSON-safe cell: numbers and strings as they are, anything else as JSON text."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return num(value)
    return json.dumps(value)


def table_rows(data: SweepData, now: float) -> list[list[Any]]:
    """One row per run, cells in :func:`table_columns` order; a running run's duration
    counts up to ``now``."""
    names = [ax.name for ax in data.axes]
    rows = []
    for run in data.runs:
        started = run["started"]
        duration = None if started is None else (run["ended"] or now) - started
        params = run["params"] or {}
        rows.append([run["number"], num(run["primary_best"]), run["status"], started,
                     duration, run["id"], *[_cell(params.get(n)) for n in names],
                     run["message"] or ""])
    return rows


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (1, str(value))
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).lower())


def query(columns: Sequence[Mapping[str, str]], rows: Sequence[Sequence[Any]], *,
          sort: str | None = None, descending: bool = False, text: str = "",
          status: str = "") -> list[Sequence[Any]]:
    """Rows whose cells contain ``text`` (case-insensitive) and whose status is ``status``
    (when given), sorted on column ``sort``; empty cells always sort last."""
    keys = [c["key"] for c in columns]
    out = list(rows)
    if status:
        out = [r for r in out if r[2] == status]
    if text:
        needle = text.lower()
        searched = [i for i, c in enumerate(columns) if c["type"] not in ("time", "seconds")]
        out = [r for r in out
               if any(r[i] is not None and needle in fmt(r[i]).lower() for i in searched)]
    if sort:
        if sort not in keys:
            raise ValueError(f"sort must be one of {', '.join(keys)}, got {sort!r}")
        i = keys.index(sort)
        present = [r for r in out if r[i] is not None]
        present.sort(key=lambda r: (_sort_key(r[i]), r[0]), reverse=descending)
        out = present + [r for r in out if r[i] is None]
    return out


def _display(column: Mapping[str, str], value: Any) -> str:
    import datetime as _dt

    if value is None:
        return "-"
    if column["type"] == "time":
        return _dt.datetime.fromtimestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    if column["type"] == "seconds":
        minutes, secs = divmod(float(value), 60)
        return f"{int(minutes)}m{secs:04.1f}s" if minutes else f"{secs:.1f}s"
    return fmt(value)


def text_table(data: SweepData, now: float, max_width: int = 40) -> str:
    """The table as aligned plain text (the best run's status marked ``*``)."""
    cols = table_columns(data)
    best = data.best_run()
    cells = [[c["label"] for c in cols]]
    for row in table_rows(data, now):
        line = [_display(c, v) for c, v in zip(cols, row, strict=True)]
        if best is not None and row[5] == best["id"]:
            line[2] += " *"
        cells.append([t if len(t) <= max_width else t[:max_width - 1] + "…" for t in line])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cols))]
    lines = ["  ".join(t.ljust(w) for t, w in zip(r, widths, strict=True)).rstrip()
             for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary_lines(data: SweepData) -> list[str]:
    """What a glance at the table should tell: runs by status, the best run (marked ``*``)
    and, with a policy, the compute early termination saved."""
    from hypersweep.plots._analysis import compute_saved

    counts: dict[str, int] = {}
    for run in data.runs:
        counts[run["status"]] = counts.get(run["status"], 0) + 1
    done = ", ".join(f"{n} {s}" for s, n in counts.items()) or "none yet"
    lines = [f"runs: {len(data.runs)} of {data.max_total_runs or '?'} ({done})"]
    best = data.best_run()
    lines.append(f"best {data.metric}: " + ("-" if best is None else
                 f"{fmt(best['primary_best'])} (run {best['number']}, {best['id']}, marked *)"))
    saved = compute_saved(data)
    if saved["policy"] != "none":
        lines.append(f"early termination ({saved['policy']}): {saved['stopped_runs']} runs "
                     f"stopped, {saved['saved']} of {saved['budget']} intervals saved "
                     f"({100 * saved['fraction']:.0f}%)")
    return lines


def html_table(data: SweepData, now: float) -> str:
    """The table as an HTML fragment, every cell escaped (the best run's row in bold)."""
    cols = table_columns(data)
    best = data.best_run()
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{html.escape(c['label'])}"
                   "</th>" for c in cols)
    body = []
    for row in table_rows(data, now):
        weight = "font-weight:bold;" if best is not None and row[5] == best["id"] else ""
        tds = "".join(f"<td style='{weight}padding:2px 8px'>{html.escape(_display(c, v))}</td>"
                      for c, v in zip(cols, row, strict=True))
        body.append(f"<tr>{tds}</tr>")
    return (f"<table class='hypersweep-runs' style='border-collapse:collapse'><thead><tr>"
            f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
