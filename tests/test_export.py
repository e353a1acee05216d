"""CSV exports: round-trip through pandas, BOM, formula injection, dictionary, flags."""
from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from dashboard import csv_sql, export, metrics, sql
from dashboard.export import neutralise
from dashboard.filters import Filters, make_filters

ROOT = Path(__file__).resolve().parents[1]
APPEAL_URL = "https://frontlinedefenders.org/en/case/feminitas-lesbian-kurultai-under-attack"
BOM = b"\xef\xbb\xbf"


def read_back(data: bytes, **kwargs) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", **kwargs)


def normalise(value):
    """Compare cells as text the way a CSV carries them (dates as ISO, NaN as None)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def assert_round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    data = export.to_csv_bytes(frame)
    back = read_back(data)
    assert list(back.columns) == list(frame.columns)
    assert len(back) == len(frame)
    for col in frame.columns:
        original = [normalise(v) for v in frame[col]]
        returned = [normalise(v) for v in back[col]]
        if any(isinstance(v, str) for v in returned) and not all(
            v is None or isinstance(v, str) for v in original
        ):
            returned = [normalise(v) for v in read_back(data, dtype={col: str})[col]]
            original = [None if v is None else str(v) for v in original]
        assert returned == original, col
    return back


# --- round trip --------------------------------------------------------------------------

def test_seed_incidents_round_trip(seed_con):
    frame = export.incidents_frame(seed_con, Filters())
    assert sorted(frame["incident_id"]) == [1, 2]
    back = assert_round_trip(frame)
    by_id = back.set_index("incident_id")
    assert by_id.loc[2, "place"] == "Almaty"
    assert by_id.loc[1, "place"] == "Shymkent"
    assert by_id.loc[1, "date_precision"] == "month"
    assert by_id.loc[2, "start_date"] == "2024-10-07"
    assert by_id.loc[2, "end_date"] == "2024-10-09"
    assert by_id.loc[1, "start_date"] == "2021-05-01"
    assert '"disgusting organization that leads youth into debauchery"' in by_id.loc[2, "summary"]
    assert by_id.loc[2, "act_count"] == 11 and by_id.loc[1, "act_count"] == 8


def test_seed_acts_round_trip(seed_con):
    frame = export.acts_frame(seed_con, Filters())
    # one row per act and perpetrator: act_perpetrators.csv has 25 rows
    assert len(frame) == 25
    assert frame["act_id"].nunique() == 19
    back = assert_round_trip(frame)
    act9 = back[back["act_id"] == 9]
    assert set(act9["involvement_note"].dropna()) == {"alleged"}


def test_cyrillic_and_kazakh_text_round_trip():
    frame = pd.DataFrame({
        "name": ["Жанар Секербаева", "Гульзада Сержан", "Ақтоғын Қайратова"],
        "country": ["Қазақстан", "Қазақстан", "Казахстан"],
        "place": ["Алматы", "Шымкент", "Алматы"],
        "Елі": ["Қазақстан", "Қазақстан", "Қазақстан"],
        "count": [1, 2, 3],
    })
    back = assert_round_trip(frame)
    assert back.loc[0, "name"] == "Жанар Секербаева"
    assert back.loc[0, "country"] == "Қазақстан"
    assert list(back.columns)[3] == "Елі"
    # and the bytes are UTF-8, not a legacy code page
    assert "Қазақстан".encode("utf-8") in export.to_csv_bytes(frame)


def test_file_starts_with_the_bom(seed_con):
    assert export.to_csv_bytes(pd.DataFrame({"a": [1]})).startswith(BOM)
    data = export.to_csv_bytes(export.incidents_frame(seed_con, Filters()))
    assert data.startswith(BOM + b"incident_id,")
    assert data.count(BOM) == 1


def test_values_with_commas_quotes_and_line_breaks_round_trip():
    texts = ['a, b', 'say "no"', "two\nlines", "old\rmac", "win\r\nbreak", "semi; colon", ""]
    frame = pd.DataFrame({"text": texts, "n": range(len(texts))})
    back = read_back(export.to_csv_bytes(frame), keep_default_na=False)
    assert len(back) == len(texts)
    assert list(back["text"]) == texts


# --- formula injection -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
        ("safe", "safe"),
        ("a=1", "a=1"),
    ],
)
def test_formula_cells_are_prefixed(cell, expected):
    frame = pd.DataFrame({"text": [cell], "number": [-5], "ratio": [-2.5]})
    back = read_back(export.to_csv_bytes(frame), dtype={"text": str}, keep_default_na=False)
    assert back.loc[0, "text"] == expected
    assert back.loc[0, "number"] == -5
    assert back.loc[0, "ratio"] == -2.5


def test_negative_numbers_stay_numbers_in_the_bytes():
    frame = pd.DataFrame({"text": ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x"], "number": [-5, -4, -3, -2, -1]})
    data = export.to_csv_bytes(frame).decode("utf-8-sig")
    lines = data.splitlines()
    assert lines[0] == "text,number"
    assert lines[1] == "'=1+1,-5"
    assert lines[2] == "'+cmd,-4"
    assert lines[3] == "'-2+3,-3"
    assert lines[4] == "'@SUM(A1),-2"
    assert lines[5] == "'\t=x,-1"


def test_formula_in_a_column_name_is_prefixed():
    frame = pd.DataFrame({"=cmd": ["x"], "ok": ["y"]})
    back = read_back(export.to_csv_bytes(frame))
    assert list(back.columns) == ["'=cmd", "ok"]


def test_formula_in_pandas_string_dtype_is_prefixed():
    frame = pd.DataFrame({"text": pd.array(["=1+1", None, "ok"], dtype="string")})
    back = read_back(export.to_csv_bytes(frame), keep_default_na=False)
    assert list(back["text"]) == ["'=1+1", "", "ok"]


# --- flags and sources on every row ------------------------------------------------------

@pytest.mark.parametrize("kind", ["incidents", "acts"])
def test_every_row_has_is_synthetic_and_source_urls(seed_con, demo_con, kind):
    make = export.incidents_frame if kind == "incidents" else export.acts_frame
    for con in (seed_con, demo_con):
        frame = make(con, Filters(), limit=2000)
        assert len(frame) > 0
        assert "is_synthetic" in frame.columns and "source_urls" in frame.columns
        assert frame["is_synthetic"].notna().all()
        assert frame["is_synthetic"].map(lambda v: isinstance(v, (bool, np.bool_))).all()
        back = read_back(export.to_csv_bytes(frame))
        assert "is_synthetic" in back.columns and "source_urls" in back.columns
    seed = make(seed_con, Filters())
    assert set(seed["source_urls"]) == {APPEAL_URL}
    assert not seed["is_synthetic"].any()


@pytest.mark.parametrize("kind", ["incidents", "acts"])
def test_synthetic_rows_in_the_demo_export_are_marked(demo_con, kind):
    make = export.incidents_frame if kind == "incidents" else export.acts_frame
    frame = make(demo_con, Filters())
    back = read_back(export.to_csv_bytes(frame))
    assert back["is_synthetic"].dtype == bool
    real = back["incident_id"].isin([1, 2])
    assert real.any()
    assert not back.loc[real, "is_synthetic"].any()
    assert back.loc[~real, "is_synthetic"].all()
    if kind == "incidents":
        assert back.loc[~real, "title"].str.startswith("[Synthetic]").all()
        assert not back.loc[real, "title"].str.startswith("[Synthetic]").any()
    else:
        assert back.loc[~real, "incident_title"].str.startswith("[Synthetic]").all()


def test_demo_export_without_synthetic_rows(demo_con):
    frame = export.incidents_frame(demo_con, Filters(include_synthetic=False))
    assert sorted(frame["incident_id"]) == [1, 2]


# --- data dictionary -----------------------------------------------------------------------

def test_data_dictionary_is_a_valid_csv():
    """export.data_dictionary() (and any spreadsheet) must read it: every row has
    exactly three fields, so a meaning with a comma must be quoted."""
    with (ROOT / "data" / "data_dictionary.csv").open(encoding="utf-8", newline="") as fh:
        bad = [(n, row) for n, row in enumerate(csv.reader(fh), 1) if len(row) != 3]
    assert bad == [], f"rows with other than 3 fields (quote the meaning): {bad}"
    frame = export.data_dictionary()
    assert list(frame.columns) == ["export", "column", "meaning"]
    assert frame["meaning"].notna().all()
    assert not frame.duplicated(["export", "column"]).any()


@pytest.fixture(scope="module")
def dictionary() -> set[tuple[str, str]]:
    """(export, column) pairs, read leniently so coverage is checked even if a
    meaning is badly quoted (test_data_dictionary_is_a_valid_csv reports that)."""
    with (ROOT / "data" / "data_dictionary.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:2] == ["export", "column"]
    return {(r[0], r[1]) for r in rows[1:] if len(r) >= 2}


def missing_from(dictionary, export_name: str, columns) -> list[str]:
    return [c for c in columns if (export_name, c) not in dictionary]


def test_incident_and_act_columns_are_in_the_dictionary(seed_con, dictionary):
    assert missing_from(dictionary, "incidents", export.incidents_frame(seed_con, Filters()).columns) == []
    assert missing_from(dictionary, "acts", export.acts_frame(seed_con, Filters()).columns) == []


@pytest.mark.parametrize("mode", ["public", "analyst"])
def test_summary_columns_are_in_the_dictionary(demo_con, dictionary, mode):
    seen: set[str] = set()
    for by in [*metrics.DIMENSIONS, "year,actor_type", "actor_type,actor_group", "country,violation"]:
        for unit in ("incidents", "acts", "defenders"):
            frame = export.summary_frame(demo_con, Filters(), by, unit, mode=mode)
            seen.update(frame.columns)
    assert sorted(missing_from(dictionary, "summary", seen)) == []


def test_dictionary_has_no_stale_rows(seed_con, demo_con, dictionary):
    incidents = set(export.incidents_frame(seed_con, Filters()).columns)
    acts = set(export.acts_frame(seed_con, Filters()).columns)
    assert {c for e, c in dictionary if e == "incidents"} <= incidents
    assert {c for e, c in dictionary if e == "acts"} <= acts


def test_summary_export_round_trip(seed_con):
    frame = export.summary_frame(seed_con, Filters(), "year,actor_type", "acts")
    back = read_back(export.to_csv_bytes(frame))
    got = {(int(r.year), r.actor_type): int(r.value) for r in back.itertuples()}
    assert got[(2024, "anti_rights_group")] == 3
    assert got[(2024, "police")] == 6
    assert got[(2021, "private_individuals")] == 4
    assert set(back["unit"]) == {"acts"}
    assert set(back["distinct_total"]) == {19}


def test_sidecar_is_written_next_to_the_csv(seed_con, tmp_path):
    frame = export.incidents_frame(seed_con, Filters())
    about = export.describe_selection(Filters(), "incidents, one row per incident", row_count=len(frame))
    csv_path, sidecar = export.write_with_sidecar(export.to_csv_bytes(frame), tmp_path / "incidents.csv", about)
    assert csv_path.read_bytes().startswith(BOM)
    assert sidecar == tmp_path / "incidents.about.txt"
    text = sidecar.read_text(encoding="utf-8")
    assert "Rows: 2" in text
    assert "synthetic" in text


# --- a selection by place and time is read in incident_rows' stored order -------------------------

LISTING_SELECTIONS = [
    Filters(),
    make_filters(regions=["Asia"], year_from=2020),
    make_filters(countries=["KAZ", "COL"], year_to=2023),
    make_filters(visibilities=["public", "restricted"], include_synthetic=False),
    make_filters(year_from=2019, year_to=2019),
]


@pytest.mark.parametrize("mode", ["public", "analyst"])
@pytest.mark.parametrize("filters", LISTING_SELECTIONS, ids=lambda f: "|".join(f.describe()) or "all")
def test_listing_in_stored_order_equals_the_sorted_listing(demo_con, filters: Filters, mode: str) -> None:
    """incident_list_in_order.sql (no sort) lists what incident_list.sql (semi-join, sort) lists, row for row."""
    assert export.list_query("incidents", filters, mode) == "incident_list_in_order"
    params = export._list_params(filters, mode, export.EXPORT_ROW_LIMIT, 0)
    sorted_rows = sql.run(demo_con, "incident_list", params)
    assert len(sorted_rows) > 0
    pd.testing.assert_frame_equal(export.incidents_frame(demo_con, filters, mode=mode), sorted_rows)
    # a later page too: LIMIT and OFFSET keep the order
    page = export.incidents_frame(demo_con, filters, limit=7, offset=5, mode=mode)
    pd.testing.assert_frame_equal(page.reset_index(drop=True), sorted_rows.iloc[5:12].reset_index(drop=True))


@pytest.mark.parametrize("filters", [
    make_filters(violations=["killing"]), make_filters(actor_types=["police"]), make_filters(sectors=["lgbti_rights"]),
    make_filters(genders=["female"]), make_filters(search="feminita"), make_filters(defender_ids=[1]),
], ids=lambda f: "|".join(f.describe()))
def test_other_selections_keep_the_sorted_listing(filters: Filters) -> None:
    assert export.list_query("incidents", filters, "analyst") == "incident_list"
    assert export.list_query("acts", Filters(), "analyst") == "act_list"


def test_unknown_list_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown list"):
        export.list_query("defenders", Filters())


@pytest.mark.parametrize("mode", ["public", "analyst"])
def test_copy_of_the_stored_order_is_a_plain_scan(demo_con, mode: str) -> None:
    """DuckDB keeps insertion order through scans, filters and projections, not through joins,
    sorts or aggregates: the plan of the whole CSV copy must hold none of them."""
    text, params = export.export_query(demo_con, "incidents", make_filters(regions=["Asia"], year_from=2020), mode)
    plan = "\n".join(row[1] for row in demo_con.execute(f"explain {text}", params).fetchall()).upper()
    assert "INCIDENT_ROWS" in plan
    for operator in ("JOIN", "ORDER", "TOP_N", "AGGREGATE", "GROUP_BY", "WINDOW", "UNION"):
        assert operator not in plan, (operator, plan)


# --- the incident CSV of an in-order selection is read from lines stored at write time ----------------

@pytest.mark.parametrize("mode", ["public", "analyst"])
@pytest.mark.parametrize("filters", LISTING_SELECTIONS, ids=lambda f: "|".join(f.describe()) or "all")
def test_stored_lines_equal_the_copy(demo_con, filters: Filters, mode: str) -> None:
    """The lines incident_csv_lines holds, read for a selection, are the bytes COPY writes for the
    same rows: same header and BOM, same rows in the same order, same quoting and cell rules."""
    assert export.list_query("incidents", filters, mode) == "incident_list_in_order"
    copied, copied_rows = export.copied_csv(demo_con, "incidents", filters, mode)
    stored, stored_rows = export.stored_lines_csv(demo_con, filters, mode)
    assert stored_rows == copied_rows == len(export.incidents_frame(demo_con, filters, mode=mode)) > 0
    assert stored == copied
    # the export picks the stored lines for these selections
    assert export.selection_csv_counted(demo_con, "incidents", filters, mode) == (stored, stored_rows)
    # a row limit cuts both at the same row
    assert export.stored_lines_csv(demo_con, filters, mode, limit=5) == export.copied_csv(
        demo_con, "incidents", filters, mode, limit=5)


def test_public_lines_withhold_what_public_mode_withholds(demo_con) -> None:
    """The public line of an incident shows what public mode shows (names of non-public
    defenders withheld, no restricted incident listed), the analyst line what analyst mode shows."""
    public, _ = export.stored_lines_csv(demo_con, Filters(), "public")
    analyst, _ = export.stored_lines_csv(demo_con, Filters(), "analyst")
    public_frame, analyst_frame = read_back(public), read_back(analyst)
    assert set(public_frame["visibility"]) == {"public"}
    assert set(analyst_frame["visibility"]) > {"public"}
    withheld = public_frame["defenders"].fillna("").str.contains("(name withheld)", regex=False)
    assert withheld.any()
    hidden = analyst_frame.set_index("incident_id").loc[public_frame.loc[withheld, "incident_id"], "defenders"]
    assert not hidden.str.contains("(name withheld)", regex=False).all()


HOSTILE = ["=HYPERLINK(\"http://x\")", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "crlf\r\nend", "", " lead",
           "trail ", "-5", "+1", "@x", "\tx", "Ωmega; Ärger", "日本", "'=x", ",", '"', "A", "@"]


def test_stored_lines_follow_a_write_with_hostile_text(demo_db_path: Path, tmp_path: Path) -> None:
    """After a write whose text holds every character CSV quoting and the formula rule care
    about, the stored lines are rebuilt with it and still equal COPY's bytes; pandas reads them
    back as the listing, formula cells prefixed."""
    from dashboard import db

    path = tmp_path / "hostile.duckdb"
    path.write_bytes(demo_db_path.read_bytes())
    con = duckdb.connect(str(path))
    try:
        con.execute("begin")
        con.execute("update incidents set title = $cells[1 + incident_id % len($cells)], "
                    "summary = case when incident_id % 7 = 0 then null else $cells[1 + (incident_id // 3) % len($cells)] end, "
                    "place = $cells[1 + (incident_id // 5) % len($cells)]", {"cells": HOSTILE})
        con.execute("update defenders set name = $cells[1 + defender_id % len($cells)] "
                    "where defender_id % 4 = 0", {"cells": HOSTILE})
        db.refresh_facts(con)
        con.execute("commit")
        for mode in ("public", "analyst"):
            stored, rows = export.stored_lines_csv(con, Filters(), mode)
            assert (stored, rows) == export.copied_csv(con, "incidents", Filters(), mode)
            back = read_back(stored, dtype=str, keep_default_na=False)
            listed = export.incidents_frame(con, Filters(), mode=mode)
            assert len(back) == rows == len(listed)
            assert list(back["title"]) == [str(neutralise(t)) for t in listed["title"]]
            assert list(back["summary"]) == ["" if v is None else str(neutralise(v)) for v in listed["summary"]]
            assert set(HOSTILE) - {""} <= {t.lstrip("'") for t in back["title"]} | set(back["title"])
    finally:
        con.close()


def test_csv_fields_are_quoted_as_copy_quotes_them(tmp_path: Path) -> None:
    """csv_sql.csv_field against DuckDB's own CSV writer, value by value, text and other types."""
    con = duckdb.connect()
    con.execute("create table t as select unnest($cells) as s, range::int - 3 as n, "
                "date '2024-10-05' + range::int as d, range % 2 = 0 as b from range(len($cells))",
                {"cells": [*HOSTILE, None]})
    con.execute("update t set n = null, d = null, b = null where s is null")
    target = tmp_path / "t.csv"
    con.execute(f"copy (select s, n, d, case when b then 'True' when not b then 'False' end as b from t) "
                f"to '{target}' (format csv, header false, delimiter ',', quote '\"', new_line '\r\n')")
    fields = ", ',', ".join(csv_sql.csv_field(c, ty) for c, ty in
                            [("s", "VARCHAR"), ("n", "INTEGER"), ("d", "DATE"),
                             ("case when b then 'True' when not b then 'False' end", "BOOLEAN")])
    lines = con.execute(f"select concat({fields}, chr(13) || chr(10)) from t").fetchall()
    assert "".join(line for (line,) in lines).encode() == target.read_bytes()
    with pytest.raises(TypeError, match="DOUBLE"):
        csv_sql.csv_field("x", "DOUBLE")


