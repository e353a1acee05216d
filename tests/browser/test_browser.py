"""The dashboard in real headless Chromium against a real Streamlit server.

One server for the session (on a copy of the demo database: the seed plus 3,000
synthetic incidents), a fresh browser context per test. After every interaction
the tests wait for Streamlit to report ``data-test-script-state="notRunning"``
and then for the content they expect, because the state flips to ``running``
only a moment after a click. Screenshots of each page go to
``artifacts/screenshots/``.
"""
from __future__ import annotations

import io
import re
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest

from dashboard import export
from dashboard.export import incidents_frame
from dashboard.filters import Filters

pytestmark = pytest.mark.browser
WAIT = 60_000  # ms; the machine is small and the demo database draws 40 countries
METRIC = '[data-testid="stMetricValue"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
VIEWPORT = {"width": 1400, "height": 3000}


def settle(page, timeout: int = WAIT) -> None:
    """Wait until Streamlit has finished running the script (and stays finished briefly)."""
    page.wait_for_selector(IDLE, timeout=timeout, state="attached")
    time.sleep(0.3)
    page.wait_for_selector(IDLE, timeout=timeout, state="attached")


def open_page(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded", timeout=WAIT)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=WAIT)
    settle(page)


def metrics(page) -> list[str]:
    return page.locator(METRIC).all_inner_texts()


def headline(page) -> dict[str, str]:
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    return dict(zip((label.strip() for label in labels), metrics(page)))


def wait_for_metrics_change(page, before: list[str], timeout: float = WAIT / 1000) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = metrics(page)
        if now and now != before:
            return now
        time.sleep(0.25)
    raise AssertionError(f"the headline figures did not change from {before}")


def shoot(page, screenshots: Path, name: str) -> None:
    page.screenshot(path=str(screenshots / f"{name}.png"))


def choose_country(page, name: str) -> None:
    """Type into the sidebar's Countries multiselect and press Enter."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Countries")
    field = box.locator("input")
    field.click()
    field.fill(name)
    page.locator('[role="option"]').filter(has_text=name).first.wait_for(timeout=WAIT)
    field.press("Enter")
    page.keyboard.press("Escape")


@pytest.fixture(scope="module")
def overview(server, browser, screenshots):
    """One Overview page for the tests that start there (drawing it is the slowest step).

    Every request outside the local server is refused in this context, so the map
    can only draw from the app's own static files. Tests that use this page leave
    it on the Overview or call ``back_to_overview`` first.
    """
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(WAIT)
    record = SimpleNamespace(refused=[], static=[], server=server)

    def route(r):
        url = r.request.url
        if url.startswith(server):
            if "/app/static/" in url:
                record.static.append(url)
            r.continue_()
        else:
            record.refused.append(url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    open_page(page, server + "/")
    page.wait_for_selector(METRIC, timeout=WAIT)
    page.wait_for_selector(".choroplethlocation", timeout=WAIT)
    page.wait_for_function("document.querySelectorAll('[data-testid=hrdChart] .main-svg').length >= 5",
                           timeout=WAIT)
    settle(page)
    shoot(page, screenshots, "overview")
    record.page = page
    yield record
    ctx.close()


def back_to_overview(overview) -> None:
    if "/compare" in overview.page.url or "country=" in overview.page.url:
        open_page(overview.page, overview.server + "/")
        overview.page.wait_for_selector(".choroplethlocation", timeout=WAIT)


def test_map_draws_country_shapes_without_network(overview, screenshots):
    """The choropleth draws from the bundled topojson with every outside request refused."""
    back_to_overview(overview)
    page = overview.page
    shapes = page.locator(".geo .choroplethlocation")
    assert shapes.count() == 40  # one filled shape per country in the demo data
    lengths = page.evaluate("""Array.from(document.querySelectorAll('.geo .choroplethlocation'))
        .map(p => (p.getAttribute('d') || '').length)""")
    assert min(lengths) > 100, lengths  # real outlines, not empty paths
    # plotly draws the world's land and borders as a few large paths from the same file
    base = page.evaluate("""Array.from(document.querySelectorAll('.geo path'))
        .filter(p => !p.classList.contains('choroplethlocation'))
        .map(p => (p.getAttribute('d') || '').length)""")
    assert base and max(base) > 50_000, base
    assert any(u.endswith("world_110m.json") for u in overview.static), overview.static
    assert not overview.refused, overview.refused  # nothing even tried to leave the machine
    page.locator('[data-testid="hrdChart"]').nth(1).screenshot(path=str(screenshots / "overview_map.png"))


def test_full_width_charts_are_drawn_within_their_own_margins(overview):
    """Per year, map and heat map ask for margins that hold their labels, legend and colour bar.

    When Plotly must widen a margin it draws the chart a second time (half its drawing
    time); equal requested and drawn margins show it drew each of these charts once.
    The breakdowns' category labels are left to Plotly on purpose (see charts.breakdown).
    """
    back_to_overview(overview)
    drawn = overview.page.evaluate("""() => [...document.querySelectorAll('[data-testid=hrdChart].js-plotly-plot')]
        .map(p => ({title: p._fullLayout.title.text, margin: p._fullLayout.margin, size: p._fullLayout._size}))""")
    wanted = {"Attacks per year": None, "Where": None, "Country by year": None}
    for chart in drawn:
        for start in wanted:
            if start in chart["title"]:
                wanted[start] = chart
    assert all(wanted.values()), [c["title"] for c in drawn]
    for start, chart in wanted.items():
        for side in ("l", "r", "b"):
            assert round(chart["size"][side]) == chart["margin"][side], (start, side, chart["margin"], chart["size"])
    # and the estimate is not wasteful: the per-year chart's left margin is under 120 px
    assert wanted["Attacks per year"]["margin"]["l"] < 120, wanted["Attacks per year"]["margin"]


FITTED_CHARTS_JS = """() => [...document.querySelectorAll('[data-testid=hrdChart].js-plotly-plot')].map(p => {
    const box = p.getBoundingClientRect();
    const rect = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
        return {left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top}; };
    return {title: p._fullLayout.title.text, width: p._fullLayout.width, margin: p._fullLayout.margin,
            size: p._fullLayout._size, titleBox: rect(p.querySelector('.gtitle')),
            colourBar: rect(p.querySelector('.colorbar'))};
})"""


PER_YEAR_LABEL_HEIGHTS_JS = """() => [...document.querySelectorAll('[data-testid=hrdChart].js-plotly-plot')]
    .filter(p => p._fullLayout.title.text.startsWith('Attacks per year'))
    .flatMap(p => [...p.querySelectorAll('.bartext')])
    .map(t => t.getBoundingClientRect()).filter(r => r.width > 0).map(r => r.height)"""


def fitted_charts(page) -> dict[str, dict]:
    """The Overview's per-year chart, map and heat map as drawn: title, margins, boxes."""
    drawn = page.evaluate(FITTED_CHARTS_JS)
    found = {}
    for start in ("Attacks per year", "Where", "Country by year"):
        found[start] = next(c for c in drawn if c["title"].replace("<br>", " ").startswith(start))
    return found


