"""The early load of Streamlit's Plotly chart module (dashboard/components/preload.py).

The browser side (one download, at the address Streamlit's own import uses, also on a
page without charts) is checked in tests/browser/test_browser.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.components import preload

ROOT = Path(__file__).resolve().parents[1]


def test_the_installed_streamlit_has_one_plotly_chart_module() -> None:
    chunk = preload.plotly_chunk()
    assert chunk is not None, "Streamlit's build no longer names its Plotly module PlotlyChart.<hash>.js"
    module = Path(st.__file__).parent / "static" / "static" / "js" / chunk
    assert module.stat().st_size > 1_000_000  # the chart library itself, not a stub


def test_preload_script_imports_the_module_beside_streamlits_main_module() -> None:
    html = preload.preload_script("PlotlyChart.D9Z0_fxz.js")
    assert html.startswith('<script class="hrd-preload">import(new URL(\'PlotlyChart.D9Z0_fxz.js\', ')
    assert "/static\\/js\\/index\\.[\\w-]+\\.js$/" in html  # the main module's address, as loaded
    assert "new URL('static/js/', document.baseURI)" in html  # the fallback
    assert html.endswith(".catch(() => {});</script>")


@pytest.mark.parametrize("name", ["PlotlyChart.x.js'); alert(1); ('", "../evil.js", "PlotlyChart..js",
                                  "PlotlyChart.a b.js", "Other.abc.js"])
def test_preload_script_refuses_any_other_name(name: str) -> None:
    with pytest.raises(ValueError, match="Not a Plotly chart module name"):
        preload.preload_script(name)


def test_a_page_without_charts_sends_the_preload_too(seed_db_path: Path, tmp_path: Path, monkeypatch) -> None:
    """The style that hides the preload and the preload itself, on the sign-in page (no charts)."""
    copy = tmp_path / "hrd.duckdb"
    copy.write_bytes(seed_db_path.read_bytes())
    monkeypatch.setenv("HRD_DB", str(copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90)
    at.switch_page("app_pages/sign_in.py").run()
    assert not at.exception, [e.message for e in at.exception]
    sent = [h.proto.body for h in at.get("html")]
    assert any("script.hrd-preload" in body and "display: none" in body for body in sent), sent
    loads = [body for body in sent if "hrd-preload" in body and "import(" in body]
    assert len(loads) == 1 and preload.plotly_chunk() in loads[0], sent
    st.cache_data.clear()
    st.cache_resource.clear()
