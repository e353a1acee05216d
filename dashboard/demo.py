"""Synthetic demo data: plausible, deterministic, and always marked synthetic.

The generator lets the charts show trends before an organisation loads its own
cases, and gives the benchmarks a database of any size. Every incident, act,
defender and actor it writes has ``is_synthetic = true`` and a title starting
with "[Synthetic]"; names are made from syllables, so no real person is named.
Work is vectorised with NumPy and written through Arrow-backed DataFrames, since
the benchmarks ask for millions of rows.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

# Countries where defenders are frequently attacked, with rough relative weights.
COUNTRY_WEIGHTS = {
    "COL": 14, "MEX": 8, "BRA": 7, "PHL": 6, "HND": 4, "GTM": 4, "IND": 5, "RUS": 4,
    "KAZ": 3, "KGZ": 2, "UZB": 2, "TJK": 1, "TUR": 3, "UKR": 3, "BLR": 2, "AZE": 2,
    "IRN": 3, "EGY": 3, "PSE": 3, "SYR": 2, "IRQ": 2, "PAK": 3, "BGD": 2, "MMR": 2,
    "THA": 2, "VNM": 2, "CHN": 3, "PER": 2, "ECU": 1, "NIC": 2, "VEN": 2, "COD": 2,
    "KEN": 2, "UGA": 2, "ZWE": 1, "NGA": 2, "CMR": 1, "SDN": 1, "GEO": 1, "SRB": 1,
}
VIOLATION_WEIGHTS = {
    "killing_targeted": 6, "physical_attack": 12, "torture": 2, "arbitrary_detention": 14,
    "taken_to_police_station": 3, "held_in_place": 1, "enforced_disappearance": 1,
    "kidnapping": 2, "verbal_abuse": 6, "threats": 16, "doxxing": 3,
    "filming_without_consent": 2, "recording_of_id_documents": 1, "surveillance": 5,
    "event_disruption": 4, "denial_of_venue": 1, "ban_request": 2, "criminal_charges": 11,
    "defamation": 8,
}
# Which kinds of actor are likely to do which kinds of act (weights over actor types).
STATE_HEAVY = {"police": 8, "judiciary": 5, "security_services": 3, "national_government": 2,
               "local_government": 2, "legislature": 1, "military": 1, "unknown_actor": 1}
VIOLENT = {"unknown_actor": 6, "armed_group": 3, "organised_crime": 3, "paramilitary": 2,
           "private_individuals": 2, "company": 1, "police": 2, "military": 2, "mob": 1}
HARASSING = {"unknown_actor": 4, "anti_rights_group": 3, "private_individuals": 3, "company": 2,
             "police": 2, "national_government": 1, "political_group": 1, "mob": 1}
ACTOR_PROFILE = {
    "killing_targeted": VIOLENT, "physical_attack": VIOLENT, "torture": STATE_HEAVY,
    "arbitrary_detention": STATE_HEAVY, "taken_to_police_station": STATE_HEAVY,
    "held_in_place": STATE_HEAVY, "enforced_disappearance": STATE_HEAVY, "kidnapping": VIOLENT,
    "verbal_abuse": HARASSING, "threats": HARASSING, "doxxing": HARASSING,
    "filming_without_consent": HARASSING, "recording_of_id_documents": STATE_HEAVY,
    "surveillance": STATE_HEAVY, "event_disruption": HARASSING, "denial_of_venue": HARASSING,
    "ban_request": STATE_HEAVY, "criminal_charges": STATE_HEAVY, "defamation": HARASSING,
}
SECTORS = ["land_environment", "indigenous_peoples", "journalism", "womens_rights", "lgbtiq_rights",
           "labour", "peasant_rights", "community_leadership", "human_rights_general", "victims_rights"]
SECTOR_WEIGHTS = [14, 8, 10, 10, 6, 6, 6, 10, 12, 4]
SYLLABLES = ["ka", "ra", "mi", "lo", "sa", "ne", "ta", "vi", "do", "ze", "ru", "an", "el",
             "or", "is", "mu", "ga", "li", "po", "da", "ye", "ko", "ba", "ni"]
PLACE_SUFFIXES = ["ville", "grad", "abad", "pur", "polis", "tepec", "ovo", "sk", "ara", "ito"]
YEARS = np.arange(2014, 2026)


def _weights(d: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array(list(d))
    w = np.array(list(d.values()), dtype=float)
    return keys, w / w.sum()


def _fake_words(rng: np.random.Generator, n: int, parts: int) -> np.ndarray:
    """Pronounceable fake words, vectorised (capitalised)."""
    syl = np.array(SYLLABLES)
    words = syl[rng.integers(0, len(syl), size=(n, parts))]
    joined = pd.Series(words[:, 0])
    for i in range(1, parts):
        joined = joined + words[:, i]
    return joined.str.capitalize().to_numpy()


def _next_id(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    return int(con.execute(f"select coalesce(max({column}), 0) + 1 from {table}").fetchall()[0][0])  # fixed names


def generate_demo(con: duckdb.DuckDBPyConnection, n_incidents: int, seed: int = 20241009) -> dict[str, int]:
    """Append ``n_incidents`` synthetic incidents (about three acts each) to the database.

    Deterministic for a given seed and starting state. Returns the row counts written.
    """
    if n_incidents <= 0:
        return {"incidents": 0, "acts": 0}
    rng = np.random.default_rng(seed)
    inc0 = _next_id(con, "incidents", "incident_id")
    act0 = _next_id(con, "acts", "act_id")
    def0 = _next_id(con, "defenders", "defender_id")
    actor0 = _next_id(con, "actors", "actor_id")
    src0 = _next_id(con, "sources", "source_id")

    # one synthetic source shared by all demo incidents
    con.execute(
        "insert into sources values ($id, 'HRD dashboard demo generator', 'Synthetic demo data (not real cases)', null, null, $note)",
        {"id": src0, "note": f"generated with seed {seed}"},
    )

    # actors: one per country and actor type
    country_keys, country_p = _weights(COUNTRY_WEIGHTS)
    actor_type_keys = sorted({k for prof in ACTOR_PROFILE.values() for k in prof})
    grid = pd.MultiIndex.from_product([country_keys, actor_type_keys], names=["country", "actor_type"]).to_frame(index=False)
    grid["actor_id"] = np.arange(actor0, actor0 + len(grid))
    actors = pd.DataFrame({
        "actor_id": grid["actor_id"],
        "name": "[Synthetic] " + grid["actor_type"].str.replace("_", " ") + " (" + grid["country"] + ")",
        "actor_type_code": grid["actor_type"],
        "is_synthetic": True,
        "description": "Synthetic demo actor",
    })
    actor_lookup = {(c, t): i for c, t, i in zip(grid["country"], grid["actor_type"], grid["actor_id"])}

    # incidents
    n = n_incidents
    country = rng.choice(country_keys, size=n, p=country_p)
    year_w = np.linspace(1.0, 2.0, len(YEARS))
    year = rng.choice(YEARS, size=n, p=year_w / year_w.sum())
    day_of_year = rng.integers(0, 365, size=n)
    start = pd.to_datetime(year.astype(str), format="%Y") + pd.to_timedelta(day_of_year, unit="D")
    precision = rng.choice(np.array(["day", "month", "year"]), size=n, p=[0.8, 0.15, 0.05])
    visibility = rng.choice(np.array(["public", "restricted", "confidential"]), size=n, p=[0.85, 0.1, 0.05])
    place = _fake_words(rng, n, 2) + np.array(PLACE_SUFFIXES)[rng.integers(0, len(PLACE_SUFFIXES), n)]
    incident_ids = np.arange(inc0, inc0 + n)

    # defenders: a pool smaller than the incidents, so some defenders are attacked again
    n_def = max(5, int(n * 0.7))
    def_kind = rng.choice(np.array(["person", "organisation"]), size=n_def, p=[0.85, 0.15])
    gender = np.where(
        def_kind == "person",
        rng.choice(np.array(["woman", "man", "non_binary", "unknown"]), size=n_def, p=[0.45, 0.45, 0.03, 0.07]),
        "not_applicable",
    )
    first = _fake_words(rng, n_def, 2)
    last = _fake_words(rng, n_def, 3)
    def_name = np.where(def_kind == "person", first + " " + last, last + " Collective")
    def_country = rng.choice(country_keys, size=n_def, p=country_p)
    defender_ids = np.arange(def0, def0 + n_def)
    defenders = pd.DataFrame({
        "defender_id": defender_ids, "name": def_name, "kind": def_kind, "gender_code": gender,
        "country_code": def_country, "organisation_id": pd.array([None] * n_def, dtype="Int64"),
        "is_name_public": rng.random(n_def) < 0.8,
        "visibility": rng.choice(np.array(["public", "restricted", "confidential"]), size=n_def, p=[0.8, 0.13, 0.07]),
        "is_synthetic": True, "description": "Synthetic demo defender",
    })
    sector_keys = np.array(SECTORS)
    sector_p = np.array(SECTOR_WEIGHTS, dtype=float) / sum(SECTOR_WEIGHTS)
    s1 = rng.choice(sector_keys, size=n_def, p=sector_p)
    s2 = rng.choice(sector_keys, size=n_def, p=sector_p)
    has2 = rng.random(n_def) < 0.3
    defender_sectors = pd.concat([
        pd.DataFrame({"defender_id": defender_ids, "sector_code": s1}),
        pd.DataFrame({"defender_id": defender_ids[has2], "sector_code": s2[has2]}),
    ]).drop_duplicates()

    # acts: 1 to 6 per incident, mean about 3
    acts_per = np.clip(rng.poisson(2.0, size=n) + 1, 1, 6)
    act_incident = np.repeat(incident_ids, acts_per)
    idx = np.repeat(np.arange(n), acts_per)
    n_acts = len(act_incident)
    viol_keys, viol_p = _weights(VIOLATION_WEIGHTS)
    # acts in one incident share a main violation half of the time (an attack pattern)
    main_v = rng.choice(viol_keys, size=n, p=viol_p)[idx]
    other_v = rng.choice(viol_keys, size=n_acts, p=viol_p)
    violation = np.where(rng.random(n_acts) < 0.5, main_v, other_v)
    main_victim = rng.integers(0, n_def, size=n)[idx]
    victim = np.where(rng.random(n_acts) < 0.6, main_victim, rng.integers(0, n_def, size=n_acts))
    act_ids = np.arange(act0, act0 + n_acts)
    act_precision = precision[idx]
    acts = pd.DataFrame({
        "act_id": act_ids, "incident_id": act_incident, "violation_code": violation,
        "act_date": start[idx], "date_precision": act_precision,
        "victim_defender_id": defender_ids[victim], "description": "Synthetic demo act",
        "is_synthetic": True,
    })

    # perpetrators: one actor per act, a second for 30 % of acts
    act_country = country[idx]
    perp_type = np.empty(n_acts, dtype=object)
    for v in viol_keys:
        mask = violation == v
        keys, p = _weights(ACTOR_PROFILE[v])
        perp_type[mask] = rng.choice(keys, size=int(mask.sum()), p=p)
    second = rng.random(n_acts) < 0.3
    second_type = np.empty(n_acts, dtype=object)
    for v in viol_keys:
        mask = (violation == v) & second
        keys, p = _weights(ACTOR_PROFILE[v])
        second_type[mask] = rng.choice(keys, size=int(mask.sum()), p=p)
    lookup = pd.Series(actor_lookup)
    first_actor = lookup.reindex(list(zip(act_country, perp_type))).to_numpy()
    perps = [pd.DataFrame({"act_id": act_ids, "actor_id": first_actor, "involvement_code": "carried_out"})]
    if second.any():
        sec_actor = lookup.reindex(list(zip(act_country[second], second_type[second]))).to_numpy()
        involvement = rng.choice(np.array(["ordered", "instigated", "failed_to_protect", "carried_out"]),
                                 size=int(second.sum()), p=[0.3, 0.3, 0.2, 0.2])
        perps.append(pd.DataFrame({"act_id": act_ids[second], "actor_id": sec_actor, "involvement_code": involvement}))
    act_perps = pd.concat(perps).drop_duplicates(["act_id", "actor_id"])
    act_perps["note"] = None

    v_labels = dict(con.execute("select code, label from violation_types").fetchall())
    main_label = pd.Series(main_v[np.r_[0, np.cumsum(acts_per)[:-1]]]).map(v_labels).to_numpy()
    incidents = pd.DataFrame({
        "incident_id": incident_ids,
        "source_key": pd.Series(incident_ids).map(lambda i: f"synthetic-{seed}-{i}").to_numpy(),
        "title": "[Synthetic] " + main_label + " in " + place,
        "start_date": start, "end_date": start, "date_precision": precision,
        "country_code": country, "place": place,
        "summary": "Synthetic demo incident generated for testing and demonstration; it describes no real event.",
        "visibility": visibility, "is_synthetic": True,
        "import_id": pd.array([None] * n, dtype="Int64"), "row_hash": None, "updated_at": None,
    })
    incident_sources = pd.DataFrame({"incident_id": incident_ids, "source_id": src0})

    for table, frame in (
        ("actors", actors), ("defenders", defenders), ("defender_sectors", defender_sectors),
        ("incidents", incidents), ("incident_sources", incident_sources), ("acts", acts),
        ("act_perpetrators", act_perps),
    ):
        con.register("_demo_frame", frame)
        cols = ", ".join(frame.columns)
        con.execute(f"insert into {table} ({cols}) select {cols} from _demo_frame")  # fixed names
        con.unregister("_demo_frame")
    return {"incidents": n, "acts": n_acts, "defenders": n_def, "actors": len(actors)}
