"""The dashboard in a real browser: pages, charts, table, pickers, live updates, safety."""

from __future__ import annotations

import shutil

from hypersweep import GridParameterSampling, Workspace, choice
from tests.browser.conftest import XSS, open_sweep, screenshot, show_chart
from tests.sweeps import SCRIPTS, sweep

COUNT = "(sel) => document.querySelectorAll(sel).length"


def count(page, selector: str) -> int:
    return page.evaluate(COUNT, selector)


def table_numbers(page) -> list[str]:
    return page.eval_on_selector_all("#runs tbody tr td:first-child",
                                     "tds => tds.map(td => td.textContent.replace(' ★', ''))")


def test_experiments_list_links_to_each_sweep(page, dashboard, artifacts):
    page.goto(dashboard.url + "/")
    page.wait_for_selector("#experiments tbody tr a")
    names = page.eval_on_selector_all("#experiments tbody tr td:first-child",
                                      "tds => tds.map(td => td.textContent)")
    assert {"demo", "xss"} <= set(names)
    screenshot(page, artifacts / "experiments.png")
    page.click(f"text={dashboard.demo.id}")
    page.wait_for_url(f"**/experiments/{dashboard.demo.id}")


def test_experiment_page_renders_every_chart_with_its_points(demo_page, dashboard, artifacts):
    page = demo_page
    # metrics: a line per run (6) and the best-so-far line
    assert count(page, "#chart-metrics .scatterlayer .trace") == 7
    # parallel coordinates: 3 hyperparameter axes + the metric axis, drawn with WebGL
    assert count(page, "#chart-parallel .y-axis") == 4
    assert count(page, "#chart-parallel canvas") >= 1
    titles = page.eval_on_selector_all("#chart-parallel .axis-title",
                                       "ts => ts.map(t => t.textContent)")
    assert titles == ["lr (log)", "batch", "dropout", "best acc"]
    # scatter: 6 runs and the best run's star; 3-D: 6 points in WebGL
    assert count(page, "#chart-scatter .scatterlayer .trace:first-child .point") == 6
    assert count(page, "#chart-scatter .scatterlayer .point") == 7
    assert page.evaluate("document.getElementById('chart-scatter3d').data[0].x.length") == 6
    assert count(page, "#chart-scatter3d canvas") >= 1
    assert count(page, "#chart-importance .bars .point") == 3
    assert count(page, "#chart-savings .trace.bars") == 2
    assert page.inner_text("#savings-cards").startswith("SAVED\n9%")
    assert count(page, "#runs tbody tr") == 6
    assert page.get_attribute("#runs tbody tr.best", "data-run") == f"{dashboard.demo.id}_1"
    screenshot(page, artifacts / "experiment.png")


def test_the_table_sorts_on_header_click_and_filters(demo_page):
    page = demo_page
    page.click("#runs th[data-key=best]")  # maximize: best first
    page.wait_for_function("document.querySelector('#runs th[data-key=best] .arrow')")
    page.wait_for_function("() => document.querySelector('#runs tbody td').textContent"
                           ".startsWith('1')")
    assert table_numbers(page) == ["1", "4", "0", "5", "3", "2"]
    page.click("#runs th[data-key=best]")
    page.wait_for_function("() => document.querySelector('#runs tbody td').textContent == '2'")
    assert table_numbers(page) == ["2", "3", "5", "0", "4", "1"]
    page.fill("#runs-filter", "Canceled")
    page.wait_for_function("document.querySelectorAll('#runs tbody tr').length == 1")
    assert "BanditPolicy at interval 2" in page.inner_text("#runs tbody tr")
    page.fill("#runs-filter", "")
    page.select_option("#runs-status", "Running")
    page.wait_for_function("() => document.querySelector('#runs tbody td').textContent == '5'")
    assert table_numbers(page) == ["5"]
    assert page.inner_text("#runs-info") == "1–1 of 1 (filtered from 6) runs"


