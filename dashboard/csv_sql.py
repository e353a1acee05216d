"""The CSV export's cell rules written as SQL, for DuckDB to apply.

Two writers use them and must give the same bytes: ``export`` wraps a listing's
columns with ``csv_column`` and lets DuckDB's ``COPY`` write the file, and the write
path (``db.refresh_facts``) stores every incident's finished CSV line in
incident_csv_lines (queries/refresh_incident_csv_lines.sql), built with
``csv_field`` from the same rules, so a large in-order export is read, not written.
Kept apart from ``export`` because ``db`` needs them and ``export`` imports ``db``.
"""
from __future__ import annotations

import duckdb

from . import sql
from .settings import QUERIES_DIR

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# the SQL check rules out cells that sort at or after "A" before it decodes a character
assert max(FORMULA_PREFIXES) < "A"
# column types a stored line renders as COPY does; another type makes the refresh fail loudly
# rather than write a line that differs from the COPY of the same rows
LINE_TYPES = ("VARCHAR", "BOOLEAN", "DATE", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
              "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
CRLF = "chr(13) || chr(10)"


def neutralise(value: object) -> object:
    """Prefix a text value that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def quoted(name: str) -> str:
    """A name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def csv_value(column: str, type_name: str) -> str:
    """The SQL of one cell's value as the CSV holds it, before CSV quoting: text a spreadsheet
    would run gets an apostrophe, booleans read True/False as pandas writes them, the rest is as is.
    ``column`` is SQL (a quoted name)."""
    if type_name == "VARCHAR":
        # every formula prefix (=, +, -, @, tab, carriage return) sorts before "A": comparing the text
        # with 'A' reads the few bytes DuckDB keeps inline with each string, and rules out most cells
        # (letters, and any character beyond ASCII) before their first character is decoded; the
        # check costs half as much at a million rows. Then the first character's code point, an
        # integer test. Equalities joined by "or", not "in (...)" nor list_contains(): DuckDB makes a
        # join of a long constant list, and a join would not keep the rows' order (tests read the plan)
        test = " or ".join(f"ascii({column}) = {ord(p)}" for p in FORMULA_PREFIXES)
        return f"case when {column} < 'A' and ({test}) then chr(39) || {column} else {column} end"
    if type_name == "BOOLEAN":
        return f"case when {column} then 'True' when not {column} then 'False' end"
    return column


def csv_column(name: str, type_name: str, header_prefix: str = "") -> str:
    """One column of a COPY export (``csv_value`` named as the header shows it);
    ``header_prefix`` goes before the name in the header line (the BOM, for the first column)."""
    return f"{csv_value(quoted(name), type_name)} as {quoted(header_prefix + str(neutralise(name)))}"


def csv_field(column: str, type_name: str) -> str:
    """The SQL of one field of a CSV line, for a column already holding ``csv_value``: quoted as
    DuckDB's CSV writer quotes (a comma, a double quote, CR or LF inside, or the empty string,
    which would otherwise read as a missing value), NULL as nothing."""
    if type_name in ("VARCHAR", "BOOLEAN"):  # BOOLEAN is True/False text by now
        needs_quotes = " or ".join([f"{column} = ''", *(f"contains({column}, {c})"
                                                        for c in ("','", "'\"'", "chr(10)", "chr(13)"))])
        return (f"case when {column} is null then '' when {needs_quotes} "
                f"then '\"' || replace({column}, '\"', '\"\"') || '\"' else {column} end")
    if type_name not in LINE_TYPES:
        raise TypeError(f"A stored CSV line cannot render a {type_name} column as COPY does; add the type "
                        "to csv_sql.LINE_TYPES with a test that compares the two.")
    return f"coalesce(cast({column} as varchar), '')"


def rules_text() -> str:
    """The SQL the cell rules write for every column type a line can hold: ``db.facts_fingerprint``
    hashes it, so the stored lines are rebuilt when a rule changes (not when a comment does)."""
    return "\n".join(f"{type_}: {csv_value('v', type_)} | {csv_field('v', type_)}" for type_ in LINE_TYPES) + CRLF


def header_line(names: list[str]) -> bytes:
    """The CSV's first line as COPY writes it for ``csv_column``s: the BOM, then the neutralised
    names, quoted where needed, CRLF."""
    fields = []
    for name in names:
        text = str(neutralise(name))
        fields.append('"' + text.replace('"', '""') + '"' if text == "" or any(c in text for c in ',"\r\n')
                      else text)
    return ("\ufeff" + ",".join(fields) + "\r\n").encode("utf-8")


def listed_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The incident CSV's columns (name, DuckDB type) in order: those of listed_incidents().

    Runs on ``con`` itself, not a cursor of it: during a write's refresh only the write's own
    connection sees the tables and macros it has just rebuilt (a database of an earlier version
    had other columns). Readers in other threads pass a cursor of their own."""
    described = con.execute(sql.load_query("incident_csv_columns").body).description
    return [(name, str(type_)) for name, type_, *_ in described]


def incident_lines_statement(con: duckdb.DuckDBPyConnection, name: str = "refresh_incident_csv_lines") -> str:
    """The statement that rebuilds incident_csv_lines: queries/refresh_incident_csv_lines.sql with
    its column list and line expressions filled in from ``listed_columns`` (names and types chosen
    by the committed listing, never by a user). ``name``: another statement with the same three
    blanks (refresh_text_incident_csv_line.sql, one incident's lines after an edit of its text)."""
    columns = listed_columns(con)
    values = ", ".join(f"{csv_value(quoted(col), type_)} as c{i}" for i, (col, type_) in enumerate(columns))

    def line(side: str) -> str:
        fields = ", ',', ".join(csv_field(f"{side}.c{i}", type_) for i, (_, type_) in enumerate(columns))
        return f"concat({fields}, {CRLF})"

    body = sql.without_comments((QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8"))
    return body.format_map({"csv_values": values, "named_line": line("named"), "public_line": line("withheld")})
