"""Charts drawn by the dashboard's own element (plot.js) instead of ``st.plotly_chart``.

Why: on a cold start the browser's main thread is the bottleneck, and Streamlit's chart
module spends most of it on plotly.js as a whole (4.7 MB, every trace type and map
library) and on drawing each chart twice. This element loads a partial bundle of the
same plotly.js (core, bar, heatmap, choropleth: ``static/plotly/``, built by
``plotly_bundle/build.sh``) and draws each chart once, at its column's width. A click on
a bar or a country is passed to the page's callback, its cue to filter.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import streamlit as st

if TYPE_CHECKING:  # Plotly is imported when a chart is drawn: the preload (which needs this module) goes first
    import plotly.graph_objects as go

HERE = Path(__file__).parent
BUNDLE = HERE.parent / "static" / "plotly" / "plotly-hrd.min.js"


@lru_cache(maxsize=1)
def loader_js() -> str:
    """The function that loads the bundle once per page (shared by the preload and the element)."""
    return (HERE / "plot_loader.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _element() -> Callable[..., Any]:
    """The registered element; styles not isolated, so Plotly's own (modebar, hover) apply."""
    js = loader_js() + "\n" + (HERE / "plot.js").read_text(encoding="utf-8")
    css = ".hrd-chart.hrd-clickable .nsewdrag, .hrd-chart.hrd-clickable .choroplethlocation {cursor: pointer}"
    return st.components.v2.component("hrd_chart", js=js, css=css, isolate_styles=False)


def figure_title(fig: go.Figure) -> str:
    """The chart's title as plain text, for its accessible name (a wrapped title on one line)."""
    text = fig.layout.title.text or ""
    return text.replace("<b>", "").replace("</b>", "").replace("<br>", " ")


def _point(state: Any) -> dict[str, Any] | None:
    """The clicked point in the element's state, if the trigger holds the dict plot.js sends."""
    value = state.get("click") if isinstance(state, Mapping) else getattr(state, "click", None)
    return value if isinstance(value, dict) else None


def chart(fig: go.Figure, key: str, on_click: Callable[[dict[str, Any]], None] | None = None,
          config: dict[str, Any] | None = None) -> None:
    """Draw ``fig`` across the column; with ``on_click``, call it with the point a visitor clicks.

    The point is a dict with ``location`` (a map's ISO-3 code), ``customdata``, ``x``,
    ``y``, ``curve_number`` and ``point_index``. ``on_click`` runs as a widget callback,
    before the next run of the script, so it may set the sidebar's filter widgets (a
    page that has drawn them may not); the run it causes shows the narrowed selection.
    """
    import plotly.io as pio

    data = {"spec": pio.to_json(fig, validate=False), "config": config or {}, "clickable": on_click is not None,
            "label": figure_title(fig)}
    callbacks: dict[str, Callable[[], None]] = {}
    if on_click is not None:
        def clicked() -> None:
            point = _point(st.session_state.get(key))
            if point is not None:
                on_click(point)
        callbacks["on_click_change"] = clicked
    _element()(key=key, data=data, width="stretch", height="content", **callbacks)


def first_custom(point: dict[str, Any]) -> object:
    """The first custom value of a clicked point (a bar's category code), or None."""
    custom = point.get("customdata")
    return custom[0] if isinstance(custom, list) and custom else None
