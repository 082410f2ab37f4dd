"""The CLI's commands: each takes parsed arguments and returns an exit code."""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from typing import Any

from hypersweep.cli._format import duration, fmt, table, when
from hypersweep.cli._progress import Progress
from hypersweep.cli._ui import cmd_ui
from hypersweep.errors import ConfigurationError
from hypersweep.status import ExperimentStatus

__all__ = ["COMMANDS"]


def _workspace(args: Any, *, create: bool = False):
    """The workspace the command names. Only ``run`` makes a new one: a read command on
    a folder with no store is a mistyped path, not an empty workspace."""
    from hypersweep.errors import ConfigurationError
    from hypersweep.experiment._workspace import Workspace

    ws = Workspace(args.workspace) if args.workspace else Workspace.from_config()
    if not create and ws.url.startswith("sqlite:///"):
        database = ws.url[len("sqlite:///"):]
        if not os.path.exists(database):
            raise ConfigurationError(
                f"no hypersweep workspace at {os.path.dirname(os.path.dirname(database))} "
                f"(no store {database}); check --workspace or $HYPERSWEEP_WORKSPACE, or "
                "start a sweep there with `hypersweep run`")
    return ws


def _sweep(args: Any):
    from hypersweep.experiment._experiment import Experiment
    from hypersweep.experiment._hyperdrive_run import HyperDriveRun

    ws = _workspace(args)
    row = ws.store.experiment(args.experiment)
    return HyperDriveRun(Experiment(ws, row["name"]), row["id"])


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def cmd_run(args: Any) -> int:
    from hypersweep.config import load_sweep_yaml
    from hypersweep.experiment._experiment import Experiment, start_background_controller
    from hypersweep.experiment._runner import run_sweep

    spec, name = load_sweep_yaml(args.file)
    if args.executor or args.address:
        spec = spec.replace(compute={"type": args.executor or "ray", "address": args.address})
    name = args.name or name or os.path.splitext(os.path.basename(args.file))[0]
    ws = _workspace(args, create=True)
    run = Experiment(ws, name).create(spec)
    if args.detach:
        start_background_controller(ws, run.id)
        if args.json:
            _print_json({"experiment": run.id, "status": run.get_status()})
        else:
            print(run.id)
        return 0
    progress = Progress(run, enabled=not args.json)
    status = run_sweep(ws, run.id, on_progress=progress.update)
    progress.close()
    message = run._refresh()["message"]
    if args.json:
        _print_json({"experiment": run.id, "status": status.value, "best": _best_data(run)})
    else:
        print(f"{run.id}: {status.value}" + (f" ({message})" if message else ""))
        _print_failures(run)
        _print_best(run)
    return _exit_status(status.value, message)


def _exit_status(status: str, message: str | None) -> int:
    """The command's exit status for a sweep that ended: 0 only when it completed, so a
    script or CI job can tell a finished sweep from a failed or interrupted one."""
    if status == "Completed":
        return 0
    if status == "Failed":
        return 1
    if status == "Canceled":
        text = message or ""
        return 130 if "SIGINT" in text else 143 if "SIGTERM" in text else 3
    return 0  # still running: --detach, or a resume handed to a background controller


def _print_failures(run: Any, shown: int = 3) -> None:
    """Why runs failed, one line per distinct reason (a typo in the command fails every
    run the same way), so the user need not open the status table or a log."""
    failed = [r for r in run._store.runs(run.id) if r["status"] == "Failed"]
    reasons: dict[str, list[int]] = {}
    for row in failed:
        reasons.setdefault(_reason(row, width=200), []).append(row["number"])
    for reason, numbers in list(reasons.items())[:shown]:
        which = (f"run {numbers[0]}" if len(numbers) == 1
                 else f"{len(numbers)} runs ({', '.join(map(str, numbers[:5]))}"
                      + (", ..." if len(numbers) > 5 else "") + ")")
        print(f"failed: {which}: {reason}")
    if len(reasons) > shown:
        print(f"failed: {len(reasons) - shown} more reason(s); see hypersweep status {run.id}")