def test_a_phone_gets_wrapped_titles_and_colour_bars_under_their_charts(server, browser, screenshots):
    """The figures are built for a desktop column; at a phone's width plot.js fits them: a title
    that would run out of its chart is wrapped into lines, a colour bar lies under its chart
    instead of taking a third of the width, and each chart is still drawn within the margins it
    asks for (drawn once). Widened to a desktop window, the charts are drawn as built again."""
    ctx = browser.new_context(viewport={"width": 420, "height": 6000})
    ctx.set_default_timeout(WAIT)
    page = ctx.new_page()
    try:
        open_page(page, server + "/")
        page.wait_for_function("document.querySelectorAll('[data-testid=hrdChart] .main-svg').length >= 5",
                               timeout=WAIT)
        settle(page)
        page.screenshot(path=str(screenshots / "overview_phone.png"), full_page=True)
        narrow = fitted_charts(page)
        assert "<br>" in narrow["Attacks per year"]["title"], narrow["Attacks per year"]["title"]
        for name, chart in narrow.items():
            assert chart["width"] < 420, (name, chart["width"])
            assert 0 <= chart["titleBox"]["left"] and chart["titleBox"]["right"] <= chart["width"], (name, chart)
            # the per-year legend wraps into rows at this width and its years turn upright: Plotly
            # widens that bottom margin itself (charts.LEGEND_PX), the other margins are as asked
            for side in ("l", "r", "t") + (("b",) if name != "Attacks per year" else ()):
                assert round(chart["size"][side]) == chart["margin"][side], (name, side, chart["margin"], chart["size"])
        # the per-year chart's value labels: readable or left out, never shrunk to a few pixels
        heights = page.evaluate(PER_YEAR_LABEL_HEIGHTS_JS)
        assert all(h >= 8 for h in heights), heights
        for name in ("Where", "Country by year"):
            chart, plot = narrow[name], narrow[name]["size"]
            bar = chart["colourBar"]
            assert bar["top"] >= plot["t"] + plot["h"] - 1, (name, bar, plot)  # under the chart
            assert bar["right"] - bar["left"] > chart["width"] / 2, (name, bar)  # across it
            assert chart["margin"]["r"] <= 10 and plot["w"] > chart["width"] / 2, (name, plot)  # no room kept beside
        page.set_viewport_size(VIEWPORT)
        page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=hrdChart].js-plotly-plot')]
            .every(p => p._fullLayout.width > 500 || p.getBoundingClientRect().width <= 500)""", timeout=WAIT)
        wide = fitted_charts(page)
        assert "<br>" not in wide["Attacks per year"]["title"]
        heights = page.evaluate(PER_YEAR_LABEL_HEIGHTS_JS)  # on a desktop every bar has its value
        assert len(heights) >= 30 and all(h >= 8 for h in heights), heights
        for name in ("Where", "Country by year"):
            plot = wide[name]["size"]
            assert wide[name]["colourBar"]["left"] >= plot["l"] + plot["w"] - 1, (name, wide[name])  # beside it
    finally:
        ctx.close()


BAR_LABELS_JS = """() => [...document.querySelectorAll('[data-testid=hrdChart].js-plotly-plot')]
    .filter(p => (p.data || []).length && p.data.every(t => t.type === 'bar' && t.orientation === 'h'))
    .map(p => {
        const box = p.getBoundingClientRect();
        const rect = (el) => { const r = el.getBoundingClientRect();
            return {left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top}; };
        const bars = [...p.querySelectorAll('.bars .point path')].map(rect);
        return {title: p._fullLayout.title.text.replace(/<br>/g, ' '), width: p._fullLayout.width,
                plotWidth: p._fullLayout._size.w, tickLabels: p._fullLayout.yaxis.showticklabels,
                categories: new Set(p.data.flatMap(t => Array.from(t.y, String))).size,
                labels: [...p.querySelectorAll('.annotation')].map(a => ({text: a.textContent, ...rect(a)})),
                values: [...p.querySelectorAll('.bartext')].map(t => ({text: t.textContent, ...rect(t)})),
                bars};
    })"""


def test_a_split_window_writes_bar_labels_above_their_bars(server, browser, screenshots):
    """In a 900 px window the Overview's two breakdowns get columns of about 215 px and the Compare
    page's sides about 290 px: beside their bars the category labels left the bars 50-60 px and the
    longest bar's value label ran out of the chart ("1,08"). There plot.js writes each label above its
    bar, the bars get the column's width and every value label fits; the headline figures shrink
    with their column instead of showing "2..." for 2,002. Widened, the charts are drawn as built."""
    ctx = browser.new_context(viewport={"width": 900, "height": 6000})
    ctx.set_default_timeout(WAIT)
    page = ctx.new_page()
    try:
        for path, charts_expected in (("/", 2), ("/compare", 4)):
            open_page(page, server + path)
            page.wait_for_function(f"document.querySelectorAll('[data-testid=hrdChart] .bars').length >= {charts_expected}",
                                   timeout=WAIT)
            settle(page)
            shoot(page, screenshots, "split_window" + path.replace("/", "_"))
            charts = page.evaluate(BAR_LABELS_JS)
            assert len(charts) >= charts_expected, [c["title"] for c in charts]
            for chart in charts:
                name = chart["title"]
                assert chart["width"] < 320, (name, chart["width"])
                assert chart["tickLabels"] is False, name
                assert len(chart["labels"]) == chart["categories"] > 3, (name, chart["labels"])
                assert chart["plotWidth"] > 0.8 * chart["width"], (name, chart["plotWidth"], chart["width"])
                for label in chart["labels"]:
                    assert 0 <= label["left"] and label["right"] <= chart["width"], (name, label)
                    # right above a bar of its own, starting where the bar starts
                    assert any(abs(bar["left"] - label["left"]) < 12 and 0 <= bar["top"] - label["bottom"] < 8
                               for bar in chart["bars"]), (name, label)
                assert chart["values"], name
                for value in chart["values"]:
                    assert value["right"] <= chart["width"], (name, value)  # "1,083", not "1,08"
            if path == "/":  # a bar with its label above still filters the page when clicked
                kinds = page.locator('[data-testid="hrdChart"]').nth(2)
                code, hover = kinds.evaluate("d => [d.data[0].customdata[0][0], d.data[0].hovertext[0]]")
                assert not hover.replace(" ", "").isdigit(), hover  # the hover names the kind, not a pixel
                bar = kinds.locator(".bars .point path").first.bounding_box()
                page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
                page.wait_for_url(re.compile(r"violation=" + re.escape(code)), timeout=WAIT)
                settle(page)
            # a headline figure, its label and a page link whole: nothing cut off ("2..." for 2,002)
            whole = '[data-testid="stMetricValue"], [data-testid="stMetricLabel"], [data-testid="stPageLink-NavLink"]'
            for figure in page.locator(whole).all():
                clipped = figure.evaluate("v => [v, ...v.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)")
                assert not clipped, figure.inner_text()
        page.set_viewport_size(VIEWPORT)
        page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=hrdChart].js-plotly-plot')]
            .every(p => p._fullLayout.width > 320 || p.getBoundingClientRect().width <= 320)""", timeout=WAIT)
        for chart in page.evaluate(BAR_LABELS_JS):
            assert chart["tickLabels"] is not False and not chart["labels"], chart["title"]
    finally:
        ctx.close()


