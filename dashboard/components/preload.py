"""Start loading Streamlit's Plotly chart module in the browser as the first thing a page sends.

Why: the Plotly module is 4.7 MB of JavaScript that Streamlit's frontend fetches only
when the first chart arrives, after the server has imported its libraries, opened the
database and computed the first figures. Fetched and evaluated from the page's first
message instead, it is ready by then: the browser does that work while the server
computes, not after (the cold start's largest share on a two-core machine).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import streamlit as st

# the module's file name as Streamlit's build names it: PlotlyChart.<hash>.js
_CHUNK = re.compile(r"PlotlyChart\.[A-Za-z0-9_-]+\.js")


@lru_cache(maxsize=1)
def plotly_chunk() -> str | None:
    """The file name of the installed Streamlit's Plotly chart module, or None if there is not exactly one."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found = [p.name for p in folder.glob("PlotlyChart.*.js") if _CHUNK.fullmatch(p.name)]
    return found[0] if len(found) == 1 else None


# the address the browser loaded Streamlit's main module from (whatever the server's base path
# and the page's address now); beside it, under static/js/ of the page's base, as a fallback
_BESIDE_MAIN_MODULE = ("(performance.getEntriesByType('resource').map(e => e.name)"
                       ".find(u => /\\/static\\/js\\/index\\.[\\w-]+\\.js$/.test(u))"
                       " || new URL('static/js/', document.baseURI))")


def preload_script(chunk: str) -> str:
    """The HTML that imports the module from the address Streamlit's own lazy import resolves to
    (beside Streamlit's main module), so the browser loads it once and Streamlit finds it loaded."""
    if not _CHUNK.fullmatch(chunk):
        raise ValueError(f"Not a Plotly chart module name: {chunk!r}")
    return (f"<script class=\"hrd-preload\">import(new URL('{chunk}', {_BESIDE_MAIN_MODULE}).href)"
            ".catch(() => {});</script>")


# the element holding the script is hidden, so the page keeps its spacing; a style-only
# st.html goes to Streamlit's event container and takes no space itself
HIDE_PRELOAD = ('<style>[data-testid="stElementContainer"]:has(script.hrd-preload) '
                "{display: none}</style>")


def preload_charts() -> None:
    """Send the import as a hidden element of its own."""
    chunk = plotly_chunk()
    if chunk is not None:
        st.html(HIDE_PRELOAD)
        st.html(preload_script(chunk), unsafe_allow_javascript=True, width="content")
