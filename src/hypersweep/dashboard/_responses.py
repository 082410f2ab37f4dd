"""JSON responses that are always valid JSON (no NaN tokens) and gzip-compressed when
large and the client accepts it."""

from __future__ import annotations

import gzip
import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["clean", "error", "json_response"]

GZIP_ABOVE = 32 * 1024


def clean(value: Any) -> Any:
    """``value`` with non-finite floats replaced by None, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def _dumps(data: Any) -> bytes:
    try:
        text = json.dumps(data, allow_nan=False, separators=(",", ":"), default=str)
    except ValueError:  # a NaN slipped through: clean (slower, rare)
        text = json.dumps(clean(data), allow_nan=False, separators=(",", ":"), default=str)
    return text.encode()


def json_response(request: Request, data: Any, status: int = 200) -> Response:
    body = _dumps(data)
    headers = {"cache-control": "no-store"}
    if len(body) > GZIP_ABOVE and "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, compresslevel=5)
        headers["content-encoding"] = "gzip"
        headers["vary"] = "Accept-Encoding"
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def error(request: Request, status: int, message: str) -> Response:
    return json_response(request, {"error": message}, status)
