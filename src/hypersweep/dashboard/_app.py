"""The dashboard application: routes, static files and the server entry point.

Pages are static HTML shells from ``static/``; their scripts fetch everything from the
JSON API under ``/api`` and poll it every two seconds for changes. Plotly's JavaScript is
served from the installed ``plotly`` package: nothing is fetched from the internet.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from hypersweep.dashboard._api import Api, handle_errors
from hypersweep.dashboard._cache import SweepCache
from hypersweep.dashboard._security import LOOPBACK_NAMES, Guard, is_loopback
from hypersweep.errors import ConfigurationError, NotFoundError

__all__ = ["create_app", "plotly_js_path", "serve"]

STATIC = Path(__file__).parent / "static"
REFRESH_SECONDS = 1.0  # hypersweep ui: a running sweep is re-read at most once a second
TOKEN_ENV = "HYPERSWEEP_UI_TOKEN"


def plotly_js_path() -> Path | None:
    """``plotly.min.js`` as shipped inside the pip ``plotly`` package, if installed."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


@functools.cache
def _plotly_gzip(path: Path) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6)


def _plotly(request: Request) -> Response:
    path = plotly_js_path()
    if path is None:
        return PlainTextResponse("plotly is not installed: pip install 'hypersweep[dashboard]'",
                                 status_code=404)
    headers = {"cache-control": "public, max-age=86400"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers.update({"content-encoding": "gzip", "vary": "Accept-Encoding"})
        return Response(_plotly_gzip(path), media_type="text/javascript", headers=headers)
    return FileResponse(path, media_type="text/javascript", headers=headers)


def _page(name: str) -> Any:
    def page(request: Request) -> Response:
        return FileResponse(STATIC / name, media_type="text/html; charset=utf-8")
    return page


def create_app(source: Any, *, token: str | None = None,
               allowed_hosts: Sequence[str] | None = LOOPBACK_NAMES,
               refresh_seconds: float = 0.0) -> Any:
    """The dashboard as an ASGI app over ``source`` (a Workspace or a Store), read-only.

    ``token`` requires an access token on every request; ``allowed_hosts`` are the Host
    header names served (None: any, for a dashboard reached through other names);
    ``refresh_seconds``: how stale a running sweep's data may be (0: re-checked on every
    request), which bounds the store reads however many viewers poll.
    """
    store = getattr(source, "store", source)
    api = Api(SweepCache(store, refresh_seconds=refresh_seconds))
    routes = [
        Route("/", _page("experiments.html")),
        Route("/experiments/{id}", _page("experiment.html")),
        Route("/runs/{id}", _page("run.html")),
        Route("/api/experiments", api.experiments),
        Route("/api/experiments/{id}", api.experiment),
        Route("/api/experiments/{id}/runs", api.runs),
        Route("/api/experiments/{id}/figures/{kind}", api.figure),
        Route("/api/experiments/{id}/importance", api.importance),
        Route("/api/experiments/{id}/savings", api.savings),
        Route("/api/runs/{id}", api.run),
        Route("/api/runs/{id}/metrics", api.run_metrics),
        Route("/api/runs/{id}/log", api.run_log),
        Route("/api/runs/{id}/files", api.run_files),
        Route("/api/runs/{id}/files/{name:path}", api.run_file),
        Route("/static/vendor/plotly.min.js", _plotly),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={NotFoundError: handle_errors,
                                                        ValueError: handle_errors})
    return Guard(app, token=token, allowed_hosts=allowed_hosts)


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without an access token."""
    if not is_loopback(host) and not token:
        raise ConfigurationError(
            f"--host {host} would expose the dashboard beyond this machine; set an access "
            f"token with --token or ${TOKEN_ENV} (or keep the default --host 127.0.0.1)")


def serve(source: Any, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
          sock: socket.socket | None = None, log_level: str = "warning") -> None:
    """Run the dashboard with uvicorn until interrupted (Ctrl-C)."""
    import uvicorn

    check_bind(host, token)
    hosts = LOOPBACK_NAMES if is_loopback(host) else None
    app = create_app(source, token=token, allowed_hosts=hosts, refresh_seconds=REFRESH_SECONDS)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level,
                            server_header=False, access_log=False)
    server = uvicorn.Server(config)
    if sock is not None:
        server.run(sockets=[sock])
    else:
        server.run()


def url_of(host: str, port: int, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def announce(host: str, port: int, token: str | None) -> None:
    print(f"hypersweep dashboard: {url_of(host, port, token)}  (Ctrl-C stops it)",
          file=sys.stdout, flush=True)
    if os.environ.get(TOKEN_ENV) and token:
        print("(access token from $HYPERSWEEP_UI_TOKEN)", flush=True)
