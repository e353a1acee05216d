"""``hrd bench``: how fast the dashboard is at 10,000 to 10,000,000 incidents.

For each size it builds (or reuses, from ``--workdir``) a synthetic database made
by the demo generator, then times what a visitor waits for: the Overview page's
data (every query behind its figures and charts) with no filter and with three
filters, the Compare page's data for two selections, the Cases table's first page,
CSV exports of all incidents and all acts, a real ``streamlit run`` server's cold
start to the first page (sent in full to a client of Streamlit's protocol that draws
nothing, and drawn in headless Chromium), the server's peak memory, and, in headless
Chromium, the time from moving the year slider to the charts being drawn again.
The same Overview data is also computed with a straightforward pandas
implementation (act_facts loaded into a DataFrame, filtered, grouped) and checked
against DuckDB's figures, and the ratio is printed.

Every figure is the median of ``--runs`` runs after one warm-up run, with the
minimum, maximum and interquartile range. Benchmarks are not tests: ``make test``
runs this only on a tiny size (tests/test_bench.py) to prove it works.

This module is core (it never imports Streamlit): the server runs in its own
process and the browser is Playwright's, imported only when it is used.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import duckdb
import numpy as np
import pandas as pd

from . import backup, compare, db, metrics
from .export import incidents_frame, selection_csv
from .filters import Filters, make_filters
from .privacy import aggregate_filters, listing_filters
from .settings import QUERIES_DIR, ROOT

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
LARGE_SIZE = 10_000_000
BENCH_SEED = 20241009
DEFAULT_WORKDIR = ROOT / "artifacts" / "bench"
CHART_COUNT = 5  # the Overview's plotly charts: per year, map, kinds, perpetrators, heat map
METRIC_COUNT = 4  # the Overview's headline figures: incidents, acts, defenders, countries
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]

# The selections timed. "filtered" is the three-filter selection of the targets; the
# other two show the slower paths a search or an act-level filter takes.
SELECTIONS: dict[str, tuple[str, Filters]] = {
    "unfiltered": ("no filter", Filters()),
    "filtered": (
        "region America, years 2019-2023, visibility public or restricted",
        make_filters(regions=["America"], year_from=2019, year_to=2023, visibilities=["public", "restricted"]),
    ),
    "filtered_search": (
        "region America, years 2019-2023, search 'detention'",
        make_filters(regions=["America"], year_from=2019, year_to=2023, search="detention"),
    ),
    "filtered_act_level": (
        "region America, years 2019-2023, kind of attack 'killing' (an act-level filter)",
        make_filters(regions=["America"], year_from=2019, year_to=2023, violations=["killing"]),
    ),
}
COMPARE_SIDES = (
    ("America 2018-2020", make_filters(regions=["America"], year_from=2018, year_to=2020)),
    ("America 2021-2023", make_filters(regions=["America"], year_from=2021, year_to=2023)),
)
CASES_PAGE_SIZE = 1000  # as app_pages/cases.py
MEMORY_TARGET_MIB = 2048
LARGE_OVERVIEW_TARGET = 1.0
PANDAS_RATIO_TARGET = 5.0
PANDAS_MAX_SIZE = 1_000_000  # above this the pandas frame alone would need tens of GiB
EXPORT_FULL_RUNS_BELOW = 1_000_000


# --- timing ----------------------------------------------------------------------------------

def summarise(samples: Sequence[float]) -> dict[str, Any]:
    """Median and spread of timings in seconds (rounded to 0.1 ms)."""
    ordered = sorted(samples)
    q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else (ordered[0],) * 3
    return {
        "median_s": round(statistics.median(ordered), 4),
        "min_s": round(ordered[0], 4),
        "max_s": round(ordered[-1], 4),
        "q1_s": round(q1, 4),
        "q3_s": round(q3, 4),
        "runs": len(ordered),
        "samples_s": [round(s, 4) for s in samples],
    }


def time_runs(fn: Callable[[], Any], runs: int, warmup: int = 1) -> dict[str, Any]:
    """Run ``fn`` ``warmup`` times untimed, then ``runs`` times timed."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return summarise(samples) | {"warmup_runs": warmup}


# --- databases -------------------------------------------------------------------------------

def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


def _fingerprints(n: int) -> dict[str, str]:
    """What a cached database was made from: the cases (schema, generator) and the fact tables."""
    demo_source = (Path(__file__).parent / "demo.py").read_bytes()
    return {
        "cases": _digest((QUERIES_DIR / "schema.sql").read_bytes(), demo_source, str(n).encode(), str(BENCH_SEED).encode()),
        "facts": db.facts_fingerprint(),
    }


