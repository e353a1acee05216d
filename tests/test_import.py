"""Importing the two real external data sets through their shipped mappings.

The expected numbers are counted here directly from the raw files with pandas,
independently of the importer, so a mapping or parsing mistake shows up as a
count that does not match. The raw files stay in ../shared (never copied into
the project); files a test changes are copies in pytest's tmp_path.
"""
from __future__ import annotations

import argparse
import csv
import random
import shutil
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import cli, db
from dashboard.ingest.countries import to_iso3
from dashboard.ingest.dates import parse_date
from dashboard.ingest.importer import UndoError, fast_date, import_file, list_imports, undo_import
from dashboard.ingest.mapping import load_mapping
from dashboard.ingest.published import compare_with_published, published_figures

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "external"
MAPPINGS = ROOT / "data" / "mappings"
CPJ = EXTERNAL / "cpj_journalists_killed_1992_2016.csv"
COLOMBIA = EXTERNAL / "colombia_lideres_sociales_2016_2017.csv"
CPJ_MAPPING = MAPPINGS / "cpj_journalists_killed.toml"
COLOMBIA_MAPPING = MAPPINGS / "colombia_lideres_sociales.toml"
TABLES = ("incidents", "acts", "defenders", "defender_sectors", "actors", "act_perpetrators",
          "sources", "incident_sources", "act_facts")


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One fresh seed-only database per module; each test works on a copy."""
    return db.build(tmp_path_factory.mktemp("import_template") / "x.duckdb")


@pytest.fixture()
def fresh_db(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "x.duckdb"
    shutil.copy(template_db, path)
    return path


def raw(path: Path) -> pd.DataFrame:
    """The raw file as pandas reads it: every value text, blanks as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}
    finally:
        con.close()


def query(path: Path, sql: str, params: dict | None = None) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or {}).df()
    finally:
        con.close()


def by_year(path: Path, import_id: int) -> dict[int, int]:
    frame = query(path, "select year(start_date) as y, count(*) as n from incidents "
                        "where import_id = $i and start_date is not null group by 1", {"i": import_id})
    return {int(y): int(n) for y, n in zip(frame["y"], frame["n"])}


def by_country(path: Path, import_id: int) -> dict[str, int]:
    frame = query(path, "select country_code, count(*) as n from incidents where import_id = $i group by 1",
                  {"i": import_id})
    return dict(zip(frame["country_code"], frame["n"].astype(int)))


def test_the_external_files_and_mappings_are_where_the_tests_expect() -> None:
    assert CPJ.is_file() and COLOMBIA.is_file(), f"external data sets missing from {EXTERNAL}"
    assert load_mapping(CPJ_MAPPING).name == "cpj"
    assert load_mapping(COLOMBIA_MAPPING).name == "colombia_lideres"
    assert not list(ROOT.rglob("cpj_journalists_killed_1992_2016.csv")), "never copy the data set into the project"


def test_fast_date_path_agrees_with_parse_date_on_every_real_value() -> None:
    """The importer's shortcut for "2016-06-28" and "October 22, 2016" must change no result."""
    values = [*raw(CPJ)["Date"].str.strip(), *raw(COLOMBIA)["Fecha"].str.strip()]
    shortcut = {v: fast_date(v) for v in values}
    taken = {v: d for v, d in shortcut.items() if d is not None}
    assert len(taken) > 1000
    assert all(d == parse_date(v) for v, d in taken.items())
    assert fast_date("February 30, 2016") is None and fast_date("2016-13-01") is None


# --- CPJ --------------------------------------------------------------------------------

