"""The dashboard's guard, one ASGI middleware in front of every route:

- read-only: any method but GET and HEAD is refused (405);
- DNS-rebinding protection: on a loopback address only ``Host: 127.0.0.1 / localhost /
  [::1]`` is served, so a web page elsewhere cannot read the API through its own name;
- access token (required to listen on another address): accepted as ``Authorization:
  Bearer <token>``, as the ``hypersweep_token`` cookie, or once as ``?token=<token>``,
  which sets the cookie and redirects to the same page without it;
- security headers: a Content-Security-Policy allowing only this origin's scripts (no
  inline script, so injected markup cannot run), ``nosniff``, no referrer, no framing.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = ["COOKIE", "CSP", "Guard", "is_loopback"]

COOKIE = "hypersweep_token"
# Plotly's WebGL traces (parcoords, scattergl) compile code with new Function(): 'unsafe-eval'.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
       "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(value: str) -> str:
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """Wraps an ASGI app; ``allowed_hosts=None`` serves any Host header."""

    def __init__(self, app: Any, *, token: str | None = None,
                 allowed_hosts: Iterable[str] | None = None) -> None:
        self.app = app
        self.token = token
        self.allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if scope["method"] not in ("GET", "HEAD"):
            await _plain(send, 405, "the dashboard is read-only", [(b"allow", b"GET, HEAD")])
            return
        host = _host_name(headers.get("host", "")).lower()
        if self.allowed is not None and host not in self.allowed:
            await _plain(send, 421, f"unexpected Host header {host!r}")
            return
        if self.token is not None:
            verdict = self._check_token(scope, headers)
            if verdict is not True:
                await (verdict(send) if callable(verdict) else
                       _plain(send, 401, "an access token is needed: open the URL printed by "
                              "'hypersweep ui' (it ends in ?token=...)"))
                return
        await self.app(scope, receive, _with_headers(send))

    def _check_token(self, scope: dict, headers: dict[str, str]) -> Any:
        token = self.token or ""
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].strip(), token):
            return True
        cookie = SimpleCookie(headers.get("cookie", ""))
        if COOKIE in cookie and hmac.compare_digest(cookie[COOKIE].value, token):
            return True
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        given = [v for k, v in query if k == "token"]
        if given and hmac.compare_digest(given[-1], token):
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            location = scope["path"] + (f"?{rest}" if rest else "")

            async def redirect(send: Any) -> None:
                await _plain(send, 303, "token accepted", [
                    (b"location", location.encode("latin-1", "replace")),
                    (b"set-cookie", f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                     .encode("latin-1"))])
            return redirect
        return False


def _with_headers(send: Any) -> Any:
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in message.get("headers", [])}
            extra = [(b"content-security-policy", CSP.encode()),
                     (b"x-content-type-options", b"nosniff"),
                     (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                     (b"cache-control", b"no-cache")]
            message = {**message, "headers": [*message.get("headers", []),
                                               *[(k, v) for k, v in extra if k not in names]]}
        await send(message)
    return wrapped


async def _plain(send: Any, status: int, text: str,
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = (text + "\n").encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), (b"x-content-type-options", b"nosniff"),
        *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