def _facts_current(path: Path) -> bool:
    """Whether the file's fact tables were built by today's SQL (its own record, see db.update_facts)."""
    con = db.connect(path, read_only=True)
    try:
        return db.facts_are_current(con)
    finally:
        con.close()


def database(workdir: Path, n: int, log: Callable[[str], None] = print) -> tuple[Path, dict[str, Any]]:
    """The benchmark database of ``n`` synthetic incidents, built once and reused.

    A cached file is reused when it was made by the same schema and generator; when
    only the fact tables' SQL changed, only the facts are refreshed.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"hrd_bench_{n}.duckdb"
    stamp_path = path.with_name(path.name + ".json")
    wanted = _fingerprints(n)
    stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() and path.exists() else {}
    info: dict[str, Any] = {"path": str(path)}
    if stamp.get("cases") != wanted["cases"]:
        log(f"  building {path.name} ({n:,} incidents) ...")
        start = time.perf_counter()
        db.build(path, demo_incidents=n, seed=BENCH_SEED, force=True)
        info.update(built=True, build_s=round(time.perf_counter() - start, 2))
        stamp = {**wanted, "build_s": info["build_s"]}
    elif stamp.get("facts") != wanted["facts"] or not _facts_current(path):
        log(f"  refreshing the fact tables of {path.name} ...")
        start = time.perf_counter()
        con = db.connect(path)
        try:
            con.execute("set enable_progress_bar = false")
            con.execute("begin transaction")
            db.refresh_facts(con)
            con.execute("commit")
            con.execute("checkpoint")
        finally:
            con.close()
        info.update(built=False, refresh_s=round(time.perf_counter() - start, 2))
        stamp = {**stamp, "facts": wanted["facts"], "refresh_s": info["refresh_s"]}
    else:
        info.update(built=False, cached=True, build_s=stamp.get("build_s"), earlier_refresh_s=stamp.get("refresh_s"))
    stamp_path.write_text(json.dumps(stamp))
    con = db.connect(path, read_only=True)
    try:
        counts = con.execute(
            "select (select count(*) from incidents), (select count(*) from acts), (select count(*) from defenders)"
        ).fetchall()[0]
    finally:
        con.close()
    info.update(incidents=counts[0], acts=counts[1], defenders=counts[2],
                file_mib=round(path.stat().st_size / 2**20, 1))
    return path, info


# --- what the pages compute ------------------------------------------------------------------

def overview_data(con: duckdb.DuckDBPyConnection, filters: Filters, label_maps: dict[str, dict[str, str]],
                  mode: str = "public", unit: str = "incidents") -> dict[str, Any]:
    """Everything app_pages/overview.py shows: the totals and its five breakdowns.

    As in the app (dashboard/cache.py), the totals are counted once and handed to
    ``metrics.overview``, which computes the breakdowns side by side; labels are the
    app's cached vocabulary maps.
    """
    whole = metrics.totals(con, filters, mode)
    return {"totals": whole} | metrics.overview(con, filters, unit, label_maps, mode, whole)  # type: ignore[arg-type]


def compare_data(con: duckdb.DuckDBPyConnection, sides: Sequence[tuple[str, Filters]],
                 label_maps: dict[str, dict[str, str]], mode: str = "public", unit: str = "incidents") -> list[dict]:
    """Everything app_pages/compare.py computes for each side."""
    out = []
    for _name, filters in sides:
        whole = metrics.totals(con, filters, mode)
        out.append({
            "totals": whole,
            "violations": metrics.aggregate(con, filters, "violation", unit, label_maps, mode=mode, whole=whole),
            "actors": metrics.aggregate(con, filters, "actor_type,actor_group", unit, label_maps, mode=mode, whole=whole),
            "involvement": compare.involvement(con, filters, mode),  # type: ignore[arg-type]
            "places": compare.places(con, filters, mode),  # type: ignore[arg-type]
        })
    return out


def cases_first_page(con: duckdb.DuckDBPyConnection, filters: Filters, mode: str = "public") -> pd.DataFrame:
    """What app_pages/cases.py computes: the listing's totals and its first page of incidents."""
    metrics.totals(con, listing_filters(filters, mode), "analyst")  # type: ignore[arg-type]
    return incidents_frame(con, filters, CASES_PAGE_SIZE, 0, mode)  # type: ignore[arg-type]


def csv_incidents(con: duckdb.DuckDBPyConnection) -> bytes:
    """The Cases page's "All incidents (CSV)" download as the page makes it (``export.selection_csv``:
    the lines incident_csv_lines stores, written at the last write), for every incident (analyst mode)."""
    return selection_csv(con, "incidents", Filters(), "analyst")