@pytest.mark.parametrize("kind", ["string", "large_string"])
def test_string_bytes_reads_a_slice_of_an_arrow_array_end_to_end(kind: str) -> None:
    """An Arrow chunk may be a slice of a larger array (offset > 0) or use 64-bit offsets:
    its characters are still exactly its values, end to end."""
    import pyarrow as pa

    whole = pa.array(["a,\r\n", "bb\r\n", "ccc\r\n", "dddd\r\n"], type=getattr(pa, kind)())
    assert bytes(export._string_bytes(whole)) == b"a,\r\nbb\r\nccc\r\ndddd\r\n"
    assert bytes(export._string_bytes(whole.slice(1, 2))) == b"bb\r\nccc\r\n"
    assert bytes(export._string_bytes(whole.slice(4, 0))) == b""
    with pytest.raises(ValueError, match="missing line"):
        export._string_bytes(pa.array(["a", None], type=getattr(pa, kind)()))
    with pytest.raises(TypeError, match="string_view"):
        export._string_bytes(pa.array(["a"], type=pa.string_view()))


@pytest.mark.parametrize("mode", ["public", "analyst"])
def test_reading_the_stored_lines_is_a_plain_scan(demo_con, mode: str) -> None:
    """The stored lines are read in their stored order: no join, sort or aggregate in the plan."""
    query = sql.load_query("incident_csv_lines")
    given = export._list_params(make_filters(regions=["Asia"], year_from=2020), mode, export.EXPORT_ROW_LIMIT, 0)
    plan = "\n".join(row[1] for row in demo_con.execute(
        f"explain {query.body}", {k: given[k] for k in query.params}).fetchall()).upper()
    assert "INCIDENT_CSV_LINES" in plan
    for operator in ("JOIN", "ORDER", "TOP_N", "AGGREGATE", "GROUP_BY", "WINDOW", "UNION"):
        assert operator not in plan, (operator, plan)