def cmd_resume(args: Any) -> int:
    from hypersweep.experiment._resume import resume

    run = _sweep(args)
    status = resume(run, background=args.detach)
    print(f"{run.id}: {status}")
    return _exit_status(status, run._refresh()["message"])


def cmd_ls(args: Any) -> int:
    from hypersweep.experiment._experiment import Experiment
    from hypersweep.experiment._hyperdrive_run import HyperDriveRun

    ws = _workspace(args)
    data = []
    for row in ws.store.experiments():
        run = HyperDriveRun(Experiment(ws, row["name"]), row["id"])
        runs = ws.store.runs(row["id"])
        spec = json.loads(row["spec"])
        best = run._best_row(runs)
        data.append({"id": row["id"], "name": row["name"],
                     "status": row["status"] + _gone_hint(row, short=True),
                     "sampling": spec["sampling"]["type"],
                     "policy": (spec.get("policy") or {}).get("type", "none"),
                     "runs": len(runs), "max_total_runs": spec["max_total_runs"],
                     "best": best["primary_best"] if best else None,
                     "metric": spec["primary_metric_name"], "created": row["created"]})
    if args.json:
        _print_json(data)
        return 0
    print(table(["ID", "NAME", "STATUS", "SAMPLING", "POLICY", "RUNS", "BEST", "METRIC",
                 "CREATED"],
                [[d["id"], d["name"], d["status"], d["sampling"], d["policy"],
                  f"{d['runs']}/{d['max_total_runs']}", d["best"], d["metric"],
                  when(d["created"])] for d in data]))
    return 0


def cmd_status(args: Any) -> int:
    run = _sweep(args)
    details = run.get_details()
    rows = run._store.runs(run.id)  # read once: the table and the summary agree
    names = list(run.spec.space)
    if args.json:
        _print_json({"experiment": details, "runs": [
            {k: r[k] for k in ("id", "number", "status", "params", "primary_best",
                               "primary_count", "started", "ended", "exit_code", "message",
                               "bad_lines")}
            for r in rows]})
        return 0
    now = time.time()
    print(f"{run.id}  {run.experiment.name}  {details['status']}"
          + (f"  ({details['message']})" if details["message"] else "")
          + _gone_hint(run._row))
    for message in details["warnings"]:
        print(f"warning: {message}")
    print(f"primary metric: {run.primary_metric_name} ({run.goal.value.lower()})\n")
    best = run._best_row(rows)
    print(table(["#", run.primary_metric_name, "STATUS", "STARTED", "DURATION", "ID", *names,
                 "REASON"],
                [[r["number"], r["primary_best"], r["status"] + (" *" if best is r else ""),
                  when(r["started"]), duration(r["started"], r["ended"], now), r["id"],
                  *[fmt(r["params"].get(n)) for n in names], _reason(r)]
                 for r in rows], last_whole=True))  # a reason's numbers must show whole
    _print_bad_lines(rows)
    from hypersweep.plots._data import load_sweep
    from hypersweep.plots._table import summary_lines

    print("\n" + "\n".join(summary_lines(load_sweep(run._store, run.id, runs=rows))))
    return 0


def _gone_hint(row: dict[str, Any], short: bool = False) -> str:
    """For an unfinished sweep whose controller process no longer exists: say so, and how
    to go on (its runs and values are safe; see docs/reliability.md)."""
    from hypersweep.experiment._resume import controller_gone

    if not controller_gone(row):
        return ""
    return " (controller gone)" if short else (
        f"  (its controller is gone: continue with `hypersweep resume {row['id']}`)")


