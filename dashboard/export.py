"""CSV exports that open cleanly in Excel and pandas, and cannot run formulas.

- UTF-8 with a byte-order mark, so Excel shows Cyrillic and accented names intact;
  pandas reads it with ``encoding="utf-8-sig"`` (and plain ``utf-8`` keeps a BOM
  only on the first header, which the round-trip test guards against).
- Text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  get a leading apostrophe (OWASP's advice against CSV formula injection). Numbers
  are left alone, so a negative count stays a number.
- Multi-valued cells are joined with "; " by the queries.
- The selection is described in a sidecar text (``describe_selection``), so the
  CSV itself stays a plain table.
"""
from __future__ import annotations

import csv
import io
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import duckdb
import pandas as pd

from . import sql
from .db import data_version
from .filters import Filters
from .metrics import UNIT_LABELS, aggregate, route
from .privacy import Mode, check_mode, export_values, listing_filters
from .settings import DATA_DIR

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# the CSV's SQL check rules out cells that sort at or after "A" before it decodes a character
assert max(FORMULA_PREFIXES) < "A"
EXPORT_ROW_LIMIT = 50_000_000
# below this many incidents one COPY is quick enough that cutting it into parts gains nothing
SPLIT_MIN_ROWS = 100_000
# the list positions of incident_rows run from 1; the whole list is read between these
WHOLE_LIST = (0, 2**62)


def neutralise(value: object) -> object:
    """Prefix a text value that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [str(neutralise(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as safe CSV bytes (UTF-8 with BOM, RFC 4180 CRLF rows, so a field with a bare CR or LF is quoted)."""
    buf = io.StringIO()
    safe_frame(frame).to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def describe_selection(
    filters: Filters,
    what: str,
    unit: str | None = None,
    row_count: int | None = None,
    mode: str = "public",
    fingerprint: str | None = None,
) -> str:
    """The sidecar text: what the file holds, for which selection, made when and how."""
    lines = [
        f"What: {what}",
        f"Made: {datetime.now(timezone.utc).isoformat(timespec='seconds')}",
        f"Mode: {mode}" + (" (ANALYST EXPORT: includes non-public cases; do not share outside the organisation)" if mode == "analyst" else ""),
    ]
    if unit:
        lines.append(f"Counting unit: {UNIT_LABELS.get(unit, unit)}")
    if row_count is not None:
        lines.append(f"Rows: {row_count}")
    if fingerprint:
        lines.append(f"Data set fingerprint: {fingerprint}")
    lines.append("Filters:")
    lines += [f"  - {d}" for d in filters.describe()]
    lines.append("Columns are described in the data dictionary (data/data_dictionary.csv).")
    lines.append("Rows with is_synthetic / has_synthetic = true are synthetic demo data, not real cases.")
    return "\n".join(lines) + "\n"


def _list_params(filters: Filters, mode: Mode, limit: int, offset: int) -> dict:
    mode = check_mode(mode)
    return listing_filters(filters, mode).to_params() | {
        "row_limit": limit, "row_offset": offset, "reveal_names": mode == "analyst",
        "position_first": WHOLE_LIST[0], "position_last": WHOLE_LIST[1],
    }


LIST_QUERIES = {"incidents": "incident_list", "acts": "act_list"}


def list_query(kind: str, filters: Filters, mode: Mode = "public") -> str:
    """The query that lists this selection: for incidents selected by place, time and
    visibility alone, incident_list_in_order.sql reads incident_rows in its stored order
    (no join, no sort); any other selection needs incident_list.sql's semi-join and sort."""
    if kind not in LIST_QUERIES:
        raise ValueError(f"Unknown list {kind!r}. Choose from: {', '.join(LIST_QUERIES)}.")
    if kind == "incidents" and route(listing_filters(filters, check_mode(mode))) == "cells":
        return "incident_list_in_order"
    return LIST_QUERIES[kind]


def incidents_frame(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = EXPORT_ROW_LIMIT,
                    offset: int = 0, mode: Mode = "public") -> pd.DataFrame:
    """One row per incident in the selection (see queries/incident_list.sql).

    Public mode (the default) lists public incidents only and withholds the names
    of non-public defenders.
    """
    return sql.run(con, list_query("incidents", filters, mode), _list_params(filters, mode, limit, offset))


def acts_frame(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = EXPORT_ROW_LIMIT,
               offset: int = 0, mode: Mode = "public") -> pd.DataFrame:
    """One row per act and perpetrator in the selection (see queries/act_list.sql)."""
    return sql.run(con, "act_list", _list_params(filters, mode, limit, offset))


