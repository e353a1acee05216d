"""Corrections to incidents, acts and defenders, each kept in the audit log.

Only allowlisted fields can be changed; every value is checked against the
vocabularies; the change, its audit entry (before and after) and the rebuild of
act_facts happen in one transaction, so a failed edit leaves nothing half-done.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from . import audit, db

EDITABLE: dict[str, dict[str, str]] = {
    "incidents": {"title": "text", "summary": "text", "place": "text", "start_date": "date", "end_date": "date",
                  "date_precision": "date_precisions", "country_code": "countries", "visibility": "visibilities"},
    "acts": {"violation_code": "violation_types", "act_date": "date", "date_precision": "date_precisions",
             "description": "text"},
    "defenders": {"name": "text", "gender_code": "genders", "is_name_public": "bool", "visibility": "visibilities",
                  "description": "text"},
}
KEYS = {"incidents": "incident_id", "acts": "act_id", "defenders": "defender_id"}
VOCAB_KEY = {"countries": "country_code"}


class EditError(ValueError):
    """An edit that cannot be applied, with the reason."""


def _check(con: duckdb.DuckDBPyConnection, kind: str, field: str, value: Any) -> Any:
    if kind == "text":
        text = str(value or "")
        if len(text) > 20_000:
            raise EditError(f"{field}: at most 20,000 characters.")
        return text
    if kind == "date":
        if value in (None, ""):
            return None
        try:
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            raise EditError(f"{field}: {str(value)[:40]!r} is not a date (YYYY-MM-DD).") from None
    if kind == "bool":
        return bool(value)
    column = VOCAB_KEY.get(kind, "code")
    found = con.execute(f"select count(*) from {kind} where {column} = $v", {"v": str(value)}).fetchall()[0][0]  # names from EDITABLE
    if not found:
        raise EditError(f"{field}: {str(value)[:40]!r} is not a known value.")
    return str(value)


def apply_edit(con: duckdb.DuckDBPyConnection, table: str, record_id: int, changes: dict[str, Any], user: str) -> dict:
    """Change fields of one record; returns the values before and after."""
    if table not in EDITABLE:
        raise EditError(f"Unknown record type {table!r}.")
    allowed = EDITABLE[table]
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise EditError(f"These fields cannot be edited: {', '.join(unknown)}.")
    from . import backup  # a dated copy before each batch of edits (one per 10 minutes)

    if backup.is_read_only(con):
        raise EditError("The database is open read-only (its file cannot be written), so no change can be saved.")
    try:
        backup.ensure_recent_backup(con, "edit")
    except backup.BackupError as exc:
        raise EditError(backup.nothing_was_changed(exc)) from None
    key = KEYS[table]
    clean = {f: _check(con, allowed[f], f, v) for f, v in changes.items()}
    cols = ", ".join(clean)
    cur = con.cursor()
    try:
        rows = cur.execute(f"select {cols} from {table} where {key} = $id", {"id": record_id}).fetchall()  # names from EDITABLE
        if not rows:
            raise EditError(f"No {table[:-1]} with id {record_id}.")
        before = dict(zip(clean, rows[0]))
        after = {f: v for f, v in clean.items() if before.get(f) != v}
        if not after:
            return {"before": {}, "after": {}}
        cur.execute("begin transaction")
        sets = ", ".join(f"{f} = ${f}" for f in after)
        cur.execute(f"update {table} set {sets} where {key} = $id", {**after, "id": record_id})  # names from EDITABLE
        audit.record(cur, user, "edit", f"{table}:{record_id}", None, 1,
                     {f: before[f] for f in after}, after, within_transaction=True)
        db.refresh_facts(cur)
        cur.execute("commit")
    except Exception:
        try:
            cur.execute("rollback")
        except duckdb.Error:
            pass
        raise
    finally:
        cur.close()
    return {"before": {f: before[f] for f in after}, "after": after}
