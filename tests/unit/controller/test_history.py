"""The history the controller hands its sampler, kept up to date incrementally, is at
every call what a full rebuild from the runs would give: prior observations, then every
run of the sweep in run-number order, running ones pending with their best value so far."""

from __future__ import annotations

import time
import warnings

import pytest

from hypersweep import (
    Experiment,
    HyperDriveConfig,
    PrimaryMetricGoal,
    RandomParameterSampling,
    ScriptRunConfig,
    Workspace,
    choice,
    uniform,
)
from hypersweep.controller import Controller
from hypersweep.execution import Executor, LaunchInfo, TrialExit, TrialLaunch
from hypersweep.sampling import Observation


class StaggeredExecutor(Executor):
    """Run k lasts k % 4 waits and logs k/100 once per wait; run 5 exits 1."""

    def __init__(self) -> None:
        self.left: dict[str, int] = {}
        self.logged: dict[str, bytes] = {}

    def launch(self, trial: TrialLaunch) -> LaunchInfo:
        number = int(trial.run_id.rsplit("_", 1)[1])
        self.left[trial.run_id] = number % 4
        self.logged[trial.run_id] = b""
        return LaunchInfo(pid=None, pid_started=None, host="fake")

    def wait(self, timeout: float) -> list[TrialExit]:
        ended = []
        for rid in list(self.left):
            number = int(rid.rsplit("_", 1)[1])
            self.logged[rid] += b'{"kind":"metric","name":"acc","value":%r,"time":1.0}\n' % (
                number / 100 + self.left[rid] / 1000)
            if self.left[rid] == 0:
                del self.left[rid]
                ended.append(TrialExit(run_id=rid, exit_code=1 if number == 5 else 0,
                                       ended=time.time()))
            else:
                self.left[rid] -= 1
        return ended

    def read_channel(self, run_id: str, offset: int) -> tuple[bytes, int]:
        data = self.logged.get(run_id, b"")
        return data[offset:], len(data)

    def cancel(self, run_id: str, grace: float) -> None:
        self.left.pop(run_id, None)

    def adopt(self, run_id, info, trial):
        return None

    def running(self) -> set[str]:
        return set(self.left)

    def shutdown(self, grace: float = 5.0) -> None:
        self.left.clear()


def _rebuilt(controller: Controller) -> list[Observation]:
    runs = sorted(controller.runs.values(), key=lambda r: r.number)
    return controller.prior + [
        Observation(r.params, r.best(controller.goal), pending=not r.status.is_terminal)
        for r in runs]


@pytest.mark.parametrize("concurrency", [1, 3, 7])
def test_history_matches_a_full_rebuild_at_every_suggestion(tmp_path, concurrency):
    ws = Workspace(str(tmp_path))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "t.py").write_text("")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = HyperDriveConfig(
            run_config=ScriptRunConfig(str(tmp_path / "src"), "t.py"),
            hyperparameter_sampling=RandomParameterSampling({"x": uniform(0, 1)}, seed=0),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=30, max_concurrent_runs=concurrency)
    sweep = Experiment(ws, "history").create(config)
    controller = Controller(ws.store, sweep.id, StaggeredExecutor(), poll_interval=0.0)
    seen: list[tuple[list[Observation], list[Observation]]] = []
    suggest = controller.sampler.suggest

    def checked(history, n, **kwargs):
        seen.append((list(history), _rebuilt(controller)))
        return suggest(history, n, **kwargs)

    controller.sampler.suggest = checked  # type: ignore[method-assign]
    controller.run()
    assert len(seen) >= 30 // concurrency
    for given, rebuilt in seen:
        assert given == rebuilt
    # the last history saw finished runs with their values, and pending ones
    assert any(not o.pending and o.value is not None for o in seen[-1][0])
    if concurrency > 1:
        assert any(o.pending for given, _ in seen for o in given)


@pytest.mark.parametrize("concurrency", [1, 3])
@pytest.mark.parametrize("space", [{"x": uniform(0, 1)},
                                   {"a": choice(1, 2, 3), "b": choice("p", "q", "r", "s")}])
def test_parameters_drawn_ahead_are_those_drawn_at_the_launch(tmp_path, concurrency, space):
    """A sampler that ignores results is asked for the next run's parameters while trials
    run (off the path between a trial's end and the next one's start); every run gets
    the parameters it would get when asked at its launch, a discrete space's points
    each once."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "t.py").write_text("")

    def params(ahead: bool) -> list[dict]:
        ws = Workspace(str(tmp_path / f"ws{ahead}"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = HyperDriveConfig(
                run_config=ScriptRunConfig(str(tmp_path / "src"), "t.py"),
                hyperparameter_sampling=RandomParameterSampling(space, seed=3),
                primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                max_total_runs=12, max_concurrent_runs=concurrency)
        sweep = Experiment(ws, "ahead").create(config)
        controller = Controller(ws.store, sweep.id, StaggeredExecutor(), poll_interval=0.0)
        calls = []
        suggest = controller.sampler.suggest

        def counted(history, n, **kwargs):
            calls.append(controller._active() == concurrency)  # every slot busy: ahead
            return suggest(history, n, **kwargs)

        controller.sampler.suggest = counted  # type: ignore[method-assign]
        if not ahead:  # as a sampler that uses results: asked at the launch only
            controller.sampler.uses_results = True  # type: ignore[misc]
        controller.run()
        assert any(calls) == ahead
        return [r.params for r in sorted(controller.runs.values(), key=lambda r: r.number)]

    ahead, at_launch = params(True), params(False)
    assert ahead == at_launch and len(ahead) == 12
    if "a" in space:
        assert len({(p["a"], p["b"]) for p in ahead}) == 12