def test_overview_filter_changes_url_and_figures_and_permalink_reopens(overview, browser, screenshots):
    back_to_overview(overview)
    page = overview.page
    before = headline(page)
    assert before["Incidents"] == "3,002" and before["Countries"] == "40", before
    assert page.get_by_text("Synthetic demo data in view").first.is_visible()

    choose_country(page, "Kazakhstan")
    page.wait_for_url(re.compile(r"country=KAZ"), timeout=WAIT)
    wait_for_metrics_change(page, list(before.values()))
    settle(page)
    after = headline(page)
    assert after["Countries"] == "1"
    assert int(after["Incidents"].replace(",", "")) < 3002
    assert "country=KAZ" in page.url
    # the charts follow the filter: one country on the map
    page.wait_for_function("document.querySelectorAll('.choroplethlocation').length === 1", timeout=WAIT)
    shoot(page, screenshots, "overview_kazakhstan")
    permalink = page.url

    fresh = browser.new_context(viewport=VIEWPORT)
    try:
        again = fresh.new_page()
        open_page(again, permalink)
        again.wait_for_selector(METRIC, timeout=WAIT)
        assert headline(again) == after, permalink
        assert "country=KAZ" in again.url
    finally:
        fresh.close()


def test_compare_preset_from_overview_link(overview, screenshots):
    page = overview.page
    if "/compare" in page.url:
        back_to_overview(overview)
    link = page.locator('[data-testid="stPageLink-NavLink"]').filter(has_text="Compare: Feminita")
    link.first.click()  # one click from the Overview
    page.wait_for_url(re.compile(r"/compare\?.*a\.defender=1"), timeout=WAIT)
    page.get_by_text("What changed").wait_for(timeout=WAIT)
    settle(page)
    figures = headline_pairs(page)
    assert [v for label, v in figures if label == "Acts"] == ["8", "11"], figures
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Feminita 2021" in main and "Feminita 2024" in main
    assert "Request to ban" in main and "Doxxing" in main
    shoot(page, screenshots, "compare")


