"""Browser tests: Playwright driving Debian's headless Chromium against the real
``hypersweep ui`` server (a subprocess) over a real store.

Never downloads a browser: ``/usr/bin/chromium`` comes from ``.ci/deps/chromium.sh``; without
it the tests skip and say so. Every page is watched: a request to any host but the
loopback is blocked and fails the test, as does a JavaScript dialog or error. Screenshots
go to ``$HYPERSWEEP_TEST_ARTIFACTS`` (default: pytest's temporary folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from hypersweep import choice, uniform
from tests.unit.plots.fake_sweep import add_run, demo_sweep, make_sweep

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
XSS = "<img src=x onerror=alert(1)>"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Debian's chromium is not installed ({CHROMIUM} missing): run "
                    ".ci/deps/chromium.sh as root")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("HYPERSWEEP_TEST_ARTIFACTS")
                  or tmp_path_factory.getbasetemp() / "artifacts") / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Dashboard:
    url: str
    demo: Any
    xss: Any
    workspace: str
    proc: Any = field(repr=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _xss_sweep(root: Path):
    sweep = make_sweep(root, {"opt": choice(XSS, "sgd"), "x": uniform(0, 1)}, name="xss",
                       metric=XSS)
    for i, opt in enumerate([XSS, "sgd", XSS, "sgd"]):
        add_run(sweep, i, {"opt": opt, "x": i / 4}, [0.1 * i + 0.1, 0.1 * i + 0.2],
                message=XSS if i == 2 else None, extra={XSS.replace("1", "3"): [1, 2, 3]},
                log=f"{XSS}\n", outputs={"<b>x</b>.txt": XSS})
    return sweep


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory) -> Dashboard:
    """The real server (``python -m hypersweep ui``) over a workspace with two sweeps written
    through the Store (exact, known values); tests may add real sweeps to it."""
    root = tmp_path_factory.mktemp("dash")
    demo = demo_sweep(root)
    xss = _xss_sweep(root)
    workspace = str(root / "ws")
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("HYPERSWEEP_UI_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "hypersweep", "--workspace", workspace, "ui",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 20
    while True:
        try:
            with urllib.request.urlopen(url + "/api/experiments", timeout=2) as r:
                json.load(r)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"hypersweep ui did not start: {out}")
            time.sleep(0.1)
    yield Dashboard(url, demo, xss, workspace, proc)
    proc.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    if proc.poll() is None:
        proc.kill()


@dataclass
class Watch:
    """What a page did that it must not: leave the machine, open dialogs, throw."""

    foreign: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def context(browser):
    """One browser context for all tests: Plotly's script is fetched and compiled once."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    yield ctx
    ctx.close()


@contextlib.contextmanager
def watched_page(context):
    """A new page whose foreign requests are blocked and which must end with no foreign
    request, no dialog and no JavaScript error."""
    watch = Watch()

    def guard(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            watch.foreign.append(route.request.url)
            route.abort()

    pg = context.new_page()
    pg.route("**/*", guard)
    pg.on("request", lambda r: watch.requests.append(r.url))
    pg.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: watch.errors.append(str(e)))
    yield pg
    pg.close()
    assert watch.foreign == [], f"requests left the machine: {watch.foreign}"
    assert watch.dialogs == [], f"a dialog fired: {watch.dialogs}"
    assert watch.errors == [], f"JavaScript errors: {watch.errors}"
    assert all(urlsplit(u).hostname in LOOPBACK for u in watch.requests
               if not u.startswith(("data:", "blob:")))


@pytest.fixture
def page(context, dashboard):
    with watched_page(context) as pg:
        yield pg


@pytest.fixture(scope="module")
def demo_page(context, dashboard):
    """The demo sweep's page with every chart drawn, shared by the tests that only look
    at it or change its view (sorting, filters, axis pickers)."""
    with watched_page(context) as pg:
        open_sweep(pg, dashboard, dashboard.demo)
        for kind in ("metrics", "parallel", "scatter", "scatter3d", "importance", "savings"):
            show_chart(pg, kind)
        yield pg


def open_sweep(page, dashboard, sweep) -> None:
    """Open a sweep's page and wait until its table and on-screen charts are drawn."""
    page.goto(f"{dashboard.url}/experiments/{sweep.id}")
    page.wait_for_function("document.body.dataset.version", timeout=20000)


def screenshot(page, path: Path) -> None:
    """A full-page screenshot with every chart drawn (they are drawn when scrolled to)."""
    kinds = page.eval_on_selector_all("[id^=chart-]", "ds => ds.map(d => d.id.slice(6))")
    if page.evaluate("document.body.dataset.version"):
        for kind in kinds:
            show_chart(page, kind)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(100)
    page.screenshot(path=path, full_page=True)


def show_chart(page, kind: str) -> None:
    """Scroll a chart into view (charts are drawn when seen) and wait until it is drawn
    for the page's current version."""
    page.locator(f"#chart-{kind}").scroll_into_view_if_needed()
    page.wait_for_function(
        "(k) => document.getElementById('chart-' + k).dataset.version == "
        "document.body.dataset.version", arg=kind, timeout=20000)
