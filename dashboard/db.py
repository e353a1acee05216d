"""Build, open and refresh the DuckDB case store.

The database is always rebuilt from committed files (schema, vocabularies, seed
cases), so a fresh clone and a test get exactly the same data.
"""
from __future__ import annotations

import csv
import hashlib
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from . import csv_sql, sql
from .settings import DATA_DIR, QUERIES_DIR, SEED_DIR, VOCAB_DIR, db_path

VOCAB_TABLES = (
    "violation_types",
    "sdg_categories",
    "actor_types",
    "involvement_degrees",
    "sectors",
    "genders",
    "visibilities",
    "date_precisions",
)
SEED_TABLES = (
    "sources",
    "incidents",
    "incident_sources",
    "defenders",
    "defender_sectors",
    "actors",
    "acts",
    "act_perpetrators",
)


# the SQL that builds the fact tables and macros, in order (dashboard.db.refresh_facts)
FACTS_SQL = ("refresh_act_facts", "refresh_incident_rows", "selected_acts_macro")
# built after FACTS_SQL from a statement csv_sql fills in from the columns the second one lists
LINES_SQL = ("refresh_incident_csv_lines", "incident_csv_columns")


class DatabaseError(RuntimeError):
    """A database that is missing, unreadable or locked, with a message for a person."""


