"""Saving confirmed drafts, through the core function and through the Draft page."""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, metrics
from dashboard.filters import Filters
from dashboard.ingest.save_draft import ConfirmedIncident, DraftError, save_confirmed

ROOT = Path(__file__).resolve().parents[1]
APPEAL = ROOT.parent / "shared" / "sources" / "fld-feminita-lesbian-kurultai-2024.txt"


def _item(**changes) -> ConfirmedIncident:
    base = dict(title="Test incident", start_date=date(2023, 3, 1), end_date=date(2023, 3, 1), date_precision="day",
                country_code="KGZ", place="Bishkek", organisations=["Test Org"], defenders=["A Person"],
                violations=["threats", "surveillance"], perpetrators=[("Unknown men", "private_individuals")],
                source_publisher="Test publisher")
    base.update(changes)
    return ConfirmedIncident(**base)


def test_save_confirmed_writes_one_incident(writable_seed_db: Path) -> None:
    con = duckdb.connect(str(writable_seed_db))
    try:
        new_id = save_confirmed(con, _item(), "tester")
        totals = metrics.totals(con, Filters(countries=("KGZ",)), "analyst")
        vis = con.execute("select visibility from incidents where incident_id = $i", {"i": new_id}).fetchall()[0][0]
        actions = [r[0] for r in con.execute("select action from audit_log").fetchall()]
    finally:
        con.close()
    assert totals["incident_count"] == 1 and totals["act_count"] == 2
    assert vis == "restricted"
    assert "draft_saved" in actions


@pytest.mark.parametrize("change,message", [
    ({"title": " "}, "title"),
    ({"country_code": "XXX"}, "country"),
    ({"violations": []}, "kind of attack"),
    ({"violations": ["nope"]}, "Unknown kinds of attack"),
    ({"perpetrators": [("x", "aliens")]}, "perpetrator"),
    ({"source_publisher": ""}, "source"),
])
def test_save_confirmed_rejects_bad_input_and_writes_nothing(writable_seed_db: Path, change: dict, message: str) -> None:
    con = duckdb.connect(str(writable_seed_db))
    try:
        with pytest.raises(DraftError, match=message):
            save_confirmed(con, _item(**change), "tester")
        count = con.execute("select count(*) from incidents").fetchall()[0][0]
    finally:
        con.close()
    assert count == 2


def test_draft_page_proposes_both_feminita_incidents_and_saves(writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st

    monkeypatch.setenv("HRD_DB", str(writable_seed_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90)
    at.session_state["user"] = auth.User("ana", "analyst")
    at.session_state["last_seen"] = time.time()
    at.run()
    at.switch_page("app_pages/draft.py")
    at.run()
    at.text_area(key="draft_text").input(APPEAL.read_text(encoding="utf-8"))
    next(b for b in at.button if b.label == "Propose incidents").click()
    at.run()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert "Proposed incident 1" in headers and "Proposed incident 2" in headers
    places = [t.value for t in at.text_input if t.label == "Place"]
    assert places == ["Shymkent", "Almaty"]
    # saving without a source is refused with a clear message
    next(b for b in at.button if b.label == "Save this incident").click()
    at.run()
    assert any("source" in e.value for e in at.error)
    publisher = [t for t in at.text_input if t.label == "Source publisher"][0]
    publisher.input("Front Line Defenders")
    next(b for b in at.button if b.label == "Save this incident").click()
    at.run()
    assert any("Saved as incident" in s.value for s in at.success)
