"""The audit log: who signed in, imported, edited, exported or made a report, and when.

Stored in the case database itself (table ``audit_log``), so a backup of the
data carries its history. Writing the log must never break the action it
records for a reader: if the database is read-only the entry goes to stderr.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any

import duckdb
import pandas as pd

from . import sql


_INSERT = ("insert into audit_log (audit_id, logged_at, username, action, target, filters, row_count, before, after) "
           "values (nextval('audit_seq'), $logged_at, $username, $action, $target, $filters, $row_count, $before, $after)")


def command_line_user() -> str:
    """Who runs the command line, as the audit log names them ("cli:<operating-system user>")."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def record(
    con: duckdb.DuckDBPyConnection,
    user: str,
    action: str,
    target: str = "",
    filters: Any = None,
    row_count: int | None = None,
    before: Any = None,
    after: Any = None,
    within_transaction: bool = False,
) -> None:
    """Append one entry (values as parameters; JSON for structured fields).

    ``within_transaction``: the caller has begun a transaction on ``con`` and the
    entry must commit or roll back with the change it describes (an edit or an
    import killed before its commit leaves no entry). Then errors propagate, so
    the change is refused rather than made without its trail.
    """
    entry = {
        "logged_at": datetime.now(timezone.utc).replace(tzinfo=None),
        "username": user[:64],
        "action": action[:40],
        "target": str(target)[:500],
        "filters": json.dumps(filters, default=str) if filters is not None else None,
        "row_count": row_count,
        "before": json.dumps(before, default=str) if before is not None else None,
        "after": json.dumps(after, default=str) if after is not None else None,
    }
    if within_transaction:
        con.execute(_INSERT, entry)
        return
    cur = con.cursor()
    try:
        cur.execute(
            _INSERT, entry,
        )
    except duckdb.Error as exc:  # read-only database: keep the trail somewhere
        print(f"audit (not stored: {exc}): {json.dumps(entry, default=str)}", file=sys.stderr)
    finally:
        cur.close()


def entries(con: duckdb.DuckDBPyConnection, limit: int = 1000) -> pd.DataFrame:
    """The latest entries, newest first."""
    return sql.run(con, "audit_log_list", {"row_limit": limit})
