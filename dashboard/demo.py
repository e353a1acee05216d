"""Synthetic demo data: plausible, deterministic, and always marked synthetic.

The generator lets the charts show trends before an organisation loads its own
cases, and gives the benchmarks a database of any size. Every incident, act,
defender and actor it writes has ``is_synthetic = true`` and a title starting
with "[Synthetic]"; names are made from syllables, so no real person is named.
Work is vectorised: NumPy draws integer codes (never a Python loop or ``zip`` over
rows), Arrow carries them to DuckDB as dictionary-encoded columns, and DuckDB
assembles the text (titles, names, keys) in parallel, since the benchmarks ask for
ten million incidents. The random stream is the same as the first, row-by-row
version's, so a given seed still yields exactly the same cases.
"""
from __future__ import annotations

from itertools import product

import duckdb
import numpy as np
import pyarrow as pa

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


def _word_vocabulary(parts: int) -> list[str]:
    """Every capitalised word of ``parts`` syllables, in the order of its base-24 code."""
    return ["".join(combo).capitalize() for combo in product(SYLLABLES, repeat=parts)]


def _fake_word_codes(rng: np.random.Generator, n: int, parts: int) -> np.ndarray:
    """Codes of pronounceable fake words (index into ``_word_vocabulary(parts)``).

    Draws the same random numbers as picking syllables one by one, so the words are
    those of the first version of this generator.
    """
    picks = rng.integers(0, len(SYLLABLES), size=(n, parts))
    codes = np.zeros(n, dtype=np.int64)
    for i in range(parts):
        codes = codes * len(SYLLABLES) + picks[:, i]
    return codes


def _dictionary(codes: np.ndarray, values: list[str] | np.ndarray) -> pa.DictionaryArray:
    """A dictionary-encoded Arrow column: integer codes into a small list of strings."""
    return pa.DictionaryArray.from_arrays(pa.array(codes, type=pa.int32()), pa.array(list(values), type=pa.string()))


