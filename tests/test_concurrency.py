"""Many people at once: the real server on 100,000 synthetic incidents, 50+ simultaneous sessions.

What runs
---------
``streamlit run dashboard/app.py`` on 127.0.0.1 (a free port), with HRD_DB set to
its own copy of a database built with ``dashboard.db.build(path,
demo_incidents=100_000)``. 50 sessions speak Streamlit's own websocket protocol
(``/_stcore/stream``: ``BackMsg`` protobufs in, ``ForwardMsg`` deltas out), the
way the browser's frontend does, including the full set of widget values on
every rerun; two more are real Chromium pages (Playwright). Each session, until
the time is up, opens an address with filters in the URL, moves the years
slider (a filter change), switches pages (Overview, Cases, a case page, Compare),
downloads a CSV over HTTP and clicks a download button (which writes an audit
entry on the server's one connection while everyone else reads).

What each session checks
------------------------
Every figure it is shown against the database, computed here on a read-only
copy with the same core functions the app uses: the Incidents metric
(``present_totals(metrics.totals(...))``, thousands separators and all), the
"Showing n of N" line of the Cases page, a case page's title (or its "not
public" notice), both sides of Compare, and the by-country CSV's value. Zero
errors (exceptions, error alerts, failed runs, timeouts, HTTP errors, tracebacks
in the server log) and zero wrong answers are required; the latency spread is
printed (run ``pytest -s`` to see it).

An import at the same time
--------------------------
The app has no import page, and the server holds the file read-write, so no
other process can write to it. ``test_an_import_neither_blocks_readers_nor_shows_half_of_it``
therefore reproduces the server's arrangement in one process on a separate
copy: one DuckDB instance, readers on their own cursors in threads (as
``dashboard.sql.run`` does), and ``import_file`` writing 5,000 rows through
the same instance. It proves: every reader query returns either the state
before the import or the state after it, never a mixture (one statement reads
the imported incidents, their act_facts rows, the imports log and the data
version together), readers never go back to the old state once they saw the new
one, and readers keep completing queries throughout the write with a worst
latency far below the import's duration (no lock is held across the write). It
does not prove anything about the Streamlit layer under an import.
"""
from __future__ import annotations

import asyncio
import io
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd
import pytest

from dashboard import db, metrics
from dashboard.compare import side_filters
from dashboard.filters import Filters, from_query_params
from dashboard.privacy import listing_filters, present_totals

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
INCIDENTS = 100_000
WS_SESSIONS = 50
BROWSER_SESSIONS = 2
LOAD_SECONDS = 45
MAX_CYCLES = 6  # per session: bounded even if the server were very fast
RUN_TIMEOUT = 150
# few enough selections that sessions share the server's cached results, as real visitors following
# the same links do; every session still sends its own filter change and page change
COUNTRIES = ["COL", "BRA", "MEX", "PHL", "KAZ"]
START_YEARS = [2018, 2020]
SLIDER_FROM = [2019, 2021]
PAGE_KEYS = ("id", "defender_profile", "unit", "mode")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


# --- the database and the server ------------------------------------------------------------

@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "reference.duckdb"
    db.build(path, demo_incidents=INCIDENTS)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@dataclass
class Server:
    url: str
    log_path: Path
    db_path: Path


