"""The ``hypersweep`` command line."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _positive(text: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hypersweep", description="Hyperparameter sweeps for training scripts.")
    workspace_help = ("workspace folder or database URL (default: $HYPERSWEEP_WORKSPACE, the "
                      "nearest .hypersweep folder, or ./.hypersweep)")
    parser.add_argument("--workspace", "-w", default=None, help=workspace_help)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", "-w", default=argparse.SUPPRESS, help=workspace_help)
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser

    def add_parser(name: str, **kwargs):
        return add(name, parents=[common], **kwargs)

    sub.add_parser = add_parser  # every command also takes --workspace after its name

    run = sub.add_parser("run", help="run a sweep described by an Azure ML v2 sweep YAML")
    run.add_argument("file", help="sweep.yml")
    run.add_argument("--name", help="experiment name (default: the YAML's, or the file name)")
    run.add_argument("--detach", action="store_true", help="run in the background")
    run.add_argument("--executor", choices=["local", "ray"], help="where trials run")
    run.add_argument("--address", help="Ray cluster address (with --executor ray)")
    run.add_argument("--json", action="store_true", help="print the result as JSON")

    resume = sub.add_parser("resume", help="resume a sweep whose controller died")
    resume.add_argument("experiment", help="sweep id or experiment name")
    resume.add_argument("--detach", action="store_true", help="resume in the background")

    ls = sub.add_parser("ls", help="list experiments")
    ls.add_argument("--json", action="store_true")

    for name, text in (("status", "show a sweep's runs"),
                       ("best", "show the best run and how to re-run it"),
                       ("cancel", "cancel a running sweep")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("experiment", help="sweep id (HD_...) or experiment name (newest)")
        if name != "cancel":
            cmd.add_argument("--json", action="store_true")

    logs = sub.add_parser("logs", help="print a run's log")
    logs.add_argument("run", help="run id (HD_..._N)")
    logs.add_argument("--tail", type=_positive, default=0, metavar="N",
                      help="only the last N lines (N >= 1)")
    logs.add_argument("--follow", "-f", action="store_true", help="follow while it runs")
    logs.add_argument("--json", action="store_true",
                      help="print the run's id, status, log path and log text as JSON")

    rerun = sub.add_parser("rerun", help="run a past trial again in a copy of its code")
    rerun.add_argument("run", help="run id (HD_..._N)")
    rerun.add_argument("--dir", default=None,
                       help="new folder to copy its snapshot into and run in "
                            "(default: ./rerun-<run id>)")

    ui = sub.add_parser("ui", help="serve the web dashboard (read-only) for this workspace")
    ui.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1; others need --token)")
    ui.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free)")
    ui.add_argument("--token", default=None,
                    help="access token required by the dashboard (default: $HYPERSWEEP_UI_TOKEN)")

    ctl = sub.add_parser("_controller")  # internal: the background controller
    ctl.add_argument("sweep_id")
    ctl.add_argument("--artifacts")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hypersweep`` command; returns the exit code."""
    from hypersweep.cli._commands import COMMANDS
    from hypersweep.errors import HypersweepError

    args = _parser().parse_args(argv)
    _plain_warnings()
    try:
        return COMMANDS[args.command](args)
    except HypersweepError as exc:
        print(f"hypersweep: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _plain_warnings() -> None:
    """hypersweep's own warnings as one line each (``hypersweep: warning: ...``), without
    the file and source line Python's default format adds; others keep that format."""
    import warnings

    from hypersweep.errors import HypersweepWarning

    default = warnings.formatwarning

    def formatwarning(message, category, filename, lineno, line=None):  # type: ignore[no-untyped-def]
        if issubclass(category, HypersweepWarning):
            return f"hypersweep: warning: {message}\n"
        return default(message, category, filename, lineno, line)

    warnings.formatwarning = formatwarning
