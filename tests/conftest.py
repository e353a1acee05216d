"""Shared fixtures: real DuckDB files built from the committed seed.

Tests never mock the database: each session builds a seed-only file and a seed +
synthetic file once, and tests open them read-only (or copy them when they write).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboard import db

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seed_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with only the real, hand-transcribed seed cases."""
    path = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    db.build(path)
    return path


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed plus 3,000 synthetic incidents (seed 7)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    db.build(path, demo_incidents=3000, seed=7)
    return path


@pytest.fixture()
def seed_con(seed_db_path: Path):
    con = duckdb.connect(str(seed_db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def demo_con(demo_db_path: Path):
    con = duckdb.connect(str(demo_db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def writable_seed_db(seed_db_path: Path, tmp_path: Path) -> Path:
    """A private copy of the seed database that a test may change."""
    path = tmp_path / "work.duckdb"
    shutil.copy(seed_db_path, path)
    return path


@pytest.fixture()
def hrd_env(monkeypatch: pytest.MonkeyPatch):
    """Point HRD_DB at a given path for code that reads the environment."""
    def _set(path: Path) -> None:
        monkeypatch.setenv("HRD_DB", str(path))
    return _set


def chromium_path() -> str | None:
    """Debian's Chromium, if installed (browser tests need it)."""
    for candidate in (os.environ.get("BROWSER_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None