@pytest.fixture(scope="module")
def server(big_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    served = folder / "hrd.duckdb"
    shutil.copy(big_db, served)
    port = _free_port()
    log_path = folder / "streamlit.log"
    env = os.environ | {"HRD_DB": str(served), "HOME": str(folder)}
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the server did not start:\n" + log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield Server(url, log_path, served)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


# --- what the database says (the expected answers) ----------------------------------------------

class Oracle:
    """Expected figures, computed on a read-only copy with the app's own core functions."""

    def __init__(self, path: Path):
        self.con = duckdb.connect(str(path), read_only=True)
        self.vocab = metrics.vocabulary_sets(self.con)
        self._memo: dict[Any, Any] = {}
        self._lock = threading.Lock()
        self.max_id = self.con.execute("select max(incident_id) from incidents").fetchall()[0][0]

    def _cached(self, key: Any, compute) -> Any:
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        cur = self.con.cursor()
        try:
            value = compute(cur)
        finally:
            cur.close()
        with self._lock:
            self._memo[key] = value
        return value

    @staticmethod
    def params(query_string: str) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(query_string, keep_blank_values=True)

    def filters(self, query_string: str) -> Filters:
        raw = {k: v for k, v in self.params(query_string).items()
               if k not in PAGE_KEYS and not k.startswith(("a.", "b."))}
        filters, notes = from_query_params(raw, self.vocab)
        assert not notes, notes
        return filters

    def incidents_shown(self, filters: Filters) -> str:
        return self._cached(("totals", filters), lambda cur: present_totals(
            metrics.totals(cur, filters, "public"), "public")["incident_count"])

    def listed(self, filters: Filters) -> int:
        return self._cached(("listed", filters), lambda cur: metrics.totals(
            cur, listing_filters(filters, "public"), "analyst")["incident_count"])

    def case(self, incident_id: int) -> tuple[str, str] | None:
        def compute(cur):
            rows = cur.execute("select title, visibility from incidents where incident_id = $i",
                               {"i": incident_id}).fetchall()
            return rows[0] if rows else None
        return self._cached(("case", incident_id), compute)

    def compare(self, query_string: str) -> list[str]:
        params = self.params(query_string)
        out = []
        for prefix in ("a.", "b."):
            filters, notes = side_filters(params, prefix, True, self.vocab)
            assert not notes, notes
            out.append(self.incidents_shown(filters))
        return out


# --- a Streamlit client over the websocket ----------------------------------------------------------

@dataclass
class Run:
    elements: list[tuple[str, Any]] = field(default_factory=list)
    status: int | None = None
    seconds: float = 0.0

    def of(self, kind: str) -> list[Any]:
        return [el for k, el in self.elements if k == kind]

    def texts(self) -> list[str]:
        out = []
        for _, el in self.elements:
            for attr in ("body", "label"):
                value = getattr(el, attr, None)
                if isinstance(value, str) and value:
                    out.append(value)
        return out

    def problems(self) -> list[str]:
        """Exceptions, error alerts and failed runs: each one is an error."""
        from streamlit.proto.Alert_pb2 import Alert

        found = [f"exception: {e.type}: {e.message[:200]}" for e in self.of("exception")]
        found += [f"error alert: {a.body[:200]}" for a in self.of("alert") if a.format == Alert.ERROR]
        if self.status not in (0, 2):  # FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY
            found.append(f"script finished with status {self.status}")
        return found


def _widget_state(kind: str, el: Any, previous: Any):
    """The value the browser's frontend keeps for a widget and sends back on every rerun."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState(id=el.id)
    if kind == "multiselect":
        value = list(el.raw_values) if el.set_value else (
            previous if previous is not None else [el.options[i] for i in el.default])
        state.string_array_value.data.extend(value)
    elif kind == "radio":
        value = el.raw_value if el.set_value else (previous if previous is not None else el.options[el.default])
        state.string_value = value
    elif kind == "slider":
        value = list(el.value) if el.set_value else (previous if previous is not None else list(el.default))
        state.double_array_value.data.extend(value)
    elif kind == "text_input":
        value = el.value if el.set_value else (previous if previous is not None else el.default)
        state.string_value = value
    elif kind == "checkbox":
        value = el.value if el.set_value else (previous if previous is not None else el.default)
        state.bool_value = value
    else:
        return None, None
    return state, value


class StreamlitSession:
    """One browser tab's worth of protocol: rerun requests out, deltas in, widget values kept."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.query_string = ""
        self.page = ""
        self.pages: dict[str, str] = {}
        self.widgets: dict[str, tuple[Any, Any]] = {}  # id -> (WidgetState, python value)
        self.by_label: dict[str, str] = {}

    async def __aenter__(self) -> "StreamlitSession":
        from websockets.asyncio.client import connect

        ws_url = self.base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=RUN_TIMEOUT,
                                ping_interval=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def run(self, page: str | None = None, query_string: str | None = None,
                  set_values: dict[str, Any] | None = None, trigger: str | None = None) -> Run:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        if page is not None:
            self.page = page
        if query_string is not None:
            self.query_string = query_string
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        if self.page in self.pages:
            state.page_script_hash = self.pages[self.page]
        else:
            state.page_name = self.page
        for label, value in (set_values or {}).items():
            wid = self.by_label[label]
            old, _ = self.widgets[wid]
            new = WidgetState()
            new.CopyFrom(old)
            which = old.WhichOneof("value")
            if which.endswith("array_value"):
                getattr(new, which).ClearField("data")
                getattr(new, which).data.extend(value)
            else:
                setattr(new, which, value)
            self.widgets[wid] = (new, value)
        state.widget_states.widgets.extend(ws for ws, _ in self.widgets.values())
        if trigger is not None:
            state.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        run = Run()
        seen: dict[str, tuple[Any, Any]] = {}
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), RUN_TIMEOUT)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query_string = fm.page_info_changed.query_string
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                element_kind = fm.delta.new_element.WhichOneof("type")
                el = getattr(fm.delta.new_element, element_kind)
                run.elements.append((element_kind, el))
                wid = getattr(el, "id", "")
                if wid.startswith("$$ID"):
                    ws, value = _widget_state(element_kind, el, self.widgets.get(wid, (None, None))[1])
                    if ws is not None:
                        seen[wid] = (ws, value)
                        self.by_label[el.label] = wid
            elif kind == "script_finished":
                if fm.script_finished == 3:  # FINISHED_EARLY_FOR_RERUN: the rerun follows
                    continue
                run.status = fm.script_finished
                break
        if seen:
            self.widgets = seen
        run.seconds = time.perf_counter() - started
        return run


