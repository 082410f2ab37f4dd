"""The web dashboard (``hypersweep ui``): a read-only view of a workspace's sweeps.

Needs the ``dashboard`` extra (Starlette, uvicorn, plotly). ``create_app`` gives the ASGI
app (for tests or another ASGI server); ``serve`` runs it with uvicorn.

Example::

    from hypersweep import Workspace
    from hypersweep.dashboard import serve
    serve(Workspace.from_config(), port=8765)
"""

from hypersweep.dashboard._app import create_app, plotly_js_path, serve

__all__ = ["create_app", "plotly_js_path", "serve"]
