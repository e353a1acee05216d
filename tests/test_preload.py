"""The dashboard's chart element (dashboard/components/plot.py) and the early load of its
Plotly bundle (dashboard/components/preload.py).

The browser side (one download of the bundle, also on a page without charts; charts
drawn once; a click filters) is checked in tests/browser/test_browser.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st
from plotly.offline import get_plotlyjs_version
from streamlit.testing.v1 import AppTest

from dashboard import charts
from dashboard.components import plot, preload

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "dashboard" / "static"


def test_the_bundle_is_the_plotly_js_the_python_library_writes_for() -> None:
    """Figures are written by the installed plotly (Python) for its plotly.js; the bundle must be that version."""
    text = plot.BUNDLE.read_text(encoding="utf-8")
    banner = re.match(r"/\*! plotly\.js v([\d.]+) \(core, bar, heatmap, choropleth\)", text)
    assert banner, text[:200]
    assert banner.group(1) == get_plotlyjs_version()
    assert f'version:"{get_plotlyjs_version()}"' in text or f'"{get_plotlyjs_version()}"' in text
    # a partial bundle: far smaller than the full library (4.7 MB), yet the library itself
    assert 1_000_000 < plot.BUNDLE.stat().st_size < 2_500_000
    assert "var HrdPlotly=" in text[:400]  # the global the loader waits for


def test_the_loader_asks_for_the_bundle_where_streamlit_serves_it() -> None:
    js = plot.loader_js()
    path = re.search(r'const BUNDLE = "app/static/([^"]+)";', js)
    assert path, js
    assert (STATIC / path.group(1)).resolve() == plot.BUNDLE.resolve()
    assert "window.HrdPlotly" in js and "window.hrdPlotly = null" in js  # a failed load is retried


def test_preload_script_runs_the_shared_loader_once_in_its_own_scope() -> None:
    html = preload.preload_script()
    assert html.startswith('<script class="hrd-preload">(() => {\n')
    assert plot.loader_js() in html
    assert html.endswith("\nhrdPlotly().catch(() => {});\n})();</script>")
    assert html.count("hrdPlotly()") == 2  # the definition and the one call


def test_every_chart_a_page_draws_is_a_type_in_the_bundle() -> None:
    """bar, heatmap, choropleth, and scatter (always in Plotly's core): what the builders make."""
    import pandas as pd

    frame = pd.DataFrame({"year": [2021, 2024], "actor_group": ["state", "non_state"], "value": [3, 4],
                          "country_code": ["KAZ", "KAZ"], "violation_code": ["a", "b"], "actor_type": ["police", "mob"]})
    figures = [charts.per_year(frame, "incidents"), charts.world_map(frame, "incidents"),
               charts.heatmap(frame, "incidents"), charts.breakdown(frame, "violation_code", "incidents", "Kinds"),
               charts.empty_figure("none")]
    kinds = {trace.type for fig in figures for trace in fig.data}
    assert kinds == {"bar", "choropleth", "heatmap"}
    text = plot.BUNDLE.read_text(encoding="utf-8")
    for kind in kinds | {"scatter"}:
        assert f'moduleType:"trace",name:"{kind}"' in text, kind


def test_chart_figures_carry_the_dashboards_own_look() -> None:
    """Streamlit's chart theme no longer applies: each figure names its template (no placeholder colours)."""
    import pandas as pd

    fig = charts.per_year(pd.DataFrame({"year": [2024], "actor_group": ["state"], "value": [1]}), "incidents")
    spec = json.loads(fig.to_json())
    assert spec["layout"]["template"]["layout"]["yaxis"]["gridcolor"] == charts.GRID
    assert "#000001" not in json.dumps(spec)  # Streamlit's theme placeholders, replaced only by its own element
    assert plot.figure_title(go.Figure(layout={"title": {"text": "<b>Where</b>"}})) == "Where"
    wrapped = charts.breakdown(pd.DataFrame({"actor_type": ["police"], "value": [2]}), "actor_type", "incidents",
                               "Perpetrators: state and non-state")
    assert "<br>" in wrapped.layout.title.text  # drawn on two lines, named on one
    assert plot.figure_title(wrapped) == "Perpetrators: state and non-state"


def _app(seed_db_path: Path, tmp_path: Path, monkeypatch) -> AppTest:
    copy = tmp_path / "hrd.duckdb"
    copy.write_bytes(seed_db_path.read_bytes())
    monkeypatch.setenv("HRD_DB", str(copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90)


def test_a_page_without_charts_sends_the_preload_too(seed_db_path: Path, tmp_path: Path, monkeypatch) -> None:
    """The style that hides the preload and the preload itself, on the sign-in page (no charts)."""
    at = _app(seed_db_path, tmp_path, monkeypatch)
    at.switch_page("app_pages/sign_in.py").run()
    assert not at.exception, [e.message for e in at.exception]
    sent = [h.proto.body for h in at.get("html")]
    assert any("script.hrd-preload" in body and "display: none" in body for body in sent), sent
    loads = [body for body in sent if "hrd-preload" in body and "hrdPlotly().catch" in body]
    assert loads == [preload.preload_script()], sent
    st.cache_data.clear()
    st.cache_resource.clear()


def test_overview_charts_are_the_dashboards_element_with_clicks_where_they_filter(
        seed_db_path: Path, tmp_path: Path, monkeypatch) -> None:
    at = _app(seed_db_path, tmp_path, monkeypatch)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.get("plotly_chart")  # Streamlit's element (and its 4.7 MB module) is not used
    elements = {el.key: el.proto for el in at.get("bidi_component") if el.proto.component_name == "hrd_chart"}
    assert set(elements) == {"chart_year", "chart_map", "chart_violation", "chart_actor", "chart_heat"}
    data = {key: json.loads(proto.json) for key, proto in elements.items()}
    assert {key for key, d in data.items() if d["clickable"]} == {"chart_map", "chart_violation", "chart_actor"}
    assert data["chart_map"]["config"] == {"topojsonURL": charts.TOPOJSON_URL}  # shapes from the app, not a CDN
    assert data["chart_year"]["label"].startswith("Attacks per year")
    for proto in elements.values():
        assert not proto.isolate_styles  # Plotly's own styles (modebar, hover labels) must reach the chart
    st.cache_data.clear()
    st.cache_resource.clear()


def test_server_config_skips_the_collection_after_every_run() -> None:
    """Streamlit's forced full garbage collection after each run holds the lock the server needs
    to send the run's last elements (0.1 s with pandas loaded): .streamlit/config.toml turns it off,
    and with it the file watcher (a deployed dashboard does not reload its own code)."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"
