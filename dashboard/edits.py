"""Corrections to incidents, acts and defenders, each kept in the audit log.

Only allowlisted fields can be changed; every value is checked against the
vocabularies; the change, its audit entry (before and after) and the rebuild of
act_facts happen in one transaction, so a failed edit leaves nothing half-done.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from . import audit, db, sql

EDITABLE: dict[str, dict[str, str]] = {
    "incidents": {"title": "text", "summary": "text", "place": "text", "start_date": "date", "end_date": "date",
                  "date_precision": "date_precisions", "country_code": "countries", "visibility": "visibilities"},
    "acts": {"violation_code": "violation_types", "act_date": "date", "date_precision": "date_precisions",
             "description": "text"},
    "defenders": {"name": "text", "gender_code": "genders", "is_name_public": "bool", "visibility": "visibilities",
                  "description": "text"},
}
#: per record type, the query that reads its editable fields and the statement that changes them
FIELDS_QUERY = {"incidents": "edit_fields_incident", "acts": "edit_fields_act", "defenders": "edit_fields_defender"}
UPDATE_STATEMENT = {"incidents": "edit_update_incident", "acts": "edit_update_act",
                    "defenders": "edit_update_defender"}


#: what each field is called on the Edit page
FIELD_LABELS = {
    "title": "Title", "summary": "Summary", "place": "Place", "start_date": "Start date (YYYY-MM-DD)",
    "end_date": "End date (YYYY-MM-DD; empty for one day)", "date_precision": "Date precision",
    "country_code": "Country", "visibility": "Visibility", "violation_code": "Kind of attack",
    "act_date": "Date of the act (YYYY-MM-DD)", "description": "Description", "name": "Name",
    "gender_code": "Gender", "is_name_public": "The name may be published",
}


class EditError(ValueError):
    """An edit that cannot be applied, with the reason."""


def _check(vocabularies: dict[str, dict[str, str]], kind: str, field: str, value: Any) -> Any:
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
    if str(value) not in vocabularies.get(kind, {}):
        raise EditError(f"{field}: {str(value)[:40]!r} is not a known value.")
    return str(value)


def choices(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Per vocabulary an edited field takes (countries, visibilities ...), its codes and labels."""
    rows = sql.run(con, "edit_vocabulary_codes")
    out: dict[str, dict[str, str]] = {}
    for vocabulary, code, label in rows.itertuples(index=False):
        out.setdefault(vocabulary, {})[code] = label
    return out


def current_values(con: duckdb.DuckDBPyConnection, table: str, record_id: int) -> dict[str, Any] | None:
    """The editable fields of one record as stored, or None if there is no such record.

    Runs on ``con`` itself, so inside apply_edit's transaction it reads what the change
    will replace.
    """
    rows = sql.execute_here(con, sql.load_query(FIELDS_QUERY[table]), {"record_id": int(record_id)}).fetchall()
    return dict(zip(EDITABLE[table], rows[0])) if rows else None


def _update_params(table: str, record_id: int, after: dict[str, Any]) -> dict[str, Any]:
    """The update statement's parameters: a flag and a value per editable field, set for
    the changed ones only."""
    params: dict[str, Any] = {"record_id": int(record_id)}
    for field in EDITABLE[table]:
        params[f"set_{field}"] = field in after
        params[field] = after.get(field)
    return params


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
    vocabularies = choices(con)
    clean = {f: _check(vocabularies, allowed[f], f, v) for f, v in changes.items()}
    cur = con.cursor()
    try:
        cur.execute("begin transaction")  # the values read are the values replaced
        stored = current_values(cur, table, record_id)
        if stored is None:
            raise EditError(f"No {table[:-1]} with id {record_id}.")
        before = {f: stored[f] for f in clean}
        after = {f: v for f, v in clean.items() if before.get(f) != v}
        if not after:
            cur.execute("rollback")
            return {"before": {}, "after": {}}
        sql.execute_here(cur, sql.statement(UPDATE_STATEMENT[table]), _update_params(table, record_id, after))
        audit.record(cur, user, "edit", f"{table}:{record_id}", None, 1,
                     {f: before[f] for f in after}, after, within_transaction=True)
        refreshed = db.refresh_after_edit(cur, table, record_id, set(after))
        cur.execute("commit")
    except Exception:
        try:
            cur.execute("rollback")
        except duckdb.Error:
            pass
        raise
    finally:
        cur.close()
    return {"before": {f: before[f] for f in after}, "after": after,
            "refreshed": refreshed}