def test_cpj_every_row_is_imported_or_rejected_with_a_reason(fresh_db: Path, tmp_path: Path) -> None:
    frame = raw(CPJ)
    result = import_file(CPJ, CPJ_MAPPING, fresh_db, skip_invalid=True, rejects_dir=tmp_path)
    assert result.written and result.import_id == 1
    assert len(frame) == 1782 == result.rows_read
    assert result.rows_imported + result.rows_rejected == len(frame)
    assert (result.incidents_added, result.rows_rejected) == (1781, 1)
    rejects = pd.read_csv(result.rejects_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    # the one record without a country: spreadsheet row 1282 (header = row 1)
    assert rejects.to_dict("records") == [
        {"row": "1282", "column": "Country_killed", "value": "", "reason": "required field 'country' is blank"}
    ]
    assert frame.iloc[1282 - 2]["Name"] == "Maher" and frame.iloc[1282 - 2]["Country_killed"] == ""
    assert result.rejects_path.parent == tmp_path


def test_cpj_counts_by_year_and_country_match_the_raw_file(fresh_db: Path, tmp_path: Path) -> None:
    frame = raw(CPJ)
    frame = frame[frame["Country_killed"].str.strip() != ""]
    result = import_file(CPJ, CPJ_MAPPING, fresh_db, skip_invalid=True, rejects_dir=tmp_path)
    # a year is given by the first four-digit number, except "on an unknown date (death disclosed ...)"
    year = frame["Date"].str.extract(r"\b(\d{4})\b")[0]
    dated = year.notna() & ~frame["Date"].str.contains("unknown date", case=False)
    expected_years = year[dated].astype(int).value_counts().to_dict()
    assert by_year(fresh_db, result.import_id) == expected_years
    assert sum(expected_years.values()) == len(frame) - 8  # "Date unknown" x4, "Unknown" x3, one disclosed
    expected_countries = (
        frame["Country_killed"].str.strip().map(to_iso3).value_counts().to_dict()
    )
    assert by_country(fresh_db, result.import_id) == expected_countries
    # spot checks on names a plain lookup gets wrong
    got = by_country(fresh_db, result.import_id)
    assert got["IRQ"] == 264 and got["BIH"] == 25 and got["PSE"] == 21
    assert got["SRB"] == 10 + 3  # "Yugoslavia" and "Serbia"
    assert got["USA"] == 9 and got["CIV"] == 6 and got["GBR"] == 3


def test_cpj_violations_perpetrators_and_sector_follow_the_mapping(fresh_db: Path, tmp_path: Path) -> None:
    frame = raw(CPJ)
    frame = frame[frame["Country_killed"].str.strip() != ""]
    result = import_file(CPJ, CPJ_MAPPING, fresh_db, skip_invalid=True, rejects_dir=tmp_path)
    violations = query(fresh_db, "select a.violation_code, count(*) as n from acts as a join incidents as i "
                                 "using (incident_id) where i.import_id = $i group by 1", {"i": result.import_id})
    got = dict(zip(violations["violation_code"], violations["n"].astype(int)))
    death = frame["Type_death"].str.strip()
    assert got == {
        "killing_targeted": int((death == "Murder").sum()),
        "killing_crossfire": int((death == "Crossfire/Combat-Related").sum()),
        "killing_dangerous_assignment": int((death == "Dangerous Assignment").sum()),
        "killing_unspecified": int(death.isin(["Unknown", ""]).sum()),
    }
    # perpetrator kinds: one actor per kind named in Source_fire, "Unknown Fire" and blank are unknown
    links = query(fresh_db, """
        select ac.actor_type_code, count(*) as n from act_perpetrators as ap
        join actors as ac using (actor_id) join acts as a using (act_id) join incidents as i using (incident_id)
        where i.import_id = $i group by 1""", {"i": result.import_id})
    got_links = dict(zip(links["actor_type_code"], links["n"].astype(int)))
    fire = frame["Source_fire"].str.split(", ").explode().str.strip()
    assert got_links["political_group"] == int((fire == "Political Group").sum())
    assert got_links["military"] == int((fire == "Military Officials").sum())
    assert got_links["unknown_actor"] == int(fire.isin(["Unknown Fire", ""]).sum())
    assert set(query(fresh_db, "select name from actors where actor_type_code = 'political_group'")["name"]) == {
        "Unknown (political group)"}
    sectors = query(fresh_db, "select distinct s.sector_code from defender_sectors as s join acts as a "
                              "on a.victim_defender_id = s.defender_id join incidents as i using (incident_id) "
                              "where i.import_id = $i", {"i": result.import_id})
    assert list(sectors["sector_code"]) == ["journalism"]
    facts = query(fresh_db, "select count(*) as n from act_facts as f join incidents as i using (incident_id) "
                            "where i.import_id = $i and not f.is_synthetic", {"i": result.import_id})
    assert int(facts["n"][0]) == 1781


def test_cpj_second_import_adds_nothing(fresh_db: Path, tmp_path: Path) -> None:
    import_file(CPJ, CPJ_MAPPING, fresh_db, skip_invalid=True, rejects_dir=tmp_path)
    before = counts(fresh_db)
    again = import_file(CPJ, CPJ_MAPPING, fresh_db, skip_invalid=True, rejects_dir=tmp_path)
    assert (again.incidents_added, again.incidents_updated, again.incidents_unchanged) == (0, 0, 1781)
    assert counts(fresh_db) == before
    log = query(fresh_db, "select import_id, incidents_added, file_sha256 from imports order by import_id")
    assert list(log["incidents_added"]) == [1781, 0]
    assert log["file_sha256"][0] == "500ba7e3e0a0b4edaf9eac842d9dba7339bb496a17856c4c542f179c909e2a00"


# --- Colombia ------------------------------------------------------------------------------

def test_colombia_every_row_imported_and_counts_match(fresh_db: Path) -> None:
    frame = raw(COLOMBIA)
    result = import_file(COLOMBIA, COLOMBIA_MAPPING, fresh_db)
    assert result.written and result.report.ok
    assert len(frame) == 121 == result.incidents_added == result.rows_read
    assert result.rejects_path is None
    expected_years = frame["Fecha"].str[:4].astype(int).value_counts().to_dict()
    assert by_year(fresh_db, result.import_id) == expected_years == {2016: 33, 2017: 88}
    assert by_country(fresh_db, result.import_id) == {"COL": 121}
    places = query(fresh_db, "select place from incidents where import_id = $i", {"i": result.import_id})["place"]
    expected_places = (frame["Municipio"].str.strip() + ", " + frame["Departamento"].str.strip()).value_counts()
    assert places.value_counts().sort_index().equals(expected_places.sort_index())


def test_colombia_sectors_gender_and_links(fresh_db: Path) -> None:
    frame = raw(COLOMBIA)
    result = import_file(COLOMBIA, COLOMBIA_MAPPING, fresh_db)
    sectors = query(fresh_db, """
        select s.sector_code, count(*) as n from defender_sectors as s
        join acts as a on a.victim_defender_id = s.defender_id join incidents as i using (incident_id)
        where i.import_id = $i group by 1""", {"i": result.import_id})
    got = dict(zip(sectors["sector_code"], sectors["n"].astype(int)))
    kind = frame["Tipo de líder"].str.casefold()
    assert got["indigenous_peoples"] == int(kind.str.contains("indígena").sum()) == 18
    assert got["afro_descendant"] == int(kind.str.contains("afro").sum())
    assert got["labour"] == int(kind.str.contains("sindical").sum())
    assert got["lgbtiq_rights"] == int(kind.str.contains("lgbti").sum())
    assert got["womens_rights"] == int(kind.str.contains("mujeres").sum())
    assert got["peasant_rights"] == int(kind.str.contains("campesin|agrari").sum())
    genders = query(fresh_db, "select d.gender_code, count(*) as n from defenders as d join acts as a "
                              "on a.victim_defender_id = d.defender_id join incidents as i using (incident_id) "
                              "where i.import_id = $i group by 1", {"i": result.import_id})
    assert dict(zip(genders["gender_code"], genders["n"].astype(int))) == {
        "man": int((frame["Género"] == "M").sum()), "woman": int((frame["Género"] == "F").sum())}
    links = frame["Link"].str.split().explode()
    expected_links = int(links.str.match(r"https?://").sum())
    got_links = query(fresh_db, """
        select count(*) as n from incident_sources as x join sources as s using (source_id)
        join incidents as i using (incident_id) where i.import_id = $i and s.publisher <> 'Datasketch'""",
        {"i": result.import_id})
    assert int(got_links["n"][0]) == expected_links
    # every incident also cites the data set itself
    cited = query(fresh_db, "select count(*) as n from incident_sources join sources using (source_id) "
                            "where publisher = 'Datasketch'")
    assert int(cited["n"][0]) == 121
    assert {p.kind for p in result.report.warnings} == {"bad_link"}  # two rows with "." in Link


def test_changed_row_updates_its_incident(fresh_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "colombia.csv"
    shutil.copy(COLOMBIA, copy)
    first = import_file(copy, COLOMBIA_MAPPING, fresh_db)
    frame = raw(copy)
    key = "colombia_lideres:" + frame.loc[0, "Nombre"].strip().casefold() + "|" + frame.loc[0, "Fecha"]
    before = query(fresh_db, "select incident_id, place, row_hash from incidents where source_key = $k", {"k": key})
    frame.loc[0, "Municipio"] = "Tumaco"
    frame.loc[0, "Tipo de líder"] = "Líder sindical"
    # "\r\n" rows, so the csv module quotes the stray "\r" one name ends with (row 92)
    frame.to_csv(copy, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    before_counts = counts(fresh_db)
    second = import_file(copy, COLOMBIA_MAPPING, fresh_db)
    assert (second.incidents_added, second.incidents_updated, second.incidents_unchanged) == (0, 1, 120)
    after = query(fresh_db, "select incident_id, place, row_hash, import_id from incidents where source_key = $k",
                  {"k": key})
    assert after["incident_id"][0] == before["incident_id"][0]
    assert after["place"][0] == "Tumaco, Nariño" and after["row_hash"][0] != before["row_hash"][0]
    assert after["import_id"][0] == first.import_id  # the import that added it; undo of #2 leaves it
    sectors = query(fresh_db, "select s.sector_code from defender_sectors as s join acts as a "
                              "on a.victim_defender_id = s.defender_id where a.incident_id = $i",
                    {"i": int(after["incident_id"][0])})
    assert list(sectors["sector_code"]) == ["labour"]
    assert counts(fresh_db) == before_counts  # the old victim and acts were replaced, not added to


def test_undo_removes_what_the_import_added(fresh_db: Path, tmp_path: Path) -> None:
    seed = counts(fresh_db)
    colombia = import_file(COLOMBIA, COLOMBIA_MAPPING, fresh_db)
    cpj = import_file(CPJ, CPJ_MAPPING, fresh_db, skip_invalid=True, rejects_dir=tmp_path)
    undone = undo_import(fresh_db, colombia.import_id)
    assert undone.incidents_removed == 121
    assert query(fresh_db, "select count(*) as n from incidents where import_id = $i",
                 {"i": colombia.import_id})["n"][0] == 0
    assert query(fresh_db, "select count(*) as n from incidents where import_id = $i",
                 {"i": cpj.import_id})["n"][0] == 1781
    assert query(fresh_db, "select count(*) as n from sources where publisher = 'Datasketch' or url like '%caracol%'")["n"][0] == 0
    undo_import(fresh_db, cpj.import_id)
    assert counts(fresh_db) == seed  # back to the seed: no orphan victims, actors or sources
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        log = list_imports(con)
    finally:
        con.close()
    assert list(log["is_undone"]) == [True, True]
    with pytest.raises(UndoError, match="already undone"):
        undo_import(fresh_db, colombia.import_id)
    with pytest.raises(UndoError, match="No import with id 99"):
        undo_import(fresh_db, 99)
    again = import_file(COLOMBIA, COLOMBIA_MAPPING, fresh_db)
    assert again.incidents_added == 121


def test_both_data_sets_share_actors_and_keep_apart(fresh_db: Path, tmp_path: Path) -> None:
    import_file(CPJ, CPJ_MAPPING, fresh_db, skip_invalid=True, rejects_dir=tmp_path)
    import_file(COLOMBIA, COLOMBIA_MAPPING, fresh_db)
    unknown = query(fresh_db, "select count(*) as n from actors where name = 'Unknown perpetrator'")
    assert unknown["n"][0] == 1
    keys = query(fresh_db, "select split_part(source_key, ':', 1) as m, count(*) as n from incidents "
                           "where import_id is not null group by 1")
    assert dict(zip(keys["m"], keys["n"].astype(int))) == {"cpj": 1781, "colombia_lideres": 121}
    flags = query(fresh_db, "select bool_or(is_synthetic) as s, count(*) filter (where import_id is null) as n "
                            "from incidents where source_key like 'cpj:%' or source_key like 'colombia_lideres:%'")
    assert not flags["s"][0] and flags["n"][0] == 0


# --- published figures ----------------------------------------------------------------------

def test_published_figures_beside_own_counts(fresh_db: Path, tmp_path: Path) -> None:
    import_file(CPJ, CPJ_MAPPING, fresh_db, skip_invalid=True, rejects_dir=tmp_path)
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        figures = published_figures(con)
        table = compare_with_published(con, "journalists_killed", "Committee to Protect Journalists")
        with pytest.raises(ValueError, match="No matching definition"):
            compare_with_published(con, "attacks_recorded", "Business & Human Rights Resource Centre")
    finally:
        con.close()
    assert len(figures) == len(pd.read_csv(ROOT / "data" / "published_figures.csv"))
    published = table.dropna(subset=["published_value"]).set_index("year")
    assert dict(published["published_value"]) == {2022: 69, 2023: 102, 2024: 124}
    assert published["definition"].notna().all() and published["cited_via"].notna().all()
    assert table["own_definition"].str.contains("journalism").all()
    frame = raw(CPJ)
    frame = frame[frame["Country_killed"].str.strip() != ""]
    year = frame["Date"].str.extract(r"\b(\d{4})\b")[0]
    dated = year.notna() & ~frame["Date"].str.contains("unknown date", case=False)
    own = table[table["own_count"] > 0].set_index("year")["own_count"].to_dict()
    assert own == year[dated].astype(int).value_counts().to_dict()
    assert table.attrs["undated_own_count"] == 8


# --- command line and speed -----------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    """The real `hrd` parser, which registers the import commands itself."""
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {"import", "imports"} <= set(subparsers.choices)
    return parser


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    return args.func(args)


def test_commands_import_list_and_undo(fresh_db: Path, tmp_path: Path, hrd_env, capsys) -> None:
    hrd_env(fresh_db)
    copy = tmp_path / "cpj.csv"
    shutil.copy(CPJ, copy)
    assert _run(["import", str(copy), "--mapping", "cpj_journalists_killed"]) == 2
    out = capsys.readouterr()
    assert "row 1282" in out.out and "Nothing was written" in out.err
    assert counts(fresh_db)["incidents"] == 2
    assert _run(["import", str(copy), "--mapping", str(CPJ_MAPPING), "--dry-run", "--skip-invalid"]) == 0
    assert "Dry run" in capsys.readouterr().out and counts(fresh_db)["incidents"] == 2
    assert _run(["import", str(copy), "--mapping", str(CPJ_MAPPING), "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert "Import 1: 1781 incidents added" in out and (tmp_path / "cpj.rejects.csv").exists()
    assert _run(["imports"]) == 0
    listing = capsys.readouterr().out
    assert "cpj.csv" in listing and "active" in listing
    assert _run(["import", "--undo", "1"]) == 0
    assert "removed 1781 incidents" in capsys.readouterr().out
    assert _run(["import", "--undo", "1"]) == 2
    assert "already undone" in capsys.readouterr().err
    assert _run(["import", str(tmp_path / "missing.csv"), "--mapping", str(CPJ_MAPPING)]) == 2
    assert "No file at" in capsys.readouterr().err


def write_synthetic_csv(path: Path, rows: int, seed: int = 1) -> None:
    """A plausible case table: ISO dates, a dozen countries, multi-valued perpetrators."""
    rng = random.Random(seed)
    countries = ["Colombia", "Mexico", "Brazil", "Philippines", "Honduras", "Guatemala", "India",
                 "Kazakhstan", "Kyrgyzstan", "Russia", "Turkey", "Iraq"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "date", "country", "town", "name", "gender", "type", "perpetrator", "notes"])
        for i in range(rows):
            day = pd.Timestamp("2000-01-01") + pd.Timedelta(days=rng.randrange(9000))
            writer.writerow([f"R{i}", day.date().isoformat(), rng.choice(countries), f"Town {rng.randrange(500)}",
                             f"Person {i}", rng.choice(["F", "M", ""]), rng.choice(["Murder", "Threats", "Detention"]),
                             rng.choice(["Police", "Army", "Gang", "Unknown", "Police, Gang"]),
                             "note " * rng.randrange(5)])


SYNTHETIC_MAPPING = """
name = "synthetic"
required = ["date", "country"]
[source]
publisher = "Test generator"
title = "Generated rows"
[defaults]
sector = "human_rights_general"
[key]
columns = ["id"]
[columns]
date = "date"
country = "country"
place = "town"
victim_name = "name"
gender = "gender"
violation = "type"
actor_type = "perpetrator"
summary = "notes"
[split]
actor_type = ", "
[values.violation]
murder = "killing_targeted"
threats = "threats"
detention = "arbitrary_detention"
[values.actor_type]
police = "police"
army = "military"
gang = "organised_crime"
unknown = "unknown_actor"
[values.gender]
f = "woman"
m = "man"
"""


def test_a_3500_row_csv_imports_without_pathological_slowness(fresh_db: Path, tmp_path: Path) -> None:
    """A guard against row-by-row work (minutes), not a benchmark: the bound is ten times the usual time."""
    data, mapping = tmp_path / "cases.csv", tmp_path / "synthetic.toml"
    write_synthetic_csv(data, 3500)
    mapping.write_text(SYNTHETIC_MAPPING, encoding="utf-8")
    start = time.perf_counter()
    result = import_file(data, mapping, fresh_db)
    elapsed = time.perf_counter() - start
    assert result.incidents_added == 3500 and result.report.ok
    assert elapsed < 60, f"3,500 rows took {elapsed:.1f} s"
    frame = raw(data)
    assert by_year(fresh_db, result.import_id) == frame["date"].str[:4].astype(int).value_counts().to_dict()
