"""draft_incidents on the real Feminita appeal and on invented news-style texts."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.ingest.draft import DraftIncident, draft_incidents, draft_to_dict

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(__file__).parents[1].parent / "shared" / "sources"
DRAFTS = Path(__file__).parent / "fixtures" / "drafts"
D = dt.date


def _feminita_text() -> str:
    return (SOURCES / "fld-feminita-lesbian-kurultai-2024.txt").read_text(encoding="utf-8")


def _fixture(name: str) -> str:
    """A fixture without its leading '#' comment lines (which say it is invented)."""
    lines = (DRAFTS / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#"))


def _by_start(incidents: list[DraftIncident]) -> dict[dt.date | None, DraftIncident]:
    return {incident.start_date: incident for incident in incidents}


@pytest.fixture(scope="module")
def feminita() -> list[DraftIncident]:
    return draft_incidents(_feminita_text())


def test_feminita_almaty_2024(feminita: list[DraftIncident]) -> None:
    almaty = _by_start(feminita)[D(2024, 10, 7)]
    assert (almaty.start_date, almaty.end_date, almaty.date_precision) == (D(2024, 10, 7), D(2024, 10, 9), "day")
    assert (almaty.country_code, almaty.place) == ("KAZ", "Almaty")
    assert {"event_disruption", "filming_without_consent", "ban_request", "defamation"} <= set(almaty.violations)
    assert {"verbal_abuse", "taken_to_police_station", "held_in_place", "recording_of_id_documents",
            "denial_of_venue"} <= set(almaty.violations)
    actor_types = {code for _, code in almaty.perpetrators}
    assert {"anti_rights_group", "police", "legislature"} <= actor_types
    # The request went *to* the Prosecutor General's office: a recipient, not a perpetrator.
    assert "judiciary" not in actor_types
    assert ("Kazakhstan Parents Union", "anti_rights_group") in almaty.perpetrators
    assert almaty.defenders == ["Zhanar Sekerbayeva", "Gulzada Serzhan", "Aktogyn Kairatova"]
    assert almaty.organisations == ["Feminita"]


def test_feminita_shymkent_2021(feminita: list[DraftIncident]) -> None:
    shymkent = _by_start(feminita)[D(2021, 5, 1)]
    assert (shymkent.end_date, shymkent.date_precision) == (D(2021, 5, 31), "month")
    assert (shymkent.country_code, shymkent.place) == ("KAZ", "Shymkent")
    assert {"physical_attack", "arbitrary_detention", "doxxing", "threats"} <= set(shymkent.violations)
    assert {"police", "private_individuals"} <= {code for _, code in shymkent.perpetrators}
    assert shymkent.defenders == ["Zhanar Sekerbayeva", "Gulzada Serzhan"]
    assert shymkent.organisations == ["Feminita"]
    # Violations stay with their own incident.
    assert "event_disruption" not in shymkent.violations


def test_feminita_proposes_exactly_two_incidents_oldest_first(feminita: list[DraftIncident]) -> None:
    assert [i.start_date for i in feminita] == [D(2021, 5, 1), D(2024, 10, 7)]


def test_the_publisher_is_never_a_defender_or_organisation(feminita: list[DraftIncident]) -> None:
    for incident in feminita:
        assert not any("Front Line" in name for name in incident.defenders + incident.organisations)
        assert not any("Kazakhstan Parents Union" in name for name in incident.organisations)


def test_evidence_quotes_the_sentences_behind_each_value(feminita: list[DraftIncident]) -> None:
    text = _feminita_text()
    almaty = _by_start(feminita)[D(2024, 10, 7)]
    for key in ("start_date", "end_date", "date_precision", "country_code", "place", "title"):
        assert almaty.evidence[key] in text
    assert "Almaty" in almaty.evidence["place"]
    assert almaty.evidence["start_date"].startswith("Since 7 October 2024")
    assert "9 October 2024" in almaty.evidence["end_date"]
    assert "to ban Feminita" in almaty.evidence["violations:ban_request"]
    assert "defamatory" in almaty.evidence["violations:defamation"]
    assert "Akimat" in almaty.evidence["perpetrators:local_government"]
    assert "Aktogyn Kairatova" in almaty.evidence["defenders:Aktogyn Kairatova"]
    for code in almaty.violations:
        assert almaty.evidence[f"violations:{code}"] in text


# Each invented text: expected incidents as
# (start, end, precision, country, place, violations, actor types, defenders, organisations).
EXPECTED = {
    "medellin_journalist_2019.txt": [
        (D(2018, 7, 1), D(2018, 7, 31), "month", "COL", None, ["threats"], ["private_individuals"],
         ["Andrés Felipe Quintero"], []),
        (D(2019, 3, 14), D(2019, 3, 14), "day", "COL", "Medellín", ["killing_targeted"], ["armed_group"],
         ["Andrés Felipe Quintero"], ["La Voz de Robledo"]),
    ],
    "kampala_environmental_activist_2022.txt": [
        (D(2022, 6, 3), D(2022, 6, 5), "day", "UGA", "Kampala", ["arbitrary_detention", "criminal_charges"],
         ["police", "judiciary"], ["Grace Nakato Ssempa"], ["Lake Victoria Wetlands Alliance"]),
    ],
    "manila_trade_unionist_2020.txt": [
        (D(2018, 3, 1), D(2018, 3, 31), "month", "PHL", "Cebu", ["arbitrary_detention", "criminal_charges"],
         ["police"], [], []),
        (D(2020, 1, 1), D(2020, 12, 31), "year", "PHL", "Manila", ["kidnapping", "threats"],
         ["armed_group", "military"], ["Ramon Dizon Castillo"], ["Metro Port Workers Union"]),
    ],
    "cali_lider_social_2018.txt": [
        (D(2018, 4, 5), D(2018, 4, 5), "day", "COL", "Cali", ["killing_targeted", "threats"], ["armed_group"],
         ["Jhon Jairo Murillo"], ["Junta de Acción Comunal El Retiro"]),
    ],
}


def _summary(incident: DraftIncident) -> tuple:
    return (incident.start_date, incident.end_date, incident.date_precision, incident.country_code,
            incident.place, incident.violations, [code for _, code in incident.perpetrators],
            incident.defenders, incident.organisations)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invented_news_texts(name: str) -> None:
    assert [_summary(i) for i in draft_incidents(_fixture(name))] == EXPECTED[name]


def test_every_fixture_is_covered_and_says_it_is_invented() -> None:
    files = sorted(p.name for p in DRAFTS.glob("*.txt"))
    assert files == sorted(EXPECTED)
    for name in files:
        first = (DRAFTS / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("#") and ("Invented" in first or "inventado" in first)


def test_reporting_to_the_prosecutor_does_not_make_it_a_perpetrator() -> None:
    threats = draft_incidents(_fixture("medellin_journalist_2019.txt"))[0]
    assert threats.perpetrators == [("unknown individuals", "private_individuals")]


def test_titles() -> None:
    titles = [i.title for i in draft_incidents(_fixture("manila_trade_unionist_2020.txt"))]
    assert titles == [
        "Arbitrary detention and criminal charges in Cebu, Philippines (March 2018)",
        "Kidnapping and threats in Manila, Philippines (2020)",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Front Line Defenders\n\nAbout us",
        "On 3 May 2022 the Feminita collective held a workshop in Almaty, Kazakhstan.",
        "Unknown men beat him badly.",  # a violation, but no date and no country
    ],
)
def test_texts_without_an_incident(text: str) -> None:
    assert draft_incidents(text) == []


def test_draft_to_dict_for_json_and_csv(feminita: list[DraftIncident]) -> None:
    rows = draft_to_dict(feminita)
    assert json.loads(json.dumps(rows, ensure_ascii=False)) == rows
    shymkent = rows[0]
    assert shymkent["start_date"] == "2021-05-01"
    assert shymkent["date_precision"] == "month"
    assert {"name": "unknown male individuals", "actor_type": "private_individuals"} in shymkent["perpetrators"]
    flat = draft_to_dict(feminita, flat=True)[0]
    assert flat["defenders"] == "Zhanar Sekerbayeva; Gulzada Serzhan"
    assert "unknown male individuals (private_individuals)" in flat["perpetrators"]
    assert all(not isinstance(v, (list, dict)) for v in flat.values())
    assert json.loads(flat["evidence"]) == shymkent["evidence"]


_PIECES = st.sampled_from(
    ["On 9 October 2024,", "In May 2021,", "late 2020", "police officers", "arrested", "Almaty", "Kazakhstan",
     ".", "\n", "\n\n", "“Feminita”", "activist", "Zhanar Sekerbayeva", "and", "threatened", "9 October",
     "Front Line Defenders urges the authorities", "killed", "gunmen", "Bogota", "Colombia", "1500", "Mr.",
     "A.", ",", "the venue refused", "?", "“", '"', "human rights defenders"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map(" ".join))
def test_any_text_gives_well_formed_drafts(text: str) -> None:
    incidents = draft_incidents(text)
    rows = draft_to_dict(incidents)
    assert json.loads(json.dumps(rows, ensure_ascii=False)) == rows
    for incident in incidents:
        assert incident.violations and incident.country_code
        assert incident.start_date is not None and incident.end_date is not None
        assert incident.start_date <= incident.end_date
        assert incident.date_precision in {"day", "month", "year"}


def test_ingest_core_never_imports_streamlit() -> None:
    code = (
        "import sys\n"
        "import dashboard.ingest.dates, dashboard.ingest.countries, dashboard.ingest.draft\n"
        "assert 'streamlit' not in sys.modules, 'streamlit was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