def summary_frame(con: duckdb.DuckDBPyConnection, filters: Filters, by: str | Iterable[str], unit: str,
                  mode: Mode = "public") -> pd.DataFrame:
    """An aggregate ready to export: dimensions, labels, value ("< k" where suppressed), totals, flags."""
    frame = export_values(aggregate(con, filters, by if isinstance(by, str) else list(by), unit, mode=mode))
    if mode == "public":
        frame = frame.drop(columns=["has_non_public"], errors="ignore")
    frame.insert(len(frame.columns) - 1, "unit", unit)
    return frame


BOM = "\ufeff".encode("utf-8")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_column(name: str, type_name: str, header_prefix: str = "") -> str:
    """One column of a COPY export, with the rules of ``to_csv_bytes``: text cells that a
    spreadsheet would run get an apostrophe, booleans read True/False as pandas writes them.
    ``header_prefix`` goes before the name in the header line (the BOM, for the first column)."""
    column, alias = _quoted(name), _quoted(header_prefix + str(neutralise(name)))
    if type_name == "VARCHAR":
        # every formula prefix (=, +, -, @, tab, carriage return) sorts before "A": comparing the text
        # with 'A' reads the few bytes DuckDB keeps inline with each string, and rules out most cells
        # (letters, and any character beyond ASCII) before their first character is decoded; the
        # check costs half as much at a million rows. Then the first character's code point, an
        # integer test. Equalities joined by "or", not "in (...)" nor list_contains(): DuckDB makes a
        # join of a long constant list, and a join would not keep the rows' order (tests read the plan)
        test = " or ".join(f"ascii({column}) = {ord(p)}" for p in FORMULA_PREFIXES)
        return f"case when {column} < 'A' and ({test}) then chr(39) || {column} else {column} end as {alias}"
    if type_name == "BOOLEAN":
        return f"case when {column} then 'True' when not {column} then 'False' end as {alias}"
    return f"{column} as {alias}"


def selection_csv(con: duckdb.DuckDBPyConnection, kind: str, filters: Filters, mode: Mode = "public",
                  limit: int = EXPORT_ROW_LIMIT) -> bytes:
    """The incident or act list of a selection (as ``incidents_frame`` / ``acts_frame``) as CSV bytes.

    Written by DuckDB's ``COPY`` straight from the query, with the same rules as
    ``to_csv_bytes`` (BOM, CRLF rows, minimal quoting, formula cells prefixed,
    True/False): at a million rows, turning the result into a DataFrame and
    pandas' ``to_csv`` take a minute, DuckDB's parallel writer seconds.
    """
    return selection_csv_counted(con, kind, filters, mode, limit)[0]


def selection_csv_counted(con: duckdb.DuckDBPyConnection, kind: str, filters: Filters, mode: Mode = "public",
                          limit: int = EXPORT_ROW_LIMIT) -> tuple[bytes, int]:
    """``selection_csv`` and the number of rows in it (COPY reports it; a sidecar and an audit
    entry need it, and counting lines would miscount cells that hold line breaks).

    A large in-order incident listing is cut into contiguous parts (``position_ranges``) that
    COPY writes at the same time, and the parts are joined end to end: DuckDB writes one
    CSV that keeps its order mostly on one thread. Each part is its own statement, so if a
    write lands while they run (the data version moves), the file is made again by one COPY,
    which reads one state of the data."""
    text, params = export_query(con, kind, filters, mode, limit)
    ranges = position_ranges(con, kind, filters, mode, limit)
    folder = tempfile.mkdtemp(prefix="hrd_export_")
    try:
        if len(ranges) > 1:
            before = data_version(con)
            paths = [Path(folder) / f"part{i}.csv" for i in range(len(ranges))]
            jobs = [(text, params | {"position_first": first, "position_last": last}, path, i == 0)
                    for i, ((first, last), path) in enumerate(zip(ranges, paths))]
            with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="hrd_export") as pool:
                rows = sum(pool.map(lambda job: _copy_to(con, *job), jobs))
            if data_version(con) == before:
                _append_files(paths[0], paths[1:])
                return paths[0].read_bytes(), rows
        whole = Path(folder) / "export.csv"
        rows = _copy_to(con, text, params, whole, True)
        return whole.read_bytes(), rows
    finally:
        remove_soon(Path(folder))


