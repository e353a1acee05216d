"""Drafts from appeal texts: paste a text, check the proposed incidents, correct them, save."""
from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import cache
from dashboard.components.session import username
from dashboard.components.widgets import plain
from dashboard.i18n import _
from dashboard.ingest.draft import draft_incidents
from dashboard.ingest.save_draft import ConfirmedIncident, DraftError, save_confirmed

user = st.session_state.get("user")
if user is None or user.role not in ("analyst", "admin"):
    st.error(_("Only signed-in analysts and admins can draft and save incidents."))
    st.stop()
version = st.session_state["version"]
lab = cache.labels(version)

st.title(_("Draft incidents from a text"))
st.caption(_("Paste an urgent appeal or a news report. The proposals are rule-based: check every field against "
             "the sentence it came from, correct it, then save. Nothing is saved until you press Save."))
text = st.text_area(_("Text of the appeal or report"), height=260, max_chars=200_000, key="draft_text")
if st.button(_("Propose incidents"), type="primary"):
    st.session_state["drafts"] = draft_incidents(text or "")
drafts = st.session_state.get("drafts")
if drafts is None:
    st.stop()
if not drafts:
    st.info(_("No incident could be proposed: the text names no date with a place or country."))
    st.stop()

PRECISIONS = ["day", "month", "year", "unknown"]
violation_codes = sorted(c for c in lab["violation_types"])
actor_codes = sorted(lab["actor_types"])
for n, d in enumerate(drafts):
    with st.form(f"draft_{n}"):
        st.subheader(_("Proposed incident {n}").format(n=n + 1))
        title = st.text_input(_("Title"), d.title)
        c = st.columns(3)
        start = c[0].date_input(_("Start date"), d.start_date or date.today(), min_value=date(1900, 1, 1))
        end = c[1].date_input(_("End date"), d.end_date or d.start_date or date.today(), min_value=date(1900, 1, 1))
        precision = c[2].selectbox(_("Date precision"), PRECISIONS, index=PRECISIONS.index(d.date_precision) if d.date_precision in PRECISIONS else 3)
        st.caption(_("Date from: ") + plain(d.evidence.get("start_date", "—")))
        c = st.columns(2)
        country = c[0].text_input(_("Country (ISO-3)"), d.country_code or "")
        place = c[1].text_input(_("Place"), d.place or "")
        st.caption(_("Place from: ") + plain(d.evidence.get("place", "—")))
        violations = st.multiselect(_("Kinds of attack"), violation_codes, default=[v for v in d.violations if v in violation_codes],
                                    format_func=lambda v: lab["violation_types"].get(v, v))
        for v in d.violations:
            st.caption(f"{lab['violation_types'].get(v, v)}: " + plain(d.evidence.get(f"violations:{v}", "")))
        perps = st.data_editor([{"name": p[0], "actor_type": p[1]} for p in d.perpetrators] or [{"name": "", "actor_type": "unknown_actor"}],
                               num_rows="dynamic", key=f"perps_{n}",
                               column_config={"actor_type": st.column_config.SelectboxColumn(options=actor_codes)})
        orgs = st.text_input(_("Organisations (separated by ;)"), "; ".join(d.organisations))
        people = st.text_input(_("Defenders named (separated by ;)"), "; ".join(d.defenders))
        c = st.columns(3)
        publisher = c[0].text_input(_("Source publisher"), "")
        source_title = c[1].text_input(_("Source title"), "")
        url = c[2].text_input(_("Source URL"), "")
        visibility = st.selectbox(_("Visibility"), ["restricted", "confidential", "public"])
        if st.form_submit_button(_("Save this incident")):
            item = ConfirmedIncident(
                title=title, start_date=start, end_date=end, date_precision=precision, country_code=country.strip().upper(),
                place=place, summary="", organisations=[o.strip() for o in orgs.split(";") if o.strip()],
                defenders=[p.strip() for p in people.split(";") if p.strip()], violations=violations,
                perpetrators=[(r["name"], r["actor_type"]) for r in perps if r.get("name")],
                visibility=visibility, source_publisher=publisher, source_title=source_title, source_url=url,
            )
            try:
                new_id = save_confirmed(cache.connection(), item, username())
            except DraftError as exc:
                st.error(str(exc))
            else:
                st.cache_data.clear()
                st.success(_("Saved as incident {id}.").format(id=new_id))
