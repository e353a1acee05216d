"""Start loading the dashboard's Plotly bundle in the browser as the first thing a page sends.

Why: the bundle (static/plotly/, 1.4 MB) is otherwise fetched only when the first chart
arrives, after the server has imported its libraries, opened the database and computed
the first figures. Fetched and evaluated from the page's first message instead, it is
ready by then: the browser does that work while the server computes, not after.
The same loader runs in every chart (plot.js), so the bundle loads once per page.
"""
from __future__ import annotations

import streamlit as st

from .plot import loader_js

# The page's first style. The element holding the script is hidden, so the page keeps its
# spacing; a style-only st.html goes to Streamlit's event container and takes no space itself.
# Streamlit shows a shimmering placeholder (stSkeleton) for each element whose code is
# still loading, about thirty on a cold Overview; with no GPU (a server, a thin client)
# every frame of that shimmer is painted and composited on the CPU the page needs to
# render. The placeholders stay, still.
# A headline figure's value keeps Streamlit's size where there is room and shrinks with its
# column where there is not (the Compare page's three figures a side got columns of 60 px in
# a 900 px window and showed "2…" for 2,002); its label wraps instead of ending in "…", and so
# does a page link's (the Overview's link to the Feminita comparison read "Compare: Feminita, Sh").
PAGE_STYLE = ('<style>[data-testid="stElementContainer"]:has(script.hrd-preload) '
                "{display: none}\n"
                '[data-testid="stSkeleton"], [data-testid="stSkeleton"] * {animation: none !important}\n'
                '[data-testid="stMetric"] {container-type: inline-size}\n'
                '[data-testid="stMetric"] [data-testid="stMetricValue"] {font-size: clamp(1.1rem, 30cqi, 2.25rem)}\n'
                '[data-testid="stMetric"] [data-testid="stMetricLabel"] :is(div, p) '
                "{white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: break-word}\n"
                '[data-testid="stPageLink-NavLink"] :is(span, div, p) '
                "{white-space: normal; overflow: visible; text-overflow: clip}</style>")


def preload_script() -> str:
    """The HTML that starts the load: the shared loader, in a scope of its own, called once."""
    return ('<script class="hrd-preload">(() => {\n' + loader_js()
            + "\nhrdPlotly().catch(() => {});\n})();</script>")


def preload_charts() -> None:
    """Send the page's first style, then the load as a hidden element of its own."""
    st.html(PAGE_STYLE)
    st.html(preload_script(), unsafe_allow_javascript=True, width="content")