# --- the load ---------------------------------------------------------------------------------------

@dataclass
class Tally:
    run_seconds: list[float] = field(default_factory=list)
    download_seconds: list[float] = field(default_factory=list)
    browser_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    checks: int = 0
    cycles: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, action: str) -> None:
        with self.lock:
            self.actions[action] = self.actions.get(action, 0) + 1

    def expect(self, where: str, shown: Any, expected: Any) -> None:
        with self.lock:
            self.checks += 1
            if shown != expected:
                self.wrong.append(f"{where}: shown {shown!r}, expected {expected!r}")


def _metric(run: Run, label: str) -> list[str]:
    return [m.body for m in run.of("metric") if m.label == label]


def _showing(run: Run) -> tuple[int, int] | None:
    for text in run.texts():
        match = re.search(r"Showing ([\d,]+) of ([\d,]+) incidents", text)
        if match:
            return int(match.group(1).replace(",", "")), int(match.group(2).replace(",", ""))
    return None


async def _fetch(url: str) -> tuple[int, bytes]:
    def get() -> tuple[int, bytes]:
        with urllib.request.urlopen(url, timeout=RUN_TIMEOUT) as resp:
            return resp.status, resp.read()
    return await asyncio.to_thread(get)


async def _checked_run(session: StreamlitSession, tally: Tally, where: str, **kw: Any) -> Run:
    run = await session.run(**kw)
    with tally.lock:
        tally.run_seconds.append(run.seconds)
        tally.errors.extend(f"{where}: {p}" for p in run.problems())
    return run


# each cycle opens one page with filters in its address and moves to the next; every pair holds
# a page with downloads (Overview or Cases), so every cycle downloads
# (the Overview and Compare pages cost the server about a second of Python each, the case and Cases
# pages a fraction of that, so they come up more often: 50 sessions must fit in a few minutes on 2 cores)
ROUTES = [("case", "cases"), ("cases", "case"), ("", "case"), ("case", "cases"), ("cases", "compare")]
CLICK_EVERY = 3  # one session in three also clicks a download button (an audited write)


async def _download(server: Server, tally: Tally, where: str, button: Any) -> bytes | None:
    """Fetch a download button's file over HTTP, as the browser does when it is clicked."""
    started = time.perf_counter()
    try:
        status, body = await _fetch(server.url + button.url)
    except OSError as exc:
        with tally.lock:
            tally.errors.append(f"{where}: download of {button.label!r} failed: {exc}")
        return None
    with tally.lock:
        tally.download_seconds.append(time.perf_counter() - started)
    tally.count("download")
    if status != 200:
        with tally.lock:
            tally.errors.append(f"{where}: download of {button.label!r} gave HTTP {status}")
        return None
    return body


