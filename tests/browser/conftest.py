"""Fixtures for the browser tests: a real Streamlit server and Debian's headless Chromium.

The server runs ``streamlit run dashboard/app.py`` from the repository root (so
``.streamlit/config.toml`` applies: static serving for the offline map shapes)
on a private copy of the demo database, because a DuckDB file opened read-write
by one process cannot be opened by another.

Chromium is Debian's package (never ``playwright install``). When it is missing
the tests are skipped loudly on a workstation and fail in CI (``CI`` set), so a
CI run can never pass without having driven a browser.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_chromium_path():
    """``chromium_path`` from tests/conftest.py (a conftest is not importable by name)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_hrd_tests_conftest", ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.chromium_path


chromium_path = _load_chromium_path()

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 3000}  # tall: Streamlit's main area scrolls inside the page
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def browser_db(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's own copy of the demo database."""
    path = tmp_path_factory.mktemp("browser_db") / "hrd.duckdb"
    shutil.copy(demo_db_path, path)
    return path


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium, or a loud skip (a failure in CI: CI must never pass without a browser)."""
    executable = chromium_path()
    if executable is None:
        reason = ("!!! BROWSER TESTS NOT RUN: Chromium not found (install Debian's `chromium` "
                  "package or set BROWSER_PATH) !!!")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return executable


@contextlib.contextmanager
def streamlit_server(db_file: Path, workdir: Path) -> Iterator[str]:
    """``streamlit run dashboard/app.py`` on ``db_file`` at a free port; yields the base URL, stops it after."""
    port = _free_port()
    log_path = workdir / "streamlit.log"
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env = os.environ | {"HRD_DB": str(db_file), "HOME": str(home)}
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]
    log = open(log_path, "wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"Streamlit did not become healthy within 60 s (exit code {proc.poll()}):\n"
                            + log_path.read_text(errors="replace")[-4000:])
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def start_server():
    """``streamlit_server`` for tests that serve a database of their own."""
    return streamlit_server


@pytest.fixture(scope="session")
def server(chromium_executable: str, browser_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Streamlit server on the demo database; yields its base URL and stops it at the end."""
    with streamlit_server(browser_db, tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium_executable: str, tmp_path_factory: pytest.TempPathFactory):
    """Debian's Chromium driven by Playwright, with HOME in a temporary folder.

    Module scope, not session: Playwright's sync API keeps an event loop running
    while it is started, and any later test in the session that calls
    ``sync_playwright()`` itself (the report tests do) would fail with "using
    Playwright Sync API inside the asyncio loop".
    """
    executable = chromium_executable
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("chromium_home")
    # HOME only for Playwright's driver and Chromium; the rest of the session keeps its own
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        manager = sync_playwright()
        pw = manager.start()
    finally:
        if old_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old_home
    try:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True,
                                      env={**os.environ, "HOME": str(home)})
        yield chromium
        chromium.close()
    finally:
        pw.stop()


@pytest.fixture()
def context(browser, tmp_path: Path):
    """A fresh browser context (no cookies, no session) per test."""
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
