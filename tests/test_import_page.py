"""The Import page: upload, mapping, validation report, import, past imports (admins only)."""
from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth

ROOT = Path(__file__).resolve().parents[1]
COLOMBIA = ROOT.parent / "shared" / "data" / "external" / "colombia_lideres_sociales_2016_2017.csv"


def _admin_app(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    import streamlit as st

    monkeypatch.setenv("HRD_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.session_state["user"] = auth.User("adm", "admin")
    at.session_state["last_seen"] = time.time()
    at.run()
    at.switch_page("app_pages/import_data.py")
    at.run()
    return at


def test_import_page_imports_the_colombian_data_set(writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _admin_app(writable_seed_db, monkeypatch)
    assert not at.exception
    at.selectbox(key="import_mapping_choice").set_value("colombia_lideres_sociales.toml")
    at.file_uploader(key="import_file").set_value((COLOMBIA.name, COLOMBIA.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    rows = len(pd.read_csv(COLOMBIA))
    assert ("Rows read", str(rows)) in [(m.label, m.value) for m in at.metric]
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("incidents added" in s.value for s in at.success)
    con = duckdb.connect(str(writable_seed_db))
    try:
        col = con.execute("select count(*) from incidents where country_code = 'COL'").fetchall()[0][0]
        audit_actions = [r[0] for r in con.execute("select action from audit_log").fetchall()]
    finally:
        con.close()
    assert col > 100 and "import" in audit_actions


def test_import_page_reports_a_broken_file_and_writes_nothing(writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _admin_app(writable_seed_db, monkeypatch)
    at.selectbox(key="import_mapping_choice").set_value("colombia_lideres_sociales.toml")
    bad = "Nombre,Fecha,Departamento\nAna,not a date,Cauca\n".encode("utf-8")
    at.file_uploader(key="import_file").set_value(("broken.csv", bad, "text/csv"))
    at.run()
    assert not at.exception
    shown = [e.value for e in at.error] + [c.value for c in at.caption]
    assert any("Fix the errors" in t for t in shown) or at.error
    import_buttons = [b for b in at.button if b.label == "Import"]
    assert not import_buttons or import_buttons[0].disabled


def test_import_page_is_for_admins_only(writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st

    monkeypatch.setenv("HRD_DB", str(writable_seed_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.session_state["user"] = auth.User("ana", "analyst")
    at.session_state["last_seen"] = time.time()
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/import_data.py")
