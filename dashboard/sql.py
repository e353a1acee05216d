"""Named queries: one ``.sql`` file per query in ``queries/``, run with parameters only.

Each file starts with a comment header that says what one row means and which
parameters it takes. Values always travel as named parameters (``$countries``);
the only text ever spliced into SQL is an identifier taken from an allowlist
(see ``dashboard.metrics.DIMENSIONS``), never a user's value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import duckdb
import pandas as pd

from .settings import QUERIES_DIR

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM_RE = re.compile(r"\$([a-z_][a-z0-9_]*)")


class UnknownQueryError(KeyError):
    """Raised for a query name that has no file in queries/."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want a sentence
        return str(self.args[0])


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its name, its header text and the parameters it uses."""

    name: str
    header: str
    text: str
    body: str
    params: tuple[str, ...]


#: Files that are not queries to run by name: the schema, the macro, and the statements
#: that code runs inside its own transactions (the fact tables' refresh, the edits).
#: ``load_query`` and ``hrd query`` refuse them; code reads them with :func:`statement`.
STATEMENTS = frozenset({
    "schema", "selected_acts_macro", "refresh_act_facts", "refresh_incident_rows", "refresh_incident_csv_lines",
    "edit_update_incident", "edit_update_act", "edit_update_defender",
    "refresh_text_incident_rows", "refresh_text_incident_facts", "refresh_text_act_facts",
    "refresh_text_incident_csv_line",
})


def query_names() -> list[str]:
    """Every query that can be run by name (the :data:`STATEMENTS` excluded)."""
    return sorted(
        p.stem
        for p in QUERIES_DIR.glob("*.sql")
        if p.stem not in STATEMENTS and not p.stem.startswith("_")
    )


def without_comments(text: str) -> str:
    """A query file's SQL without its comment lines: headers name placeholders and parameters
    that must stay inert."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


@lru_cache(maxsize=None)
def load_query(name: str) -> NamedQuery:
    """Read ``queries/<name>.sql``; the name is checked so it cannot walk out of the folder."""
    if not _NAME_RE.match(name) or name not in query_names():
        known = ", ".join(query_names())
        raise UnknownQueryError(f"Unknown query {name!r}. Known queries: {known}")
    return _parse(name)


@lru_cache(maxsize=None)
def statement(name: str) -> NamedQuery:
    """Read one of the :data:`STATEMENTS`, for the code that runs it in its own transaction."""
    if name not in STATEMENTS:
        raise UnknownQueryError(f"{name!r} is not a statement file; statements: {', '.join(sorted(STATEMENTS))}")
    return _parse(name)


def _parse(name: str) -> NamedQuery:
    text = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    header_lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        header_lines.append(line[2:].strip())
    body = without_comments(text)
    params = tuple(dict.fromkeys(_PARAM_RE.findall(body)))
    return NamedQuery(name, "\n".join(header_lines), text, body, params)


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    identifiers: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Run a named query on a fresh cursor and return a DataFrame.

    A fresh cursor per call because DuckDB connections are not thread-safe and
    Streamlit runs each session in its own thread. Only the parameters the query
    uses are passed (DuckDB rejects extra named parameters). ``identifiers`` fills
    ``{placeholders}`` with allowlisted SQL fragments chosen by code, never by users.
    """
    query = load_query(name)
    text = query.body  # comments dropped, so placeholders named in the header stay inert
    if identifiers:
        text = text.format_map(dict(identifiers))
    used = _used_params(query, params or {})
    cur = con.cursor()
    try:
        return cur.execute(text, used).df()
    finally:
        cur.close()


def _used_params(query: NamedQuery, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters the file uses, each of which must be given (DuckDB rejects extra ones)."""
    missing = [p for p in query.params if p not in params]
    if missing:
        raise ValueError(f"Query {query.name!r} needs parameter(s): {', '.join(missing)}")
    return {k: params[k] for k in query.params}


def execute_here(con: duckdb.DuckDBPyConnection, query: NamedQuery,
                 params: Mapping[str, Any]) -> duckdb.DuckDBPyConnection:
    """Run a query or statement on ``con`` itself, not on a new cursor: a new cursor is a
    connection of its own and would not see, nor join, the transaction ``con`` has open.
    Every parameter the file uses must be given; others are dropped. Returns ``con``,
    to fetch from."""
    return con.execute(query.body, _used_params(query, params))
