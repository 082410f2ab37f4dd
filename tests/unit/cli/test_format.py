"""Terminal tables: long cells are cut, except a last column asked to stay whole (a
termination reason's numbers must show in `hypersweep status`)."""

from __future__ import annotations

from hypersweep.cli._format import table


def test_cells_are_cut_but_a_whole_last_column_is_not():
    reason = ("BanditPolicy at interval 2: best 0.2 < 0.75 = 0.9 / (1 + 0.2), the best run's "
              "best")
    rows = [["x" * 60, reason]]
    cut = table(["A", "REASON"], rows).splitlines()[-1]
    assert "x" * 47 + "…" in cut and reason not in cut
    whole = table(["A", "REASON"], rows, last_whole=True).splitlines()[-1]
    assert whole.endswith(reason) and "x" * 47 + "…" in whole
