"""`hrd bench` works (on a tiny size), and the fast paths it times count exactly like act_facts.

Benchmarks are not tests: this runs the benchmark on 2,000 incidents only to prove
that every measurement is made and written. The fast paths (fact_cells,
incident_facts) are checked against the act-level path on the demo database for
every dimension, unit and kind of filter, since the app shows their figures.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import bench, compare, db, export, metrics, sql
from dashboard.filters import Filters, make_filters
from dashboard.privacy import aggregate_filters, suppress

ROOT = Path(__file__).resolve().parents[1]
TIMINGS = ("overview_unfiltered", "overview_filtered", "overview_filtered_search", "overview_filtered_act_level",
           "compare", "cases_first_page", "csv_incidents", "csv_acts")
SPREAD = ("median_s", "min_s", "max_s", "q1_s", "q3_s", "runs", "samples_s", "warmup_runs")


@pytest.fixture(scope="module")
def bench_json(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("bench")
    out = work / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "bench", "--sizes", "2000", "--runs", "2", "--skip-browser",
         "--json", str(out), "--workdir", str(work)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Overview data, three filters" in result.stdout  # the table is printed
    return json.loads(out.read_text(encoding="utf-8"))


def test_bench_json_has_every_measurement(bench_json: dict) -> None:
    assert bench_json["runs"] == 2 and bench_json["warmup_runs"] == 1
    assert bench_json["machine"]["cpus"] >= 1
    [size] = bench_json["sizes"]
    assert size["size"] == 2000
    assert size["database"]["incidents"] == 2002  # the 2 seed incidents and 2,000 synthetic ones
    assert set(size["selections"]) == {"unfiltered", "filtered", "filtered_search", "filtered_act_level"}
    for key in TIMINGS:
        timing = size["timings"][key]
        for field in SPREAD:
            assert field in timing, (key, field)
        assert timing["runs"] == 2 and len(timing["samples_s"]) == 2
        assert 0 < timing["min_s"] <= timing["median_s"] <= timing["max_s"]
    assert size["timings"]["overview_unfiltered"]["path"] == "cells"
    assert size["timings"]["overview_filtered"]["path"] == "cells"
    assert size["timings"]["overview_filtered_search"]["path"] == "incidents"
    assert size["timings"]["overview_filtered_act_level"]["path"] == "acts"
    assert size["timings"]["csv_incidents"]["mib"] > 0
    assert size["timings"]["csv_incidents"]["in_list_order"] is True
    assert size["timings"]["report_pdf"].get("median_s", 0) > 0, size["timings"]["report_pdf"]  # a real PDF was made
    pandas = size["pandas"]
    for key in ("overview_unfiltered", "overview_filtered"):
        assert pandas[key]["runs"] == 2
        assert pandas[f"ratio_{key.removeprefix('overview_')}"] > 0
        assert pandas[f"matches_{key.removeprefix('overview_')}"] is True  # pandas and DuckDB agree
    server = size["server"]
    assert server["browser"] is False and server["filter_change"] is None  # --skip-browser
    assert server["cold_start"] is None and server["cold_start_s"] is None  # no page drawn without Chromium
    # one cold start per run, each a new server process, timed to the whole first page sent to the
    # session probe (a client of Streamlit's protocol); the median is the figure
    assert server["served"]["runs"] == 2 and server["health"]["runs"] == 2
    assert server["served_s"] == server["served"]["median_s"]
    assert 0 < server["health"]["min_s"] <= server["served"]["min_s"]
    # the probe received the Overview: its four headline figures and five charts, no error
    elements = server["served_elements"]
    assert elements["metric"] == bench.METRIC_COUNT and elements["bidi_component"] == bench.CHART_COUNT
    assert "exception" not in elements and "alert" not in elements
    assert server["server_peak_rss_mib"] > 50  # a real Streamlit process was measured
    assert isinstance(bench_json["targets"], list)


def test_sizes_are_parsed() -> None:
    assert bench.parse_sizes("10000,100k,1m") == [10_000, 100_000, 1_000_000]
    with pytest.raises(ValueError):
        bench.parse_sizes("ten")
    with pytest.raises(ValueError):
        bench.parse_sizes("0")


# --- the fast paths count exactly like act_facts --------------------------------------------------

def acts_only(*args: object, **kwargs: object) -> str:
    return "acts"


SELECTIONS = [
    Filters(),
    make_filters(countries=["KAZ", "COL"]),
    make_filters(regions=["America"], year_from=2018, year_to=2021),
    make_filters(regions=["Central Asia"]),
    make_filters(visibilities=["public"]),
    make_filters(include_synthetic=False),
    make_filters(search="threat"),
    make_filters(search="almaty"),
    make_filters(defender_ids=[1]),
    make_filters(regions=["Asia"], year_from=2020, search="ka", defender_ids=[2, 50]),
    make_filters(year_from=2090),  # nothing selected
]
BREAKDOWNS = [*metrics.DIMENSIONS, *metrics.OVERVIEW_BREAKDOWNS, "violation,actor_type", "region,sector"]


@pytest.mark.parametrize("filters", SELECTIONS, ids=lambda f: f.slug())
@pytest.mark.parametrize("mode", ["analyst", "public"])
def test_totals_equal_the_act_path(demo_con, monkeypatch, filters: Filters, mode: str) -> None:
    fast = metrics.totals(demo_con, filters, mode)
    monkeypatch.setattr(metrics, "route", acts_only)
    assert fast == metrics.totals(demo_con, filters, mode)


@pytest.mark.parametrize("filters", SELECTIONS, ids=lambda f: f.slug())
@pytest.mark.parametrize("unit", ["incidents", "acts"])
def test_breakdowns_equal_the_act_path(demo_con, monkeypatch, filters: Filters, unit: str) -> None:
    label_maps = metrics.labels(demo_con)
    fast = {by: metrics.aggregate(demo_con, filters, by, unit, label_maps, mode="analyst") for by in BREAKDOWNS}
    monkeypatch.setattr(metrics, "route", acts_only)
    for by in BREAKDOWNS:
        slow = metrics.aggregate(demo_con, filters, by, unit, label_maps, mode="analyst")
        pd.testing.assert_frame_equal(fast[by], slow, obj=f"{by} in {unit}")
        assert fast[by].attrs == slow.attrs


@pytest.mark.parametrize("filters", SELECTIONS[:4] + SELECTIONS[6:], ids=lambda f: f.slug())
@pytest.mark.parametrize(("unit", "mode"), [("incidents", "public"), ("acts", "analyst"), ("defenders", "public")])
def test_overview_side_by_side_equals_one_after_another(demo_con, filters: Filters, unit: str, mode: str) -> None:
    """``metrics.overview`` (five breakdowns on threads) gives exactly what ``aggregate`` gives for each."""
    label_maps = metrics.labels(demo_con)
    whole = metrics.totals(demo_con, filters, mode)
    together = metrics.overview(demo_con, filters, unit, label_maps, mode, whole)
    assert list(together) == list(metrics.OVERVIEW_BREAKDOWNS)
    for by in metrics.OVERVIEW_BREAKDOWNS:
        alone = metrics.aggregate(demo_con, filters, by, unit, label_maps, mode=mode, whole=whole)
        pd.testing.assert_frame_equal(together[by], alone, obj=f"{by} in {unit}")
        assert together[by].attrs == alone.attrs


def test_routes() -> None:
    assert metrics.route(Filters()) == "cells"
    assert metrics.route(make_filters(regions=["Asia"], year_from=2020)) == "cells"
    assert metrics.route(make_filters(search="x")) == "incidents"
    assert metrics.route(make_filters(defender_ids=[1]), ["violation"]) == "incidents"
    assert metrics.route(make_filters(defender_ids=[1]), ["violation"], "acts") == "acts"
    assert metrics.route(make_filters(defender_ids=[1]), ["year"], "acts") == "incidents"
    assert metrics.route(make_filters(violations=["killing"])) == "acts"
    assert metrics.route(Filters(), ["violation", "actor_type"]) == "acts"
    assert metrics.route(Filters(), ["year", "actor_type"]) == "cells"
    assert metrics.route(Filters(), ["year"], "defenders") == "acts"


def test_fact_tables_agree_with_each_other(demo_con) -> None:
    one = demo_con.execute(
        "select (select count(distinct incident_id) from act_facts), (select count(*) from incident_facts), "
        "(select sum(incident_count) from fact_cells), (select count(*) from act_facts), "
        "(select sum(act_count) from incident_facts), (select sum(act_count) from fact_cells)"
    ).fetchall()[0]
    assert one[0] == one[1] == one[2]
    assert one[3] == one[4] == one[5]



CELL_SELECTIONS = [Filters(), make_filters(regions=["Asia"], year_from=2020),
                   make_filters(countries=["KAZ", "BRA"], year_to=2022), make_filters(include_synthetic=False),
                   make_filters(visibilities=["restricted", "confidential"]), make_filters(year_from=2099)]


@pytest.mark.parametrize("mode", ["public", "analyst"])
def test_compare_involvement_from_cells_equals_the_act_level_query(demo_con, mode: str) -> None:
    """The Compare page's involvement breakdown, summed from fact_cells' pairs for a selection by
    place and time, is the act-level query's frame, suppression included."""
    for filters in CELL_SELECTIONS:
        selection = aggregate_filters(filters, mode)
        assert metrics.route(selection) == "cells"
        slow = suppress(sql.run(demo_con, "acts_by_involvement", selection.to_params()), mode)
        fast = compare.involvement(demo_con, filters, mode)
        pd.testing.assert_frame_equal(fast, slow, obj=f"involvement {filters}")
        assert filters.year_from == 2099 or len(fast) > 0
    # an act-level filter or a search takes the act-level query: cells cannot pair a violation
    # with a perpetrator, nor hold a search (selected_cells refuses both)
    for filters in (make_filters(violations=["killing"]), make_filters(search="Almaty")):
        assert metrics.route(aggregate_filters(filters, mode)) != "cells"
        assert not compare.involvement(demo_con, filters, mode).empty

