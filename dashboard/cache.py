"""The only module that uses Streamlit's caches.

One DuckDB connection per server process (``st.cache_resource``); every query
runs on its own cursor (``dashboard.sql.run``). Query results are cached with
``st.cache_data`` keyed on the filters, the mode and the data version (the time
act_facts was last rebuilt), so an import or an edit makes every page fresh at
once and a public visitor never receives an analyst's cached result.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from . import compare, db, metrics, sql
from .export import acts_frame, incidents_frame
from .filters import Filters
from .settings import db_path


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    """Open the database read-write if we can (imports and edits happen in-process), else read-only."""
    p = Path(path)
    if not p.exists():
        raise db.DatabaseError(f"No database at {p}. Build it with `hrd init` or `make run`.")
    try:
        con = db.connect(p)
    except db.DatabaseError:
        con = db.connect(p, read_only=True)
        if not db.facts_are_current(con):
            con.close()
            raise db.DatabaseError(f"The database at {p} was built by an earlier version of the dashboard and "
                                   "is open elsewhere, so its summary tables cannot be rebuilt. Stop the other "
                                   "program, then run `hrd init --if-missing` (or `make run`).")
        return con
    db.update_facts(con)  # after an upgrade: the summary tables, not the cases, are rebuilt once
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection for the configured database."""
    return _connection(str(db_path()))


def data_version() -> str:
    """A value that changes whenever the case data changes (cheap: one tiny query)."""
    return db.data_version(connection())


@st.cache_data(show_spinner=False, max_entries=64)
def labels(version: str) -> dict[str, dict[str, str]]:
    return metrics.labels(connection())


@st.cache_data(show_spinner=False, max_entries=64)
def vocabulary_sets(version: str) -> dict[str, set[str]]:
    return metrics.vocabulary_sets(connection())


@st.cache_data(show_spinner=False, max_entries=2048)
def aggregate(version: str, filters: Filters, by: str, unit: str, mode: str) -> pd.DataFrame:
    # the selection's totals come from their own cache entry: a page with five
    # breakdowns counts them once, not five times
    return metrics.aggregate(connection(), filters, by, unit, labels(version), mode=mode,
                             whole=totals(version, filters, mode))


@st.cache_data(show_spinner=False, max_entries=512)
def overview(version: str, filters: Filters, unit: str, mode: str) -> dict[str, pd.DataFrame]:
    """The Overview's five breakdowns (``metrics.overview``: computed side by side)."""
    return metrics.overview(connection(), filters, unit, labels(version), mode,  # type: ignore[arg-type]
                            whole=totals(version, filters, mode))


@st.cache_data(show_spinner=False, max_entries=2048)
def totals(version: str, filters: Filters, mode: str) -> dict[str, int]:
    return metrics.totals(connection(), filters, mode)


@st.cache_data(show_spinner=False, max_entries=256)
def incidents(version: str, filters: Filters, limit: int, mode: str, offset: int = 0) -> pd.DataFrame:
    return incidents_frame(connection(), filters, limit, offset, mode)


@st.cache_data(show_spinner=False, max_entries=64)
def acts(version: str, filters: Filters, limit: int, mode: str) -> pd.DataFrame:
    return acts_frame(connection(), filters, limit, 0, mode)


@st.cache_data(show_spinner=False, max_entries=512)
def named(version: str, name: str, params: tuple[tuple[str, object], ...] = ()) -> pd.DataFrame:
    """Any named query with hashable parameters (tuples of pairs; lists passed as tuples)."""
    clean = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params}
    return sql.run(connection(), name, clean)


@st.cache_data(show_spinner=False, max_entries=512)
def involvement(version: str, filters: Filters, mode: str) -> pd.DataFrame:
    return compare.involvement(connection(), filters, mode)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=512)
def places(version: str, filters: Filters, mode: str) -> pd.DataFrame:
    return compare.places(connection(), filters, mode)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=16)
def fingerprint(version: str) -> str:
    return db.content_fingerprint(connection())