async def _visit(page: str, run: Run, s: StreamlitSession, server: Server, oracle: Oracle, tally: Tally,
                 where: str, country: str, rng: random.Random) -> None:
    """Check what a page shows against the database, and download what it offers."""
    if page == "":
        filters = await asyncio.to_thread(oracle.filters, s.query_string)
        expected = await asyncio.to_thread(oracle.incidents_shown, filters)
        tally.expect(f"{where} Incidents metric ({s.query_string})", _metric(run, "Incidents"), [expected])
        buttons = [d for d in run.of("download_button") if d.label == "Download CSV"]
        if len(buttons) >= 2:  # the second is the by-country table
            body = await _download(server, tally, where, buttons[1])
            if body is not None:
                frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype=str)
                shown = [v.replace(",", "") for v in frame.loc[frame["country_code"] == country, "value"]]
                tally.expect(f"{where} by-country CSV ({s.query_string})", shown, [expected.replace(",", "")])
            if rng.randrange(CLICK_EVERY) == 0:
                await _checked_run(s, tally, where + " click", trigger=buttons[1].id)
                tally.count("download click (audited)")
    elif page == "cases":
        filters = await asyncio.to_thread(oracle.filters, s.query_string)
        listed = await asyncio.to_thread(oracle.listed, filters)
        tally.expect(f"{where} cases list ({s.query_string})", _showing(run), (min(listed, 1000), listed))
        table = [d for d in run.of("download_button") if d.label.startswith("Table as shown")]
        if table:
            body = await _download(server, tally, where, table[0])
            if body is not None:
                frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype=str)
                tally.expect(f"{where} table download rows", len(frame), min(listed, 1000))
            if rng.randrange(CLICK_EVERY) == 0:
                await _checked_run(s, tally, where + " click", trigger=table[0].id)
                tally.count("download click (audited)")
    elif page == "case":
        incident_id = int(Oracle.params(s.query_string)["id"][0])
        case = await asyncio.to_thread(oracle.case, incident_id)
        if case is not None and case[1] == "public":
            from dashboard.components.widgets import plain

            headings = [h.body for h in run.of("heading") if h.body != "Filters"]
            tally.expect(f"{where} case {incident_id} title", headings[:1], [plain(case[0])])
        else:
            shown = any("not public" in t or "No case" in t for t in run.texts())
            tally.expect(f"{where} case {incident_id} notice", shown, True)
    elif page == "compare":
        expected = await asyncio.to_thread(oracle.compare, s.query_string)
        tally.expect(f"{where} compare ({s.query_string})", _metric(run, "Incidents"), expected)


def _address(page: str, base: str, country: str, other: str, year: int, rng: random.Random, oracle: Oracle) -> str:
    if page == "case":
        return base + f"&id={rng.randint(1, oracle.max_id)}"
    if page == "compare":
        return base + f"&a.country={country}&a.from={year}&b.country={other}"
    return base


