"""Hostile filter values are refused with a clear message or treated as plain data.

Values reach SQL only as named parameters, so quotes, SQL fragments, LIKE
wildcards and backslashes must mean nothing special: either the shape check
(``make_filters``) or the vocabulary check (``check_vocabulary``) refuses them
with a FilterError, or a query with them returns an ordinary, usually empty,
DataFrame and leaves the database as it was.
"""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import db, export, metrics
from dashboard.filters import (
    MAX_LIST_LENGTH,
    FilterError,
    Filters,
    check_vocabulary,
    from_query_params,
    make_filters,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed"
DROP = "'); drop table incidents; --"
HOSTILE = [
    "'",
    '"',
    "O'Brien",
    "''",
    DROP,
    "KAZ'; drop table incidents; --",
    "KAZ' or '1'='1",
    "%",
    "%%",
    "_",
    "K_Z",
    "\\",
    "\\'",
    "KAZ\\",
    "\u202eZAK",  # right-to-left override
    "KAZ\u202e",
    "\x00",
    "x" * 10_000,
]
LIST_FIELDS = ["countries", "regions", "violations", "actor_types", "sectors", "genders"]


@pytest.fixture(scope="module")
def ro_con(seed_db_path):
    """One read-only connection for the module (hypothesis reruns a test many times)."""
    con = duckdb.connect(str(seed_db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def vocab(ro_con):
    return metrics.vocabulary_sets(ro_con)


def list_incidents(con, filters: Filters) -> pd.DataFrame:
    """The Cases list / incident export, as a visitor (public mode) gets it."""
    return export.incidents_frame(con, filters, limit=50)


def incident_ids(con, filters: Filters) -> list[int]:
    frame = list_incidents(con, filters)
    assert isinstance(frame, pd.DataFrame)
    return sorted(int(i) for i in frame["incident_id"])


def assert_clear(exc: FilterError, field: str) -> None:
    """A clear message: names the field, is one short paragraph, no 10,000-char echo."""
    message = str(exc)
    assert message.strip()
    assert field.replace("_", " ") in message or field in message, message
    assert len(message) < 1000, message[:200]
    assert "\n" not in message


# --- list fields ------------------------------------------------------------------------

@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("field", LIST_FIELDS)
def test_hostile_list_values(ro_con, vocab, field, value):
    try:
        filters = make_filters(**{field: value})
    except FilterError as exc:
        assert_clear(exc, field)
        return
    # the shape check let it through: the vocabulary check must refuse it ...
    with pytest.raises(FilterError) as info:
        check_vocabulary(filters, vocab)
    assert_clear(info.value, field)
    assert "Unknown" in str(info.value)
    # ... and even unchecked, it is only data: nothing matches it
    assert incident_ids(ro_con, filters) == []
    assert metrics.totals(ro_con, filters)["incident_count"] == 0


@pytest.mark.parametrize("field", LIST_FIELDS)
def test_hostile_value_in_a_list_with_good_values(ro_con, vocab, field):
    good = {"countries": "KAZ", "regions": "Asia", "violations": "threats", "actor_types": "police",
            "sectors": "womens_rights", "genders": "woman"}[field]
    filters = make_filters(**{field: [good, "O'Brien"]})
    with pytest.raises(FilterError, match="O'Brien"):
        check_vocabulary(filters, vocab)
    # unchecked, the good value still selects, the odd one matches nothing
    assert incident_ids(ro_con, filters) != []


def test_too_many_list_values_is_a_clear_error():
    with pytest.raises(FilterError) as info:
        make_filters(countries=",".join(["KAZ"] * (MAX_LIST_LENGTH + 1)))
    assert_clear(info.value, "countries")


def test_vocabulary_error_message_stays_short(vocab):
    """300 unknown codes of 80 characters each pass the shape check; the message
    about them should still be readable (not tens of thousands of characters)."""
    values = [f"{i:03d}" + "x" * 77 for i in range(MAX_LIST_LENGTH)]
    filters = make_filters(countries=values)
    with pytest.raises(FilterError) as info:
        check_vocabulary(filters, vocab)
    assert len(str(info.value)) < 2000, f"message is {len(str(info.value))} characters long"


@pytest.mark.parametrize("field", LIST_FIELDS)
def test_valid_codes_pass_both_checks(vocab, field):
    good = {"countries": "KAZ", "regions": "Central Asia", "violations": "harassment_intimidation",
            "actor_types": "non_state", "sectors": "lgbtiq_rights", "genders": "not_applicable"}[field]
    filters = make_filters(**{field: good})
    check_vocabulary(filters, vocab)
    assert getattr(filters, field) == (good,)


# --- search --------------------------------------------------------------------------------

def seed_texts() -> list[str]:
    with (SEED / "incidents.csv").open(encoding="utf-8", newline="") as fh:
        return [r["title"] + " " + r["summary"] for r in csv.DictReader(fh)]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_search(ro_con, value):
    try:
        filters = make_filters(search=value)
    except FilterError as exc:
        assert_clear(exc, "search")
        assert len(value) > 200
        return
    ids = incident_ids(ro_con, filters)
    assert isinstance(ids, list)
    assert set(ids) <= {1, 2}


def test_search_with_sql_returns_nothing_and_drops_nothing(writable_seed_db):
    # a read-write connection: even with the right to write, the text is only data
    con = duckdb.connect(str(writable_seed_db))
    try:
        filters = make_filters(search=DROP)
        assert filters.search == DROP
        assert incident_ids(con, filters) == []
        assert metrics.totals(con, filters)["act_count"] == 0
        frame = metrics.aggregate(con, filters, "violation", "acts")
        assert len(frame) == 0
        assert con.execute("select count(*) from incidents").fetchall() == [(2,)]
        assert con.execute("select count(*) from acts").fetchall() == [(19,)]
    finally:
        con.close()


def test_search_almaty_finds_incident_2(ro_con):
    assert incident_ids(ro_con, make_filters(search="Almaty")) == [2]
    assert incident_ids(ro_con, make_filters(search="almaty")) == [2]  # case-insensitive
    assert incident_ids(ro_con, make_filters(search="  Shymkent  ")) == [1]


def test_quotes_in_search_are_literal(ro_con):
    # "Feminita's" (incident 2) and "Sekerbayeva's" (incident 1) hold an apostrophe
    assert incident_ids(ro_con, make_filters(search="'")) == [1, 2]
    assert incident_ids(ro_con, make_filters(search="Feminita's")) == [2]
    # only incident 2's summary quotes the "Kazakhstan Parents Union"
    assert incident_ids(ro_con, make_filters(search='"')) == [2]
    assert incident_ids(ro_con, make_filters(search='"Kazakhstan Parents Union"')) == [2]


@pytest.mark.parametrize("wildcard", ["%", "_", "%%", "Alm%", "Alm_ty", "\\", "\\%", "[A]lmaty", ".*"])
def test_wildcards_in_search_are_literal(ro_con, wildcard):
    # the seed texts contain none of these as literal text ...
    assert not any(wildcard.lower() in t.lower() for t in seed_texts())
    # ... so, as they are not wildcards, nothing is found
    assert incident_ids(ro_con, make_filters(search=wildcard)) == []


def test_percent_is_found_when_the_text_has_it(writable_seed_db):
    con = duckdb.connect(str(writable_seed_db))
    try:
        con.execute(
            "insert into incidents (incident_id, title, start_date, date_precision, country_code, place, "
            "summary, visibility) values (3, 'Test: 100% of participants filmed', '2024-11-01', 'day', "
            "'KAZ', 'Astana', 'A test row with a literal percent sign and an under_score.', 'public')"
        )
        con.execute(
            "insert into acts (act_id, incident_id, violation_code, act_date, victim_defender_id) "
            "values (20, 3, 'filming_without_consent', '2024-11-01', 5)"
        )
        db.refresh_facts(con)
        assert incident_ids(con, make_filters(search="%")) == [3]
        assert incident_ids(con, make_filters(search="100%")) == [3]
        assert incident_ids(con, make_filters(search="_")) == [3]
        assert incident_ids(con, make_filters(search="under_score")) == [3]
        assert incident_ids(con, make_filters(search="under%score")) == []
    finally:
        con.close()


def test_rtl_override_and_control_characters_are_dropped_from_search():
    assert make_filters(search="\u202eAlmaty").search == "Almaty"
    assert make_filters(search="Alm\x00aty").search == "Almaty"


def test_long_search_is_a_clear_error():
    with pytest.raises(FilterError) as info:
        make_filters(search="x" * 10_000)
    assert_clear(info.value, "search")
    assert "200" in str(info.value)


# --- defender ids ----------------------------------------------------------------------

@pytest.mark.parametrize("value", HOSTILE + ["1e3", "1.5", "0x10", "1;2", "１"], ids=range(len(HOSTILE) + 5))
def test_hostile_defender_ids(ro_con, value):
    try:
        filters = make_filters(defender_ids=value)
    except FilterError as exc:
        assert_clear(exc, "defender_ids")
        return
    # whatever got through is a tuple of ints and only data
    assert all(isinstance(i, int) for i in filters.defender_ids)
    assert isinstance(list_incidents(ro_con, filters), pd.DataFrame)


@pytest.mark.parametrize("value", ["-1", "0", "99999999999999999999", "9223372036854775808"])
def test_out_of_range_defender_ids_match_nothing(ro_con, value):
    try:
        filters = make_filters(defender_ids=value)
    except FilterError as exc:
        assert_clear(exc, "defender_ids")
        return
    assert incident_ids(ro_con, filters) == []


def test_defender_filter_keeps_the_organisation_story(ro_con):
    # Gulzada Serzhan (3) is a victim in both incidents
    assert incident_ids(ro_con, make_filters(defender_ids="3")) == [1, 2]
    # Aktogyn Kairatova (4) only in Almaty; her organisation's incidents are not hers
    assert incident_ids(ro_con, make_filters(defender_ids=["4"])) == [2]


# --- URL query parameters ------------------------------------------------------------------

def test_from_query_params_unknown_keys_give_notes(vocab):
    filters, notes = from_query_params({"nosuch": "1", "'; drop table incidents; --": "x"}, vocab)
    assert filters == Filters()
    assert len(notes) == 2
    assert all("unknown parameter" in n for n in notes)


@pytest.mark.parametrize(
    "params",
    [
        {"country": DROP},
        {"country": "<script>alert(1)</script>"},
        {"region": ["Asia", DROP]},
        {"violation": "\u202ethreats"},
        {"actor": "police' or 1=1 --"},
        {"sector": "x" * 10_000},
        {"gender": ["woman", "<img src=x onerror=alert(1)>"]},
        {"from": "2020; drop table incidents"},
        {"to": "<script>"},
        {"from": "2025", "to": "2020"},
        {"synthetic": "maybe"},
        {"defender": "1 or 1=1"},
        {"defender": "<script>"},
        {"q": "x" * 10_000},
    ],
    ids=range(14),
)
def test_from_query_params_hostile_values_give_notes(vocab, params):
    filters, notes = from_query_params(params, vocab)
    assert isinstance(filters, Filters)
    assert notes, "a dropped value must be reported"
    for note in notes:
        assert len(note) < 1000


def test_from_query_params_script_in_search_is_plain_text(ro_con, vocab):
    filters, notes = from_query_params({"q": "<script>alert(1)</script>"}, vocab)
    assert filters.search == "<script>alert(1)</script>"
    assert notes == []
    assert incident_ids(ro_con, filters) == []


def test_from_query_params_unknown_codes_with_vocab(vocab):
    filters, notes = from_query_params({"country": "KAZ,XXX", "actor": "police"}, vocab)
    assert filters.countries == ("KAZ",)
    assert filters.actor_types == ("police",)
    assert len(notes) == 1 and "XXX" in notes[0]


def test_from_query_params_repeated_keys_never_raise(vocab):
    filters, notes = from_query_params(
        {"country": ["KAZ", DROP, "<script>"], "q": ["Almaty", DROP], "from": ["2020", "abc"]}, vocab
    )
    assert isinstance(filters, Filters)
    assert notes


def test_from_query_params_repeated_keys_keep_or_report_every_value(vocab):
    """?country=KAZ&country=KGZ: both are valid codes. Keeping only the last one
    without a note silently changes the selection (the docstring promises a note
    for every dropped value)."""
    filters, notes = from_query_params({"country": ["KAZ", "KGZ"]}, vocab)
    assert set(filters.countries) == {"KAZ", "KGZ"} or any("country" in n or "KAZ" in n for n in notes)


def test_from_query_params_empty_list_never_raises(vocab):
    filters, notes = from_query_params({"country": [], "q": []}, vocab)
    assert isinstance(filters, Filters)
    assert isinstance(notes, list)


def test_from_query_params_extra_keys_are_silent():
    filters, notes = from_query_params({"page": "cases", "case": "2"}, extra_keys=("page", "case"))
    assert filters == Filters() and notes == []


# --- property-based ------------------------------------------------------------------------

code_like = st.text(alphabet=st.sampled_from("KAZGRUSkaz _-.,'()&%\\\";\u202e\x00"), max_size=12)
any_text = st.text(max_size=300)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(search=any_text, countries=st.lists(st.one_of(any_text, code_like, st.integers()), max_size=8))
def test_random_search_and_countries_only_raise_filter_error(ro_con, vocab, search, countries):
    try:
        filters = make_filters(search=search, countries=countries)
    except FilterError:
        return
    assert len(filters.search) <= 200
    # unchecked values are still only data
    frame = list_incidents(ro_con, filters)
    assert isinstance(frame, pd.DataFrame)
    assert set(frame["incident_id"]) <= {1, 2}
    try:
        check_vocabulary(filters, vocab)
    except FilterError:
        return
    assert isinstance(metrics.aggregate(ro_con, filters, "country", "incidents"), pd.DataFrame)


url_values = st.one_of(any_text, code_like, st.lists(st.one_of(any_text, code_like), min_size=1, max_size=4))


@settings(max_examples=300, deadline=None, database=None)
@given(params=st.dictionaries(
    st.one_of(st.sampled_from(["country", "region", "from", "to", "violation", "actor", "sector",
                               "gender", "q", "synthetic", "defender"]), st.text(max_size=20)),
    url_values, max_size=8,
))
def test_random_query_params_never_raise(ro_con, vocab, params):
    filters, notes = from_query_params(params, vocab)
    assert isinstance(filters, Filters)
    assert isinstance(notes, list) and all(isinstance(n, str) for n in notes)
    check_vocabulary(filters, vocab)  # with vocab given, what is kept is known
    frame = list_incidents(ro_con, filters)
    assert isinstance(frame, pd.DataFrame)