def headline_pairs(page) -> list[tuple[str, str]]:
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    return list(zip((label.strip() for label in labels), metrics(page)))


def test_case_page(server, context, screenshots):
    page = context.new_page()
    open_page(page, server + "/case?id=2")
    main = page.locator('[data-testid="stMain"]')
    page.get_by_text("Almaty, Kazakhstan").first.wait_for(timeout=WAIT)
    sources = main.locator('a[href*="frontlinedefenders.org"]')
    sources.first.wait_for(timeout=WAIT)  # elements stream in; the sources come last
    settle(page)
    assert "Almaty" in main.inner_text()
    assert "Timeline of acts" in main.inner_text()
    assert sources.count() >= 1
    assert sources.first.get_attribute("href").startswith("https://")
    shoot(page, screenshots, "case")


def test_case_page_bad_id(server, context):
    page = context.new_page()
    open_page(page, server + "/case?id=" + "9" * 5000)
    main = page.locator('[data-testid="stMain"]')
    assert "does not name a case" in main.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_cases_download_equals_table(server, context, demo_db_path, screenshots, tmp_path):
    page = context.new_page()
    open_page(page, server + "/cases?country=KAZ")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=WAIT)
    settle(page)
    shoot(page, screenshots, "cases")
    caption = page.get_by_text(re.compile(r"Showing [\d,]+ of [\d,]+ incidents")).first.inner_text()
    shown = int(re.search(r"Showing ([\d,]+) of", caption).group(1).replace(",", ""))

    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("button", name="Table as shown (CSV)").click()
    download = info.value
    assert "KAZ" in download.suggested_filename and download.suggested_filename.endswith(".csv")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")

    # the server holds its own copy read-write; the fixture file is byte-identical
    con = duckdb.connect(str(demo_db_path), read_only=True)
    try:
        want = incidents_frame(con, Filters(countries=("KAZ",)), 1000, 0, "public")
    finally:
        con.close()
    assert len(csv) == shown == len(want)
    assert list(csv["incident_id"]) == list(want["incident_id"])
    assert set(csv["country_code"]) == {"KAZ"}