# --- the COPY export writes what to_csv_bytes writes -------------------------------------------------

@pytest.mark.parametrize("kind", ["incidents", "acts"])
@pytest.mark.parametrize("mode", ["public", "analyst"])
def test_copy_export_equals_the_pandas_export(seed_con, demo_con, kind: str, mode: str) -> None:
    make = export.incidents_frame if kind == "incidents" else export.acts_frame
    for con, filters in ((seed_con, Filters()), (demo_con, make_filters(regions=["Asia"], year_from=2020))):
        assert export.selection_csv(con, kind, filters, mode) == export.to_csv_bytes(make(con, filters, mode=mode))


def test_copy_export_neutralises_formulas(writable_seed_db: Path) -> None:
    con = duckdb.connect(str(writable_seed_db))
    try:
        con.execute("update incidents set title = '=HYPERLINK(\"http://x\",\"y\")', place = '@SUM(A1)' "
                    "where incident_id = 2")
        db.refresh_facts(con)  # as every write does: the listing is read from incident_rows
        data = export.selection_csv(con, "incidents", Filters(), "analyst")
    finally:
        con.close()
    assert data.startswith(b"\xef\xbb\xbfincident_id,") and data.count(b"\xef\xbb\xbf") == 1
    assert b"\r\n" in data
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    row = back[back["incident_id"] == "2"].iloc[0]
    assert row["title"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert row["place"] == "'@SUM(A1)"
    assert set(back["is_synthetic"]) == {"False"}


def test_export_plan_gives_several_runs_at_a_million():
    assert bench.export_plan(10_000, 5) == (5, 1)
    assert bench.export_plan(1_000_000, 5) == (3, 0)
    assert bench.export_plan(10_000_000, 5) == (1, 0)


def test_csv_order_check_sees_a_swapped_pair(demo_con):
    data = export.selection_csv(demo_con, "incidents", Filters(), "analyst")
    assert bench.csv_in_list_order(demo_con, data)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    swapped = frame.iloc[[1, 0] + list(range(2, len(frame)))]
    assert not bench.csv_in_list_order(demo_con, export.to_csv_bytes(swapped))
    assert not bench.csv_in_list_order(demo_con, export.to_csv_bytes(frame.iloc[:-1]))


def test_the_table_says_what_a_write_pays_for_the_fact_tables() -> None:
    """The refresh every write runs is a cost of the fast reads: the table shows this run's, or the
    last run's for a cached file, and says when it was part of the build."""
    assert bench._refresh_cell({"refresh_s": 70.42}) == "70.4 s"
    assert bench._refresh_cell({"built": True, "build_s": 80.0}) == "in the build"
    assert bench._refresh_cell({"cached": True, "earlier_refresh_s": 897.2}) == "897.2 s (an earlier run)"
    assert bench._refresh_cell({"cached": True}) == "—"
