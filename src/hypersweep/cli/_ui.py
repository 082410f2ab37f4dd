"""``hypersweep ui``: serve the web dashboard over the workspace's store."""

from __future__ import annotations

import os
import socket
import sys
from typing import Any

__all__ = ["cmd_ui"]


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, so a busy port is reported clearly and ``--port 0`` works."""
    from hypersweep.errors import ConfigurationError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio switches Nagle's algorithm off (TCP_NODELAY) only on
    # sockets whose protocol says TCP; with proto 0 every response waited for the
    # client's delayed ACK, ~40 ms per request on a keep-alive connection
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}; pick "
                                 "another --port (0 picks a free one)") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def cmd_ui(args: Any) -> int:
    """Serve the dashboard until Ctrl-C; refuses a non-loopback --host without a token."""
    try:
        from hypersweep.dashboard._app import TOKEN_ENV, announce, check_bind, serve
    except ImportError as exc:
        from hypersweep.errors import HypersweepError

        raise HypersweepError(f"the dashboard needs its extra: pip install "
                              f"'hypersweep[dashboard]' ({exc})") from None
    from hypersweep.cli._commands import _workspace
    from hypersweep.errors import ConfigurationError

    token = getattr(args, "token", None) or os.environ.get(TOKEN_ENV) or None
    check_bind(args.host, token)
    try:
        workspace = _workspace(args)
    except ConfigurationError as exc:  # watching for sweeps yet to start is fine: say so
        print(f"hypersweep: {exc}; serving it empty until a sweep starts there",
              file=sys.stderr)
        workspace = _workspace(args, create=True)
    store = workspace.store  # open (and check) the store before announcing the URL
    sock = _bind(args.host, args.port)
    announce(args.host, sock.getsockname()[1], token)
    serve(store, host=args.host, port=sock.getsockname()[1], token=token, sock=sock)
    return 0
