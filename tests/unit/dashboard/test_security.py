"""The guard: read-only, Host check, access token, headers; and file access confined to a
run's outputs/ and logs/."""

from __future__ import annotations

import os

import pytest
from starlette.testclient import TestClient

from hypersweep.dashboard import create_app
from hypersweep.dashboard._app import check_bind
from hypersweep.dashboard._files import list_files, resolve
from hypersweep.errors import ConfigurationError


def test_only_get_and_head_are_allowed(client, sweep):
    for method in ("post", "put", "delete", "patch"):
        r = getattr(client, method)(f"/api/experiments/{sweep.id}")
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"


def test_foreign_host_headers_are_refused(client):
    assert client.get("/", headers={"host": "evil.example"}).status_code == 421
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
    assert client.get("/", headers={"host": "[::1]:8765"}).status_code == 200


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"].split("script-src")[1] \
        .split(";")[0]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_a_token_is_required_when_set(sweep):
    app = create_app(sweep.experiment.workspace, token="s3cret", allowed_hosts=None)
    with TestClient(app, base_url="http://10.0.0.5:8765") as c:
        assert c.get("/api/experiments").status_code == 401
        assert c.get("/api/experiments", headers={"authorization": "Bearer nope"}
                     ).status_code == 401
        assert c.get("/api/experiments", headers={"authorization": "Bearer s3cret"}
                     ).status_code == 200
        r = c.get("/?token=s3cret&x=1", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/?x=1"
        assert "HttpOnly" in r.headers["set-cookie"]
        assert c.get("/api/experiments").status_code == 200  # the cookie now
        c.cookies.clear()
        assert c.get("/?token=wrong", follow_redirects=False).status_code == 401


def test_listening_beyond_loopback_needs_a_token():
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("localhost", None)
    with pytest.raises(ConfigurationError, match="--token"):
        check_bind("0.0.0.0", None)
    check_bind("0.0.0.0", "t")


@pytest.mark.parametrize("name", [
    "../../../../etc/passwd", "outputs/../../x", "/etc/passwd", "outputs//x", "snapshot/a",
    "outputs/./model.txt", "outputs", "logs/..", "outputs\\..\\x", "outputs/\x00"])
def test_paths_outside_outputs_and_logs_are_refused(sweep, name):
    run_dir = sweep._store.run(f"{sweep.id}_0")["run_dir"]
    assert resolve(run_dir, name) is None


@pytest.mark.parametrize("raw", [
    "outputs/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "outputs%2f..%2f..%2fsnapshot", "%2fetc%2fpasswd"])
def test_encoded_traversal_over_http_is_refused(sweep, client, raw):
    r = client.get(f"/api/runs/{sweep.id}_0/files/{raw}")
    assert r.status_code == 404 and "root:" not in r.text


def test_links_leaving_the_run_folder_are_neither_listed_nor_served(sweep, client, tmp_path):
    rid = f"{sweep.id}_0"
    run_dir = sweep._store.run(rid)["run_dir"]
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, os.path.join(run_dir, "outputs", "leak.txt"))
    os.symlink(run_dir, os.path.join(run_dir, "logs", "loop"))
    assert "outputs/leak.txt" not in [f["name"] for f in list_files(run_dir)["files"]]
    r = client.get(f"/api/runs/{rid}/files/outputs/leak.txt")
    assert r.status_code == 404 and "secret" not in r.text
    assert client.get(f"/api/runs/{rid}/files/logs/loop/outputs/model.txt").status_code == 404


def test_binary_outputs_download_instead_of_rendering(sweep, client):
    rid = f"{sweep.id}_0"
    run_dir = sweep._store.run(rid)["run_dir"]
    with open(os.path.join(run_dir, "outputs", "page.html"), "w") as fh:
        fh.write("<script>alert(1)</script>")
    r = client.get(f"/api/runs/{rid}/files/outputs/page.html")
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment")
