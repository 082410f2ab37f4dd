"""The runs table: columns, rows, server-side sort and filter, text and HTML."""

from __future__ import annotations

from hypersweep.plots._table import html_table, query, table_columns, table_rows, text_table
from tests.unit.plots._data import data, run


def sweep():
    return data([run(0, {"lr": 0.001, "batch": 16, "dropout": 0.1}, 0.8, 3),
                 run(1, {"lr": 0.01, "batch": 32, "dropout": 0.2}, 0.9, 3),
                 run(2, {"lr": 0.1, "batch": "<b>x</b>", "dropout": 0.3}, None, 0,
                     status="Running", ended=None, message="why <not>")])


def test_columns_and_rows():
    cols = table_columns(sweep())
    assert [c["key"] for c in cols] == ["number", "best", "status", "started", "duration", "id",
                                        "p:lr", "p:batch", "p:dropout", "reason"]
    assert cols[1]["label"] == "best acc"
    rows = table_rows(sweep(), now=200.0)
    assert rows[0] == [0, 0.8, "Completed", 100.0, 30.0, "HD_x_0", 0.001, 16, 0.1, ""]
    assert rows[2][4] == 100.0  # running: counted up to now


def test_sort_puts_empty_cells_last_both_ways():
    cols, rows = table_columns(sweep()), table_rows(sweep(), 200.0)
    assert [r[0] for r in query(cols, rows, sort="best", descending=True)] == [1, 0, 2]
    assert [r[0] for r in query(cols, rows, sort="best")] == [0, 1, 2]
    assert [r[0] for r in query(cols, rows, sort="p:lr", descending=True)] == [2, 1, 0]


def test_filter_by_text_and_status():
    cols, rows = table_columns(sweep()), table_rows(sweep(), 200.0)
    assert [r[0] for r in query(cols, rows, text="0.01")] == [1]
    assert [r[0] for r in query(cols, rows, text="RUNNING")] == [2]
    assert [r[0] for r in query(cols, rows, status="Completed")] == [0, 1]
    assert query(cols, rows, text="1970") == []  # times are not searched as numbers


def test_text_and_html_tables_mark_the_best_and_escape():
    text = text_table(sweep(), 200.0)
    assert "Completed *" in text.splitlines()[3]
    html = html_table(sweep(), 200.0)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "why &lt;not&gt;" in html
