"""The Published figures page shows other organisations' figures beside imported counts."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ingest.importer import import_file

ROOT = Path(__file__).resolve().parents[1]
CPJ = ROOT.parent / "shared" / "data" / "external" / "cpj_journalists_killed_1992_2016.csv"


def test_published_page_with_imported_cpj_data(writable_seed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st

    import_file(CPJ, ROOT / "data" / "mappings" / "cpj_journalists_killed.toml", writable_seed_db,
                skip_invalid=True, rejects_dir=tmp_path)
    monkeypatch.setenv("HRD_DB", str(writable_seed_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.switch_page("app_pages/published.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    headers = [s.value for s in at.subheader]
    assert "Committee to Protect Journalists: journalists killed" in headers
    cpj = at.dataframe[0].value.set_index("year")
    assert cpj.loc[2024, "published_value"] == 124  # CPJ's published 2024 figure, from data/published_figures.csv
    assert cpj.loc[2006, "own_count"] > 0  # imported CPJ data counted by the project
