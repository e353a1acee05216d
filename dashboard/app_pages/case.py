"""A case page: summary, date with precision, place, timeline of acts, perpetrators, defenders, sources."""
from __future__ import annotations

import streamlit as st

from dashboard import cache
from dashboard.components.session import mode
from dashboard.components.widgets import mode_banner, plain, synthetic_badge, text
from dashboard.textsafe import clean_frame
from dashboard.i18n import _

version = st.session_state["version"]
current = mode()
raw = st.query_params.get("id", "")
if not raw:
    st.title(_("Case page"))
    st.info(_("Open a case from the Cases page, or add ?id=<number> to the address."))
    st.stop()
if not raw.isdigit() or len(raw) > 18:
    st.title(_("Case page"))
    st.warning(_("This address does not name a case (the id must be a number)."))
    st.stop()
incident_id = int(raw)
detail = cache.named(version, "incident_detail", (("incident_id", incident_id),))
if detail.empty:
    st.title(_("Case page"))
    st.warning(_("No case with id {id}.").format(id=incident_id))
    st.stop()
case = detail.iloc[0]
if current == "public" and case["visibility"] != "public":
    st.title(_("Case page"))
    st.warning(_("This case is not public. It is counted in the aggregate figures, but its details are shown "
                 "only to signed-in analysts."))
    st.stop()
mode_banner(current)
st.title(plain(case["title"]))
if case["is_synthetic"]:
    synthetic_badge(what=_("this case is generated, not a real one"))

PRECISION = {"day": _("exact day"), "month": _("known to the month"), "year": _("known to the year"),
             "unknown": _("date unknown")}


def date_text(start, end, precision: str) -> str:
    """Show a date only as precisely as the source gives it."""
    if start is None or str(start) in ("NaT", "None"):
        return _("date unknown")
    if precision == "month":
        text = start.strftime("%B %Y")
    elif precision == "year":
        text = start.strftime("%Y")
    else:
        text = start.strftime("%-d %B %Y")
        if end is not None and str(end) not in ("NaT", "None") and end != start:
            text += " – " + end.strftime("%-d %B %Y")
    return f"{text} ({PRECISION.get(precision, precision)})"


c = st.columns(3)
c[0].markdown("**" + _("When") + "**  \n" + plain(date_text(case["start_date"], case["end_date"], case["date_precision"])))
c[1].markdown("**" + _("Where") + "**  \n" + plain(f"{case['place'] or ''}, {case['country']}".strip(", ")))
c[2].markdown("**" + _("Visibility") + "**  \n" + plain(case["visibility"]))
st.markdown("**" + _("Summary") + "**")
text(case["summary"])

acts = cache.named(version, "incident_acts", (("incident_id", incident_id), ("reveal_names", current == "analyst")))
st.subheader(_("Timeline of acts"))
for act_id, group in acts.groupby("act_id", sort=False):
    first = group.iloc[0]
    who = "; ".join(
        f"{r.perpetrator} ({r.actor_type}, {r.actor_group}) — {str(r.involvement).lower()}" + (f" [{r.involvement_note}]" if r.involvement_note else "")
        for r in group.itertuples() if r.perpetrator
    ) or _("perpetrator unknown")
    when = date_text(first["act_date"], None, first["date_precision"])
    with st.container(border=True):
        st.markdown(f"**{plain(first['violation_type'])}** · {plain(when)} · " + _("victim") + f": {plain(first['victim'] or '—')}")
        st.caption(_("By") + ": " + plain(who))
        if first["description"]:
            text(first["description"])

st.subheader(_("Perpetrators and their involvement"))
perps = acts.dropna(subset=["perpetrator"]).groupby(["perpetrator", "actor_group", "actor_type", "involvement"], dropna=False)["act_id"].nunique().reset_index(name="acts")
st.dataframe(clean_frame(perps), hide_index=True, width="stretch", column_config={
    "perpetrator": _("Perpetrator"), "actor_group": _("State or non-state"), "actor_type": _("Kind of perpetrator"),
    "involvement": _("Degree of involvement"), "acts": st.column_config.NumberColumn(_("Acts")),
})

st.subheader(_("Defenders"))
victims = acts.dropna(subset=["victim"]).drop_duplicates("victim_id")[["victim_id", "victim", "victim_kind"]]
for v in victims.itertuples():
    if v.victim == "(name withheld)":
        text(f"{v.victim} ({v.victim_kind})")
        continue
    st.page_link("app_pages/profiles.py", label=plain(f"{v.victim} ({v.victim_kind})"), query_params={"defender_profile": str(v.victim_id)})

st.subheader(_("Sources"))
sources = cache.named(version, "incident_sources_list", (("incident_id", incident_id),))
for s in sources.itertuples():
    date = f", {s.published_date:%d %B %Y}" if s.published_date is not None and str(s.published_date) != "NaT" else ""
    url = str(s.url or "")
    line = f"{s.publisher}: {s.title}{date}"
    if url.startswith(("https://", "http://")):
        st.link_button("🔗 " + plain(line[:120]), url)
    else:
        text(line)
