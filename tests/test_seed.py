"""The seed database holds exactly the hand-transcribed Feminita cases.

Every expected number below was counted by hand from data/seed/*.csv (see the
comments next to each literal), not computed by the code under test. If the seed
changes, these numbers must be recounted on purpose.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from dashboard import metrics
from dashboard.filters import Filters

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed"
VOCAB = SEED / "vocab"
APPEAL_URL = "https://frontlinedefenders.org/en/case/feminitas-lesbian-kurultai-under-attack"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def rows(con, query: str, params: dict | None = None) -> list[tuple]:
    cur = con.cursor()
    try:
        return cur.execute(query, params or {}).fetchall()
    finally:
        cur.close()


def as_date(value) -> dt.date:
    """DuckDB gives ``date`` for DATE columns; accept a Timestamp too."""
    return value.date() if isinstance(value, (dt.datetime, pd.Timestamp)) else value


def cell_values(frame: pd.DataFrame, key_cols: list[str]) -> dict[tuple, int]:
    return {tuple(r[c] for c in key_cols): int(r["value"]) for _, r in frame.iterrows()}


# --- the cases themselves ------------------------------------------------------------

def test_two_incidents_with_their_places_dates_and_precision(seed_con):
    got = rows(
        seed_con,
        "select incident_id, country_code, place, start_date, end_date, date_precision, "
        "visibility, is_synthetic from incidents order by incident_id",
    )
    got = [(i, c, p, as_date(s), as_date(e), prec, vis, syn) for i, c, p, s, e, prec, vis, syn in got]
    assert got == [
        (1, "KAZ", "Shymkent", dt.date(2021, 5, 1), dt.date(2021, 5, 31), "month", "public", False),
        (2, "KAZ", "Almaty", dt.date(2024, 10, 7), dt.date(2024, 10, 9), "day", "public", False),
    ]


def test_nineteen_acts_eight_in_2021_and_eleven_in_2024(seed_con):
    assert rows(seed_con, "select count(*) from acts") == [(19,)]
    by_year = rows(
        seed_con,
        "select year(act_date) as y, count(*) from acts group by y order by y",
    )
    assert by_year == [(2021, 8), (2024, 11)]
    by_incident = rows(
        seed_con, "select incident_id, count(*) from acts group by incident_id order by incident_id"
    )
    assert by_incident == [(1, 8), (2, 11)]
    # the facts table used by every query has one row per act
    assert rows(seed_con, "select count(*), count(distinct act_id) from act_facts") == [(19, 19)]


def test_five_defenders_and_eight_actors(seed_con):
    assert rows(seed_con, "select count(*) from defenders") == [(5,)]
    assert rows(seed_con, "select count(*) from actors") == [(8,)]
    names = [r[0] for r in rows(seed_con, "select name from defenders order by defender_id")]
    assert names == [
        "Feminita (Kazakhstan Feminist Initiative)",
        "Zhanar Sekerbayeva",
        "Gulzada Serzhan",
        "Aktogyn Kairatova",
        "Lesbian Kurultai participants",
    ]
    # nothing in the seed is synthetic
    for table in ("incidents", "acts", "defenders", "actors"):
        assert rows(seed_con, f"select count(*) from {table} where is_synthetic") == [(0,)], table  # fixed names


def test_the_appeal_is_the_only_source_with_a_url(seed_con):
    assert rows(seed_con, "select source_id, publisher, url from sources where url is not null") == [
        (1, "Front Line Defenders", APPEAL_URL)
    ]
    assert rows(seed_con, "select incident_id, source_id from incident_sources order by incident_id") == [
        (1, 1),
        (2, 1),
    ]


def test_the_act_to_perpetrator_links_are_as_transcribed(seed_con):
    # act_perpetrators.csv has 25 rows; 6 acts in 2021 and 2 in 2024 have two perpetrators
    assert rows(seed_con, "select count(*) from act_perpetrators") == [(25,)]
    assert rows(
        seed_con,
        "select act_id, actor_id, involvement_code, note from act_perpetrators "
        "where involvement_code <> 'carried_out' order by act_id",
    ) == [
        (9, 6, "instigated", "alleged"),
        (10, 5, "failed_to_protect", None),
        (18, 8, "authored_measure", None),
    ]


# --- aggregates ----------------------------------------------------------------------

def test_acts_by_year_and_actor_type(seed_con):
    frame = metrics.aggregate(seed_con, Filters(), "year,actor_type", "acts")
    assert cell_values(frame, ["year", "actor_type"]) == {
        # 2024: police acts 10,13,14,15,16,17; Parents Union acts 10,11,12;
        # MP acts 18,19; Akimat act 9; venue act 9
        (2024, "police"): 6,
        (2024, "anti_rights_group"): 3,
        (2024, "legislature"): 2,
        (2024, "local_government"): 1,
        (2024, "company"): 1,
        # 2021: police officer acts 1-6; unknown men acts 1-4; online senders acts 7, 8
        (2021, "police"): 6,
        (2021, "private_individuals"): 4,
        (2021, "unknown_actor"): 2,
    }
    assert set(frame["distinct_total"]) == {19}
    labels = dict(zip(frame["actor_type"], frame["actor_type_label"]))
    assert labels["anti_rights_group"] == "Anti-rights group"
    assert labels["legislature"] == "Legislature (members of parliament)"


def test_acts_by_year_and_actor_group(seed_con):
    frame = metrics.aggregate(seed_con, Filters(), "year,actor_group", "acts")
    assert set(frame.loc[frame["year"] == 2024, "actor_group"]) == {"state", "non_state"}
    assert cell_values(frame, ["year", "actor_group"]) == {
        # 2024 state: acts 9 (Akimat), 10, 13-17 (police), 18, 19 (MP) = 9
        (2024, "state"): 9,
        # 2024 non-state: acts 9 (venue), 10, 11, 12 (Parents Union) = 4
        (2024, "non_state"): 4,
        (2021, "state"): 6,
        (2021, "non_state"): 4,
        (2021, "unknown"): 2,
    }


def test_actor_group_derived_next_to_actor_type(seed_con):
    frame = metrics.aggregate(seed_con, Filters(), "year,actor_type,actor_group", "acts")
    pairs = set(zip(frame["actor_type"], frame["actor_group"]))
    assert pairs == {
        ("police", "state"),
        ("legislature", "state"),
        ("local_government", "state"),
        ("anti_rights_group", "non_state"),
        ("company", "non_state"),
        ("private_individuals", "non_state"),
        ("unknown_actor", "unknown"),
    }


def test_totals(seed_con):
    assert metrics.totals(seed_con, Filters()) == {
        "incident_count": 2,
        "act_count": 19,
        "defender_count": 5,
        "country_count": 1,
        "non_public_incident_count": 0,
        "synthetic_act_count": 0,
    }


@pytest.mark.parametrize(
    ("unit", "expected_total"), [("incidents", 2), ("acts", 19), ("defenders", 5)]
)
@pytest.mark.parametrize("by", ["year", "violation", "actor_type", "sector", "gender"])
def test_distinct_total_column_equals_totals(seed_con, by, unit, expected_total):
    frame = metrics.aggregate(seed_con, Filters(), by, unit)
    assert len(frame) > 0
    assert set(frame["distinct_total"]) == {expected_total}


def test_multi_count_note(seed_con):
    multi = metrics.aggregate(seed_con, Filters(), "year,actor_type", "acts")
    note = metrics.multi_count_note(multi)
    assert note is not None
    assert "19" in note  # the distinct total of acts
    assert "act" in note
    # in words, and only what multiplies: an act has one year but maybe several kinds of perpetrator
    assert "several kinds of perpetrator;" in note and "year" not in note, note
    by_year = metrics.multi_count_note(metrics.aggregate(seed_con, Filters(), "year,actor_group", "incidents"))
    assert "several perpetrator groups (state, non-state, unknown);" in by_year and "year" not in by_year, by_year

    # a defender attacked in several ways counts under each way
    assert metrics.multi_count_note(metrics.aggregate(seed_con, Filters(), "violation", "defenders")) is not None
    # an incident with several kinds of attack counts under each kind
    assert metrics.multi_count_note(metrics.aggregate(seed_con, Filters(), "violation", "incidents")) is not None

    single = metrics.aggregate(seed_con, Filters(), "year", "incidents")
    assert metrics.multi_count_note(single) is None
    assert cell_values(single, ["year"]) == {(2021,): 1, (2024,): 1}


# Counted by hand from acts.csv: violation -> (acts, incidents, victims)
#   verbal_abuse: acts 1, 2 (incident 1, victims 2, 3) and 11 (incident 2, victim 1)
#   physical_attack: acts 3, 4 (incident 1, victims 2, 3)
#   arbitrary_detention: acts 5, 6 (incident 1, victims 2, 3)
#   threats: act 7 (victim 1); doxxing: act 8 (victim 2)
#   taken_to_police_station: acts 13, 14, 15 (incident 2, victims 2, 3, 4)
#   one act each in incident 2: denial_of_venue (victim 1), event_disruption (5),
#   filming_without_consent (5), held_in_place (5), recording_of_id_documents (5),
#   ban_request (1), defamation (1)
BY_VIOLATION = {
    "incidents": {
        "verbal_abuse": 2, "physical_attack": 1, "arbitrary_detention": 1, "threats": 1,
        "doxxing": 1, "denial_of_venue": 1, "event_disruption": 1, "filming_without_consent": 1,
        "taken_to_police_station": 1, "held_in_place": 1, "recording_of_id_documents": 1,
        "ban_request": 1, "defamation": 1,
    },
    "acts": {
        "verbal_abuse": 3, "physical_attack": 2, "arbitrary_detention": 2, "threats": 1,
        "doxxing": 1, "denial_of_venue": 1, "event_disruption": 1, "filming_without_consent": 1,
        "taken_to_police_station": 3, "held_in_place": 1, "recording_of_id_documents": 1,
        "ban_request": 1, "defamation": 1,
    },
    "defenders": {
        "verbal_abuse": 3, "physical_attack": 2, "arbitrary_detention": 2, "threats": 1,
        "doxxing": 1, "denial_of_venue": 1, "event_disruption": 1, "filming_without_consent": 1,
        "taken_to_police_station": 3, "held_in_place": 1, "recording_of_id_documents": 1,
        "ban_request": 1, "defamation": 1,
    },
}
# By parent category, where all three units differ:
#   deprivation_of_liberty: acts 5, 6, 13-16 -> 6 acts, 2 incidents, victims 2, 3, 4, 5
#   harassment_intimidation: acts 1, 2, 7, 8, 11 -> 5 acts, 2 incidents, victims 1, 2, 3
#   restriction_of_activity: acts 9, 10 -> 2 acts, 1 incident, victims 1, 5
#   surveillance_privacy: acts 12, 17 -> 2 acts, 1 incident, victim 5
#   physical_violence: acts 3, 4 -> 2 acts, 1 incident, victims 2, 3
BY_CATEGORY = {
    "incidents": {
        "physical_violence": 1, "deprivation_of_liberty": 2, "harassment_intimidation": 2,
        "surveillance_privacy": 1, "restriction_of_activity": 1, "legal_harassment": 1,
        "defamation_stigmatisation": 1,
    },
    "acts": {
        "physical_violence": 2, "deprivation_of_liberty": 6, "harassment_intimidation": 5,
        "surveillance_privacy": 2, "restriction_of_activity": 2, "legal_harassment": 1,
        "defamation_stigmatisation": 1,
    },
    "defenders": {
        "physical_violence": 2, "deprivation_of_liberty": 4, "harassment_intimidation": 3,
        "surveillance_privacy": 1, "restriction_of_activity": 2, "legal_harassment": 1,
        "defamation_stigmatisation": 1,
    },
}


@pytest.mark.parametrize("unit", ["incidents", "acts", "defenders"])
def test_by_violation_in_each_unit(seed_con, unit):
    frame = metrics.aggregate(seed_con, Filters(), "violation", unit)
    got = {k[0]: v for k, v in cell_values(frame, ["violation_code"]).items()}
    assert got == BY_VIOLATION[unit]


@pytest.mark.parametrize("unit", ["incidents", "acts", "defenders"])
def test_by_violation_category_in_each_unit(seed_con, unit):
    frame = metrics.aggregate(seed_con, Filters(), "violation_category", unit)
    got = {k[0]: v for k, v in cell_values(frame, ["violation_category"]).items()}
    assert got == BY_CATEGORY[unit]


def test_units_give_different_numbers():
    # the literal tables above: the unit changes the answer
    assert BY_VIOLATION["incidents"] != BY_VIOLATION["acts"]
    assert sum(BY_VIOLATION["incidents"].values()) == 14
    assert sum(BY_VIOLATION["acts"].values()) == 19  # one violation per act: adds up to the acts
    assert BY_CATEGORY["incidents"]["deprivation_of_liberty"] == 2
    assert BY_CATEGORY["acts"]["deprivation_of_liberty"] == 6
    assert BY_CATEGORY["defenders"]["deprivation_of_liberty"] == 4


# --- vocabularies --------------------------------------------------------------------

def test_seed_codes_exist_in_vocabularies():
    violation_codes = {r["code"] for r in read_csv(VOCAB / "violation_types.csv")}
    actor_codes = {r["code"] for r in read_csv(VOCAB / "actor_types.csv")}
    involvement_codes = {r["code"] for r in read_csv(VOCAB / "involvement_degrees.csv")}
    precisions = {r["code"] for r in read_csv(VOCAB / "date_precisions.csv")}
    genders = {r["code"] for r in read_csv(VOCAB / "genders.csv")}
    sectors = {r["code"] for r in read_csv(VOCAB / "sectors.csv")}
    visibilities = {r["code"] for r in read_csv(VOCAB / "visibilities.csv")}

    acts = read_csv(SEED / "acts.csv")
    assert len(acts) == 19
    assert {r["violation_code"] for r in acts} <= violation_codes
    assert {r["date_precision"] for r in acts} <= precisions

    actors = read_csv(SEED / "actors.csv")
    assert len(actors) == 8
    assert {r["actor_type_code"] for r in actors} <= actor_codes

    assert {r["involvement_code"] for r in read_csv(SEED / "act_perpetrators.csv")} <= involvement_codes
    defenders = read_csv(SEED / "defenders.csv")
    assert {r["gender_code"] for r in defenders} <= genders
    assert {r["visibility"] for r in defenders} <= visibilities
    assert {r["sector_code"] for r in read_csv(SEED / "defender_sectors.csv")} <= sectors
    incidents = read_csv(SEED / "incidents.csv")
    assert {r["date_precision"] for r in incidents} <= precisions
    assert {r["visibility"] for r in incidents} <= visibilities


def test_seed_references_are_consistent():
    incident_ids = {r["incident_id"] for r in read_csv(SEED / "incidents.csv")}
    defender_ids = {r["defender_id"] for r in read_csv(SEED / "defenders.csv")}
    actor_ids = {r["actor_id"] for r in read_csv(SEED / "actors.csv")}
    act_ids = {r["act_id"] for r in read_csv(SEED / "acts.csv")}
    source_ids = {r["source_id"] for r in read_csv(SEED / "sources.csv")}
    for act in read_csv(SEED / "acts.csv"):
        assert act["incident_id"] in incident_ids
        assert act["victim_defender_id"] in defender_ids
    for link in read_csv(SEED / "act_perpetrators.csv"):
        assert link["act_id"] in act_ids
        assert link["actor_id"] in actor_ids
    for link in read_csv(SEED / "incident_sources.csv"):
        assert link["incident_id"] in incident_ids
        assert link["source_id"] in source_ids
    # every incident has at least one source (DESIGN.md)
    assert {r["incident_id"] for r in read_csv(SEED / "incident_sources.csv")} == incident_ids


def test_every_violation_type_maps_to_an_sdg_category():
    sdg = {r["code"] for r in read_csv(VOCAB / "sdg_categories.csv")}
    assert sdg == {
        "killing", "enforced_disappearance", "torture", "arbitrary_detention",
        "kidnapping", "other_harmful_acts",
    }
    types = {r["code"]: r for r in read_csv(VOCAB / "violation_types.csv")}
    parents = {r["parent_code"] for r in types.values() if r["parent_code"]}
    for code, row in types.items():
        if row["sdg_16_10_1_category"]:
            assert row["sdg_16_10_1_category"] in sdg, code
        else:
            # no SDG category of its own: it must be a parent category, i.e. a
            # top-level entry that other types point to
            assert code in parents, f"{code} has neither an SDG 16.10.1 category nor children"
            assert not row["parent_code"], code
        if row["parent_code"]:
            parent = types.get(row["parent_code"])
            assert parent is not None, f"{code}: unknown parent {row['parent_code']}"
            assert not parent["parent_code"], f"{code}: the vocabulary has two levels only"
    # every leaf type (used on acts) has its own SDG category
    leaves = set(types) - parents
    assert all(types[c]["sdg_16_10_1_category"] for c in leaves)


def test_every_actor_type_has_a_group():
    types = {r["code"]: r for r in read_csv(VOCAB / "actor_types.csv")}
    groups = {c for c, r in types.items() if not r["parent_code"]}
    assert groups == {"state", "non_state", "unknown"}
    for code, row in types.items():
        if row["parent_code"]:
            assert row["parent_code"] in groups, code


def test_countries_table_has_iso3_codes_and_regions(seed_con):
    countries = rows(seed_con, "select country_code, name, region from countries")
    assert len(countries) > 190
    for code, name, region in countries:
        assert isinstance(code, str) and re.fullmatch(r"[A-Z]{3}", code), (code, name)
        assert isinstance(region, str) and region.strip(), (code, name)
        assert isinstance(name, str) and name.strip(), code
    codes = [c for c, _, _ in countries]
    assert len(codes) == len(set(codes))
    kaz = rows(seed_con, "select name from countries where country_code = 'KAZ'")
    assert kaz == [("Kazakhstan",)]


def test_country_codes_used_by_the_seed_and_demo_exist(seed_con):
    known = {r[0] for r in rows(seed_con, "select country_code from countries")}
    assert {r["country_code"] for r in read_csv(SEED / "incidents.csv")} <= known
    assert {r["country_code"] for r in read_csv(SEED / "defenders.csv")} <= known
    from dashboard.demo import COUNTRY_WEIGHTS

    assert set(COUNTRY_WEIGHTS) <= known
