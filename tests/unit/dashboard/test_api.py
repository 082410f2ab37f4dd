"""The JSON API: every route, paging, sorting, filtering, errors and live versions."""

from __future__ import annotations

import json

from tests.unit.plots.fake_sweep import add_run


def test_experiments_list(client, sweep):
    (exp,) = client.get("/api/experiments").json()["experiments"]
    assert exp == {**exp, "id": sweep.id, "name": "demo", "status": "Running",
                   "sampling": "random", "policy": "bandit", "runs": 6, "done": 5,
                   "running": 1, "max_total_runs": 20, "best": 0.9, "metric": "acc",
                   "goal": "maximize"}


def test_experiment_summary(client, sweep):
    s = client.get(f"/api/experiments/{sweep.id}").json()
    assert s["best"] == {"id": f"{sweep.id}_1", "number": 1, "value": 0.9}
    assert s["counts"] == {"Completed": 4, "Canceled": 1, "Running": 1}
    assert s["policy"].startswith("bandit (slack_factor=0.2")
    assert [p["kind"] for p in s["params"]] == ["log", "categorical", "linear"]
    assert [a["key"] for a in s["axes"]] == ["lr", "batch", "dropout", "@metric", "@number"]
    assert client.get("/api/experiments/demo").json()["id"] == sweep.id  # by name


def test_runs_table_pages_sorts_and_filters(client, sweep):
    url = f"/api/experiments/{sweep.id}/runs"
    page = client.get(url, params={"sort": "best", "desc": "1", "limit": 2}).json()
    assert [r[0] for r in page["rows"]] == [1, 4]
    assert (page["total"], page["matched"], page["best_id"]) == (6, 6, f"{sweep.id}_1")
    page = client.get(url, params={"sort": "best", "offset": 4, "limit": 2}).json()
    assert [r[0] for r in page["rows"]] == [4, 1]  # ascending: 2, 3, 5, 0, | 4, 1
    assert [r[0] for r in client.get(url, params={"q": "bandit"}).json()["rows"]] == [2]
    assert [r[0] for r in client.get(url, params={"status": "Running"}).json()["rows"]] == [5]
    assert client.get(url, params={"status": "Nope"}).status_code == 400
    assert client.get(url, params={"sort": "nope"}).status_code == 400
    assert client.get(url, params={"limit": "x"}).status_code == 400


def test_every_figure_is_served(client, sweep):
    base = f"/api/experiments/{sweep.id}/figures"
    counts = {"metrics": 7, "parallel": 1, "scatter": 2, "scatter3d": 2, "importance": 1,
              "savings": 2}
    for kind, n in counts.items():
        body = client.get(f"{base}/{kind}").json()
        assert len(body["figure"]["data"]) == n, kind
    fig = client.get(f"{base}/scatter", params={"x": "batch", "y": "lr"}).json()["figure"]
    assert fig["layout"]["xaxis"]["type"] == "category" and fig["layout"]["yaxis"]["type"] == "log"
    assert client.get(f"{base}/scatter", params={"x": "nope"}).status_code == 400
    assert client.get(f"{base}/nope").status_code == 404


def test_importance_and_savings_numbers(client, sweep):
    imp = client.get(f"/api/experiments/{sweep.id}/importance").json()
    assert imp["n"] == 6 and imp["params"][0]["name"] == "batch"
    sav = client.get(f"/api/experiments/{sweep.id}/savings").json()
    assert (sav["used"], sav["saved"], sav["budget"], sav["stopped_runs"]) == (20, 2, 22, 1)


def test_run_details_metrics_log_and_files(client, sweep):
    rid = f"{sweep.id}_2"
    r = client.get(f"/api/runs/{rid}").json()
    assert r["status"] == "Canceled" and r["message"].startswith("BanditPolicy at interval 2")
    assert r["command_line"] == "python train.py --lr 0.0005 --batch 64 --dropout 0.2"
    assert r["experiment"] == {"id": sweep.id, "name": "demo", "metric": "acc"}
    m = client.get(f"/api/runs/{rid}/metrics").json()
    assert [f["name"] for f in m["figures"]] == ["acc", "loss"]
    log = client.get(f"/api/runs/{rid}/log", params={"lines": 2}).json()
    assert log == {"text": "epoch 2\ndone", "exists": True, "size": 21}
    files = client.get(f"/api/runs/{rid}/files").json()["files"]
    assert [f["name"] for f in files] == ["logs/std_log.txt", "outputs/model.txt"]
    got = client.get(f"/api/runs/{rid}/files/outputs/model.txt")
    assert got.text == "model 2\n" and got.headers["content-type"].startswith("text/plain")
    assert "sandbox" in got.headers["content-security-policy"]


def test_unknown_ids_are_404(client):
    assert client.get("/api/experiments/HD_nope").status_code == 404
    assert client.get("/api/runs/HD_nope_1").json()["error"].startswith("no run with id")


def test_the_version_changes_when_a_run_is_added_and_only_then(client, sweep):
    url = f"/api/experiments/{sweep.id}"
    first = client.get(url).json()["version"]
    assert client.get(url).json()["version"] == first
    add_run(sweep, 6, {"lr": 0.03, "batch": 16, "dropout": 0.1}, [0.95])
    s = client.get(url).json()
    assert s["version"] != first and s["runs"] == 7 and s["best"]["number"] == 6
    fig = client.get(f"{url}/figures/metrics").json()
    assert len(fig["figure"]["data"]) == 8 and fig["version"] == s["version"]


def test_json_is_strict_and_large_payloads_are_gzipped(client, sweep):
    add_run(sweep, 6, {"lr": 0.03, "batch": 16, "dropout": 0.1}, [float("nan"), 0.3])
    body = client.get(f"/api/experiments/{sweep.id}/figures/metrics").content
    json.loads(body, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    js = client.get("/static/vendor/plotly.min.js", headers={"accept-encoding": "gzip"})
    assert js.status_code == 200 and js.headers["content-encoding"] == "gzip"
    assert "plotly.js" in js.text[:200] and "max-age" in js.headers["cache-control"]


def test_pages_and_static_files_are_served_from_the_package(client, sweep):
    for path in ("/", f"/experiments/{sweep.id}", f"/runs/{sweep.id}_0"):
        page = client.get(path)
        assert page.status_code == 200 and "<script src=\"/static/common.js\"" in page.text
        assert "http" not in page.text.replace("http-equiv", "")  # nothing from elsewhere
    for name in ("app.css", "common.js", "experiment.js", "table.js", "run.js",
                 "experiments.js", "favicon.svg"):
        assert client.get(f"/static/{name}").status_code == 200