def _reason(row: dict[str, Any], width: int = 300) -> str:
    """The row's reason; for a failed run, with the last line its script printed (its
    error, usually), so the table says why without a trip to the log."""
    reason = row["message"] or ""
    if row["status"] == "Failed" and row.get("log_tail"):
        last = next((line.strip() for line in reversed(row["log_tail"].splitlines())
                     if line.strip()), "")
        if last and last not in reason:
            reason = f"{reason}: {last}" if reason else last
    return reason if len(reason) <= width else reason[:width - 1] + "…"


def _print_bad_lines(rows: list[dict[str, Any]]) -> None:
    """The counted warning for malformed metrics-channel lines (skipped, the rest kept)."""
    bad = [r for r in rows if r["bad_lines"]]
    if bad:
        print(f"\nwarning: {sum(r['bad_lines'] for r in bad)} malformed metrics-channel "
              f"line(s) skipped in run(s) {', '.join(str(r['number']) for r in bad)}; "
              "their other lines were kept")


def _best_data(run) -> dict[str, Any] | None:
    best = run.get_best_run_by_primary_metric()
    if best is None:
        return None
    details = best.get_details()
    # with resume_from the best run may belong to a parent sweep: its own code and folder
    own = best._row["experiment_id"]
    sweep = run._row if own == run.id else run._store.experiment(own)
    spec = json.loads(sweep["spec"] or "{}")
    source = spec.get("source_directory")
    return {"run_id": best.id, "sweep_id": own, "from_parent_sweep": own != run.id,
            "metric": run.primary_metric_name,
            "value": best._row["primary_best"], "hyperparameters": best.hyperparameters,
            "arguments": details["runDefinition"]["arguments"],
            # a ${{outputs.x}} path was the run's own outputs/ folder: a re-run must not
            # write over what the run saved, so it writes to ./outputs where it runs
            "command": _away_from(details["runDefinition"]["command"], best._row["run_dir"],
                                  "outputs"),
            # the sweep's own variables (environment_variables), which the script may read
            "environment": dict(spec.get("environment_variables") or {}),
            # re-run from the user's source folder: running in the snapshot would write
            # into the experiment's record of the code it ran
            "cwd": source,
            "snapshot": os.path.join(sweep["artifacts_dir"], "snapshot")}


def _print_best(run) -> None:
    data = _best_data(run)
    if data is None:
        print(f"no run logged {run.primary_metric_name!r}")
        return
    origin = (f"  (from {data['sweep_id']}, a sweep this one warm-started from; "
              "include_resume_from_runs=True)" if data["from_parent_sweep"] else "")
    print(f"best run: {data['run_id']}  {data['metric']} = {fmt(data['value'])}{origin}")
    for key, value in data["hyperparameters"].items():
        print(f"  {key} = {fmt(value)}")
    if data["cwd"]:
        env = "".join(f"{k}={shlex.quote(v)} " for k, v in data["environment"].items())
        mkdir = "mkdir -p outputs && " if any(
            t == "outputs" or t.startswith("outputs/") or "=outputs/" in t
            for t in data["command"]) else ""
        print(f"re-run it:\n  cd {shlex.quote(data['cwd'])} && {mkdir}{env}"
              f"{shlex.join(data['command'])}")
    print("or exactly as it ran, in a copy of the code it ran:\n"
          f"  hypersweep rerun {data['run_id']}")


def cmd_best(args: Any) -> int:
    run = _sweep(args)
    if args.json:
        _print_json(_best_data(run))
    else:
        _print_best(run)
    return 0 if run.get_best_run_by_primary_metric() is not None else 1


