"""Reports (issue 6): PDF and self-contained HTML, public by default, checked as a reader sees them.

PDFs are read back with poppler: ``pdftotext`` for the words and figures,
``pdfimages`` for the embedded charts (decoded from PPM here, so no image library
is needed) and ``pdftoppm -gray`` for the pages (decoded from PGM). HTML reports
are opened in Debian's headless Chromium with every network request refused, to
prove they work offline, map included.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pytest

from dashboard import db, metrics
from dashboard.cli import build_parser, filters_from_args
from dashboard.filters import Filters
from dashboard.privacy import present_totals
from dashboard.report import ReportError, build_report_data, format_for, render
from dashboard.report.build import ANALYST_BANNER, ChartPair, charts_in, filter_args, report_blocks
from dashboard.report.pdf import warm_up

from leakdb import build_leak_db

ROOT = Path(__file__).resolve().parents[1]
POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "pdfimages", "pdfinfo"))
CHROMIUM = next((p for p in (os.environ.get("BROWSER_PATH"), "/usr/bin/chromium", shutil.which("chromium"))
                 if p and Path(p).exists()), None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
HEADLINE = ("incident_count", "act_count", "defender_count", "country_count")
needs_tools = pytest.mark.skipif(not (POPPLER and CHROMIUM), reason="needs poppler-utils and chromium")


# --- readers -----------------------------------------------------------------------------

def pdf_pages_text(path: Path) -> list[str]:
    """The text of each page (pdftotext -layout; pages are separated by form feeds)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def read_netpbm(path: Path) -> tuple[int, int, int, bytes]:
    """A binary PGM (P5) or PPM (P6): width, height, channels, pixel bytes."""
    raw = path.read_bytes()
    magic = raw[:2]
    assert magic in (b"P5", b"P6"), f"{path.name}: not a binary PGM/PPM ({magic!r})"
    fields: list[int] = []
    pos = 2
    while len(fields) < 3:
        while raw[pos:pos + 1].isspace():
            pos += 1
        if raw[pos:pos + 1] == b"#":
            pos = raw.index(b"\n", pos) + 1
            continue
        end = pos
        while not raw[end:end + 1].isspace():
            end += 1
        fields.append(int(raw[pos:end]))
        pos = end
    width, height, maxval = fields
    assert maxval < 256
    channels = 1 if magic == b"P5" else 3
    return width, height, channels, raw[pos + 1: pos + 1 + width * height * channels]


def ink(path: Path, threshold: int = 235) -> tuple[float, int]:
    """Share of non-white pixels, and the number of distinct grey/colour values."""
    width, height, channels, pixels = read_netpbm(path)
    if channels == 1:
        values = pixels
        dark = sum(1 for v in values if v < threshold)
        distinct = len(set(values))
    else:
        triples = [pixels[i:i + 3] for i in range(0, len(pixels), 3 * 7)]  # every 7th pixel is plenty
        dark = sum(1 for t in triples if min(t) < threshold) * 7
        distinct = len(set(triples))
    return dark / (width * height), distinct


