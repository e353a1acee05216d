"""The leak test in a real browser: public pages and their downloads show no non-public text.

tests/test_privacy.py searches every element Streamlit sends (AppTest) for the
markers written into restricted and confidential records (tests/leakdb.py).
Here the same database is served by a real Streamlit server and opened in
headless Chromium as a visitor would: the rendered page (its HTML, including
tooltips and chart text) and every CSV the page offers are searched for the
markers. A marker anywhere is a leak.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from leakdb import MARKER_PREFIX, build_leak_db, markers

pytestmark = pytest.mark.browser
WAIT = 60_000
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def settle_browser(page, timeout: int) -> None:
    """Until Streamlit has finished the script run, and stays finished a moment."""
    page.wait_for_selector(IDLE, timeout=timeout, state="attached")
    time.sleep(0.5)
    page.wait_for_selector(IDLE, timeout=timeout, state="attached")

# (address, what must be on the page to prove it rendered its data)
VIEWS = [
    ("/", "Incidents"),
    ("/?country=KAZ", "Incidents"),
    ("/?q=leaksummary", "Incidents"),  # the visitor's own search words are echoed in lower case
    ("/compare?a.country=KAZ&b.country=COL", "Kinds of attack"),
    ("/compare?a.defender=101&b.defender=1", "Compare"),
    ("/cases", "Showing"),
    ("/cases?country=KAZ", "Showing"),
    ("/case?id=101", "not public"),
    ("/case?id=2", "Timeline of acts"),
    ("/profiles", "Defenders and organisations"),
    ("/profiles?defender_profile=101", "not public"),
    ("/report", "Report"),
]


@pytest.fixture(scope="module")
def leak_server(chromium_executable: str, start_server, seed_db_path: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a copy of the seed with marked restricted and confidential cases."""
    folder = tmp_path_factory.mktemp("leak_server")
    db_file = build_leak_db(seed_db_path, folder / "leak.duckdb")
    with start_server(db_file, folder) as url:
        yield url


def _assert_clean(text: str, where: str) -> None:
    found = [m for m in markers() if m in text]
    assert not found, f"{where} leaks {found}"
    assert MARKER_PREFIX not in text, f"{where} leaks a marker (possibly escaped or cut)"


def _opened(context, url: str, ready: Callable[[Any], Any]):
    """A new page at ``url``, once ``ready(page)`` is on it and the script run has finished."""
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded", timeout=WAIT)
    ready(page).first.wait_for(timeout=WAIT)
    settle_browser(page, WAIT)
    return page


@pytest.mark.parametrize("address,proof", VIEWS, ids=[v[0] for v in VIEWS])
def test_public_page_in_the_browser_leaks_nothing(leak_server: str, context, address: str, proof: str) -> None:
    page = _opened(context, leak_server + address, lambda p: p.get_by_text(proof))
    assert page.locator('[data-testid="stException"]').count() == 0
    _assert_clean(page.content(), address)


def _download_every_file(page, tmp_path: Path) -> list[str]:
    """Click every download button on the page in turn; each file is checked for markers. Returns the names."""
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    names = []
    for i in range(buttons.count()):
        settle_browser(page, WAIT)  # the previous click's rerun (the audit entry) has finished
        with page.expect_download(timeout=WAIT) as info:
            buttons.nth(i).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        data = path.read_bytes()
        assert data, f"{path.name} is empty"
        _assert_clean(data.decode("utf-8", "replace"), path.name)
        names.append(path.name)
    return names


def test_every_download_of_the_public_cases_page_leaks_nothing(leak_server: str, context, tmp_path: Path) -> None:
    """Every button on the Cases page that offers a file: the table, all incidents, all acts, the sidecar."""
    page = _opened(context, leak_server + "/cases", lambda p: p.locator('[data-testid="stDataFrame"]'))
    names = _download_every_file(page, tmp_path)
    assert len(names) >= 4, f"expected the Cases page's downloads, got {names}"
    assert any(n.startswith("hrd_incidents_") for n in names), names
    assert any(n.startswith("hrd_acts_") for n in names), names


def test_overview_chart_downloads_leak_nothing(leak_server: str, context, tmp_path: Path) -> None:
    """The Overview's chart and table CSVs for Kazakhstan, where the non-public cases are."""
    page = _opened(context, leak_server + "/?country=KAZ", lambda p: p.locator('[data-testid="hrdChart"] .main-svg'))
    names = _download_every_file(page, tmp_path)
    assert len(names) >= 2 and any(n.startswith("hrd_by_country_") for n in names), names
