"""Paths and settings read from the environment, in one place.

The database path comes from ``HRD_DB`` so that the command line, the app and the
tests can point at different files without code changes.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES_DIR = ROOT / "queries"
DATA_DIR = ROOT / "data"
SEED_DIR = DATA_DIR / "seed"
VOCAB_DIR = SEED_DIR / "vocab"
MAPPINGS_DIR = DATA_DIR / "mappings"
STATIC_DIR = ROOT / "dashboard" / "static"
SHARED_DIR = ROOT.parent / "shared"


def db_path() -> Path:
    """The DuckDB file to use: ``$HRD_DB`` or ``data/hrd.duckdb``, relative to the repo root."""
    raw = os.environ.get("HRD_DB", "").strip()
    path = Path(raw) if raw else DATA_DIR / "hrd.duckdb"
    return path if path.is_absolute() else ROOT / path


def suppression_k() -> int:
    """Cells with a non-public incident and fewer than k incidents are suppressed in public mode."""
    try:
        return max(1, int(os.environ.get("HRD_SUPPRESSION_K", "5")))
    except ValueError:
        return 5
