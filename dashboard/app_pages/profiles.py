"""Defender and organisation profiles: every incident that touched them, as an escalation timeline."""
from __future__ import annotations

import streamlit as st

from dashboard import cache, charts
from dashboard.components.plot import chart
from dashboard.components.session import mode
from dashboard.components.widgets import download_csv, mode_banner, plain, synthetic_badge, text
from dashboard.textsafe import clean
from dashboard.filters import Filters
from dashboard.i18n import _

base = st.session_state["filters"]
version = st.session_state["version"]
current = mode()

st.title(_("Defenders and organisations"))
mode_banner(current)
if current == "public":
    st.caption(_("Public view: only defenders whose names are public are listed, with their public cases."))
search = st.text_input(_("Find a defender or organisation"), max_chars=100, key="profile_search")
people = cache.named(version, "defender_list", (("include_synthetic", base.include_synthetic), ("search", search),
                                               ("public_only", current == "public")))
if people.empty:
    st.info(_("No defender or organisation matches."))
    st.stop()
ids = list(people["defender_id"])
names = dict(zip(people["defender_id"], people["name"]))
raw = st.query_params.get("defender_profile", "")
wanted = int(raw) if raw.isdigit() and len(raw) < 18 else ids[0]
if wanted not in ids:
    detail = cache.named(version, "defender_detail", (("defender_id", wanted),))
    visible = not detail.empty and (current == "analyst" or (
        bool(detail.iloc[0]["is_name_public"]) and detail.iloc[0]["visibility"] == "public"))
    if not detail.empty and not visible:
        st.warning(_("This profile is not public."))
    if visible:
        ids = [wanted] + ids
        names[wanted] = detail.iloc[0]["name"]
chosen = st.selectbox(_("Profile"), ids, index=ids.index(wanted) if wanted in ids else 0,
                      format_func=lambda d: clean(names.get(d, str(d))))
if str(chosen) != raw:
    st.query_params["defender_profile"] = str(chosen)

detail = cache.named(version, "defender_detail", (("defender_id", int(chosen)),)).iloc[0]
st.subheader(plain(detail["name"]))
if detail["is_synthetic"]:
    synthetic_badge(what=_("this defender is generated, not a real person or organisation"))
facts = [detail["kind"]]
if detail["organisation"]:
    facts.append(_("member of") + " " + str(detail["organisation"]))
if detail["sectors"]:
    facts.append(str(detail["sectors"]))
st.caption(plain(" · ".join(facts)))
if detail["description"]:
    text(detail["description"])

selection = Filters(defender_ids=(int(chosen),), include_synthetic=True)
acts = cache.acts(version, selection, 20_000, current)
incidents = cache.incidents(version, selection, 2000, current)
st.markdown(_("{n} incidents, {a} acts").format(n=len(incidents), a=acts["act_id"].nunique()))
chart(charts.timeline(acts, _("Escalation timeline: each dot is an act")), key="profile_timeline")
download_csv(acts, "profile_acts", selection, "profile_acts", unit="acts")

st.subheader(_("Incidents, oldest first"))
for inc in incidents.sort_values("start_date").itertuples():
    with st.container(border=True):
        st.page_link("app_pages/case.py", label=plain(f"{inc.start_date:%Y-%m} · {inc.place or ''}, {inc.country} — {inc.title}"[:200]),
                     query_params={"id": str(inc.incident_id)})
        st.caption(plain(f"{inc.violation_types} · {inc.actor_types}"))