def csv_acts(con: duckdb.DuckDBPyConnection) -> bytes:
    """The Cases page's "All acts (CSV)" download as the page makes it, for every act (analyst mode)."""
    return selection_csv(con, "acts", Filters(), "analyst")


CSV_EXPORTS = {"csv_incidents": csv_incidents, "csv_acts": csv_acts}


def export_plan(n: int, runs: int) -> tuple[int, int]:
    """Timed runs and warm-ups of the CSV exports at ``n`` incidents."""
    if n < EXPORT_FULL_RUNS_BELOW:
        return runs, 1
    return (min(runs, 3), 0) if n < LARGE_SIZE else (1, 0)


def csv_in_list_order(con: duckdb.DuckDBPyConnection, data: bytes) -> bool:
    """Whether the incident CSV lists every incident of incident_rows, in list order (newest first)."""
    with tempfile.TemporaryDirectory(prefix="hrd_bench_csv_") as folder:
        path = Path(folder) / "incidents.csv"
        path.write_bytes(data)
        cur = con.cursor()
        try:
            got = cur.execute(
                "select incident_id from read_csv($path, header = true, delim = ',', quote = '\"', "
                "escape = '\"', all_varchar = true)", {"path": str(path)}).fetchnumpy()["incident_id"]
            want = cur.execute("select incident_id::varchar as incident_id from incident_rows "
                               "order by list_position").fetchnumpy()["incident_id"]
        finally:
            cur.close()
    return len(got) == len(want) and bool((got == want).all())


REPORT_MAX_SIZE = 100_000  # the report target is stated at 100,000 incidents
REPORT_TARGET_S = 30.0


def report_pdf(con: duckdb.DuckDBPyConnection) -> bytes:
    """An Overview report of everything as a PDF, as ``hrd report -o x.pdf`` makes it (public mode)."""
    from .report import render
    from .report.build import build_report_data
    from .report.pdf import warm_up

    warm_up()  # as the command does: Chromium starts while the data is read
    return render(build_report_data(con, Filters(), "incidents", "public"), "pdf")


# --- the pandas baseline ---------------------------------------------------------------------

PANDAS_COLUMNS = ("act_id, incident_id, year, country_code, region, subregion, violation_code, violation_category, "
                  "actor_type_codes, actor_group_codes, defender_id, visibility, is_synthetic")


