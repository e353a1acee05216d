"""A database with restricted and confidential cases whose every text carries a marker.

Used by the leak tests: in public mode no page, download, export or report may
ever contain any string that starts with ``LEAK``.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from dashboard import db

MARKER_PREFIX = "LEAK"
# (incident_id, country, visibility)
NON_PUBLIC = [
    (101, "KAZ", "confidential"),
    (102, "KAZ", "restricted"),
    (103, "COL", "confidential"),
    (104, "COL", "restricted"),
    (105, "BRA", "confidential"),
    (106, "KGZ", "restricted"),
]
PUBLIC_EXTRA = [(201 + i, "COL", "public") for i in range(6)]


def markers() -> list[str]:
    """Every marker string written into non-public records."""
    out = []
    for iid, _, _ in NON_PUBLIC:
        out += [f"LEAKTITLE-{iid}-Z9", f"LEAKSUMMARY-{iid}-Z9", f"LEAKPLACE-{iid}-Z9", f"LEAKNAME-{iid}-Z9"]
    out.append("LEAKNAME-HIDDEN-Z9")
    return out


def build_leak_db(seed_db: Path, target: Path) -> Path:
    """Copy the seed database and add non-public incidents and defenders with markers."""
    shutil.copy(seed_db, target)
    con = duckdb.connect(str(target))
    try:
        con.execute("begin transaction")
        for iid, country, vis in NON_PUBLIC + PUBLIC_EXTRA:
            public = vis == "public"
            title = f"Public case {iid} in Cali" if public else f"LEAKTITLE-{iid}-Z9"
            summary = "A public case for the suppression test." if public else f"LEAKSUMMARY-{iid}-Z9 secret details"
            place = "Cali" if public else f"LEAKPLACE-{iid}-Z9"
            con.execute(
                "insert into incidents (incident_id, source_key, title, start_date, end_date, date_precision, "
                "country_code, place, summary, visibility, is_synthetic) values "
                "($id, $key, $title, date '2023-05-04', date '2023-05-04', 'day', $c, $place, $summary, $vis, false)",
                {"id": iid, "key": f"leak-{iid}", "title": title, "c": country, "place": place, "summary": summary, "vis": vis},
            )
            con.execute("insert into incident_sources values ($id, 1)", {"id": iid})
            name = f"Public Defender {iid}" if public else f"LEAKNAME-{iid}-Z9"
            con.execute(
                "insert into defenders (defender_id, name, kind, gender_code, country_code, is_name_public, visibility, is_synthetic) "
                "values ($id, $name, 'person', 'woman', $c, $pub, $vis, false)",
                {"id": iid, "name": name, "c": country, "pub": public, "vis": vis},
            )
            con.execute("insert into defender_sectors values ($id, 'land_environment')", {"id": iid})
            con.execute(
                "insert into acts (act_id, incident_id, violation_code, act_date, date_precision, victim_defender_id, description, is_synthetic) "
                "values ($id, $id, 'threats', date '2023-05-04', 'day', $id, $d, false)",
                {"id": iid, "d": "Threatened." if public else f"LEAKSUMMARY-{iid}-Z9 act"},
            )
            con.execute("insert into act_perpetrators values ($id, 4, 'carried_out', null)", {"id": iid})
        # a public incident (the seed's Almaty case) with a victim whose name is not public
        con.execute(
            "insert into defenders (defender_id, name, kind, gender_code, country_code, is_name_public, visibility, is_synthetic) "
            "values (300, 'LEAKNAME-HIDDEN-Z9', 'person', 'woman', 'KAZ', false, 'confidential', false)"
        )
        con.execute(
            "insert into acts (act_id, incident_id, violation_code, act_date, date_precision, victim_defender_id, description, is_synthetic) "
            "values (300, 2, 'threats', date '2024-10-09', 'day', 300, 'Threatened.', false)"
        )
        con.execute("insert into act_perpetrators values (300, 4, 'carried_out', null)")
        db.refresh_facts(con)
        con.execute("commit")
    finally:
        con.close()
    return target
