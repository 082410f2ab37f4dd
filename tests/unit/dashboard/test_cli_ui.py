"""``hypersweep ui``: its options, the refusal to listen beyond loopback without a token,
a busy port, and what it hands to the server."""

from __future__ import annotations

import socket

from hypersweep.cli import main
from hypersweep.dashboard import _app


def test_refuses_a_public_address_without_a_token(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("HYPERSWEEP_UI_TOKEN", raising=False)
    assert main(["--workspace", str(tmp_path), "ui", "--host", "0.0.0.0"]) == 2
    assert "--token" in capsys.readouterr().err


def test_reports_a_busy_port(tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["ui", "--workspace", str(tmp_path), "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_serves_the_workspace_store_on_the_chosen_port(tmp_path, capsys, monkeypatch):
    seen = {}

    def fake_serve(source, **kwargs):
        seen.update(kwargs, source=source)
        kwargs["sock"].close()

    monkeypatch.setattr(_app, "serve", fake_serve)
    monkeypatch.setenv("HYPERSWEEP_UI_TOKEN", "tok")
    assert main(["ui", "--workspace", str(tmp_path), "--host", "0.0.0.0", "--port", "0"]) == 0
    out = capsys.readouterr().out
    assert f"http://0.0.0.0:{seen['port']}/?token=tok" in out
    assert seen["token"] == "tok" and seen["host"] == "0.0.0.0"
    assert seen["source"].url.endswith("hypersweep.db")