@pytest.mark.parametrize("query, filters", [
    ("region=Asia&from=2020", Filters(regions=("Asia",), year_from=2020)),  # read from the stored lines
    ("region=Asia&violation=killing", Filters(regions=("Asia",), violations=("killing",))),  # written by COPY
], ids=["stored-lines", "copy"])
def test_all_incidents_download_is_the_export(server, context, demo_db_path, tmp_path, query, filters):
    """The Cases page's "All incidents (CSV)" button in a real browser serves the bytes COPY
    writes for the same selection, whichever way the server made them."""
    page = context.new_page()
    open_page(page, server + "/cases?" + query)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=WAIT)
    settle(page)
    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("button", name="All incidents (CSV)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    con = duckdb.connect(str(demo_db_path), read_only=True)
    try:
        route = export.list_query("incidents", filters, "public")
        want, rows = export.copied_csv(con, "incidents", filters, "public")
    finally:
        con.close()
    assert route == ("incident_list_in_order" if "violation" not in query else "incident_list")
    assert rows > 0
    assert path.read_bytes() == want


def test_profiles_page(server, context, screenshots):
    page = context.new_page()
    open_page(page, server + "/profiles?defender_profile=1")
    page.get_by_text("Escalation timeline").first.wait_for(timeout=WAIT)
    page.locator('[data-testid="hrdChart"] .main-svg').first.wait_for(timeout=WAIT)
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Feminita" in main
    assert "2 incidents" in main
    shoot(page, screenshots, "profiles")


def test_chart_bundle_loads_once_from_the_first_message(server, browser):
    """dashboard/components/preload.py: the page's first message starts the download of the
    dashboard's Plotly bundle, so even the sign-in page (no chart) loads it, and the Overview's
    charts use that same download (one request). Streamlit's own chart module (4.7 MB) is never
    fetched: no page uses st.plotly_chart. The map's shapes come with the bundle, once, and
    Plotly takes them from its registry instead of fetching them again when it draws the map."""
    expected = server + "/app/static/plotly/plotly-hrd.min.js"
    for path in ("/sign_in", "/"):
        ctx = browser.new_context(viewport=VIEWPORT)
        ctx.set_default_timeout(WAIT)
        page = ctx.new_page()
        seen, streamlit_module, shapes = [], [], []
        page.on("response", lambda r: seen.append((r.url, r.status)) if "/plotly-hrd." in r.url else None)
        page.on("request", lambda r: shapes.append(r.url) if r.url.endswith("/world_110m.json") else None)
        page.on("request", lambda r: streamlit_module.append(r.url) if "/PlotlyChart." in r.url else None)
        with page.expect_response(lambda r: "/plotly-hrd." in r.url, timeout=WAIT):
            open_page(page, server + path)
        if path == "/":
            page.wait_for_function("document.querySelectorAll('[data-testid=hrdChart] .main-svg').length >= 5",
                                   timeout=WAIT)
            settle(page)
        else:
            assert page.locator('[data-testid="hrdChart"]').count() == 0
        assert seen == [(expected, 200)], (path, seen)
        assert streamlit_module == [], streamlit_module
        page.wait_for_function("() => window.PlotlyGeoAssets && window.PlotlyGeoAssets.topojson.world_110m",
                               timeout=WAIT)
        assert shapes == [server + "/app/static/topojson/world_110m.json"], (path, shapes)
        registry = page.evaluate("() => Object.keys((window.PlotlyGeoAssets || {}).topojson || {})")
        assert registry == ["world_110m"], registry
        if path == "/":
            assert page.locator(".geo .choroplethlocation").count() == 40  # drawn from those shapes
        hidden = page.evaluate("""() => Array.from(document.querySelectorAll('script.hrd-preload'))
            .map(s => getComputedStyle(s.closest('[data-testid="stElementContainer"]')).display)""")
        assert hidden == ["none"], hidden  # the element takes no space on the page
        # Streamlit's loading placeholders keep still (each shimmer frame is painted on the CPU)
        still = page.evaluate("""() => {
            const box = document.createElement('div');
            box.setAttribute('data-testid', 'stSkeleton');
            box.innerHTML = '<div style="animation: hrd-probe 1s infinite"></div>';
            box.style.animation = 'hrd-probe 1s infinite';
            document.body.appendChild(box);
            const names = [getComputedStyle(box).animationName, getComputedStyle(box.firstChild).animationName];
            box.remove();
            return names;
        }""")
        assert still == ["none", "none"], still
        ctx.close()


def test_each_chart_is_drawn_once_at_its_columns_width(server, browser):
    """The chart element draws each figure once, already at the column's width (Streamlit's
    element drew each twice: hidden, then measured); a narrower window re-lays it out."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(WAIT)
    page = ctx.new_page()
    page.add_init_script("""(() => {
        window.__draws = [];
        const seen = new WeakSet();
        new MutationObserver(() => {
            for (const svg of document.querySelectorAll('[data-testid=hrdChart] .main-svg')) {
                if (!seen.has(svg)) { seen.add(svg); window.__draws.push(svg.closest('[data-testid=hrdChart]')); }
            }
        }).observe(document, {subtree: true, childList: true});
    })()""")
    open_page(page, server + "/")
    page.wait_for_function("document.querySelectorAll('[data-testid=hrdChart] .main-svg').length >= 5", timeout=WAIT)
    settle(page)
    charts = page.evaluate("""() => [...document.querySelectorAll('[data-testid=hrdChart]')].map(d => ({
        width: d._fullLayout.width, column: Math.floor(d.parentElement.getBoundingClientRect().width),
        svgs: window.__draws.filter(x => x === d).length,
        visible: getComputedStyle(d).visibility}))""")
    assert len(charts) == 5, charts
    assert page.locator("[data-testid=hrdChart][data-drawing]").count() == 0  # every figure drawn
    for chart in charts:
        assert chart["width"] == chart["column"], charts  # drawn at the column's width, not Plotly's 700 px default
        assert chart["visible"] == "visible", charts
        assert chart["svgs"] == 3, charts  # Plotly's three layers, created once: no second drawing from scratch
    page.set_viewport_size({"width": 1000, "height": 3000})
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=hrdChart]')].every(d =>
        d._fullLayout.width === Math.floor(d.parentElement.getBoundingClientRect().width))""", timeout=WAIT)
    narrower = page.evaluate("() => document.querySelector('[data-testid=hrdChart]')._fullLayout.width")
    assert narrower < charts[0]["width"], (narrower, charts[0])
    ctx.close()