def page_images(pdf: Path, folder: Path) -> list[Path]:
    """Each page as a 50 dpi greyscale PGM."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "50", "-gray", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.pgm"))


def chart_images(pdf: Path, folder: Path) -> list[tuple[int, Path]]:
    """The embedded raster images (the charts) with their page numbers, as PPM files."""
    folder.mkdir(parents=True, exist_ok=True)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = [int(line.split()[0]) for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    subprocess.run(["pdfimages", str(pdf), str(folder / "img")], check=True)
    files = sorted(p for p in folder.glob("img-*") if p.suffix in (".ppm", ".pgm"))
    return list(zip(pages, files))


def headline_in_text(page: str, labels: tuple[str, ...]) -> list[list[str]]:
    """The rows of figures printed above each row of headline labels."""
    lines = page.splitlines()
    found = []
    for i, line in enumerate(lines):
        words = re.split(r"\s{2,}", line.strip())
        if list(words) == list(labels):
            before = [ln for ln in lines[:i] if ln.strip()]
            found.append(re.split(r"\s{2,}", before[-1].strip()))
    return found


@contextlib.contextmanager
def chromium(tmp_path: Path) -> Iterator[Any]:
    """Debian's Chromium through Playwright, with its HOME in the test's folder."""
    playwright = pytest.importorskip("playwright.sync_api")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(home)})
        try:
            yield browser
        finally:
            browser.close()


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def leak_db_path(seed_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_leak_db(seed_db_path, tmp_path_factory.mktemp("leak") / "leak.duckdb")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, seed_db_path: Path, demo_db_path: Path):
    """Build (once) and write a report: made(db_name, kind, fmt, mode) -> (path, ReportData)."""
    folder = tmp_path_factory.mktemp("reports")
    paths = {"seed": seed_db_path, "demo": demo_db_path}
    data_cache: dict = {}
    file_cache: dict = {}

    def _made(db_name: str, kind: str, fmt: str, mode: str = "public", db_path: Path | None = None):
        key = (db_name, kind, mode)
        if key not in data_cache:
            con = duckdb.connect(str(db_path or paths[db_name]), read_only=True)
            try:
                data_cache[key] = build_report_data(con, Filters(), "incidents", mode,
                                                    compare="feminita" if kind == "feminita" else None)
            finally:
                con.close()
        if key + (fmt,) not in file_cache:
            path = folder / f"{db_name}_{kind}_{mode}.{fmt}"
            path.write_bytes(render(data_cache[key], fmt))
            file_cache[key + (fmt,)] = path
        return file_cache[key + (fmt,)], data_cache[key]

    return _made


# --- the data: same figures as the dashboard ----------------------------------------------------

@pytest.mark.parametrize("mode", ["public", "analyst"])
def test_headline_equals_overview(demo_con, mode: str) -> None:
    filters = Filters(countries=("KAZ", "COL"), year_from=2019)
    data = build_report_data(demo_con, filters, "acts", mode)
    assert data.headline == present_totals(metrics.totals(demo_con, filters, mode), mode)
    assert data.scope[0] == "Countries: Kazakhstan, Colombia"
    assert "Counting unit: acts (one thing done to one victim)" in data.scope
    per_year = metrics.aggregate(demo_con, filters, "year,actor_group", "acts", mode=mode)
    assert data.charts["per_year"].note.startswith("Counts: Acts")
    assert sorted(data.charts) == ["actors", "map", "per_year", "violations"]
    assert per_year["value"].sum() > 0


def test_feminita_comparison_data(seed_con) -> None:
    data = build_report_data(seed_con, Filters(), "acts", "public", compare="feminita")
    assert data.title == "Feminita: Shymkent 2021 vs Almaty 2024"
    assert [s.name for s in data.sides] == ["Feminita 2021", "Feminita 2024"]
    assert [s.headline["act_count"] for s in data.sides] == ["8", "11"]
    assert any(line.startswith("New in Feminita 2024: kinds of attack") for line in data.changes)
    assert {c.incident_id for c in data.cases} == {1, 2}
    assert all(c.sources and c.sources[0].url.startswith("https://") for c in data.cases)
    assert data.command("x.pdf") == "hrd report --compare feminita --unit acts --mode public -o x.pdf"
    # both sides' charts list the same rows in one order on one scale, as on the Compare page
    for part in ("violations", "actors"):
        a, b = (getattr(side, part).figure.layout for side in data.sides)
        assert a.yaxis.categoryorder == b.yaxis.categoryorder == "array", part  # not re-sorted per side
        assert a.yaxis.categoryarray == b.yaxis.categoryarray and len(a.yaxis.categoryarray) > 3, part
        assert a.xaxis.range == b.xaxis.range, part
    first, second = (side.involvement.rows for side in data.sides)
    assert [row[:2] for row in first] == [row[:2] for row in second] and len(first) > 3


def test_command_line_in_the_report_selects_the_same_filters(demo_con) -> None:
    filters = Filters(countries=("KAZ",), regions=("Central Asia",), year_from=2020, year_to=2024,
                      violations=("threats",), actor_types=("state",), sectors=("lgbtiq_rights",),
                      search="Almaty venue", defender_ids=(1,), include_synthetic=False)
    args = build_parser().parse_args(["report", *filter_args(filters), "-o", "x.pdf"])
    assert filters_from_args(args, demo_con) == filters


def test_published_figures_are_shown_with_a_note(seed_con) -> None:
    data = build_report_data(seed_con, Filters(), "incidents", "public")
    text = " ".join(getattr(b, "text", "") for b in data.published)
    assert "No matching local data is loaded" in text
    tables = [b for b in data.published if hasattr(b, "rows")]
    assert tables and any("Committee to Protect Journalists" in row[0] for row in tables[-1].rows)


def test_unknown_format_and_bad_comparison_are_clear_errors() -> None:
    assert format_for("a.PDF") == "pdf" and format_for("b.htm") == "html"
    with pytest.raises(ReportError, match=r"\.pdf or \.html"):
        format_for("x.txt")
    with pytest.raises(ReportError, match="feminita"):
        build_report_data(None, Filters(), compare="nonsense")  # type: ignore[arg-type]


def test_missing_chromium_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.report import pdf

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(ReportError, match="apt-get install chromium"):
        pdf.find_chromium()
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ReportError, match="BROWSER_PATH"):
        pdf.find_chromium()


# --- both formats, from the seed and from synthetic data ------------------------------------------

@needs_tools
@pytest.mark.parametrize("db_name", ["seed", "demo"])
@pytest.mark.parametrize("kind", ["overview", "feminita"])
def test_pdf_has_charts_and_the_dashboards_figures(made, db_name: str, kind: str, tmp_path: Path,
                                                   seed_db_path: Path, demo_db_path: Path) -> None:
    path, data = made(db_name, kind, "pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
    charts_in_report = charts_in(report_blocks(data))
    images = chart_images(path, tmp_path / "img")
    assert len(images) == len(charts_in_report) >= 3
    for page, image in images:
        share, distinct = ink(image)
        assert share > 0.01 and distinct > 3, f"chart on page {page} looks blank ({share:.3%}, {distinct} colours)"
    pages = page_images(path, tmp_path / "pages")
    texts = pdf_pages_text(path)
    assert len(pages) == len(texts) >= 3
    for number, page in enumerate(pages, 1):
        assert ink(page)[0] > 0.003, f"page {number} is blank"
    chart_pages = {page for page, _ in images}
    for number in chart_pages:
        assert ink(pages[number - 1])[0] > 0.02, f"chart page {number} is nearly blank"

    con = duckdb.connect(str(seed_db_path if db_name == "seed" else demo_db_path), read_only=True)
    try:
        if kind == "overview":
            expected = present_totals(metrics.totals(con, Filters(), "public"), "public")
            rows = headline_in_text(texts[0], ("Incidents", "Acts", "Defenders affected", "Countries"))
            assert rows == [[expected[k] for k in HEADLINE]]
            if db_name == "seed":
                assert rows == [["2", "19", "5", "1"]]  # as on the Overview page (tests/test_app.py)
        else:
            rows = headline_in_text("\n".join(texts[:2]), ("Incidents", "Acts", "Defenders affected"))
            for side, row in zip(data.sides, rows):
                expected = present_totals(metrics.totals(con, side.filters, "public"), "public")
                assert row == [expected[k] for k in HEADLINE[:3]]
            assert len(rows) == 2
    finally:
        con.close()
    whole = "\n".join(texts)
    for words in ("Highlighted cases", "Definitions and methodology", "SDG 16.10.1", "Published figures",
                  data.fingerprint, "hrd report"):
        assert words in whole, words
    assert all(f"Page {n} of {len(texts)}" in text for n, text in enumerate(texts, 1))
    assert ("Synthetic demo data" in whole) == (data.synthetic_act_count > 0)
    assert (data.synthetic_act_count > 0) == (db_name == "demo" and kind == "overview")


@needs_tools
@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_a_comparison_prints_each_breakdown_side_by_side(made, fmt: str, tmp_path: Path) -> None:
    """Kinds of attack and perpetrators: side A beside side B under one heading (rows and scale
    aligned), so they are compared across the page instead of pages apart."""
    path, data = made("seed", "feminita", fmt)
    blocks = report_blocks(data)
    pairs = [b for b in blocks if isinstance(b, ChartPair)]
    assert [(p.left.key, p.right.key) for p in pairs] == [("a_violations", "b_violations"), ("a_actors", "b_actors")]
    assert all(p.labels == ("A: Feminita 2021", "B: Feminita 2024") for p in pairs)
    headings = [b.text for b in blocks[blocks.index(pairs[0]) - 1:blocks.index(pairs[1])] if hasattr(b, "level")]
    assert headings == ["Kinds of attack", "Perpetrators, state and non-state"]
    if fmt == "html":
        page = path.read_text(encoding="utf-8")
        segments = page.split('<div class="pair">')[1:]
        assert len(segments) == len(pairs)
        for pair, segment in zip(pairs, segments):
            inside = segment.split("</figure></div>")[0]  # up to the end of the pair's second figure
            for key, label in ((pair.left.key, pair.labels[0]), (pair.right.key, pair.labels[1])):
                assert f'data-chart="{key}"><div class="side">{label}</div>' in inside, key
        # drawn in Chromium, each plot of a pair takes half the row (the first one is drawn before
        # the second is read: it took the whole row and hid under its neighbour)
        with chromium(tmp_path) as browser:
            view = browser.new_page(viewport={"width": 1100, "height": 1000})
            view.goto(path.as_uri())
            view.wait_for_function("document.querySelectorAll('.pair .js-plotly-plot .main-svg').length >= 4",
                                   timeout=60_000)
            rows = view.evaluate("""[...document.querySelectorAll('.pair')].map(pair => ({
                row: pair.getBoundingClientRect().width,
                plots: [...pair.querySelectorAll('.js-plotly-plot')].map(d => d._fullLayout.width)}))""")
        assert len(rows) == 2
        for row in rows:
            assert len(row["plots"]) == 2 and row["plots"][0] == row["plots"][1] <= row["row"] / 2, row
        assert page.count('<div class="pair">') == 2
        return
    order = charts_in(blocks)
    images = chart_images(path, tmp_path / "img")
    assert len(images) == len(order)
    page_of = {chart.key: page for chart, (page, _image) in zip(order, images)}
    texts = pdf_pages_text(path)
    for pair in pairs:
        assert page_of[pair.left.key] == page_of[pair.right.key], page_of
        lines = texts[page_of[pair.left.key] - 1].splitlines()
        assert any(re.search(r"A: Feminita 2021\s{2,}B: Feminita 2024", line) for line in lines), lines[:12]


@needs_tools
@pytest.mark.parametrize("db_name", ["seed", "demo"])
@pytest.mark.parametrize("kind", ["overview", "feminita"])
def test_html_is_one_offline_file(made, db_name: str, kind: str) -> None:
    path, data = made(db_name, kind, "html")
    page = path.read_text(encoding="utf-8")
    charts_in_report = charts_in(report_blocks(data))
    assert page.count('class="chart"') == len(charts_in_report)
    assert page.count("Plotly.newPlot") == len(charts_in_report)
    assert len(re.findall(r"<script[^>]+src=", page)) == 0, "nothing may be loaded from elsewhere"
    assert page.count("* plotly.js v") == 1, "plotly.js is embedded exactly once"
    assert ('window.PlotlyGeoAssets = {topojson: {"world_110m":' in page) == (kind == "overview")
    for key in ("incident_count", "act_count") if kind == "overview" else ():
        assert f'<div class="value">{data.headline[key]}</div>' in page
    assert data.fingerprint in page


@needs_tools
def test_html_map_draws_offline_in_chromium(made, tmp_path: Path) -> None:
    path, _ = made("demo", "overview", "html")
    refused: list[str] = []
    errors: list[str] = []
    with chromium(tmp_path) as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 1000})

        def route(r):
            if r.request.url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                refused.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_function("document.querySelectorAll('.choroplethlayer path').length > 100",
                               timeout=60_000)
        countries = page.locator(".choroplethlayer path").count()
        plots = page.locator(".js-plotly-plot .main-svg").count()
        page.locator('[data-chart="map"]').scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "map.png"))
        # on a phone the page is the screen's width: a wide table scrolls in its place
        phone = browser.new_page(viewport={"width": 420, "height": 900})
        phone.goto(path.as_uri())
        phone.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=60_000)
        widths = phone.evaluate("[document.documentElement.scrollWidth, document.querySelectorAll('table').length]")
    assert widths[0] <= 420 and widths[1] > 0, widths
    assert countries > 100
    assert plots >= 4
    assert not refused, refused
    assert not errors, errors


# --- privacy ---------------------------------------------------------------------------------------

@needs_tools
@pytest.mark.parametrize("kind", ["overview", "feminita"])
def test_public_report_leaks_nothing(made, leak_db_path: Path, kind: str) -> None:
    pdf_path, data = made("leak", kind, "pdf", "public", leak_db_path)
    html_path, _ = made("leak", kind, "html", "public", leak_db_path)
    text = "\n".join(pdf_pages_text(pdf_path))
    page = html_path.read_text(encoding="utf-8")
    assert "LEAK" not in text
    assert "LEAK" not in page
    assert "ANALYST" not in text
    if kind == "overview":
        assert "< 5" in text  # Kazakhstan: 2 public + 2 non-public incidents
        assert "&lt; 5" in page or "< 5" in page
        assert all(c.visibility == "public" for c in data.cases)


@needs_tools
def test_analyst_report_says_so_on_every_page(made, leak_db_path: Path) -> None:
    path, data = made("leak", "overview", "pdf", "analyst", leak_db_path)
    pages = pdf_pages_text(path)
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        assert "ANALYST REPORT" in text, f"page {number} does not say ANALYST"
    assert ANALYST_BANNER.split(" – ")[0] in pages[-1]
    assert any(c.visibility != "public" for c in data.cases)  # the analyst sees non-public cases
    html_path, _ = made("leak", "overview", "html", "analyst", leak_db_path)
    assert ANALYST_BANNER in html_path.read_text(encoding="utf-8")


# --- fonts ----------------------------------------------------------------------------------------

@needs_tools
def test_cyrillic_prints_with_dejavu_and_degrades_without(seed_con, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    from dashboard.report import pdf

    data = build_report_data(seed_con, Filters(), "incidents", "public", compare="feminita")
    data.cases[0].title = "Жанар Секербаева, Қазақстан"
    tiny = pdf.render_images([pdf.charts.empty_figure("x")])[0]
    monkeypatch.setattr(pdf, "render_images", lambda figures, progress=None, widths=None: [tiny] * len(figures))
    if (pdf.FONT_DIR / "DejaVuSans.ttf").is_file():
        (tmp_path / "u.pdf").write_bytes(pdf.render_pdf(data))
        assert "Жанар Секербаева, Қазақстан" in "\n".join(pdf_pages_text(tmp_path / "u.pdf"))
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path / "no-fonts")
    (tmp_path / "core.pdf").write_bytes(pdf.render_pdf(data))
    assert "Feminita" in "\n".join(pdf_pages_text(tmp_path / "core.pdf"))


# --- scale ------------------------------------------------------------------------------------------

@needs_tools
@pytest.mark.slow
def test_report_on_100k_incidents_is_complete(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The report works at 100,000 incidents; how long it takes is measured by `hrd bench` (target 30 s)."""
    path = db.build(tmp_path_factory.mktemp("big") / "big.duckdb", demo_incidents=100_000)
    con = duckdb.connect(str(path), read_only=True)
    try:
        started = time.perf_counter()
        warm_up()  # as `hrd report -o x.pdf` does: Chromium starts while the data is read
        data = build_report_data(con, Filters(), "incidents", "public")
        payload = render(data, "pdf")
        seconds = time.perf_counter() - started
    finally:
        con.close()
    assert payload[:5] == b"%PDF-"
    assert int(data.headline["incident_count"].replace(",", "")) > 100_000
    print(f"100k report: {seconds:.1f} s ({ {k: round(v, 1) for k, v in data.timings.items()} })")