async def one_session(number: int, server: Server, oracle: Oracle, tally: Tally, deadline: float) -> None:
    """Page load with filters, a filter change, a page change, downloads; again until the time is up.

    The first cycle always runs to the end, so every session does every kind of
    action; later cycles stop at the next step once the time is up.
    """
    rng = random.Random(number)
    for cycle in range(MAX_CYCLES):
        if cycle > 0 and time.monotonic() > deadline:
            break
        late = (lambda: cycle > 0 and time.monotonic() > deadline)
        country = COUNTRIES[(number + cycle) % len(COUNTRIES)]
        other = COUNTRIES[(number + cycle + 2) % len(COUNTRIES)]
        year = rng.choice(START_YEARS)
        first, second = ROUTES[(number + cycle) % len(ROUTES)]
        where = f"session {number} cycle {cycle}"
        base = f"country={country}&from={year}"
        async with StreamlitSession(server.url) as s:
            # 1. a page load: an address with filters in it
            run = await _checked_run(s, tally, where + " open", page=first,
                                     query_string=_address(first, base, country, other, year, rng, oracle))
            tally.count("page load")
            if f"country={country}" not in s.query_string or f"from={year}" not in s.query_string:
                tally.wrong.append(f"{where}: the address lost its filters: {s.query_string}")
            await _visit(first, run, s, server, oracle, tally, where + " open", country, rng)
            if late():
                continue
            # 2. a filter change: the years slider in the sidebar
            lo = float(rng.choice(SLIDER_FROM))
            run = await _checked_run(s, tally, where + " slider", set_values={"Years": [lo, lo + 2]})
            tally.count("filter change")
            if f"from={int(lo)}" not in s.query_string:
                tally.wrong.append(f"{where}: the slider did not reach the address: {s.query_string}")
            await _visit(first, run, s, server, oracle, tally, where + " slider", country, rng)
            if late():
                continue
            # 3. a page change, keeping the filters (the page's own keys are dropped, as the links do)
            kept = "&".join(p for p in s.query_string.split("&") if not p.startswith(("a.", "b.", "id=")))
            run = await _checked_run(s, tally, where + " to " + (second or "overview"), page=second,
                                     query_string=_address(second, kept, country, other, year, rng, oracle))
            tally.count("page change")
            await _visit(second, run, s, server, oracle, tally, where + " " + (second or "overview"), country, rng)
        with tally.lock:
            tally.cycles += 1


def _chromium() -> str | None:
    return next((p for p in (os.environ.get("BROWSER_PATH"), "/usr/bin/chromium", shutil.which("chromium"))
                 if p and Path(p).exists()), None)


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


async def settle(page: Any) -> None:
    """Until Streamlit has finished the script run, and stays finished a moment (as tests/browser does)."""
    await page.wait_for_selector(IDLE, state="attached")
    await asyncio.sleep(0.5)
    await page.wait_for_selector(IDLE, state="attached")


async def browser_session(number: int, browser: Any, server: Server, oracle: Oracle, tally: Tally,
                          deadline: float) -> None:
    """A real Chromium page alongside the protocol clients: the Overview's metric, then the Cases table download."""
    context = await browser.new_context(viewport={"width": 1300, "height": 2200}, accept_downloads=True)
    context.set_default_timeout(RUN_TIMEOUT * 1000)
    page = await context.new_page()
    try:
        for cycle in range(MAX_CYCLES):
            if cycle > 0 and time.monotonic() > deadline:
                break
            country = COUNTRIES[(number * 2 + cycle) % len(COUNTRIES)]
            query = f"country={country}&from={START_YEARS[number % len(START_YEARS)]}"
            where = f"browser {number} cycle {cycle}"
            try:
                started = time.perf_counter()
                await page.goto(f"{server.url}/?{query}", wait_until="domcontentloaded")
                await page.wait_for_selector('[data-testid="stMetricValue"]')
                await settle(page)
                # under this load the script state can read "not running" between the first run and the
                # rerun that follows it, with the headline half drawn: read it once all four figures are there
                await page.wait_for_function(
                    "() => document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= 4")
                await settle(page)
                with tally.lock:
                    tally.browser_seconds.append(time.perf_counter() - started)
                labels = await page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
                values = await page.locator('[data-testid="stMetricValue"]').all_inner_texts()
                headline = dict(zip((label.strip() for label in labels), (v.strip() for v in values)))
                filters = await asyncio.to_thread(oracle.filters, query)
                expected = await asyncio.to_thread(oracle.incidents_shown, filters)
                tally.expect(f"{where} Incidents metric (headline {headline})", headline.get("Incidents"), expected)
                tally.count("browser page load")
                started = time.perf_counter()
                await page.goto(f"{server.url}/cases?{query}", wait_until="domcontentloaded")
                await page.wait_for_selector('[data-testid="stDataFrame"]')
                await settle(page)
                with tally.lock:
                    tally.browser_seconds.append(time.perf_counter() - started)
                tally.count("browser page change")
                async with page.expect_download() as info:
                    await page.get_by_role("button", name="Table as shown (CSV)").click()
                download = await info.value
                data = Path(await download.path()).read_bytes()
                frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
                listed = await asyncio.to_thread(oracle.listed, filters)
                tally.expect(f"{where} browser table download rows", len(frame), min(listed, 1000))
                tally.count("browser download")
                bad = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
                if await bad.count():
                    tally.errors.append(f"{where}: {(await bad.first.inner_text())[:200]}")
            except Exception as exc:  # a timeout or a missing element is an error of the run
                with tally.lock:
                    tally.errors.append(f"{where}: {type(exc).__name__}: {str(exc)[:300]}")
    finally:
        await context.close()