def pandas_load(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """act_facts as a plain pandas DataFrame (lists as Python objects), as a pandas app would hold it."""
    cur = con.cursor()
    try:
        return cur.execute(f"select {PANDAS_COLUMNS} from act_facts").df()  # fixed names
    finally:
        cur.close()


def _pandas_cells(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = frame.assign(non_public=frame["visibility"] != "public").groupby(by, dropna=False, sort=True)
    out = grouped.agg(value=("incident_id", "nunique"), has_non_public=("non_public", "any"),
                      has_synthetic=("is_synthetic", "any"))
    return out.reset_index()


def pandas_overview(facts: pd.DataFrame, filters: Filters) -> dict[str, Any]:
    """The Overview's figures the straightforward pandas way: filter rows, explode lists, group, nunique."""
    keep = np.ones(len(facts), dtype=bool)
    if filters.countries:
        keep &= facts["country_code"].isin(filters.countries).to_numpy()
    if filters.regions:
        keep &= (facts["region"].isin(filters.regions) | facts["subregion"].isin(filters.regions)).to_numpy()
    if filters.year_from is not None:
        keep &= (facts["year"] >= filters.year_from).to_numpy()
    if filters.year_to is not None:
        keep &= (facts["year"] <= filters.year_to).to_numpy()
    if filters.visibilities:
        keep &= facts["visibility"].isin(filters.visibilities).to_numpy()
    if not filters.include_synthetic:
        keep &= ~facts["is_synthetic"].to_numpy()
    if filters.violations:
        keep &= (facts["violation_code"].isin(filters.violations)
                 | facts["violation_category"].isin(filters.violations)).to_numpy()
    sel = facts[keep]
    sel = sel.assign(year=sel["year"].where(sel["year"] >= 0))
    totals = {
        "incident_count": int(sel["incident_id"].nunique()),
        "act_count": len(sel),
        "defender_count": int(sel["defender_id"].nunique()),
        "country_count": int(sel["country_code"].nunique()),
        "non_public_incident_count": int(sel.loc[sel["visibility"] != "public", "incident_id"].nunique()),
        "synthetic_act_count": int(sel["is_synthetic"].sum()),
    }
    by_group = sel.explode("actor_group_codes").rename(columns={"actor_group_codes": "actor_group"})
    by_type = sel.explode("actor_type_codes").rename(columns={"actor_type_codes": "actor_type"})
    return {
        "totals": totals,
        "year,actor_group": _pandas_cells(by_group, ["year", "actor_group"]),
        "country": _pandas_cells(sel, ["country_code"]),
        "violation": _pandas_cells(sel, ["violation_code"]),
        "actor_type,actor_group": _pandas_cells(by_type, ["actor_type"]),
        "country,year": _pandas_cells(sel, ["country_code", "year"]),
    }


def pandas_matches(duck: dict[str, Any], panda: dict[str, Any]) -> bool:
    """Whether pandas and DuckDB (analyst mode, nothing suppressed) agree on every figure."""
    if duck["totals"] != panda["totals"]:
        return False
    for by in metrics.OVERVIEW_BREAKDOWNS:
        d, p = duck[by], panda[by]
        keys = [c for c in p.columns if c not in ("value", "has_non_public", "has_synthetic")]
        left = d[keys + ["value"]].astype({"value": "int64"}).sort_values(keys).reset_index(drop=True)
        right = p[keys + ["value"]].astype({"value": "int64"}).sort_values(keys).reset_index(drop=True)
        if "year" in keys:
            left["year"] = left["year"].astype("Float64")
            right["year"] = right["year"].astype("Float64")
        if len(left) != len(right) or not (left.astype(str).values == right.astype(str).values).all():
            return False
    return True


# --- the real server and browser -------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except OSError:
        return False


def _tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total = 0
    pending = [pid]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    pending.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


class RssSampler:
    """Samples a process tree's RSS every ``interval`` seconds in a thread; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss_bytes(self.pid))


@contextmanager
def _chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright, with HOME in a temporary folder."""
    from playwright.sync_api import sync_playwright

    home = tempfile.mkdtemp(prefix="hrd_bench_chromium_")
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = home
    try:
        manager = sync_playwright()
        pw = manager.start()
    finally:
        if old_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old_home
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                     env={**os.environ, "HOME": home})
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()
        shutil.rmtree(home, ignore_errors=True)


def _wait_for_page(page: Any, timeout_ms: int, query: str = "") -> None:
    """Until the script is not running, the metrics are shown and every chart is visible with its data drawn.

    Why "visible" and "drawn": a chart element is on the page before Plotly has drawn
    into it (Streamlit's own chart element even drew each chart hidden first, before it
    had measured the column); only bars, heat-map cells or country shapes are a chart a
    visitor sees. After a filter change the charts already drawn stay on the page until
    the new figures replace them; the element marks a chart ``data-drawing`` until then.
    """
    page.wait_for_function(
        """([charts, metrics, query]) => {
            const app = document.querySelector('[data-testid="stApp"]');
            const drawn = [...document.querySelectorAll('[data-testid="hrdChart"].js-plotly-plot')]
                .filter(p => getComputedStyle(p).visibility !== 'hidden'
                    && p.querySelector('.main-svg .bars, .main-svg .hm, .main-svg .choroplethlocation'));
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && document.querySelectorAll('[data-testid="stMetricValue"]').length >= metrics
                && drawn.length >= charts
                && !document.querySelector('[data-testid="hrdChart"][data-drawing]')
                && (query === '' || window.location.search.includes(query));
        }""",
        arg=[CHART_COUNT, METRIC_COUNT, query], timeout=timeout_ms, polling=20,
    )


def _start_probe(timeout_s: float) -> subprocess.Popen:
    """The session probe (``components/session_probe.py``), started and past its imports, waiting
    for the server's address: its own start-up must not share the server's cold start."""
    probe = subprocess.Popen([sys.executable, "-m", "dashboard.components.session_probe", str(timeout_s)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert probe.stdout is not None
    if probe.stdout.readline().strip() != "ready":
        probe.kill()
        raise RuntimeError("the session probe did not start: " + (probe.communicate()[1] or "")[-2000:])
    return probe


def _first_page_served(probe: subprocess.Popen, url: str, timeout_s: float) -> dict[str, Any]:
    """Hand the probe the server's address and wait for the first page's last message; the page
    must have run to the end with the Overview's metrics and every chart in it."""
    out, err = probe.communicate(url + "\n", timeout=timeout_s + 10)
    lines = out.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {"status": "FAILED", "error": err[-2000:], "elements": {}}
    elements = result.get("elements", {})
    if (result.get("status") != "FINISHED_SUCCESSFULLY" or elements.get("bidi_component", 0) < CHART_COUNT
            or elements.get("metric", 0) < METRIC_COUNT or elements.get("exception")):
        raise RuntimeError(f"the first page sent to the session probe is not the Overview: {result}")
    return result


def server_session(db_path: Path, runs: int, browser: bool, log: Callable[[str], None] = print,
                   timeout_s: float = 300.0, cold_start_only: bool = False) -> dict[str, Any]:
    """Start ``streamlit run`` on the database; time its cold start and, in Chromium, a filter change.

    Cold start is measured from starting the server process to the Overview page
    rendered in the browser (metrics shown, charts drawn, script not running); with
    ``browser=False`` to the whole first page sent to the session probe, a client of
    Streamlit's protocol that draws nothing (``components/session_probe.py``): the
    server's own share. The server's
    memory is the peak RSS of its process tree over the whole session, which for a
    large file lasts until the app's delayed background check of the file has run.
    ``cold_start_only``: stop after the first page (the repeated cold starts of ``cold_starts``).
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    home = tempfile.mkdtemp(prefix="hrd_bench_server_")
    log_path = Path(home) / "streamlit.log"
    env = os.environ | {"HRD_DB": str(db_path), "HOME": home}
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]
    result: dict[str, Any] = {"browser": browser}
    probe = None if browser else _start_probe(timeout_s)
    with nullcontext() if not browser else _chromium() as chromium:
        context = chromium.new_context(viewport={"width": 1400, "height": 3000}) if chromium else None
        page = context.new_page() if context else None
        with open(log_path, "wb") as server_log:
            start = time.perf_counter()
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            try:
                with RssSampler(proc.pid) as sampler:
                    deadline = start + timeout_s
                    while not _healthy(url):
                        if proc.poll() is not None or time.perf_counter() > deadline:
                            raise RuntimeError("the Streamlit server did not start:\n"
                                               + log_path.read_text(errors="replace")[-3000:])
                        time.sleep(0.02)
                    result["health_s"] = round(time.perf_counter() - start, 3)
                    if page is not None:
                        page.goto(url, wait_until="commit")
                        _wait_for_page(page, int(timeout_s * 1000))
                        result["cold_start_s"] = round(time.perf_counter() - start, 3)
                        if not cold_start_only:
                            result["filter_change"] = _filter_changes(page, runs, timeout_s)
                            result["file_check_in_memory_peak"] = _wait_for_file_check(db_path, start)
                    else:
                        assert probe is not None
                        served = _first_page_served(probe, url, timeout_s)
                        result["served_s"] = round(time.perf_counter() - start, 3)
                        result["served_elements"] = served["elements"]
                        result["served_messages"] = served["messages"]
                        result["filter_change"] = None
                result["server_peak_rss_mib"] = round(sampler.peak / 2**20, 1)
            finally:
                if probe is not None and probe.poll() is None:
                    probe.kill()
                    probe.wait()
                os.killpg(proc.pid, 15)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)
                    proc.wait(timeout=20)
        if context is not None:
            context.close()
    shutil.rmtree(home, ignore_errors=True)
    return result


FILE_CHECK_ALLOWANCE_S = 40.0  # the full read of a million-incident file takes well under this


def _wait_for_file_check(db_path: Path, start: float) -> bool:
    """Keep the server sampled until its background read of a large file (which waits
    ``backup.VERIFY_BACKGROUND_DELAY_S`` after the first page) has had time to run, so the
    peak memory includes it. Returns whether there was such a read to wait for."""
    if db_path.stat().st_size < backup.VERIFY_IN_BACKGROUND_BYTES:
        return False  # a small file is read during the first page, inside the session already
    until = start + backup.VERIFY_BACKGROUND_DELAY_S + FILE_CHECK_ALLOWANCE_S
    while time.perf_counter() < until:
        time.sleep(0.5)
    return True


def _filter_changes(page: Any, runs: int, timeout_s: float) -> dict[str, Any]:
    """Move the lower thumb of the Years slider one year right, ``runs`` + 1 times (the first
    is the warm-up); time each from the key press to the Overview drawn again.

    Each position is a new selection, so nothing comes from the app's cache.
    """
    thumb = page.locator('[data-testid="stSlider"] input[type="range"]').first  # the "start" thumb
    samples = []
    for i in range(runs + 1):
        before = int(thumb.input_value())
        thumb.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        _wait_for_page(page, int(timeout_s * 1000), query=f"from={before + 1}")
        elapsed = time.perf_counter() - start
        if i > 0:
            samples.append(elapsed)
    return summarise(samples) | {"action": "Years slider: lower bound one year later (a new selection each time)"}


# --- the run ---------------------------------------------------------------------------------

def bench_size(n: int, runs: int, workdir: Path, browser: bool, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Every measurement for one database size."""
    path, info = database(workdir, n, log)
    out: dict[str, Any] = {"size": n, "database": info, "selections": {k: v[0] for k, v in SELECTIONS.items()}}
    con = db.connect(path, read_only=True)
    try:
        label_maps = metrics.labels(con)
        timings: dict[str, Any] = {}
        for key, (_what, filters) in SELECTIONS.items():
            log(f"  overview, {key} ...")
            timings[f"overview_{key}"] = time_runs(lambda f=filters: overview_data(con, f, label_maps), runs) | {
                "path": metrics.route(aggregate_filters(filters, "public"))}
        log("  compare, cases ...")
        timings["compare"] = time_runs(lambda: compare_data(con, COMPARE_SIDES, label_maps), runs)
        timings["cases_first_page"] = time_runs(lambda: cases_first_page(con, SELECTIONS["filtered"][1]), runs)
        # a CSV of millions of rows takes seconds to minutes: at a million incidents three runs
        # without a warm-up, at ten million one
        export_runs, export_warmup = export_plan(n, runs)
        for key, make in CSV_EXPORTS.items():
            log(f"  {key} ...")
            last: dict[str, bytes] = {}
            timings[key] = time_runs(lambda m=make: last.__setitem__("data", m(con)), export_runs, export_warmup)
            timings[key]["mib"] = round(len(last.get("data", b"")) / 2**20, 1)
            if key == "csv_incidents":
                # the fast path relies on incident_rows' stored order: prove it on the whole file
                timings[key]["in_list_order"] = csv_in_list_order(con, last["data"])
            last.clear()
        if n <= REPORT_MAX_SIZE:
            log("  report (PDF) ...")
            try:
                timings["report_pdf"] = time_runs(lambda: report_pdf(con), 1, 0)
            except Exception as exc:  # no Chromium for kaleido: say so in the table, keep the other figures
                timings["report_pdf"] = {"error": str(exc).splitlines()[0][:200]}
        if n <= PANDAS_MAX_SIZE:
            log("  pandas baseline ...")
            start = time.perf_counter()
            facts = pandas_load(con)
            load_s = time.perf_counter() - start
            pandas: dict[str, Any] = {"load_s": round(load_s, 3), "rows": len(facts)}
            # pandas takes a minute per unfiltered run at a million incidents: fewer runs there
            pandas_runs, pandas_warmup = (runs, 1) if n < EXPORT_FULL_RUNS_BELOW else (min(runs, 3), 0)
            for key in ("unfiltered", "filtered"):
                filters = SELECTIONS[key][1]
                pandas[f"overview_{key}"] = time_runs(lambda f=filters: pandas_overview(facts, f), pandas_runs,
                                                      pandas_warmup)
                pandas[f"ratio_{key}"] = round(pandas[f"overview_{key}"]["median_s"]
                                               / max(timings[f"overview_{key}"]["median_s"], 1e-9), 1)
                pandas[f"matches_{key}"] = pandas_matches(
                    overview_data(con, filters, label_maps, mode="analyst"), pandas_overview(facts, filters))
            del facts
        else:
            pandas = {"skipped": f"above {PANDAS_MAX_SIZE:,} incidents the DataFrame would not fit in memory"}
        out["pandas"] = pandas
    finally:
        con.close()
    log("  server" + (" and browser" if browser else "") + " ...")
    out["server"] = cold_starts(path, runs, browser, log)
    out["timings"] = timings
    return out


def cold_starts(path: Path, runs: int, browser: bool, log: Callable[[str], None] = print) -> dict[str, Any]:
    """``runs`` cold starts to the first page sent to the session probe and, with ``browser``,
    ``runs`` more to the page drawn in Chromium, alternately, each a new server process (and
    a new browser context). The first browser session also times the filter changes; memory
    is the peak over all. The medians are the figures reported (one start on this shared
    two-core machine varies by a second or more from the next)."""
    sessions: list[dict[str, Any]] = []
    for i in range(max(runs, 1)):
        if browser:
            sessions.append(server_session(path, runs, True, log, cold_start_only=i > 0))
        sessions.append(server_session(path, runs, False, log, cold_start_only=True))
    first = dict(sessions[0])
    drawn = [s["cold_start_s"] for s in sessions if s["browser"]]
    served = [s for s in sessions if not s["browser"]]
    first["cold_start"] = summarise(drawn) if drawn else None
    first["cold_start_s"] = first["cold_start"]["median_s"] if drawn else None
    first["served"] = summarise([s["served_s"] for s in served])
    first["served_s"] = first["served"]["median_s"]
    first["served_elements"] = served[-1]["served_elements"]
    first["health"] = summarise([s["health_s"] for s in sessions])
    first["health_s"] = first["health"]["median_s"]
    first["server_peak_rss_mib"] = max(s["server_peak_rss_mib"] for s in sessions)
    return first


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured figure and whether it is met."""
    by_size = {r["size"]: r for r in results["sizes"]}
    rows = []

    def add(what: str, target: str, measured: float | None, ok: bool | None, size: int) -> None:
        rows.append({"what": what, "size": size, "target": target, "measured": measured, "met": ok})

    r = by_size.get(1_000_000)
    if r:
        t = r["timings"]
        add("Overview data, three filters (median)", "< 100 ms", t["overview_filtered"]["median_s"],
            t["overview_filtered"]["median_s"] < 0.100, 1_000_000)
        ratio = r["pandas"].get("ratio_filtered")
        add("  ... faster than pandas (same run)", ">= 5x", ratio, ratio is not None and ratio >= PANDAS_RATIO_TARGET,
            1_000_000)
        add("Overview data, no filter (median)", "< 150 ms", t["overview_unfiltered"]["median_s"],
            t["overview_unfiltered"]["median_s"] < 0.150, 1_000_000)
        csv_s = t["csv_incidents"]["median_s"]
        add("CSV export of all incidents", "< 3 s", csv_s, csv_s < 3.0, 1_000_000)
        ordered = t["csv_incidents"].get("in_list_order")
        add("  ... every incident, newest first", "in order", {True: "yes", False: "no"}.get(ordered), ordered,
            1_000_000)
        s = r["server"]
        add("Cold start to first page sent (session probe, median)", "< 5 s", s["served_s"], s["served_s"] < 5.0,
            1_000_000)
        drawn = s.get("cold_start_s")
        add("Cold start to first page drawn (Chromium, same cores, median)", "< 5 s", drawn,
            drawn < 5.0 if drawn is not None else None, 1_000_000)
        add("Server memory (peak RSS)", "< 2 GiB", s["server_peak_rss_mib"], s["server_peak_rss_mib"] < MEMORY_TARGET_MIB,
            1_000_000)
        fc = s.get("filter_change")
        add("Browser: filter change to charts drawn (median)", "< 2 s", fc["median_s"] if fc else None,
            fc["median_s"] < 2.0 if fc else None, 1_000_000)
    r = by_size.get(REPORT_MAX_SIZE)
    if r and "median_s" in r["timings"].get("report_pdf", {}):
        s = r["timings"]["report_pdf"]["median_s"]
        add("Report (PDF, whole database)", "< 30 s", s, s < REPORT_TARGET_S, REPORT_MAX_SIZE)
    r = by_size.get(LARGE_SIZE)
    if r:
        m = max(r["timings"]["overview_unfiltered"]["median_s"], r["timings"]["overview_filtered"]["median_s"])
        add("Overview data at 10,000,000 (median, slower selection)", "< 1 s", m, m < LARGE_OVERVIEW_TARGET, LARGE_SIZE)
    return rows


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _spread(t: dict[str, Any] | None) -> str:
    if not t:
        return "—"
    if "error" in t:
        return "failed: " + t["error"][:60]
    return f"{_ms(t['median_s'])} ({_ms(t['min_s'])}–{_ms(t['max_s'])})"


def _refresh_cell(database: dict[str, Any]) -> str:
    """The refresh time of this run, else of the run that last refreshed the cached file."""
    if database.get("refresh_s"):
        return f"{database['refresh_s']:,.1f} s"
    if database.get("built"):
        return "in the build"
    if database.get("earlier_refresh_s"):
        return f"{database['earlier_refresh_s']:,.1f} s (an earlier run)"
    return "—"


def table(results: dict[str, Any]) -> str:
    """The measurements as a plain-text table: one column per size, median (min–max)."""
    sizes = results["sizes"]
    head = ["measurement"] + [f"{r['size']:,} incidents" for r in sizes]
    rows: list[list[str]] = []
    for key, label in (
        ("overview_unfiltered", "Overview data, no filter"),
        ("overview_filtered", "Overview data, three filters"),
        ("overview_filtered_search", "Overview data, with a search"),
        ("overview_filtered_act_level", "Overview data, act-level filter"),
        ("compare", "Compare data, two selections"),
        ("cases_first_page", "Cases table, first page (filtered)"),
        ("csv_incidents", "CSV, all incidents"),
        ("csv_acts", "CSV, all acts"),
        ("report_pdf", "Report, PDF of everything"),
    ):
        rows.append([label] + [_spread(r["timings"].get(key)) for r in sizes])
    rows.append(["pandas: Overview, no filter"] + [_spread(r["pandas"].get("overview_unfiltered")) for r in sizes])
    rows.append(["pandas: Overview, three filters"] + [_spread(r["pandas"].get("overview_filtered")) for r in sizes])
    rows.append(["pandas / DuckDB, no filter"] + [f"{r['pandas']['ratio_unfiltered']}x" if "ratio_unfiltered" in r["pandas"]
                                                 else "—" for r in sizes])
    rows.append(["pandas / DuckDB, three filters"] + [f"{r['pandas']['ratio_filtered']}x" if "ratio_filtered" in r["pandas"]
                                                     else "—" for r in sizes])
    rows.append(["pandas figures equal DuckDB's"] + [str(r["pandas"].get("matches_filtered", "—")) for r in sizes])
    rows.append(["Server health check"] + [_spread(r["server"].get("health")) for r in sizes])
    rows.append(["Cold start, first page sent (probe)"] + [_spread(r["server"].get("served")) for r in sizes])
    rows.append(["Cold start, first page drawn (Chromium)"] + [_spread(r["server"].get("cold_start"))
                                                               if r["server"].get("cold_start") else "skipped"
                                                               for r in sizes])
    rows.append(["Server peak memory"] + [f"{r['server']['server_peak_rss_mib']:,.0f} MiB" for r in sizes])
    rows.append(["Browser: filter change"] + [_spread(r["server"]["filter_change"]) if r["server"]["filter_change"]
                                               else "skipped" for r in sizes])
    rows.append(["Database build (cached if —)"] + [
        (f"{r['database']['build_s']:,.0f} s" if r["database"].get("build_s") and r["database"].get("built") else "—")
        for r in sizes])
    # what every write pays for the fast reads above (fact tables, incident rows, CSV lines)
    rows.append(["Fact tables refresh, per write"] + [_refresh_cell(r["database"]) for r in sizes])
    widths = [max(len(row[i]) for row in [head] + rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in [head] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    out = "\n".join(lines)
    out += "\n\nSelections: " + "; ".join(f"{k}: {v}" for k, v in sizes[0]["selections"].items()) if sizes else ""
    checks = verdicts(results)
    if checks:
        out += "\n\nTargets:\n" + "\n".join(
            f"  {'MET ' if c['met'] else ('n/a ' if c['met'] is None else 'MISS')} {c['what']}: {c['target']}, "
            f"measured {_ms(c['measured']) if isinstance(c['measured'], float) and 'x' not in c['target'] and 'GiB' not in c['target'] else c['measured']}"
            for c in checks)
    return out


def run(sizes: Sequence[int], runs: int = 5, json_path: Path | None = None, browser: bool = True,
        workdir: Path = DEFAULT_WORKDIR, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Benchmark every size, print the table, write the JSON; returns the results."""
    if runs < 1:
        raise ValueError("--runs must be at least 1")
    if browser and not Path(CHROMIUM).exists():
        raise ValueError(f"Chromium not found at {CHROMIUM}; install Debian's chromium or pass --skip-browser")
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__,
                    "pandas": pd.__version__, "platform": platform.platform(),
                    "load_average_at_start": list(os.getloadavg())},
        "runs": runs,
        "warmup_runs": 1,
        "sizes": [],
    }
    for n in sizes:
        log(f"{n:,} incidents:")
        results["sizes"].append(bench_size(n, runs, workdir, browser, log))
        if json_path:  # written after every size, so a long run leaves its figures behind
            _write_json(json_path, results)
    results["machine"]["load_average_at_end"] = list(os.getloadavg())
    results["targets"] = verdicts(results)
    if json_path:
        _write_json(json_path, results)
    log(table(results))
    return results


def _write_json(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


def parse_sizes(text: str) -> list[int]:
    """'10000,100000' or '10k,1m' into numbers of incidents."""
    out = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        try:
            value = int(float(part[:-1] if scale > 1 else part) * scale)
        except ValueError:
            raise ValueError(f"--sizes: {part!r} is not a number of incidents") from None
        if value <= 0:
            raise ValueError("--sizes: sizes must be positive")
        out.append(value)
    if not out:
        raise ValueError("--sizes: give at least one size")
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                   help="comma list of database sizes in incidents (default 10000,100000,1000000)")
    p.add_argument("--large", action="store_true", help=f"also {LARGE_SIZE:,} incidents (slow to build)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per measurement, after one warm-up (default 5)")
    p.add_argument("--json", type=Path, default=DEFAULT_WORKDIR / "bench.json", help="where to write the results")
    p.add_argument("--skip-browser", action="store_true",
                   help="no Chromium: cold start is timed to the first page sent to the session probe only, "
                        "no filter-change timing")
    p.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                   help="where benchmark databases are built and kept between runs")


def main(args: argparse.Namespace) -> int:
    sizes = parse_sizes(args.sizes)
    if args.large and LARGE_SIZE not in sizes:
        sizes.append(LARGE_SIZE)
    run(sizes, runs=args.runs, json_path=args.json, browser=not args.skip_browser, workdir=args.workdir)
    return 0