# --- the command line -------------------------------------------------------------------------------

def _hrd(*args: str, db_path: Path, cwd: Path) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("hrd")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "dashboard.cli"]
    env = {**os.environ, "HRD_DB": str(db_path)}
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@needs_tools
def test_cli_report(seed_db_path: Path, tmp_path: Path) -> None:
    work = tmp_path / "cli.duckdb"
    shutil.copy(seed_db_path, work)
    done = _hrd("report", "--compare", "feminita", "-o", str(tmp_path / "x.pdf"), db_path=work, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x.pdf").read_bytes()[:5] == b"%PDF-"
    assert "Feminita: Shymkent 2021 vs Almaty 2024" in "\n".join(pdf_pages_text(tmp_path / "x.pdf"))

    wrong = _hrd("report", "--compare", "feminita", "-o", str(tmp_path / "x.txt"), db_path=work, cwd=tmp_path)
    assert wrong.returncode == 2
    assert ".pdf or .html" in wrong.stderr and not (tmp_path / "x.txt").exists()

    html = _hrd("report", "--country", "KAZ", "--from", "2021", "-o", str(tmp_path / "k.html"), db_path=work,
                cwd=tmp_path)
    assert html.returncode == 0, html.stderr
    assert "hrd report --country KAZ --from 2021 --unit incidents --mode public -o k.html" in \
        (tmp_path / "k.html").read_text(encoding="utf-8")

    for bad in (["--compare-a", "defender=1", "-o", "y.pdf"],
                ["--compare-a", "defender=1", "--compare-b", "bogus=1", "-o", "y.pdf"],
                ["--compare", "feminita", "--country", "KAZ", "-o", "y.pdf"]):
        failed = _hrd("report", *bad, db_path=work, cwd=tmp_path)
        assert failed.returncode == 2, (bad, failed.stderr)

    con = duckdb.connect(str(work), read_only=True)
    try:
        actions = con.execute("select action, target from audit_log order by audit_id").fetchall()
    finally:
        con.close()
    assert [a for a, _ in actions] == ["report", "report"]
    assert actions[0][1].startswith("pdf (public) -> ")


# --- the page ---------------------------------------------------------------------------------------

def test_report_page_builds_an_html_report(seed_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    work = tmp_path / "page.duckdb"
    shutil.copy(seed_db_path, work)
    monkeypatch.setenv("HRD_DB", str(work))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=180)
        at.switch_page("app_pages/report.py")
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        assert at.title[0].value == "Report"
        at.radio(key="report_what").set_value("compare")
        at.radio(key="report_format").set_value("html")
        at.button(key="report_build").click()
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        assert at.get("download_button"), "no download button after building"
        from dashboard import cache

        log = cache.connection().execute("select action, target from audit_log").fetchall()
        assert any(a == "report" and "html (public)" in t for a, t in log), log
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