def _spread(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (f"n={len(ordered)} median {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, "
            f"max {ordered[-1]:.2f} s")


def test_fifty_sessions_at_once_get_right_answers_and_no_errors(server: Server, big_db: Path, tmp_path: Path) -> None:
    oracle = Oracle(big_db)
    tally = Tally()
    # warm the server's caches of vocabularies once, as the first visitor would
    async def warm() -> None:
        async with StreamlitSession(server.url) as s:
            await s.run(page="", query_string="")
    asyncio.run(warm())
    started = time.monotonic()
    deadline = started + LOAD_SECONDS
    executable = _chromium()

    async def load() -> list[Any]:
        sessions = [one_session(n, server, oracle, tally, deadline) for n in range(WS_SESSIONS)]
        if executable is None:
            tally.count("browser sessions skipped: no chromium")
            return await asyncio.gather(*sessions, return_exceptions=True)
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True,
                                               env=os.environ | {"HOME": str(tmp_path)})
            try:
                browsers = [browser_session(n, browser, server, oracle, tally, deadline)
                            for n in range(BROWSER_SESSIONS)]
                return await asyncio.gather(*sessions, *browsers, return_exceptions=True)
            finally:
                await browser.close()

    outcomes = asyncio.run(load())
    elapsed = time.monotonic() - started
    for n, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            tally.errors.append(f"session {n}: {type(outcome).__name__}: {str(outcome)[:300]}")
    log = server.log_path.read_text(errors="replace")
    for marker in ("Traceback", "Uncaught app execution", "ResourceInUse"):
        if marker in log:
            tally.errors.append(f"server log has {marker!r}: ...{log[log.index(marker) - 200:log.index(marker) + 800]}")
    print(f"\n{WS_SESSIONS} websocket sessions + {BROWSER_SESSIONS} browser pages for {elapsed:.0f} s "
          f"({tally.cycles} websocket cycles): {tally.checks} checks, {len(tally.wrong)} wrong, "
          f"{len(tally.errors)} errors; actions {dict(sorted(tally.actions.items()))}")
    print(f"  script runs (request to script_finished): {_spread(tally.run_seconds)}")
    print(f"  CSV downloads over HTTP:                  {_spread(tally.download_seconds)}")
    print(f"  browser page loads (until idle):          {_spread(tally.browser_seconds)}")
    assert not tally.errors, tally.errors[:10]
    assert not tally.wrong, tally.wrong[:10]
    assert tally.cycles >= WS_SESSIONS  # every session finished at least one full cycle
    assert tally.actions.get("filter change", 0) >= WS_SESSIONS
    assert tally.actions.get("download", 0) >= WS_SESSIONS
    assert tally.actions.get("browser page load", 0) >= 1 or "browser sessions skipped: no chromium" in tally.actions


# --- an import while readers read ------------------------------------------------------------------------

IMPORT_MAPPING = """
name = "bulk"
[source]
publisher = "Test generator"
title = "Bulk rows"
[defaults]
violation = "threats"
[key]
columns = ["id"]
[columns]
date = "date"
country = "country"
victim_name = "name"
actor_type = "perpetrator"
[values.actor_type]
police = "police"
unknown = "unknown_actor"
"""
IMPORT_ROWS = 5_000
READERS = 4
STATE_SQL = """
select
    (select count(*) from incidents where incident_id > $max_id) as imported_incidents,
    (select count(*) from act_facts where incident_id > $max_id) as imported_facts,
    (select count(*) from imports) as import_records,
    (select count(*) from act_facts) as all_facts,
    (select value from metadata where key = 'facts_refreshed_at') as data_version
"""