def connect(path: Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open an existing case store, turning DuckDB's errors into a clear message.

    It never creates a file: a mistyped ``HRD_DB`` must not leave an empty
    database behind that later commands would take for real data.
    """
    path = path or db_path()
    if not path.exists():
        raise DatabaseError(f"No database at {path}. Build it with `hrd init` (or `make run`).")
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise DatabaseError(f"Cannot open the database at {path}: {exc}") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"The database at {path} cannot be read ({exc}).") from exc


def _read_sql(name: str) -> str:
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table, then the act_facts table and the selected_acts macro."""
    con.execute(_read_sql("schema"))


def _load_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Insert a committed CSV into a table by column name (all columns as text, cast by DuckDB)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return
    frame = pd.DataFrame(rows).replace({"": None})
    cols = ", ".join(frame.columns)
    con.register("_seed_frame", frame)
    try:
        con.execute(f"insert into {table} ({cols}) select {cols} from _seed_frame")  # table/cols from committed files
    finally:
        con.unregister("_seed_frame")


def load_vocabularies(con: duckdb.DuckDBPyConnection) -> None:
    """Load the vocabulary tables and the country table (from country_converter)."""
    for table in VOCAB_TABLES:
        _load_csv(con, table, VOCAB_DIR / f"{table}.csv")
    from .ingest.countries import country_table

    con.register("_countries", country_table())
    con.execute(
        "insert into countries select country_code, iso2, name, region, subregion from _countries"
    )
    con.unregister("_countries")
    _load_csv(con, "published_figures", DATA_DIR / "published_figures.csv")


def load_seed(con: duckdb.DuckDBPyConnection) -> None:
    """Load the real, hand-transcribed cases from data/seed/."""
    for table in SEED_TABLES:
        _load_csv(con, table, SEED_DIR / f"{table}.csv")


def refresh_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the fact tables and their macros after any write, and stamp the data version.

    act_facts (one row per act), incident_facts (one row per incident), fact_cells
    (pre-counted place-time cells) and defender_cells are rebuilt together from the
    case tables (queries/refresh_act_facts.sql), so the fast paths of
    dashboard.metrics always agree with the act-level one; then incident_rows (the Cases
    table's rows) and incident_csv_lines (their CSV lines, written with dashboard.csv_sql's
    rules). Callers run it inside their write's transaction, so a failed refresh leaves the
    old tables in place.
    """
    for name in FACTS_SQL:
        con.execute(_read_sql(name))
    con.execute(csv_sql.incident_lines_statement(con))
    stamp_facts(con)


# The fields of an incident that reach the fact tables only as text: its title and summary
# (the listings, the CSV lines, the search text) and its place (the listings, the CSV lines).
# No count, cell, order or list depends on them.
TEXT_ONLY_FIELDS = frozenset({"title", "summary", "place"})
# Fields no fact table holds: the case page and the act CSV read them from the case tables.
UNDERIVED_FIELDS = {"acts": frozenset({"description"}), "defenders": frozenset({"description"})}
TEXT_STATEMENTS = ("refresh_text_incident_rows", "refresh_text_incident_facts", "refresh_text_act_facts")


def refresh_after_edit(con: duckdb.DuckDBPyConnection, table: str, record_id: int, fields: set[str]) -> str:
    """Bring the fact tables in step after an edit of ``fields`` of one record, with the least
    work that leaves them as a full rebuild would; returns what was done ("version only",
    "incident text" or "all facts"). Which fields feed which fact table is known here, beside
    the SQL that builds them. Run inside the edit's transaction."""
    if fields <= UNDERIVED_FIELDS.get(table, frozenset()):
        stamp_facts(con)
        return "version only"
    if table == "incidents" and fields <= TEXT_ONLY_FIELDS:
        refresh_incident_text(con, record_id)
        return "incident text"
    refresh_facts(con)
    return "all facts"


def refresh_incident_text(con: duckdb.DuckDBPyConnection, incident_id: int) -> None:
    """After an edit of no more than TEXT_ONLY_FIELDS of one incident: update its rows of the
    fact tables in place, and stamp the data version as ``refresh_facts`` does.

    Why: rebuilding every fact table takes about 30 s at a million incidents (70 s on a
    slower machine) for a corrected typo; these updates take a fraction of a second and leave
    the tables exactly as a rebuild would (tests/test_edits.py compares them, stored order
    included). Run inside the edit's transaction, like ``refresh_facts``."""
    params = {"incident_id": int(incident_id)}
    for name in TEXT_STATEMENTS:
        sql.execute_here(con, sql.statement(name), params)
    con.execute(csv_sql.incident_lines_statement(con, "refresh_text_incident_csv_line"), params)
    stamp_facts(con)


def stamp_facts(con: duckdb.DuckDBPyConnection) -> None:
    """A new data version: caches key on it (``data_version``). On its own, after an edit of
    fields no fact table holds (UNDERIVED_FIELDS): the pages read those from the case tables."""
    stamp = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    con.execute(
        "insert or replace into metadata values ('facts_refreshed_at', $t), ('facts_sql', $f)",
        {"t": stamp, "f": facts_fingerprint()},
    )


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """The stamp ``refresh_facts`` moves with every write (queries/data_version.sql): caches key
    on it, and a CSV written in parts checks that no write landed between them."""
    frame = sql.run(con, "data_version")
    return str(frame.iloc[0, 0]) if len(frame) else ""


def facts_fingerprint() -> str:
    """A hash of the SQL that builds the fact tables and macros. A database whose facts
    were built by other SQL (an earlier version of the dashboard) lacks columns and
    macros that today's queries read."""
    digest = hashlib.sha256()
    for name in (*FACTS_SQL, *LINES_SQL):
        digest.update(_read_sql(name).encode("utf-8"))
    # the stored CSV lines are written with the cell rules of csv_sql: a change to one rebuilds them
    digest.update(csv_sql.rules_text().encode("utf-8"))
    return digest.hexdigest()[:16]


def facts_are_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the fact tables were built by this version's SQL."""
    row = con.execute("select value from metadata where key = 'facts_sql'").fetchall()
    return bool(row) and row[0][0] == facts_fingerprint()


def update_facts(con: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild the fact tables in one transaction if an earlier version built them; returns
    whether it did. Only derived tables change: the cases themselves are not touched."""
    if facts_are_current(con):
        return False
    con.execute("begin transaction")
    try:
        refresh_facts(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return True


def build(path: Path, demo_incidents: int = 0, seed: int = 20241009, force: bool = False) -> Path:
    """Build a database file from the committed seed (plus synthetic demo data if asked).

    Builds into a temporary file and renames it into place, so an interrupted
    build never leaves a half-made database where the app looks for one.
    """
    if path.exists() and not force:
        raise DatabaseError(f"{path} already exists; pass --force to rebuild it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for stale in (tmp, Path(str(tmp) + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("set enable_progress_bar = false")  # a large demo build is not a terminal session
        create_schema(con)
        load_vocabularies(con)
        load_seed(con)
        if demo_incidents:
            from .demo import generate_demo

            generate_demo(con, demo_incidents, seed=seed)
        refresh_facts(con)
        con.execute("checkpoint")
    finally:
        con.close()
    tmp.replace(path)
    Path(str(path) + ".wal").unlink(missing_ok=True)
    return path


def content_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """A short hash of the case content, printed on reports so a figure can be traced to its data."""
    cur = con.cursor()
    try:
        parts = []
        for table in ("incidents", "acts", "act_perpetrators", "defenders"):
            row = cur.execute(
                f"select count(*), coalesce(sum(hash(t)), 0) from {table} as t"  # fixed table names
            ).fetchall()[0]
            parts.append(f"{table}:{row[0]}:{row[1]}")
    finally:
        cur.close()
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