def _next_id(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    return int(con.execute(f"select coalesce(max({column}), 0) + 1 from {table}").fetchall()[0][0])  # fixed names


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pa.Table, select: str,
            params: dict[str, object] | None = None) -> None:
    """Insert an Arrow table, with ``select`` (fixed SQL in this module) shaping its columns."""
    con.register("_demo_frame", frame)
    try:
        con.execute(f"insert into {table} {select} from _demo_frame", params)  # fixed names and SQL from this module
    finally:
        con.unregister("_demo_frame")


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

    # actors: one per country and actor type; actor id = actor0 + country index * types + type index
    country_keys, country_p = _weights(COUNTRY_WEIGHTS)
    actor_type_keys = sorted({k for prof in ACTOR_PROFILE.values() for k in prof})
    type_index = {t: i for i, t in enumerate(actor_type_keys)}
    n_types = len(actor_type_keys)
    grid_country = np.repeat(np.arange(len(country_keys)), n_types)
    grid_type = np.tile(np.arange(n_types), len(country_keys))
    actors = pa.table({
        "actor_id": np.arange(actor0, actor0 + len(grid_country)),
        "country": _dictionary(grid_country, country_keys),
        "actor_type": _dictionary(grid_type, actor_type_keys),
    })
    _insert(con, "actors", actors,
            "(actor_id, name, actor_type_code, is_synthetic, description) "
            "select actor_id, '[Synthetic] ' || replace(actor_type, '_', ' ') || ' (' || country || ')', "
            "actor_type, true, 'Synthetic demo actor'")

    # incidents
    n = n_incidents
    country = rng.choice(len(country_keys), size=n, p=country_p)
    year_w = np.linspace(1.0, 2.0, len(YEARS))
    year = YEARS[rng.choice(len(YEARS), size=n, p=year_w / year_w.sum())]
    day_of_year = rng.integers(0, 365, size=n)
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day_of_year
    precisions = ["day", "month", "year"]
    precision = rng.choice(3, size=n, p=[0.8, 0.15, 0.05])
    visibilities = ["public", "restricted", "confidential"]
    visibility = rng.choice(3, size=n, p=[0.85, 0.1, 0.05])
    place = _fake_word_codes(rng, n, 2) * len(PLACE_SUFFIXES) + rng.integers(0, len(PLACE_SUFFIXES), n)
    places = [w + s for w in _word_vocabulary(2) for s in PLACE_SUFFIXES]
    incident_ids = np.arange(inc0, inc0 + n)

    # defenders: a pool smaller than the incidents, so some defenders are attacked again
    n_def = max(5, int(n * 0.7))
    def_kind = rng.choice(2, size=n_def, p=[0.85, 0.15])  # person, organisation
    genders = ["woman", "man", "non_binary", "unknown", "not_applicable"]
    gender = np.where(def_kind == 0, rng.choice(4, size=n_def, p=[0.45, 0.45, 0.03, 0.07]), 4)
    first = _fake_word_codes(rng, n_def, 2)
    last = _fake_word_codes(rng, n_def, 3)
    def_country = rng.choice(len(country_keys), size=n_def, p=country_p)
    defender_ids = np.arange(def0, def0 + n_def)
    is_name_public = rng.random(n_def) < 0.8
    def_visibility = rng.choice(3, size=n_def, p=[0.8, 0.13, 0.07])
    defenders = pa.table({
        "defender_id": defender_ids,
        "first": _dictionary(first, _word_vocabulary(2)),
        "last": _dictionary(last, _word_vocabulary(3)),
        "kind": _dictionary(def_kind, ["person", "organisation"]),
        "gender_code": _dictionary(gender, genders),
        "country_code": _dictionary(def_country, country_keys),
        "is_name_public": is_name_public,
        "visibility": _dictionary(def_visibility, visibilities),
    })
    _insert(con, "defenders", defenders,
            "(defender_id, name, kind, gender_code, country_code, organisation_id, is_name_public, visibility, "
            "is_synthetic, description) "
            "select defender_id, case when kind = 'person' then first || ' ' || last else last || ' Collective' end, "
            "kind, gender_code, country_code, null, is_name_public, visibility, true, 'Synthetic demo defender'")
    sector_p = np.array(SECTOR_WEIGHTS, dtype=float) / sum(SECTOR_WEIGHTS)
    s1 = rng.choice(len(SECTORS), size=n_def, p=sector_p)
    s2 = rng.choice(len(SECTORS), size=n_def, p=sector_p)
    has2 = (rng.random(n_def) < 0.3) & (s2 != s1)
    defender_sectors = pa.table({
        "defender_id": np.concatenate([defender_ids, defender_ids[has2]]),
        "sector_code": _dictionary(np.concatenate([s1, s2[has2]]), SECTORS),
    })
    _insert(con, "defender_sectors", defender_sectors, "(defender_id, sector_code) select defender_id, sector_code")

    # acts: 1 to 6 per incident, mean about 3
    acts_per = np.clip(rng.poisson(2.0, size=n) + 1, 1, 6)
    act_incident = np.repeat(incident_ids, acts_per)
    idx = np.repeat(np.arange(n), acts_per)
    n_acts = len(act_incident)
    viol_keys, viol_p = _weights(VIOLATION_WEIGHTS)
    # acts in one incident share a main violation half of the time (an attack pattern)
    main_v_incident = rng.choice(len(viol_keys), size=n, p=viol_p)
    main_v = main_v_incident[idx]
    other_v = rng.choice(len(viol_keys), size=n_acts, p=viol_p)
    violation = np.where(rng.random(n_acts) < 0.5, main_v, other_v)
    main_victim = rng.integers(0, n_def, size=n)[idx]
    victim = np.where(rng.random(n_acts) < 0.6, main_victim, rng.integers(0, n_def, size=n_acts))
    act_ids = np.arange(act0, act0 + n_acts)
    acts = pa.table({
        "act_id": act_ids, "incident_id": act_incident,
        "violation_code": _dictionary(violation, viol_keys),
        "act_date": start[idx], "date_precision": _dictionary(precision[idx], precisions),
        "victim_defender_id": defender_ids[victim],
    })
    _insert(con, "acts", acts,
            "(act_id, incident_id, violation_code, act_date, date_precision, victim_defender_id, description, "
            "is_synthetic) select act_id, incident_id, violation_code, act_date, date_precision, "
            "victim_defender_id, 'Synthetic demo act', true")

    # perpetrators: one actor per act, a second for 30 % of acts (the same actor twice counts once)
    def draw_types(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(n_acts, dtype=np.int64)
        for v, code in enumerate(viol_keys):
            rows = mask & (violation == v)
            keys, p = _weights(ACTOR_PROFILE[code])
            as_index = np.array([type_index[k] for k in keys])
            out[rows] = as_index[rng.choice(len(keys), size=int(rows.sum()), p=p)]
        return out

    act_country = country[idx]
    first_actor = actor0 + act_country * n_types + draw_types(np.ones(n_acts, dtype=bool))
    second = rng.random(n_acts) < 0.3
    second_actor = actor0 + act_country * n_types + draw_types(second)
    involvements = ["ordered", "instigated", "failed_to_protect", "carried_out"]
    involvement = rng.choice(4, size=int(second.sum()), p=[0.3, 0.3, 0.2, 0.2])
    keep = second_actor[second] != first_actor[second]
    act_perps = pa.table({
        "act_id": np.concatenate([act_ids, act_ids[second][keep]]),
        "actor_id": np.concatenate([first_actor, second_actor[second][keep]]),
        "involvement_code": _dictionary(np.concatenate([np.full(n_acts, 3), involvement[keep]]), involvements),
    })
    _insert(con, "act_perpetrators", act_perps,
            "(act_id, actor_id, involvement_code, note) select act_id, actor_id, involvement_code, null")

    v_labels = dict(con.execute("select code, label from violation_types").fetchall())
    incidents = pa.table({
        "incident_id": incident_ids,
        "main_label": _dictionary(main_v_incident, [v_labels.get(k) for k in viol_keys]),
        "place": _dictionary(place, places),
        "start_date": start, "date_precision": _dictionary(precision, precisions),
        "country_code": _dictionary(country, country_keys),
        "visibility": _dictionary(visibility, visibilities),
    })
    _insert(con, "incidents", incidents,
            "(incident_id, source_key, title, start_date, end_date, date_precision, country_code, place, summary, "
            "visibility, is_synthetic, import_id, row_hash, updated_at) "
            "select incident_id, 'synthetic-' || $seed || '-' || incident_id, "
            "'[Synthetic] ' || main_label || ' in ' || place, start_date, start_date, date_precision, "
            "country_code, place, 'Synthetic demo incident generated for testing and demonstration; it describes "
            "no real event.', visibility, true, null, null, null", {"seed": str(seed)})
    con.register("_demo_ids", pa.table({"incident_id": incident_ids}))
    try:
        con.execute("insert into incident_sources (incident_id, source_id) select incident_id, $source from _demo_ids",
                    {"source": src0})
    finally:
        con.unregister("_demo_ids")
    return {"incidents": n, "acts": n_acts, "defenders": n_def, "actors": len(grid_country)}
