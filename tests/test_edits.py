"""Corrections through dashboard.edits: exactly the fields asked for change, in one transaction
with the audit entry, by statements from queries/ that take every value as a parameter."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from dashboard import audit, db, sql
from dashboard.edits import EDITABLE, FIELDS_QUERY, UPDATE_STATEMENT, EditError, apply_edit, current_values

HOSTILE = "x'; drop table incidents; --"


@pytest.fixture()
def con(writable_seed_db: Path):
    connection = duckdb.connect(str(writable_seed_db))
    yield connection
    connection.close()


def all_fields(con: duckdb.DuckDBPyConnection, table: str, record_id: int) -> dict:
    values = current_values(con, table, record_id)
    assert values is not None
    return values


@pytest.mark.parametrize("table", list(EDITABLE))
def test_the_sql_files_hold_exactly_the_editable_fields(seed_con, table):
    """The read query lists EDITABLE's fields in its order, and the update statement takes a
    flag and a value for each: a field added to one place and not the other fails here."""
    read = seed_con.execute(sql.load_query(FIELDS_QUERY[table]).body, {"record_id": 1})
    assert [d[0] for d in read.description] == list(EDITABLE[table])
    update = sql.statement(UPDATE_STATEMENT[table])
    expected = {"record_id"} | set(EDITABLE[table]) | {f"set_{f}" for f in EDITABLE[table]}
    assert set(update.params) == expected
    assert update.body.lstrip().lower().startswith("update ")


@pytest.mark.parametrize(("table", "record_id", "changes"), [
    ("incidents", 2, {"title": "Kurultai attacked (corrected)"}),
    ("incidents", 1, {"end_date": None, "place": HOSTILE}),
    ("incidents", 1, {"start_date": "2021-05-02", "country_code": "KGZ", "visibility": "restricted"}),
    ("acts", 9, {"violation_code": "event_disruption", "description": "text with 'quotes', \"double\" and\nnew lines"}),
    ("defenders", 2, {"is_name_public": False, "gender_code": "unknown"}),
])
def test_an_edit_changes_the_fields_asked_for_and_nothing_else(con, table, record_id, changes):
    before = all_fields(con, table, record_id)
    audit_rows = len(audit.entries(con))
    result = apply_edit(con, table, record_id, changes, "ana")
    after = all_fields(con, table, record_id)
    expected = dict(before)
    for field, value in changes.items():
        expected[field] = date.fromisoformat(value) if EDITABLE[table][field] == "date" and value else value
    assert after == expected
    changed = {f for f in changes if before[f] != expected[f]}
    assert set(result["after"]) == changed and changed
    assert {f: before[f] for f in changed} == result["before"]
    log = audit.entries(con)
    assert len(log) == audit_rows + 1
    assert log.iloc[0]["target"] == f"{table}:{record_id}"
    assert con.execute("select count(*) from incidents").fetchall()[0][0] > 0  # the hostile text stayed text


def test_other_records_keep_their_values(con):
    others = {i: all_fields(con, "incidents", i) for i in (1,)}
    apply_edit(con, "incidents", 2, {"summary": "A corrected summary", "date_precision": "month"}, "ana")
    assert {i: all_fields(con, "incidents", i) for i in (1,)} == others


def test_an_edit_that_changes_nothing_writes_nothing(con):
    current = all_fields(con, "incidents", 2)
    audit_rows = len(audit.entries(con))
    assert apply_edit(con, "incidents", 2, {"title": current["title"]}, "ana") == {"before": {}, "after": {}}
    assert len(audit.entries(con)) == audit_rows
    assert all_fields(con, "incidents", 2) == current


@pytest.mark.parametrize(("table", "record_id", "changes", "message"), [
    ("incidents", 2, {"country_code": "XXX"}, "not a known value"),
    ("incidents", 2, {"country_code": HOSTILE}, "not a known value"),
    ("incidents", 2, {"visibility": "secret"}, "not a known value"),
    ("acts", 9, {"violation_code": "countries"}, "not a known value"),  # a vocabulary's name is not a code
    ("incidents", 2, {"start_date": "2024-13-40"}, "not a date"),
    ("incidents", 2, {"incident_id": 7}, "cannot be edited"),
    ("incidents", 99_999, {"title": "No such incident"}, "No incident with id 99999"),
    ("victims", 1, {"name": "x"}, "Unknown record type"),
])
def test_a_refused_edit_changes_nothing(con, table, record_id, changes, message):
    before = {t: con.execute(f"select * from {t} order by all").fetchall() for t in EDITABLE}  # names from EDITABLE
    audit_rows = len(audit.entries(con))
    with pytest.raises(EditError, match=message):
        apply_edit(con, table, record_id, changes, "ana")
    assert {t: con.execute(f"select * from {t} order by all").fetchall() for t in EDITABLE} == before  # names from EDITABLE
    assert len(audit.entries(con)) == audit_rows


def test_a_missing_record_has_no_values(seed_con):
    assert current_values(seed_con, "acts", 99_999) is None


def test_the_edit_page_shows_the_stored_values_and_saves_a_correction(writable_seed_db: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    """The page reads the record through edits.current_values and saves through apply_edit:
    the form holds the stored title, a new one is saved and read back, a wrong date is refused."""
    import time

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard import auth

    monkeypatch.setenv("HRD_DB", str(writable_seed_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py"), default_timeout=60)
    at.session_state["user"] = auth.User("ana", "analyst")
    at.session_state["last_seen"] = time.time()
    at.run()
    at.switch_page("app_pages/edit.py")
    at.run()
    assert not at.exception
    title = next(t for t in at.text_input if t.label == "Title")
    place = next(t for t in at.text_input if t.label == "Place")
    country = next(b for b in at.selectbox if b.label == "Country")  # a choice among the countries, not a code to type
    assert country.value == "KAZ" and "Kyrgyzstan (KGZ)" in country.options
    con = duckdb.connect(str(writable_seed_db))  # the app's connection has the same configuration
    stored_title, stored_place = con.execute("select title, place from incidents where incident_id = 2").fetchall()[0]
    assert (title.value, place.value) == (stored_title, stored_place) and stored_place == "Almaty"
    title.input(stored_title + " (corrected)")
    next(b for b in at.button if b.label == "Save").click()
    at.run()
    assert [s.value for s in at.success] == ["Saved: title."]
    next(b for b in at.selectbox if b.label == "Country").set_value("KGZ")
    next(b for b in at.button if b.label == "Save").click()
    at.run()
    assert [s.value for s in at.success] == ["Saved: country_code."]
    next(t for t in at.text_input if t.label.startswith("End date")).input("2024-02-30")
    next(b for b in at.button if b.label == "Save").click()
    at.run()
    assert any("not a date" in e.value for e in at.error)
    try:
        assert con.execute("select title, country_code, end_date is null or end_date <> date '2024-02-28' "
                           "from incidents where incident_id = 2").fetchall() == [
            (stored_title + " (corrected)", "KGZ", True)]
    finally:
        con.close()


# --- a corrected title, summary or place: its rows updated in place ---------------------------

DERIVED = ("incident_rows", "incident_csv_lines", "incident_facts", "act_facts", "fact_cells", "defender_cells")
TRICKY = {
    "title": '=HYPERLINK("http://x") corrected, with "quotes"',
    "summary": "Two lines,\nsemicolons; 'quotes'\r\nand Алматы — 7 October",
    "place": "+Shymkent, \"centre\"",
}


def stored(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every derived table's rows in the order they are stored in (and read in by the listings)."""
    return {table: con.execute(f"select * from {table}").fetchall() for table in DERIVED}