def cmd_logs(args: Any) -> int:
    from hypersweep.controller._outcome import log_tail

    ws = _workspace(args)
    row = ws.store.run(args.run)
    path = os.path.join(row["run_dir"], "logs", "std_log.txt")
    if args.json and args.follow:
        raise ConfigurationError("logs: --json prints the log once; it cannot --follow")
    if not args.follow:
        text = log_tail(path, args.tail) if args.tail else _read(path)
        if args.json:
            _print_json({"run_id": row["id"], "status": row["status"], "path": path,
                         "tail": args.tail or None, "log": text})
        else:
            print(text, end="" if not text or text.endswith("\n") else "\n")
        return 0
    offset = 0
    while True:
        with open(path, "rb") as fh:
            fh.seek(offset)
            chunk = fh.read()
        offset += len(chunk)
        sys.stdout.write(chunk.decode("utf-8", errors="replace"))
        sys.stdout.flush()
        if ws.store.run(args.run)["status"] in ("Completed", "Failed", "Canceled"):
            return 0
        time.sleep(0.5)


def cmd_rerun(args: Any) -> int:
    """Run a past trial again, in the foreground: its command line and hyperparameters in a
    fresh copy of the code its sweep ran (the experiment's snapshot), so the source folder
    may have changed since and the record of the code stays untouched. Metrics print as
    the offline run does; the exit code is the trial's."""
    import shutil
    import subprocess

    from hypersweep.config._spec import SweepSpec
    from hypersweep.execution._layout import hyperparameter_env

    ws = _workspace(args)
    row = ws.store.run(args.run)
    sweep = ws.store.experiment(row["experiment_id"])
    spec = SweepSpec.from_json(json.loads(sweep["spec"]))
    snapshot = os.path.join(sweep["artifacts_dir"], "snapshot")
    target = os.path.abspath(args.dir or f"rerun-{row['id']}")
    if os.path.lexists(target):
        raise ConfigurationError(f"rerun: --dir {target!r} already exists; name a new folder")
    if not os.path.isdir(snapshot):
        raise ConfigurationError(f"rerun: the snapshot of {row['experiment_id']} is missing "
                                 f"({snapshot!r})")
    shutil.copytree(snapshot, target, symlinks=True)
    os.makedirs(os.path.join(target, "outputs"), exist_ok=True)
    command = _away_from(row["command"], row["run_dir"], os.path.join(target, "outputs"))
    if not os.path.exists(command[0]) and os.path.basename(command[0]).startswith("python"):
        command[0] = sys.executable  # the sweep's interpreter is gone: use this one
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HYPERSWEEP_", "AZUREML_SWEEP_"))}
    env.update(spec.environment_variables)
    env.update(hyperparameter_env(spec.space, row["params"]))
    print(f"re-running {row['id']} in {target}:\n  {shlex.join(command)}", flush=True)
    return subprocess.run(command, cwd=target, env=env, check=False).returncode


def _away_from(command: list[str], run_dir: str, outputs: str) -> list[str]:
    """``command`` with every path into the run's outputs/ folder (a filled
    ``${{outputs.x}}``) pointed at ``outputs`` instead."""
    recorded = os.path.join(run_dir, "outputs")
    return [token.replace(recorded, outputs) for token in command]


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except FileNotFoundError:
        return ""


def cmd_cancel(args: Any) -> int:
    run = _sweep(args)
    status = run.get_status()
    if ExperimentStatus(status).is_terminal:
        print(f"{run.id} already ended ({status}); nothing to cancel")
        return 0
    run.cancel()
    print(f"cancel requested for {run.id}")
    return 0


def cmd_controller(args: Any) -> int:
    from hypersweep.experiment._runner import ControllerBusyError, run_sweep
    from hypersweep.experiment._workspace import Workspace

    ws = Workspace(args.workspace, artifacts=args.artifacts)
    try:
        status = run_sweep(ws, args.sweep_id)
    except ControllerBusyError as exc:  # a second resume: the first controller goes on
        print(f"hypersweep: {exc}", file=sys.stderr)
        return 0
    return 0 if status.value != "Failed" else 1


COMMANDS = {"run": cmd_run, "resume": cmd_resume, "ls": cmd_ls, "status": cmd_status,
            "best": cmd_best, "logs": cmd_logs, "cancel": cmd_cancel, "rerun": cmd_rerun,
            "ui": cmd_ui, "_controller": cmd_controller}
