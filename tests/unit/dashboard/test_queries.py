"""The aggregate queries behind the experiments list and the live-update check."""

from __future__ import annotations

from hypersweep.dashboard._queries import run_totals, sweep_version
from tests.unit.plots.fake_sweep import add_run


def test_run_totals_in_one_query(sweep):
    totals = run_totals(sweep._store)
    assert totals == {sweep.id: {"runs": 6, "done": 5, "running": 1, "max_best": 0.9,
                                 "min_best": 0.4}}


def test_version_moves_with_runs_values_and_status(sweep):
    store = sweep._store
    v1 = sweep_version(store, sweep.id)
    assert v1 == sweep_version(store, sweep.id) and sweep_version(store, "HD_none") is None
    store.update_runs([(f"{sweep.id}_5", {"status": "Completed", "ended": 1.0})])
    v2 = sweep_version(store, sweep.id)
    add_run(sweep, 6, {"lr": 0.01, "batch": 16, "dropout": 0.1}, [0.2])
    v3 = sweep_version(store, sweep.id)
    store.update_experiment(sweep.id, status="Completed")
    assert len({v1, v2, v3, sweep_version(store, sweep.id)}) == 4


def test_the_cache_serves_an_unchanged_sweep_from_memory(sweep):
    from hypersweep.dashboard._cache import SweepCache

    cache = SweepCache(sweep._store, max_sweeps=1)
    v1, d1 = cache.snapshot(sweep.id)
    assert cache.snapshot(sweep.id) == (v1, d1)  # same objects: nothing re-read
    _, with_series = cache.snapshot(sweep.id, series=True)
    assert with_series.series is not None and cache.snapshot(sweep.id)[1] is with_series
    add_run(sweep, 6, {"lr": 0.01, "batch": 16, "dropout": 0.1}, [0.2])
    v2, d2 = cache.snapshot(sweep.id)
    assert v2 != v1 and len(d2.runs) == 7 and d2.series is not None  # curves kept fresh
    assert cache.snapshot("demo")[0] == v2  # by name
    assert cache.memo(("k", v2), lambda: 1) == 1 and cache.memo(("k", v2), lambda: 2) == 1


def test_a_freshness_window_bounds_store_reads_and_then_sees_changes(sweep):
    from hypersweep.dashboard._cache import SweepCache

    now = [100.0]
    cache = SweepCache(sweep._store, refresh_seconds=1.0, clock=lambda: now[0])
    v1, d1 = cache.snapshot(sweep.id)
    add_run(sweep, 6, {"lr": 0.01, "batch": 16, "dropout": 0.1}, [0.2])
    now[0] += 0.5  # within the window: the store is not asked again
    assert cache.snapshot(sweep.id) == (v1, d1)
    now[0] += 0.6  # past it: the new run is seen
    v2, d2 = cache.snapshot(sweep.id)
    assert v2 != v1 and len(d2.runs) == len(d1.runs) + 1
    assert cache.version("demo") == (sweep.id, v2)  # a name resolves to the sweep id


def test_without_a_window_every_request_sees_the_latest_data(sweep):
    from hypersweep.dashboard._cache import SweepCache

    cache = SweepCache(sweep._store, clock=lambda: 0.0)  # a frozen clock changes nothing
    v1, d1 = cache.snapshot(sweep.id)
    add_run(sweep, 6, {"lr": 0.01, "batch": 16, "dropout": 0.1}, [0.2])
    v2, d2 = cache.snapshot(sweep.id)
    assert v2 != v1 and len(d2.runs) == len(d1.runs) + 1