@pytest.fixture()
def demo_work(demo_db_path: Path, tmp_path: Path):
    path = tmp_path / "demo_work.duckdb"
    path.write_bytes(demo_db_path.read_bytes())
    connection = duckdb.connect(str(path))
    yield connection
    connection.close()


@pytest.mark.parametrize("fields", [("title",), ("summary", "place"), ("title", "summary", "place")])
def test_a_text_edit_leaves_the_fact_tables_as_a_full_refresh_would(demo_work, fields):
    """An edit of an incident's title, summary or place updates its rows in place
    (db.refresh_incident_text, a fraction of a second at any size) instead of rebuilding every
    fact table; the tables, stored order included, must then be exactly what a rebuild makes.
    The incident chosen lists a defender whose name is withheld in public mode, and the new
    values carry what CSV quoting, the formula rule and search care about."""
    incident_id = demo_work.execute(
        "select incident_id from incident_rows where visibility = 'public' and not all_defenders_public "
        "order by list_position limit 1 offset 3").fetchone()[0]
    version = demo_work.execute("select value from metadata where key = 'facts_refreshed_at'").fetchone()[0]
    result = apply_edit(demo_work, "incidents", incident_id, {f: TRICKY[f] for f in fields}, "ana")
    assert result["refreshed"] == "incident text" and set(result["after"]) == set(fields)
    assert demo_work.execute("select value from metadata where key = 'facts_refreshed_at'").fetchone()[0] != version
    in_place = stored(demo_work)
    row = demo_work.execute("select title, summary, place from incident_rows where incident_id = $i",
                            {"i": incident_id}).fetchone()
    assert [row[("title", "summary", "place").index(f)] for f in fields] == [TRICKY[f] for f in fields]
    demo_work.execute("begin transaction")
    db.refresh_facts(demo_work)
    demo_work.execute("commit")
    rebuilt = stored(demo_work)
    for table in DERIVED:
        assert in_place[table] == rebuilt[table], table
    # and search finds the new words
    assert demo_work.execute("select count(*) from incident_facts where contains(search_text, 'алматы')").fetchone()[0] \
        == ("summary" in fields)


@pytest.mark.parametrize(("table", "record_id"), [("acts", 5), ("defenders", 1)])
def test_a_description_edit_only_moves_the_data_version(demo_work, table, record_id):
    """An act's or a defender's description is in no fact table: the edit stamps a new data
    version (the pages' caches key on it) and leaves the tables as a rebuild would."""
    version = db.data_version(demo_work)
    result = apply_edit(demo_work, table, record_id, {"description": TRICKY["summary"]}, "ana")
    assert result["refreshed"] == "version only" and db.data_version(demo_work) != version
    assert current_values(demo_work, table, record_id)["description"] == TRICKY["summary"]
    before = stored(demo_work)
    demo_work.execute("begin transaction")
    db.refresh_facts(demo_work)
    demo_work.execute("commit")
    assert stored(demo_work) == before


def test_an_edit_of_anything_else_rebuilds_the_fact_tables(demo_work):
    result = apply_edit(demo_work, "incidents", 1, {"title": "Title and country", "country_code": "KGZ"}, "ana")
    assert result["refreshed"] == "all facts"
    assert demo_work.execute("select country_code from incident_facts where incident_id = 1").fetchone()[0] == "KGZ"