def test_axis_pickers_change_the_scatter_plots(demo_page):
    page = demo_page
    show_chart(page, "scatter")
    page.select_option("#scatter-x", "batch")
    page.wait_for_function("document.getElementById('chart-scatter').layout.xaxis.type"
                           " == 'category'")
    xs = page.evaluate("document.getElementById('chart-scatter').data[0].x")
    assert sorted(set(xs)) == ["16", "32", "64"]
    assert page.text_content("#chart-scatter .xtitle") == "batch"
    show_chart(page, "scatter3d")
    page.select_option("#scatter3d-z", "dropout")
    page.wait_for_function("document.getElementById('chart-scatter3d').layout.scene.zaxis"
                           ".title.text == 'dropout'")
    zs = page.evaluate("document.getElementById('chart-scatter3d').data[0].z")
    assert sorted(zs) == [0.05, 0.1, 0.2, 0.25, 0.3, 0.45]


def test_a_real_sweep_updates_live_without_reload(page, dashboard, artifacts, tmp_path):
    """A real sweep (trial processes logging through the tracking client) runs while its
    page is open: new runs, new values and finished runs appear without a reload."""
    source = tmp_path / "src"
    shutil.copytree(SCRIPTS, source)
    workspace = Workspace(dashboard.workspace)
    run = sweep(workspace, source, GridParameterSampling({"--x": choice(0.2, 0.6, 0.9)}),
                name="real", arguments=["--steps", "4", "--sleep", "0.4"], background=True,
                max_total_runs=3, max_concurrent_runs=1)
    try:
        page.goto(f"{dashboard.url}/experiments/{run.id}")
        page.wait_for_function("document.body.dataset.tableVersion", timeout=20000)
        page.evaluate("window.__same_page = true")
        completed_at_first = count(page, "#runs .st-Completed")
        page.wait_for_function(
            "document.querySelectorAll('#runs .st-Completed').length == 3", timeout=30000)
        page.wait_for_function("document.querySelectorAll('#chart-metrics .scatterlayer "
                               ".trace').length == 4", timeout=20000)
        assert page.evaluate("window.__same_page") is True  # no reload happened
        assert completed_at_first < 3  # the sweep was still running when the page opened
        assert count(page, "#runs tbody tr") == 3
        assert page.inner_text("#status") == "Completed"
        assert "run 2" in page.inner_text("#cards .card-stat:first-child")  # x=0.9 is best
        screenshot(page, artifacts / "experiment-live.png")
    finally:
        run.cancel()


def test_run_page_shows_command_reason_metrics_log_and_files(page, dashboard, artifacts):
    open_sweep(page, dashboard, dashboard.demo)
    page.click(f"#runs a[href='/runs/{dashboard.demo.id}_2']")
    page.wait_for_function("document.body.dataset.version && document.body.dataset.version "
                           "!= 'null'")
    page.wait_for_selector("#log:not(:empty)")
    assert page.inner_text("#command") == "python train.py --lr 0.0005 --batch 64 --dropout 0.2"
    assert page.inner_text("#reason").startswith("BanditPolicy at interval 2")
    assert page.inner_text("#status") == "Canceled"
    assert count(page, "#metric-charts .js-plotly-plot") == 2  # acc and loss
    assert count(page, "#metric-charts .scatterlayer .point") == 4
    assert "epoch 2" in page.inner_text("#log")
    links = page.eval_on_selector_all("#files a", "as => as.map(a => a.textContent)")
    assert links == ["logs/std_log.txt", "outputs/model.txt"]
    screenshot(page, artifacts / "run.png")


def test_hostile_names_and_values_are_shown_as_text(page, dashboard, artifacts):
    sweep = dashboard.xss
    open_sweep(page, dashboard, sweep)
    assert XSS in page.inner_text("#runs")  # a choice value and a termination reason
    assert XSS in page.inner_text("#cards")  # the metric name
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    page.goto(f"{dashboard.url}/runs/{sweep.id}_2")
    page.wait_for_selector("#log:not(:empty)")
    page.wait_for_selector("#metric-charts .js-plotly-plot")
    assert XSS in page.inner_text("#reason") and XSS in page.inner_text("#log")
    assert XSS in page.inner_text("#params")
    assert "<b>x</b>.txt" in page.inner_text("#files")
    assert page.evaluate("document.querySelectorAll('img, b').length") == 0
    page.wait_for_timeout(300)  # give any injected handler time to fire (the fixture checks)
    screenshot(page, artifacts / "xss-run.png")
