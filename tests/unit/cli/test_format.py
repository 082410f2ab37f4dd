"""Terminal output: tables cut long cells, except a last column asked to stay whole (a
termination reason's numbers must show in `hypersweep status`); the progress display
ends on the final counts."""

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


def test_the_progress_display_ends_on_the_final_counts():
    """Updates closer than 0.25 s apart are skipped; the last one is drawn at close."""
    import io
    from types import SimpleNamespace

    from hypersweep.cli._progress import Progress

    counts = {"Running": 1}
    controller = SimpleNamespace(
        counts=lambda: dict(counts), best=lambda: 0.5,
        spec=SimpleNamespace(max_total_runs=2, primary_metric_name="acc"))
    out = io.StringIO()
    progress = Progress(None, stream=out)
    progress.update(controller)
    counts.clear()
    counts["Completed"] = 2
    progress.update(controller)  # within 0.25 s: skipped
    assert "runs 2/2 done" not in out.getvalue()
    progress.close()
    assert out.getvalue().splitlines()[-1].startswith("runs 2/2 done, 0 running")