CELLS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x", "A", "@", "?x", "0", " =x", "", "Ωmega", "Ärger",
         "ا", "日本", "\u00a0=x", "a=b", "-", "=", None]


def test_copy_column_neutralises_exactly_as_pandas(demo_con) -> None:
    """The SQL of a text column in the CSV (export._csv_column) prefixes what ``neutralise`` prefixes,
    for every formula character, the characters either side of the 'A' short cut, non-ASCII and NULL."""
    column = csv_sql.csv_column("cell", "VARCHAR")
    got = demo_con.execute(f"select {column} from unnest($cells) as t(cell)", {"cells": CELLS}).fetchall()
    assert [row[0] for row in got] == [neutralise(c) for c in CELLS]


def test_the_scratch_folder_is_removed_after_an_export_and_after_a_failure(demo_con, monkeypatch) -> None:
    """The export's files (analyst-mode ones hold restricted cases) are deleted once the bytes are
    read, by a thread of their own so nobody waits for it: after it, nothing is left behind."""
    made: list[Path] = []
    removers: list[threading.Thread] = []
    mkdtemp, remove_soon = export.tempfile.mkdtemp, export.remove_soon

    def tracked_mkdtemp(**kwargs: object) -> str:
        made.append(Path(mkdtemp(**kwargs)))
        return str(made[-1])

    def tracked_remove(folder: Path) -> threading.Thread:
        removers.append(remove_soon(folder))
        return removers[-1]

    monkeypatch.setattr(export.tempfile, "mkdtemp", tracked_mkdtemp)
    monkeypatch.setattr(export, "remove_soon", tracked_remove)
    data = export.selection_csv(demo_con, "acts", Filters(), "analyst")
    assert data.startswith(b"\xef\xbb\xbf") and len(read_back(data)) > 100
    monkeypatch.setattr(export, "_copy_to", lambda *args: (_ for _ in ()).throw(duckdb.IOException("disk full")))
    with pytest.raises(duckdb.IOException):
        export.selection_csv(demo_con, "acts", Filters(), "analyst")
    assert len(made) == 2 and len(removers) == 2
    for remover in removers:
        remover.join(30)
        assert not remover.daemon  # an exiting process waits for it
    assert not any(folder.exists() for folder in made)


def test_a_changed_cell_rule_rebuilds_the_stored_lines(monkeypatch) -> None:
    """The stored lines are written with csv_sql's rules: a database whose lines were written
    with other rules counts as built by an earlier version (its summary tables are rebuilt)."""
    from dashboard import db

    before = db.facts_fingerprint()
    assert db.facts_fingerprint() == before
    monkeypatch.setattr(csv_sql, "FORMULA_PREFIXES", (*csv_sql.FORMULA_PREFIXES, "|"))
    assert db.facts_fingerprint() != before
