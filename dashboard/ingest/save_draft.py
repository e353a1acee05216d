"""Saving a confirmed draft (from an appeal or news text) as an incident.

The analyst has already corrected the proposal on the Draft page; this writes it
in one transaction: the source, the incident, the defenders and perpetrators
(reused when a record with the same name already exists), and one act per kind
of attack against the organisation named (or else each named defender).
New records default to ``restricted`` visibility: a draft has not been checked
for the safety of the people in it yet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from .. import audit, db
from ..i18n import _


@dataclass
class ConfirmedIncident:
    """A draft after the analyst's corrections."""

    title: str
    start_date: date | None
    end_date: date | None
    date_precision: str
    country_code: str
    place: str = ""
    summary: str = ""
    organisations: list[str] = field(default_factory=list)
    defenders: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    perpetrators: list[tuple[str, str]] = field(default_factory=list)
    visibility: str = "restricted"
    source_publisher: str = ""
    source_title: str = ""
    source_url: str = ""


class DraftError(ValueError):
    """A confirmed draft that cannot be saved, with the reason."""


def _next(cur: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    return int(cur.execute(f"select coalesce(max({column}), 0) + 1 from {table}").fetchall()[0][0])  # fixed names


def _check(cur: duckdb.DuckDBPyConnection, item: ConfirmedIncident) -> None:
    if not item.title.strip():
        raise DraftError(_("A title is needed."))
    if not cur.execute("select count(*) from countries where country_code = $c", {"c": item.country_code}).fetchall()[0][0]:
        raise DraftError(_("Unknown country code {code}.").format(code=repr(item.country_code)))
    if not item.violations:
        raise DraftError(_("At least one kind of attack is needed."))
    known = {r[0] for r in cur.execute("select code from violation_types").fetchall()}
    bad = [v for v in item.violations if v not in known]
    if bad:
        raise DraftError(_("Unknown kinds of attack: {codes}.").format(codes=", ".join(bad)))
    kinds = {r[0] for r in cur.execute("select code from actor_types").fetchall()}
    bad = [t for _name, t in item.perpetrators if t not in kinds]
    if bad:
        raise DraftError(_("Unknown kinds of perpetrator: {codes}.").format(codes=", ".join(bad)))
    if item.visibility not in ("public", "restricted", "confidential"):
        raise DraftError(_("Visibility must be public, restricted or confidential."))
    if not item.source_publisher.strip():
        raise DraftError(_("Every incident needs a source: give at least the publisher."))


def _defender(cur: duckdb.DuckDBPyConnection, name: str, kind: str, item: ConfirmedIncident) -> int:
    found = cur.execute("select defender_id from defenders where name = $n and kind = $k", {"n": name, "k": kind}).fetchall()
    if found:
        return int(found[0][0])
    new_id = _next(cur, "defenders", "defender_id")
    cur.execute(
        "insert into defenders (defender_id, name, kind, gender_code, country_code, is_name_public, visibility, is_synthetic) "
        "values ($id, $n, $k, $g, $c, false, $v, false)",
        {"id": new_id, "n": name, "k": kind, "g": "not_applicable" if kind == "organisation" else "unknown",
         "c": item.country_code, "v": item.visibility},
    )
    return new_id


def _actor(cur: duckdb.DuckDBPyConnection, name: str, actor_type: str) -> int:
    found = cur.execute("select actor_id from actors where name = $n and actor_type_code = $t", {"n": name, "t": actor_type}).fetchall()
    if found:
        return int(found[0][0])
    new_id = _next(cur, "actors", "actor_id")
    cur.execute("insert into actors (actor_id, name, actor_type_code, is_synthetic) values ($id, $n, $t, false)",
                {"id": new_id, "n": name, "t": actor_type})
    return new_id


def save_confirmed(con: duckdb.DuckDBPyConnection, item: ConfirmedIncident, user: str) -> int:
    """Write the incident and everything it names in one transaction; returns the incident id."""
    cur = con.cursor()
    try:
        _check(cur, item)
        cur.execute("begin transaction")
        source_id = _next(cur, "sources", "source_id")
        cur.execute("insert into sources (source_id, publisher, title, url) values ($id, $p, $t, $u)",
                    {"id": source_id, "p": item.source_publisher, "t": item.source_title or item.title, "u": item.source_url or None})
        incident_id = _next(cur, "incidents", "incident_id")
        cur.execute(
            "insert into incidents (incident_id, title, start_date, end_date, date_precision, country_code, place, summary, "
            "visibility, is_synthetic) values ($id, $t, $s, $e, $p, $c, $pl, $su, $v, false)",
            {"id": incident_id, "t": item.title, "s": item.start_date, "e": item.end_date, "p": item.date_precision,
             "c": item.country_code, "pl": item.place, "su": item.summary, "v": item.visibility},
        )
        cur.execute("insert into incident_sources values ($i, $s)", {"i": incident_id, "s": source_id})
        orgs = [_defender(cur, n, "organisation", item) for n in item.organisations if n.strip()]
        people = [_defender(cur, n, "person", item) for n in item.defenders if n.strip()]
        victims = orgs[:1] or people or [None]
        actors = [_actor(cur, n, t) for n, t in item.perpetrators if n.strip()]
        act_id = _next(cur, "acts", "act_id")
        for violation in item.violations:
            for victim in victims:
                cur.execute(
                    "insert into acts (act_id, incident_id, violation_code, act_date, date_precision, victim_defender_id, is_synthetic) "
                    "values ($a, $i, $v, $d, $p, $vic, false)",
                    {"a": act_id, "i": incident_id, "v": violation, "d": item.start_date, "p": item.date_precision, "vic": victim},
                )
                for actor in dict.fromkeys(actors):
                    cur.execute("insert into act_perpetrators values ($a, $actor, 'carried_out', null)", {"a": act_id, "actor": actor})
                act_id += 1
        audit.record(cur, user, "draft_saved", f"incidents:{incident_id}", None, 1, None, {"title": item.title},
                     within_transaction=True)
        db.refresh_facts(cur)
        cur.execute("commit")
        return incident_id
    except Exception:
        try:
            cur.execute("rollback")
        except duckdb.Error:
            pass
        raise
    finally:
        cur.close()
