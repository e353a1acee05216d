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
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from . import csv_sql, sql
from .csv_sql import csv_column, header_line, neutralise
from .filters import Filters
from .metrics import UNIT_LABELS, aggregate, route
from .privacy import Mode, check_mode, export_values, listing_filters
from .settings import DATA_DIR

EXPORT_ROW_LIMIT = 50_000_000


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
    """``selection_csv`` and the number of rows in it (a sidecar and an audit entry need it, and
    counting lines would miscount cells that hold line breaks).

    An incident listing by place, time and visibility alone is read from the lines stored at
    write time (``stored_lines_csv``); any other is written by COPY (``copied_csv``). Both give
    the same bytes for the same rows (tests compare them)."""
    if list_query(kind, filters, mode) == "incident_list_in_order":
        return stored_lines_csv(con, filters, mode, limit)
    return copied_csv(con, kind, filters, mode, limit)


def stored_lines_csv(con: duckdb.DuckDBPyConnection, filters: Filters, mode: Mode = "public",
                     limit: int = EXPORT_ROW_LIMIT) -> tuple[bytes, int]:
    """The incident CSV of a selection by place, time and visibility, from the lines
    incident_csv_lines holds (queries/incident_csv_lines.sql), and its row count.

    Why: at a million incidents, COPY spends about 3 s on two cores writing what the write
    path has already written once; the finished lines are read in about 1 s. They come as
    Arrow strings whose data buffer already is the file's bytes (each line ends in CRLF), so
    the file is the header and those buffers joined. One statement: one state of the data."""
    query = sql.load_query("incident_csv_lines")
    given = _list_params(filters, mode, limit, 0)
    cur = con.cursor()
    try:
        # 64-bit offsets: with 32-bit ones a chunk (a million lines) of long summaries could pass 2 GiB
        cur.execute("set session arrow_large_buffer_size = true")
        table = cur.sql(query.body, params={k: given[k] for k in query.params}).to_arrow_table()
        header = header_line([name for name, _ in csv_sql.listed_columns(cur)])
    finally:
        cur.close()
    # one join, header included: each new buffer of hundreds of megabytes costs a third of a second
    return b"".join([header, *(_string_bytes(chunk) for chunk in table.column("line").chunks)]), table.num_rows


def _string_bytes(chunk: pa.Array) -> memoryview:
    """The characters of an Arrow string array's values, end to end, without copying them:
    its data buffer between the first value's offset and the end of the last."""
    if chunk.null_count:
        raise ValueError("incident_csv_lines holds a missing line, which its build rules out: the database is damaged.")
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        # a string view (DuckDB's produce_arrow_string_view) keeps short values apart from the buffer
        raise TypeError(f"Expected Arrow strings with offsets, got {chunk.type}.")
    if not len(chunk):
        return memoryview(b"")
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], dtype=width)
    first, last = int(offsets[chunk.offset]), int(offsets[chunk.offset + len(chunk)])
    return memoryview(chunk.buffers()[2])[first:last]


def copied_csv(con: duckdb.DuckDBPyConnection, kind: str, filters: Filters, mode: Mode = "public",
               limit: int = EXPORT_ROW_LIMIT) -> tuple[bytes, int]:
    """The CSV of any listing written by DuckDB's COPY to a scratch file, and its row count
    (COPY reports it)."""
    text, params = export_query(con, kind, filters, mode, limit)
    folder = tempfile.mkdtemp(prefix="hrd_export_")
    try:
        whole = Path(folder) / "export.csv"
        rows = _copy_to(con, text, params, whole)
        return whole.read_bytes(), rows
    finally:
        remove_soon(Path(folder))


def remove_soon(folder: Path) -> threading.Thread:
    """Delete an export's scratch folder in a thread of its own, once its bytes are read.

    Why: unlinking the hundreds of megabytes just written (a million acts: over a gigabyte)
    takes 0.2-0.5 s that the person waiting for the file need not wait. Not a daemon
    thread, so an exiting process still removes the folder first: no export is left behind."""
    remover = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True},
                               name="hrd_export_cleanup")
    remover.start()
    return remover


def _copy_to(con: duckdb.DuckDBPyConnection, text: str, params: dict, path: Path) -> int:
    """COPY one select to a CSV file with the export's rules; returns the rows written."""
    cur = con.cursor()
    try:
        return int(cur.execute(
            f"copy ({text}) to $copy_target "  # fixed names: a committed query; the file's path is a parameter
            "(format csv, header true, delimiter ',', quote '\"', new_line '\r\n')",
            {**params, "copy_target": str(path)},
        ).fetchall()[0][0])
    finally:
        cur.close()


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
    columns = ", ".join(csv_column(name, str(type_), "\ufeff" if i == 0 else "")
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
