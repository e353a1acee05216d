"""The Published figures page shows other organisations' figures beside imported counts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ingest.importer import import_file

ROOT = Path(__file__).resolve().parents[1]
CPJ = ROOT.parent / "shared" / "data" / "external" / "cpj_journalists_killed_1992_2016.csv"


def published_page(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The Published figures page run on this database, with fresh caches."""
    import streamlit as st

    monkeypatch.setenv("HRD_DB", str(db_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.switch_page("app_pages/published.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_published_page_with_imported_cpj_data(writable_seed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_file(CPJ, ROOT / "data" / "mappings" / "cpj_journalists_killed.toml", writable_seed_db,
                skip_invalid=True, rejects_dir=tmp_path)
    at = published_page(writable_seed_db, monkeypatch)
    headers = [s.value for s in at.subheader]
    assert "Committee to Protect Journalists: journalists killed" in headers
    cpj = at.dataframe[0].value.set_index("year")
    assert cpj.loc[2024, "published_value"] == 124  # CPJ's published 2024 figure, from data/published_figures.csv
    assert cpj.loc[2006, "own_count"] > 0  # imported CPJ data counted by the project
    # CPJ's definition changed between its reports: each year's beside it, not run together in one line
    texts = " ".join(m.value for m in at.markdown)
    assert "it changes from one report to the next" in texts
    assert "Journalists killed (as counted in CPJ's annual report); Journalists" not in texts
    assert list(cpj.columns).index("definition") < list(cpj.columns).index("cited_via")
    assert cpj.loc[2024, "definition"] and cpj["definition"].nunique() > 1
    # the other organisation's heading says what it counts in words, not its code
    assert "Front Line Defenders: human rights defenders killed" in headers


def test_without_imported_data_there_is_no_count_to_show(writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before a publisher's data set is imported the page says so, and neither its chart nor its
    table shows a count of ours ("0 killed, 124 fewer")."""
    at = published_page(writable_seed_db, monkeypatch)
    assert any("No matching imported data" in i.value for i in at.info)
    cpj = at.dataframe[0].value.set_index("year")
    assert cpj.loc[2024, "published_value"] == 124
    assert "own_count" not in cpj and "difference" not in cpj


def test_a_year_without_a_published_figure_is_a_gap_in_its_line(writable_seed_db: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Front Line Defenders published no global figure for 2020 in the figures the project holds:
    its line stops at 2019 and starts again at 2021 instead of running straight through 2020."""
    at = published_page(writable_seed_db, monkeypatch)
    figures = {el.key: json.loads(json.loads(el.proto.json)["spec"]) for el in at.get("bidi_component")
               if el.proto.component_name == "hrd_chart"}
    fld = next(f for key, f in figures.items() if "Front Line Defenders" in key)
    line = next(t for t in fld["data"] if t.get("mode") == "markers+lines")
    points = dict(zip(line["x"], line["y"]))
    assert 2020 in points and points[2020] is None, points
    assert points[2019] == 304 and points[2021] == 358, points
