"""to_iso3 and country_table: literal mappings, legacy names, CPJ's real country values."""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from dashboard.ingest.countries import LEGACY_ALIASES, UnknownCountryError, country_table, to_iso3

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CPJ = SHARED / "data" / "external" / "cpj_journalists_killed_1992_2016.csv"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Kazakhstan", "KAZ"),
        ("Colombia", "COL"),
        ("  colombia ", "COL"),
        ("UK", "GBR"),
        ("USA", "USA"),
        ("Ivory Coast", "CIV"),
        ("East Timor", "TLS"),
        ("Bosnia", "BIH"),
        ("Republic of Congo", "COG"),
        ("Democratic Republic of the Congo", "COD"),
        ("Yugoslavia", "SRB"),
        ("Serbia and Montenegro", "SRB"),
        ("Czechoslovakia", "CZE"),
        ("USSR", "RUS"),
        ("Soviet Union", "RUS"),
        ("Zaire", "COD"),
        ("Burma", "MMR"),
        ("Israel and the Occupied Palestinian Territory", "PSE"),
        ("KAZ", "KAZ"),
        ("KZ", "KAZ"),
        ("GB", "GBR"),
    ],
)
def test_to_iso3_literal(name: str, code: str) -> None:
    assert to_iso3(name) == code


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Atlantis", "unknown country name 'Atlantis'"),
        ("Scotland", "unknown country name 'Scotland'"),
        ("de", "unknown country name 'de'"),  # codes count only in upper case
        ("", "empty country name ''"),
        ("   ", "empty country name '   '"),
        ("Niger and Nigeria", "'Niger and Nigeria' is ambiguous: it matches NER, NGA"),
        ("India and Pakistan", "'India and Pakistan' is ambiguous: it matches IND, PAK"),
    ],
)
def test_to_iso3_rejects_with_the_value_quoted(name: str, message: str) -> None:
    with pytest.raises(UnknownCountryError, match=message):
        to_iso3(name)


def test_unknown_country_error_is_a_value_error() -> None:
    assert issubclass(UnknownCountryError, ValueError)


def test_aliases_win_and_resolve_ambiguity() -> None:
    assert to_iso3("Niger and Nigeria", aliases={"niger AND nigeria": "NGA"}) == "NGA"
    assert to_iso3("Scotland", aliases={"Scotland": "GBR"}) == "GBR"
    assert to_iso3("Yugoslavia", aliases={"Yugoslavia": "XKX"}) == "XKX"
    # An alias for another name changes nothing.
    assert to_iso3("Kazakhstan", aliases={"Scotland": "GBR"}) == "KAZ"


def test_alias_to_a_code_that_does_not_exist_is_refused() -> None:
    with pytest.raises(UnknownCountryError, match="'Scotland' to 'SCO'"):
        to_iso3("Scotland", aliases={"Scotland": "SCO"})


def test_every_legacy_alias_points_at_a_real_code() -> None:
    codes = set(country_table()["country_code"])
    assert set(LEGACY_ALIASES.values()) <= codes
    assert all(key == key.casefold().strip() for key in LEGACY_ALIASES)


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expects a str"):
        to_iso3(float("nan"))  # type: ignore[arg-type]


def test_unknown_names_do_not_log_coco_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        for name in ("Neverland-for-caplog", "Niger and Nigeria, for caplog"):
            with pytest.raises(UnknownCountryError):
                to_iso3(name)
    assert [r for r in caplog.records if r.name.startswith("country_converter")] == []


def test_every_cpj_country_resolves() -> None:
    names = pd.read_csv(CPJ, usecols=["Country_killed"])["Country_killed"]
    distinct = sorted(names.dropna().unique())
    assert len(distinct) == 104
    codes = {name: to_iso3(name) for name in distinct}
    assert len(set(codes.values())) == 103  # Yugoslavia and Serbia share SRB
    assert {n: codes[n] for n in ("Yugoslavia", "Serbia", "Israel and the Occupied Palestinian Territory",
                                   "Bosnia", "UK", "USA", "Ivory Coast", "East Timor", "Republic of Congo",
                                   "Democratic Republic of the Congo", "Kazakhstan")} == {
        "Yugoslavia": "SRB", "Serbia": "SRB", "Israel and the Occupied Palestinian Territory": "PSE",
        "Bosnia": "BIH", "UK": "GBR", "USA": "USA", "Ivory Coast": "CIV", "East Timor": "TLS",
        "Republic of Congo": "COG", "Democratic Republic of the Congo": "COD", "Kazakhstan": "KAZ",
    }


def test_colombia_data_set_country_resolves() -> None:
    # The Datasketch file has no country column: every record is in Colombia.
    assert to_iso3("Colombia") == "COL"


def test_country_table_shape_and_rows() -> None:
    table = country_table()
    assert list(table.columns) == ["country_code", "iso2", "name", "region", "subregion"]
    assert len(table) == 250
    assert table["country_code"].is_unique
    assert table["country_code"].str.fullmatch(r"[A-Z]{3}").all()
    rows = table.set_index("country_code")
    assert rows.loc["KAZ"].to_dict() == {"iso2": "KZ", "name": "Kazakhstan", "region": "Asia",
                                         "subregion": "Central Asia"}
    assert rows.loc["COL"].to_dict() == {"iso2": "CO", "name": "Colombia", "region": "America",
                                         "subregion": "South America"}
    assert rows.loc["PSE", "subregion"] == "Western Asia"


def test_country_table_returns_a_copy() -> None:
    table = country_table()
    table.loc[0, "name"] = "changed"
    assert country_table().loc[0, "name"] != "changed"