def test_a_click_on_a_country_or_a_bar_filters_the_page(server, browser, screenshots):
    """Click-to-filter: a country on the map narrows Countries, a bar of Kinds of attack narrows
    Kinds of attack; the address and the headline figures follow."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(WAIT)
    page = ctx.new_page()
    open_page(page, server + "/")
    page.wait_for_selector(".choroplethlocation", timeout=WAIT)
    settle(page)
    before = metrics(page)
    # Kazakhstan's shape on the map (its ISO-3 code is the point's location)
    kaz = page.evaluate("""() => { const map = document.querySelectorAll('[data-testid=hrdChart]')[1];
        const shapes = [...map.querySelectorAll('.choroplethlocation')];
        const i = shapes.findIndex(p => p.__data__ && p.__data__.loc === 'KAZ');
        const box = shapes[i].getBoundingClientRect();
        return {i, x: box.x + box.width / 2, y: box.y + box.height / 2}; }""")
    assert kaz["i"] >= 0, kaz
    page.mouse.move(kaz["x"], kaz["y"])
    page.mouse.click(kaz["x"], kaz["y"])
    page.wait_for_url(re.compile(r"country=KAZ"), timeout=WAIT)
    wait_for_metrics_change(page, before)
    settle(page)
    assert headline(page)["Countries"] == "1"
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Countries")
    assert "Kazakhstan" in box.inner_text()
    # the first bar of Kinds of attack; its point carries the kind's code (customdata)
    page.wait_for_function("document.querySelectorAll('.choroplethlocation').length === 1", timeout=WAIT)
    kinds = page.locator('[data-testid="hrdChart"]').nth(2)
    assert kinds.get_attribute("aria-label") == "Kinds of attack"
    # a title drawn on two lines is named on one
    assert page.locator('[data-testid="hrdChart"]').nth(3).get_attribute("aria-label") == \
        "Perpetrators: state and non-state"
    code, label = kinds.evaluate("d => [d.data[0].customdata[0][0], d.data[0].y[0]]")
    bar = kinds.locator(".bars .point path").first.bounding_box()
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.wait_for_url(re.compile(r"violation=" + re.escape(code)), timeout=WAIT)
    settle(page)
    assert "country=KAZ" in page.url
    chosen = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Kinds of attack")
    label = label.replace("<br>", " ")  # long labels are wrapped on the chart (charts.wrapped)
    assert label in chosen.inner_text(), (label, chosen.inner_text())
    shoot(page, screenshots, "overview_clicked")
    ctx.close()
