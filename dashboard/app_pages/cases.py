"""Cases: a searchable, sortable table of incidents; each row opens its case page."""
from __future__ import annotations

import streamlit as st

from dashboard import cache, export
from dashboard.components.session import mode, record
from dashboard.components.widgets import empty_state, mode_banner, synthetic_badge
from dashboard.textsafe import clean_frame
from dashboard.i18n import _
from dashboard.privacy import listing_filters

filters = st.session_state["filters"]
version = st.session_state["version"]
current = mode()
PAGE_SIZE = 1000


def pick_page(selection: object, pages: int) -> int:
    """The page of the list to show: 1 for a new selection, else the visitor's choice.

    Why pages: a selection of more than a thousand incidents listed only its newest
    thousand, and a sort by a column header sorted only those, so the rest could be
    reached by a filter or a CSV alone."""
    if st.session_state.get("cases_page_of") != selection:
        st.session_state["cases_page_of"] = selection
        st.session_state["cases_page"] = 1
    if pages <= 1:
        return 1
    st.session_state["cases_page"] = min(max(1, int(st.session_state.get("cases_page") or 1)), pages)
    return int(st.number_input(_("Page ({n} incidents a page)").format(n=f"{PAGE_SIZE:,}"), min_value=1,
                               max_value=pages, step=1, key="cases_page", width=240))


st.title(_("Cases"))
mode_banner(current)
# the table lists only what this mode may list; its totals are counted the same way
totals = cache.totals(version, listing_filters(filters, current), "analyst")
synthetic_badge(totals)
if current == "public":
    st.caption(_("Public view: only public cases are listed. Restricted and confidential cases are counted "
                 "in the Overview's figures but never listed."))
if totals["incident_count"] == 0:
    empty_state()
    st.stop()

total = int(totals["incident_count"])
pages = -(-total // PAGE_SIZE)
page = pick_page((filters, current), pages)
table = cache.incidents(version, filters, PAGE_SIZE, current, (page - 1) * PAGE_SIZE)
shown = table.assign(open=table["incident_id"].map(lambda i: f"case?id={i}"))
columns = ["open", "start_date", "date_precision", "country", "place", "title", "violation_types",
           "actor_groups", "defenders", "act_count", "visibility", "is_synthetic"]
first = (page - 1) * PAGE_SIZE + 1
st.caption(
    (_("Showing {n} of {total} incidents ({first}–{last}, page {page} of {pages}), newest first.")
     if pages > 1 else _("Showing {n} of {total} incidents, newest first.")).format(
        n=f"{len(table):,}", total=f"{total:,}", first=f"{first:,}", last=f"{first + len(table) - 1:,}",
        page=page, pages=pages)
    + " " + (_("Click a column header to sort the rows of this page; use the search box in the sidebar to "
               "search titles and summaries.") if pages > 1 else
             _("Click a column header to sort; use the search box in the sidebar to search titles and summaries."))
)
event = st.dataframe(
    clean_frame(shown[columns]), hide_index=True, width="stretch", height=520, key="cases_table",
    on_select="rerun", selection_mode="single-row",
    column_config={
        "open": st.column_config.LinkColumn(_("Case"), display_text=_("open"), width="small"),
        "start_date": st.column_config.DateColumn(_("Date")),
        "date_precision": _("Precision"),
        "country": _("Country"),
        "place": _("Place"),
        "defenders": _("Defenders"),
        "visibility": _("Visibility"),
        "title": st.column_config.TextColumn(_("Title"), width="large"),
        "violation_types": _("Kinds of attack"),
        "actor_groups": _("Perpetrators"),
        "act_count": st.column_config.NumberColumn(_("Acts")),
        "is_synthetic": st.column_config.CheckboxColumn(_("Synthetic")),
    },
)
rows = event.selection.rows if event else []
if rows:
    chosen = int(table.iloc[rows[0]]["incident_id"])
    if st.button(_("Open the case page of the selected incident"), type="primary"):
        st.switch_page("app_pages/case.py", query_params={"id": str(chosen)})

st.markdown("**" + _("Download (all incidents and acts for the current filters)") + "**")
slug = filters.slug() + ("_ANALYST" if current == "analyst" else "")
c = st.columns(4)
c[0].download_button(_("Table as shown (CSV)"), export.to_csv_bytes(table[[col for col in table.columns]]),
                     file_name=f"hrd_cases_table_{slug}{f'_page{page}' if page > 1 else ''}.csv", mime="text/csv", key="dl_cases_shown",
                     on_click=record, args=("export", "cases table", filters.describe(), len(table)))
c[1].download_button(_("All incidents (CSV)"), lambda: export.selection_csv(cache.connection(), "incidents", filters, current),
                     file_name=f"hrd_incidents_{slug}.csv", mime="text/csv", key="dl_incidents",
                     on_click=record, args=("export", "incidents", filters.describe(), totals["incident_count"]))
c[2].download_button(_("All acts (CSV)"), lambda: export.selection_csv(cache.connection(), "acts", filters, current),
                     file_name=f"hrd_acts_{slug}.csv", mime="text/csv", key="dl_acts",
                     on_click=record, args=("export", "acts", filters.describe(), totals["act_count"]))
c[3].download_button(_("About these files"), export.describe_selection(filters, "incidents and acts", row_count=totals["incident_count"], mode=current).encode(),
                     file_name=f"hrd_cases_{slug}.about.txt", mime="text/plain", key="dl_cases_about", on_click="ignore")