def remove_soon(folder: Path) -> threading.Thread:
    """Delete an export's scratch folder in a thread of its own, once its bytes are read.

    Why: unlinking the hundreds of megabytes just written (a million incidents: 524 MB)
    takes 0.2-0.5 s that the person waiting for the file need not wait. Not a daemon
    thread, so an exiting process still removes the folder first: no export is left behind."""
    remover = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True},
                               name="hrd_export_cleanup")
    remover.start()
    return remover


def position_ranges(con: duckdb.DuckDBPyConnection, kind: str, filters: Filters, mode: Mode = "public",
                    limit: int = EXPORT_ROW_LIMIT) -> list[tuple[int, int]]:
    """The list-position ranges (first, last) of the parts an export is written in, in list order.

    One range, the whole list, unless the selection is an in-order incident listing of at
    least ``SPLIT_MIN_ROWS`` that the row limit cannot cut (a limit applies to the whole list,
    not to each part); then one part per DuckDB thread, each holding about as many selected
    incidents (incident_list_split_points.sql)."""
    if list_query(kind, filters, mode) != "incident_list_in_order":
        return [WHOLE_LIST]
    cur = con.cursor()
    try:
        parts = int(cur.execute("select current_setting('threads')").fetchone()[0])
    finally:
        cur.close()
    if parts < 2:
        return [WHOLE_LIST]
    given = _list_params(filters, mode, limit, 0) | {"fractions": [i / parts for i in range(1, parts)]}
    found = sql.run(con, "incident_list_split_points", given).iloc[0]
    if not SPLIT_MIN_ROWS <= int(found["selected"]) <= limit:
        return [WHOLE_LIST]
    # quantile_disc gives the selected position at each fraction; a part ends there, inclusive
    # (two incidents: one in each part)
    ends = sorted({int(p) for p in found["part_ends"]})
    bounds = [WHOLE_LIST[0], *(end + 1 for end in ends), WHOLE_LIST[1] + 1]
    return [(first, following - 1) for first, following in zip(bounds, bounds[1:]) if first < following]


def _copy_to(con: duckdb.DuckDBPyConnection, text: str, params: dict, path: Path, header: bool) -> int:
    """COPY one select to a CSV file with the export's rules; returns the rows written."""
    target = str(path).replace("'", "''")
    cur = con.cursor()
    try:
        return int(cur.execute(
            f"copy ({text}) to '{target}' "  # fixed names: our temp file, committed query
            f"(format csv, header {'true' if header else 'false'}, delimiter ',', quote '\"', new_line '\r\n')",
            params,
        ).fetchall()[0][0])
    finally:
        cur.close()


def _append_files(target: Path, parts: list[Path]) -> None:
    """Append the parts to the target file, in order, a megabyte at a time (the parts of a
    million-incident CSV are hundreds of megabytes; the kernel's copy_file_range was no faster)."""
    with open(target, "ab") as out:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)


def export_query(con: duckdb.DuckDBPyConnection, kind: str, filters: Filters, mode: Mode = "public",
                 limit: int = EXPORT_ROW_LIMIT) -> tuple[str, dict]:
    """The select that ``selection_csv`` copies, and its parameters: the list query wrapped so
    every column follows the CSV rules (tests read its plan)."""
    query = sql.load_query(list_query(kind, filters, mode))
    given = _list_params(filters, mode, limit, 0)
    params = {k: given[k] for k in query.params}
    cur = con.cursor()
    try:
        # the query text is a committed file; only its output names are quoted into the wrapper
        described = cur.execute(f"select * from ({query.body}) limit 0", params).description  # fixed names: committed query
    finally:
        cur.close()
    # the BOM that tells Excel the file is UTF-8 is written by DuckDB as the first character of the
    # header: prepending it in Python would copy hundreds of megabytes once more
    columns = ", ".join(_csv_column(name, str(type_), "\ufeff" if i == 0 else "")
                        for i, (name, type_, *_) in enumerate(described))
    return f"select {columns} from ({query.body})", params  # fixed names: committed query


def write_with_sidecar(data: bytes, path: Path, about: str) -> tuple[Path, Path]:
    """Write the CSV bytes (``to_csv_bytes`` or ``selection_csv``) and ``<name>.about.txt``
    beside it; returns both paths."""
    path.write_bytes(data)
    sidecar = path.with_name(path.stem + ".about.txt")
    sidecar.write_text(about, encoding="utf-8")
    return path, sidecar


def data_dictionary() -> pd.DataFrame:
    """The committed description of every exported column."""
    return pd.read_csv(DATA_DIR / "data_dictionary.csv")