def test_an_import_neither_blocks_readers_nor_shows_half_of_it(big_db: Path, tmp_path: Path) -> None:
    from dashboard.ingest.importer import import_file

    path = tmp_path / "hrd.duckdb"
    shutil.copy(big_db, path)
    data = tmp_path / "bulk.csv"
    countries = ["Colombia", "Mexico", "Brazil", "Philippines", "Kazakhstan", "Turkey"]
    with data.open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,date,country,name,perpetrator\n")
        for i in range(IMPORT_ROWS):
            fh.write(f"B{i},20{10 + i % 15}-0{1 + i % 9}-1{i % 10},{countries[i % 6]},Person {i},"
                     f"{'police' if i % 3 else 'unknown'}\n")
    mapping = tmp_path / "bulk.toml"
    mapping.write_text(IMPORT_MAPPING, encoding="utf-8")

    con = db.connect(path)  # the server's arrangement: one read-write instance, a cursor per query
    max_id = {"max_id": con.execute("select max(incident_id) from incidents").fetchall()[0][0]}
    before = tuple(con.execute(STATE_SQL, max_id).fetchall()[0])
    before_totals = metrics.totals(con, Filters())
    observations: list[tuple[int, float, float, tuple]] = []  # (reader, start, seconds, state)
    totals_seen: list[dict[str, int]] = []
    stop = threading.Event()
    lock = threading.Lock()

    def reader(number: int) -> None:
        rounds = 0
        while not stop.is_set():
            rounds += 1
            cur = con.cursor()
            try:
                started = time.perf_counter()
                state = tuple(cur.execute(STATE_SQL, max_id).fetchall()[0])
                seconds = time.perf_counter() - started
                # now and then the dashboard's own headline query, on the same kind of cursor
                shown = metrics.totals(cur, Filters()) if number == 0 and rounds % 5 == 0 else None
            finally:
                cur.close()
            with lock:
                observations.append((number, started, seconds, state))
                if shown is not None:
                    totals_seen.append(shown)
            time.sleep(0.05)  # a busy dashboard, not a benchmark: leave the writer some CPU

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    for t in readers:
        t.start()
    time.sleep(1.0)
    import_started = time.perf_counter()
    result = import_file(data, mapping, path)
    import_seconds = time.perf_counter() - import_started
    time.sleep(1.0)
    stop.set()
    for t in readers:
        t.join(timeout=60)
    after = tuple(con.execute(STATE_SQL, max_id).fetchall()[0])
    after_totals = metrics.totals(con, Filters())
    con.close()

    assert result.written and result.incidents_added == IMPORT_ROWS
    assert before[:3] == (0, 0, 0) and after[0] == IMPORT_ROWS and after[1] > 0 and after[2] == 1
    states = {obs[3] for obs in observations}
    assert states <= {before, after}, f"a reader saw a half-written state: {states - {before, after}}"
    assert after in states and before in states
    assert totals_seen and all(t in (before_totals, after_totals) for t in totals_seen)
    for number in range(READERS):  # once a reader has seen the import, it never sees the old state again
        seq = [obs[3] for obs in sorted(observations, key=lambda o: o[1]) if obs[0] == number]
        first_after = seq.index(after) if after in seq else len(seq)
        assert all(s == after for s in seq[first_after:])
    during = [obs for obs in observations if import_started <= obs[1] <= import_started + import_seconds]
    worst = max(obs[2] for obs in during) if during else 0.0
    print(f"\nimport of {IMPORT_ROWS:,} rows into {INCIDENTS:,} incidents: {import_seconds:.1f} s; "
          f"{len(during)} reader queries completed during it ({READERS} threads), worst {worst:.2f} s, "
          f"median {statistics.median(o[2] for o in during) if during else 0:.3f} s; "
          f"{len(observations)} observations, {len(states)} distinct states (before, after)")
    assert len(during) >= READERS * 3, "readers were held up while the import wrote"
    assert worst < max(2.0, import_seconds / 2), "a reader waited about as long as the whole import"
