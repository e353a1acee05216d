"""The frame of the dashboard: page config, the shared sidebar filters, navigation.

Run with ``streamlit run dashboard/app.py``. Pages live in ``dashboard/app_pages/``
and read the selection from ``st.session_state["filters"]`` and ``["unit"]``.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import duckdb
import streamlit as st

if __package__ in (None, ""):  # streamlit runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.components import downloads  # noqa: E402
from dashboard.components.preload import preload_charts  # noqa: E402
from dashboard.i18n import _  # noqa: E402

# a download is served by the id of its bytes: all of them, so an edited CSV is never the old one
downloads.install()

st.set_page_config(page_title=_("Attacks on human rights defenders"), page_icon="🛡️", layout="wide")
# before the heavy imports below (pandas, Plotly, DuckDB: about half a second on a cold
# server): the browser starts loading the chart module with the page's first message
preload_charts()

from dashboard import cache  # noqa: E402
from dashboard.backup import explain_database_error, verify_soon  # noqa: E402
from dashboard.components.session import current_user  # noqa: E402
from dashboard.components.sidebar import filter_sidebar  # noqa: E402
from dashboard.db import DatabaseError  # noqa: E402

PAGES_DIR = Path(__file__).parent / "app_pages"


def explain(exc: BaseException, what: str) -> None:
    """The visitor gets a plain sentence; the path, process id and DuckDB's words go to the server log."""
    logging.getLogger("dashboard").error("%s: %s", what, str(exc))
    st.error(explain_database_error(exc))


try:
    version = cache.data_version()
    # once per data version and process: read every table, so a damaged block is found here
    # and explained, not raised by whichever chart first touches it
    verify_soon(cache.connection(), version)
except (DatabaseError, Exception) as exc:  # the page must explain, never show a traceback
    explain(exc, "The case database cannot be used")
    st.stop()

user = current_user()
filters, unit = filter_sidebar(version)
st.session_state["filters"] = filters
st.session_state["unit"] = unit
st.session_state["version"] = version

pages = {
    _("Explore"): [
        st.Page(str(PAGES_DIR / "overview.py"), title=_("Overview"), url_path="overview", default=True),
        st.Page(str(PAGES_DIR / "compare.py"), title=_("Compare"), url_path="compare"),
        st.Page(str(PAGES_DIR / "cases.py"), title=_("Cases"), url_path="cases"),
        st.Page(str(PAGES_DIR / "case.py"), title=_("Case page"), url_path="case"),
        st.Page(str(PAGES_DIR / "profiles.py"), title=_("Defenders and organisations"), url_path="profiles"),
        st.Page(str(PAGES_DIR / "report.py"), title=_("Report"), url_path="report"),
        st.Page(str(PAGES_DIR / "published.py"), title=_("Published figures"), url_path="published"),
    ],
    _("Account"): [
        st.Page(str(PAGES_DIR / "sign_in.py"), title=_("Sign out") if user else _("Analyst sign-in"), url_path="sign_in"),
    ],
}
# pages a role may not use are not registered at all, so their addresses lead nowhere
if user is not None and user.role in ("analyst", "admin"):
    pages[_("Analyst")] = [
        st.Page(str(PAGES_DIR / "edit.py"), title=_("Correct a record"), url_path="edit"),
        st.Page(str(PAGES_DIR / "draft.py"), title=_("Draft from a text"), url_path="draft"),
    ]
if user is not None and user.role == "admin":
    pages[_("Analyst")] += [
        st.Page(str(PAGES_DIR / "import_data.py"), title=_("Import"), url_path="import_data"),
        st.Page(str(PAGES_DIR / "admin.py"), title=_("Audit log and users"), url_path="admin"),
    ]
with st.sidebar:
    if user is not None:
        st.caption(_("Signed in as {name} ({role})").format(name=user.name, role=user.role))
    if st.session_state.pop("signed_out_note", None):
        st.info(_("You were signed out after a period of inactivity."))
try:
    st.navigation(pages).run()
except (DatabaseError, duckdb.Error) as exc:  # a damaged block met mid-page: a sentence, never a traceback
    explain(exc, "A page failed on the case database")
