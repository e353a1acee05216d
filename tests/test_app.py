"""The Streamlit app, run in-process with AppTest against real DuckDB files.

Every test gets its own copy of a fixture database (a DuckDB file opened
read-write by the app cannot be shared) and empty Streamlit caches (they live
per process, so one test's database would otherwise leak into the next).

Download bytes are not exposed by AppTest; each run creates a fresh
``MemoryMediaFileStorage`` inside a mock runtime and drops it afterwards, so the
``media`` fixture records those storages and reads a download button's file
back by the id in its ``url``.
"""
from __future__ import annotations

import base64
import io
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import streamlit as st
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard import db, metrics, privacy
from dashboard.export import incidents_frame
from dashboard.filters import Filters

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
PAGES = ["overview", "compare", "cases", "case", "profiles", "sign_in"]
PRESET = {"a.defender": "1", "a.from": "2021", "a.to": "2021", "b.defender": "1", "b.from": "2024", "b.to": "2024"}
BADGE = "Synthetic demo data in view"
TIMEOUT = 90


# --- fixtures and helpers --------------------------------------------------------

@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture()
def seed_copy(seed_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "seed.duckdb"
    shutil.copy(seed_db_path, path)
    monkeypatch.setenv("HRD_DB", str(path))
    return path


@pytest.fixture()
def demo_copy(demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("HRD_DB", str(path))
    return path


@pytest.fixture(params=["seed", "demo"])
def any_copy(request: pytest.FixtureRequest) -> str:
    """Either database; returns its name (the copy is in HRD_DB)."""
    request.getfixturevalue(f"{request.param}_copy")
    return request.param


@pytest.fixture()
def media(monkeypatch: pytest.MonkeyPatch):
    """Record the in-memory media storages of AppTest runs; return a reader for download buttons."""
    storages: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            storages.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)

    def read(button) -> bytes:
        url = button.proto.url
        assert url, f"download button {button.key!r} has no file"
        return storages[-1].get_file(url.rsplit("/", 1)[-1]).content

    return read


def app(params: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    """Run the app once with these query parameters, on a page (default: the Overview)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params or {})
    if page:
        at.switch_page(f"app_pages/{page}.py")
    return at.run()


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def compare_metrics(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly figures by element key: the dashboard's chart elements (components/plot.py) carry
    each figure's JSON in their data (AppTest returns them as unknown elements)."""
    return {el.key: json.loads(json.loads(el.proto.json)["spec"]) for el in at.get("bidi_component")
            if el.proto.component_name == "hrd_chart"}


def downloads(at: AppTest) -> dict[str, object]:
    return {d.key: d for d in at.get("download_button")}


def array(value) -> list:
    """A plotly array, which may be base64 packed ({"dtype", "bdata", "shape"})."""
    if isinstance(value, dict) and "bdata" in value:
        out = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            out = out.reshape([int(s) for s in str(value["shape"]).split(",")])
        return out.tolist()
    return list(value) if value is not None else []


def read_csv(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV downloads start with a UTF-8 byte-order mark"
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def shown_number(text: str) -> float | None:
    """A CSV value cell as a number; None for a suppressed cell ("< k")."""
    return None if text.startswith("<") else float(text)


def same(chart_value, csv_text: str) -> bool:
    """A plotted value equals the exported one; a suppressed cell is plotted as nothing (or 0 on the map)."""
    number = shown_number(csv_text)
    if number is None:
        return chart_value is None or (isinstance(chart_value, float) and np.isnan(chart_value)) or chart_value == 0
    return chart_value is not None and float(chart_value) == number


# --- every page renders -----------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(any_copy: str, page: str) -> None:
    params = {"id": "2"} if page == "case" else {}
    at = app(params, page)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, f"{page} has no title"


def test_pages_with_preset_and_profile_render(demo_copy: Path) -> None:
    at = app(PRESET, "compare")
    assert not at.exception
    at = app({"defender_profile": "1"}, "profiles")
    assert not at.exception
    assert any("2 incidents" in text for text in markdown(at)), markdown(at)


# --- headline figures and filters --------------------------------------------------

def test_overview_metrics_on_seed(seed_copy: Path) -> None:
    at = app()
    assert not at.exception
    assert metric_values(at) == {"Incidents": "2", "Acts": "19", "Defenders affected": "5", "Countries": "1"}


def test_database_of_an_earlier_version_is_brought_up_to_date(seed_copy: Path) -> None:
    """After an upgrade the app rebuilds the summary tables once (the cases are kept) and the
    Cases listing, which reads today's columns, works."""
    from test_cli import make_facts_old

    make_facts_old(seed_copy)
    at = app(page="cases")
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    con = duckdb.connect(str(seed_copy))  # as the app opened it: one process, one configuration
    try:
        assert db.facts_are_current(con)
        assert con.execute("select count(*) from incidents").fetchall()[0][0] == 2
    finally:
        con.close()


def test_year_range_from_url_changes_numbers(seed_copy: Path) -> None:
    at = app({"from": "2024", "to": "2024"})
    assert not at.exception
    assert metric_values(at)["Incidents"] == "1"
    assert metric_values(at)["Acts"] == "11"


def test_sidebar_widgets_change_numbers_and_url(seed_copy: Path) -> None:
    at = app()
    at.slider(key="f_years").set_range(2024, 2024).run()
    assert not at.exception
    assert (metric_values(at)["Incidents"], metric_values(at)["Acts"]) == ("1", "11")
    assert at.query_params.get("from") == "2024"
    at.slider(key="f_years").set_range(2021, 2021).run()
    assert (metric_values(at)["Incidents"], metric_values(at)["Acts"]) == ("1", "8")
    at.slider(key="f_years").set_range(2021, 2024)
    at.multiselect(key="f_violations").set_value(["doxxing"])
    at.run()
    assert not at.exception
    assert metric_values(at)["Incidents"] == "1"
    assert at.query_params.get("violation") == "doxxing"


def test_country_filter_on_demo(demo_copy: Path) -> None:
    at = app()
    everything = metric_values(at)
    at.multiselect(key="f_countries").set_value(["KAZ"]).run()
    assert not at.exception
    assert at.query_params.get("country") == "KAZ"
    assert metric_values(at)["Countries"] == "1"
    assert metric_values(at)["Incidents"] != everything["Incidents"]


# --- Compare ----------------------------------------------------------------------

def _check_feminita(at: AppTest) -> None:
    assert not at.exception
    acts = [value for label, value in compare_metrics(at) if label == "Acts"]
    assert acts == ["8", "11"]
    incidents = [value for label, value in compare_metrics(at) if label == "Incidents"]
    assert incidents == ["1", "1"]
    changed = " ".join(markdown(at))
    assert "Request to ban" in changed
    assert "Doxxing" in changed
    assert "Feminita 2021" in changed and "Feminita 2024" in changed


def test_compare_preset_from_url(seed_copy: Path) -> None:
    at = app(PRESET, "compare")
    _check_feminita(at)
    # its tables name their columns in words: four tables (involvement and places, both sides)
    headings = [{name: spec.get("label") for name, spec in json.loads(table.proto.columns).items()}
                for table in at.dataframe]
    assert len(headings) == 4, headings
    assert all(h.get("actor group") == "State or non-state" for h in headings[:2]), headings
    assert all(h.get("country") == "Country" for h in headings[2:]), headings
    assert [list(t.value.columns) for t in at.dataframe[2:]] == [["country", "place", "Incidents"]] * 2


def test_compare_preset_button(any_copy: str) -> None:
    at = app(page="compare")
    assert not at.exception
    at.button(key="preset_feminita").click().run()
    _check_feminita(at)
    for key, value in PRESET.items():
        assert at.query_params.get(key) == value


def test_overview_links_to_preset(seed_copy: Path) -> None:
    at = app()
    links = [el for el in at.get("page_link") if "Feminita" in el.proto.label]
    assert links, "the Overview has a link to the Feminita comparison"
    assert "compare" in links[0].proto.page


# --- Case page --------------------------------------------------------------------

def test_case_page_shows_place_and_source(seed_copy: Path) -> None:
    at = app({"id": "2"}, "case")
    assert not at.exception
    assert "Almaty" in at.title[0].value or any("Almaty" in text for text in markdown(at))
    assert any("Almaty, Kazakhstan" in text for text in markdown(at))
    urls = [el.proto.url for el in at.get("link_button")]
    assert any("frontlinedefenders.org/" in url and url.startswith("https://") for url in urls), urls
    # the perpetrators' table names its columns in words, not the data's codes
    labels = {name: spec.get("label") for name, spec in json.loads(at.dataframe[0].proto.columns).items()}
    assert labels["actor_group"] == "State or non-state" and labels["involvement"] == "Degree of involvement", labels


@pytest.mark.parametrize("bad_id", ["abc", "999999", "9" * 5000, "-1", "2;drop"])
def test_case_page_bad_ids(seed_copy: Path, bad_id: str) -> None:
    at = app({"id": bad_id}, "case")
    assert not at.exception
    messages = [w.value for w in at.warning] + [i.value for i in at.info]
    assert messages, "a clear message for an id that names no case"
    assert any("case" in m.lower() for m in messages)


# --- query parameters ---------------------------------------------------------------

ROUND_TRIP = {"country": "KAZ", "from": "2021", "violation": "physical_violence"}


def test_query_params_round_trip(demo_copy: Path) -> None:
    at = app(ROUND_TRIP)
    assert not at.exception
    for key, value in ROUND_TRIP.items():
        assert at.query_params.get(key) == value, at.query_params
    assert not [c for c in captions(at) if "Ignored" in c]


def test_query_params_round_trip_at_the_edge_of_the_data(seed_copy: Path) -> None:
    at = app(ROUND_TRIP)
    assert not at.exception
    for key, value in ROUND_TRIP.items():
        assert at.query_params.get(key) == value, at.query_params


def test_page_params_survive_a_filter_change(seed_copy: Path) -> None:
    at = app(PRESET, "compare")
    at.multiselect(key="f_countries").set_value(["KAZ"]).run()
    assert not at.exception
    assert at.query_params.get("country") == "KAZ"
    for key, value in PRESET.items():
        assert at.query_params.get(key) == value


@pytest.mark.parametrize("params, expected", [
    ({"nosuch": "1"}, "nosuch"),
    ({"from": "abc"}, "from"),
    ({"country": "<script>alert(1)</script>"}, "country"),
    ({"country": "' or 1=1 --"}, "country"),
    ({"country": "XXX"}, "XXX"),
    ({"unit": "bananas"}, "unit"),
    ({"synthetic": "maybe"}, "synthetic"),
    ({"from": "2024", "to": "2021"}, "year range"),
])
def test_bad_params_are_ignored_with_a_note(seed_copy: Path, params: dict[str, str], expected: str) -> None:
    at = app(params)
    assert not at.exception
    notes = [c for c in captions(at) if "Ignored" in c]
    assert notes and any(expected in n for n in notes), captions(at)
    assert metric_values(at)["Incidents"] == "2"  # the bad value narrowed nothing
    assert not any("<script>" in text for text in markdown(at))


def test_bad_params_on_other_pages(seed_copy: Path) -> None:
    for page in ("compare", "cases", "profiles"):
        st.cache_data.clear()
        at = app({"nosuch": "1", "from": "abc", "a.from": "x", "defender_profile": "abc"}, page)
        assert not at.exception, page
        assert any("Ignored" in c for c in captions(at)), page


# --- empty state and synthetic badge -----------------------------------------------

def test_empty_selection_shows_empty_state(seed_copy: Path) -> None:
    at = app({"q": "zzzznotfound"})
    assert not at.exception
    assert metric_values(at)["Incidents"] == "0"
    assert any("No cases match" in i.value for i in at.info)
    assert not charts(at) and not at.get("plotly_chart")
    at = app({"q": "zzzznotfound"}, "cases")
    assert not at.exception
    assert at.info and not at.dataframe


def test_synthetic_badge(demo_copy: Path) -> None:
    at = app()
    assert any(BADGE in text for text in markdown(at))
    st.cache_data.clear()
    at = app({"synthetic": "0"})
    assert not at.exception
    assert not any(BADGE in text for text in markdown(at))
    assert metric_values(at)["Incidents"] == "2"


def test_synthetic_badge_says_what_is_generated(demo_copy: Path) -> None:
    """The badge counts a selection's generated acts; on one generated case or defender it says so
    instead of a count (it read "1 acts are generated" on a case of several acts), and on the
    Compare page it counts each side on its own (a sum counted twice what both sides hold)."""
    con = duckdb.connect(str(demo_copy), read_only=True)
    try:
        generated = con.execute("select count(*) from acts a join incidents i using (incident_id) "
                                "where i.is_synthetic").fetchone()[0]
        case_id, defender_id = con.execute(
            "select (select min(incident_id) from incidents where is_synthetic and visibility = 'public'), "
            "(select min(defender_id) from defenders where is_synthetic)").fetchone()
    finally:
        con.close()
    badges = lambda at: [t for t in markdown(at) if BADGE in t]  # noqa: E731
    assert any(f"{generated:,} acts are generated, not real cases" in t for t in badges(app())), generated
    st.cache_data.clear()
    assert any("this case is generated, not a real one" in t for t in badges(app({"id": str(case_id)}, "case")))
    st.cache_data.clear()
    profile = app({"defender_profile": str(defender_id)}, "profiles")
    assert any("this defender is generated" in t for t in badges(profile)), badges(profile)
    st.cache_data.clear()
    both = badges(app({}, "compare"))
    assert any(f"{generated:,} in A, {generated:,} in B" in t for t in both), both
    st.cache_data.clear()
    assert not badges(app(PRESET, "compare"))  # the Feminita comparison: real cases only
    st.cache_data.clear()
    # the Report page, before a report of the sidebar's selection is built
    assert any(f"{generated:,} acts are generated" in t for t in badges(app({}, "report")))
    st.cache_data.clear()
    assert not badges(app({"synthetic": "0"}, "report"))


def test_no_synthetic_badge_on_seed(seed_copy: Path) -> None:
    at = app()
    assert not any(BADGE in text for text in markdown(at))


# --- downloads equal the data -------------------------------------------------------

def expected_aggregate(db: Path, by: str, filters: Filters = Filters(), unit: str = "incidents") -> pd.DataFrame:
    """What the page should export: the core aggregate, suppressed as shown in public mode."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = metrics.aggregate(con, filters, by, unit, mode="public")
    finally:
        con.close()
    return privacy.export_values(frame).astype(str)


def test_per_year_csv_equals_aggregate(any_copy: str, media, seed_db_path: Path, demo_db_path: Path) -> None:
    db = seed_db_path if any_copy == "seed" else demo_db_path  # the byte-identical original
    at = app()
    csv = read_csv(media(downloads(at)["dl_year"]))
    want = expected_aggregate(db, "year,actor_group")
    keys = ["year", "actor_group", "value"]
    got = csv[keys].sort_values(keys[:2]).reset_index(drop=True)
    exp = want[keys].replace({"<NA>": ""}).sort_values(keys[:2]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, exp)
    assert set(csv.columns) >= {"year", "actor_group", "value", "distinct_total"}
    assert "has_non_public" not in csv.columns  # public mode does not export the visibility flag


def test_filtered_per_year_csv_equals_aggregate(seed_copy: Path, media, seed_db_path: Path) -> None:
    at = app({"from": "2024", "to": "2024", "unit": "acts"})
    csv = read_csv(media(downloads(at)["dl_year"]))
    want = expected_aggregate(seed_db_path, "year,actor_group", Filters(year_from=2024), "acts")
    assert sorted(zip(csv["year"], csv["actor_group"], csv["value"])) == \
        sorted(zip(want["year"], want["actor_group"], want["value"]))
    assert set(csv["year"]) == {"2024"}


def _bars(fig: dict, key_from: str) -> dict[tuple, object]:
    """(category, code or group) -> plotted value of a bar chart."""
    out = {}
    for trace in fig["data"]:
        horizontal = trace.get("orientation") == "h"
        values = array(trace["x"] if horizontal else trace["y"])
        cats = array(trace["y"] if horizontal else trace["x"])
        custom = array(trace.get("customdata")) or [[None]] * len(values)
        for cat, value, extra in zip(cats, values, custom):
            code = extra[0] if key_from == "custom" else trace.get("name")
            out[(str(cat), code)] = value
    return out


def check_overview_charts(at: AppTest, read) -> list[str]:
    """Compare each Overview chart with its CSV download; return the differences."""
    figs, dls = charts(at), downloads(at)
    problems: list[str] = []

    year = read_csv(read(dls["dl_year"]))
    plotted = _bars(figs["chart_year"], "name")
    exported = {(r.year, r.actor_group_label): r.value for r in year.itertuples()}
    if set(plotted) != set(exported):
        problems.append(f"per year: chart cells {sorted(set(plotted) ^ set(exported))[:5]} differ from CSV")
    problems += [f"per year {k}: chart {plotted[k]} vs CSV {v}" for k, v in exported.items()
                 if k in plotted and not same(plotted[k], v)]

    country = read_csv(read(dls["dl_country"]))
    trace = figs["chart_map"]["data"][0]
    plotted_map = dict(zip(array(trace["locations"]), array(trace["z"])))
    exported = dict(zip(country["country_code"], country["value"]))
    if set(plotted_map) != set(exported):
        problems.append("map: countries differ from CSV")
    problems += [f"map {k}: chart {plotted_map[k]} vs CSV {v}" for k, v in exported.items()
                 if k in plotted_map and not same(plotted_map[k], v)]

    for chart_key, dl_key, code in (("chart_violation", "dl_violation", "violation_code"),
                                    ("chart_actor", "dl_actor", "actor_type")):
        frame = read_csv(read(dls[dl_key]))
        plotted = {c: v for (_, c), v in _bars(figs[chart_key], "custom").items()}
        exported = dict(zip(frame[code], frame["value"]))
        if set(plotted) != set(exported):
            problems.append(f"{chart_key}: categories differ from CSV")
        problems += [f"{chart_key} {k}: chart {plotted[k]} vs CSV {v}" for k, v in exported.items()
                     if k in plotted and not same(plotted[k], v)]
    return problems


def check_heatmap(at: AppTest, read) -> tuple[list[str], int, int]:
    """Heat-map cells vs its CSV: differences in shared cells, and the cell counts of each."""
    fig = charts(at)["chart_heat"]["data"][0]
    frame = read_csv(read(downloads(at)["dl_heat"]))
    frame = frame[frame["year"] != ""]
    xs, ys, zs = array(fig["x"]), array(fig["y"]), array(fig["z"])
    plotted = {(y, x): zs[i][j] for i, y in enumerate(ys) for j, x in enumerate(xs)
               if zs[i][j] is not None and not (isinstance(zs[i][j], float) and np.isnan(zs[i][j]))}
    texts = array(fig["text"])
    shown_text = {(y, x): texts[i][j] for i, y in enumerate(ys) for j, x in enumerate(xs) if texts[i][j]}
    exported = {(r.country_code_label, r.year): r.value for r in frame.itertuples()}
    problems = [f"heat {k}: chart {plotted.get(k)} / {shown_text.get(k)} vs CSV {v}" for k, v in exported.items()
                if k in shown_text and not (same(plotted.get(k), v) or shown_text[k] == v)]
    problems += [f"heat {k}: in the chart, not in the CSV" for k in shown_text if k not in exported]
    return problems, len(shown_text), len(exported)


def test_overview_chart_downloads_equal_charts(any_copy: str, media) -> None:
    at = app()
    assert not at.exception
    assert set(charts(at)) >= {"chart_year", "chart_map", "chart_violation", "chart_actor", "chart_heat"}
    assert check_overview_charts(at, media) == []
    problems, _, _ = check_heatmap(at, media)
    assert problems == []


def test_heatmap_download_seed(seed_copy: Path, media) -> None:
    at = app()
    problems, in_chart, in_csv = check_heatmap(at, media)
    assert problems == [] and in_chart == in_csv


def test_heatmap_download_demo_has_exactly_the_chart_cells(demo_copy: Path, media) -> None:
    at = app()
    problems, in_chart, in_csv = check_heatmap(at, media)
    assert problems == [] and in_chart == in_csv


def test_compare_chart_downloads_equal_charts(any_copy: str, media) -> None:
    at = app(PRESET, "compare")
    figs, dls = charts(at), downloads(at)
    for side in ("a.", "b."):
        for chart_key, dl_key, code in ((f"cmp_v_{side}", f"dl_cv{side}", "violation_code"),
                                        (f"cmp_a_{side}", f"dl_ca{side}", "actor_type")):
            frame = read_csv(media(dls[dl_key]))
            plotted = {c: v for (_, c), v in _bars(figs[chart_key], "custom").items()}
            exported = dict(zip(frame[code], frame["value"]))
            assert set(plotted) == set(exported), chart_key
            assert all(same(plotted[k], v) for k, v in exported.items()), chart_key



def test_compare_charts_share_rows_and_scale(any_copy: str) -> None:
    """Feminita 2021 vs 2024: both sides' charts list the same kinds of attack and perpetrators in
    the same order, on one scale, so a kind found on one side only reads as 0 on the other."""
    at = app(PRESET, "compare")
    figs = charts(at)
    for key in ("cmp_v_", "cmp_a_"):
        a, b = figs[f"{key}a."], figs[f"{key}b."]
        assert a["layout"]["yaxis"]["categoryarray"] == b["layout"]["yaxis"]["categoryarray"], key
        assert a["layout"]["xaxis"]["range"] == b["layout"]["xaxis"]["range"], key
        plotted_a, plotted_b = _bars(a, "custom"), _bars(b, "custom")
        assert {code for _, code in plotted_a} == {code for _, code in plotted_b}, key
    # 2021 (Shymkent) had an arbitrary detention and 2024 (Almaty) none: the row is there, at 0
    detention = {code: value for (_, code), value in _bars(figs["cmp_v_b."], "custom").items()}
    assert detention["arbitrary_detention"] == 0
    # the involvement tables (the first pair of tables) list the same degrees and groups
    first, second = at.dataframe[0].value, at.dataframe[1].value
    assert list(first.iloc[:, :2].itertuples(index=False)) == list(second.iloc[:, :2].itertuples(index=False))
    assert len(first) > 3

def test_profile_timeline_download(seed_copy: Path, media) -> None:
    """The timeline plots the acts of the CSV (one row per act and perpetrator; one dot per act and group)."""
    at = app({"defender_profile": "1"}, "profiles")
    fig = charts(at)["profile_timeline"]
    # a kind of attack is plotted on lines of at most 24 characters (charts.WRAP_TITLE_CHARS)
    plotted = [(str(x)[:10], y.replace("<br>", " ")) for t in fig["data"] for x, y in zip(array(t["x"]), array(t["y"]))]
    assert all(len(line) <= 24 or " " not in line for t in fig["data"] for y in array(t["y"]) for line in y.split("<br>"))
    frame = read_csv(media(downloads(at)["dl_profile_acts"]))
    assert frame["act_id"].nunique() == 19
    exported = set(zip(frame["act_date"].str[:10], frame["violation_type"]))
    assert set(plotted) == exported
    groups = frame.assign(g=frame["actor_group"].replace("", "Unknown"))
    assert len(plotted) == len(groups.drop_duplicates(["act_id", "g"]))


def test_cases_table_download_equals_incident_export(any_copy: str, media, seed_db_path: Path,
                                                      demo_db_path: Path) -> None:
    db = seed_db_path if any_copy == "seed" else demo_db_path
    params = {"country": "KAZ"} if any_copy == "demo" else {}
    at = app(params, "cases")
    assert not at.exception
    csv = read_csv(media(downloads(at)["dl_cases_shown"]))
    con = duckdb.connect(str(db), read_only=True)
    try:
        want = incidents_frame(con, Filters(countries=tuple(v for v in params.values())), 1000, 0, "public")
    finally:
        con.close()
    assert list(csv["incident_id"].astype(int)) == list(want["incident_id"])
    table = at.dataframe[0].value
    assert len(table) == len(csv)


def test_cases_pages_reach_every_incident(demo_copy: Path, media) -> None:
    """A selection of more than a thousand incidents is listed a thousand a page: the second
    page holds the next thousand in the same order, its "table as shown" CSV is that page, and
    a new selection starts at page 1 again."""
    con = duckdb.connect(str(demo_copy), read_only=True)
    try:
        everything = incidents_frame(con, Filters(), 100_000, 0, "public")
    finally:
        con.close()
    assert len(everything) > 1000  # the demo lists more than one page in public mode
    pages = -(-len(everything) // 1000)
    at = app(page="cases")
    assert not at.exception
    assert any(f"Showing 1,000 of {len(everything):,} incidents (1–1,000, page 1 of {pages})" in c for c in captions(at))
    at.number_input(key="cases_page").set_value(2).run()
    assert not at.exception
    second = everything.iloc[1000:2000]
    assert list(at.dataframe[0].value["title"]) == list(second["title"])
    assert any(f"(1,001–{1000 + len(second):,}, page 2 of {pages})" in c for c in captions(at)), captions(at)
    csv = read_csv(media(downloads(at)["dl_cases_shown"]))
    assert list(csv["incident_id"].astype(int)) == list(second["incident_id"])
    # a new selection (still more than a page: the years from 2015) starts at its first page
    first_year = int(at.slider(key="f_years").value[0])
    at.slider(key="f_years").set_value((first_year + 1, int(at.slider(key="f_years").value[1]))).run()
    assert not at.exception
    assert at.number_input(key="cases_page").value == 1
    assert any("(1–1,000, page 1 of" in c for c in captions(at)), captions(at)
    # one page only: no page control, the plain sentence
    at.multiselect(key="f_countries").set_value(["KAZ"]).run()
    assert not at.get("number_input")
    assert any(c.startswith("Showing") and "page" not in c.split(".")[0] for c in captions(at)), captions(at)
