"""Compare: two selections side by side, with a generated "what changed" list."""
from __future__ import annotations

import streamlit as st

from dashboard import cache, charts
from dashboard.compare import (FEMINITA_PRESET, PRESET_TITLE, Side, aligned, describe_side, largest, side_filters,
                               what_changed)
from dashboard.components import widgets
from dashboard.components.plot import chart
from dashboard.components.session import mode
from dashboard.textsafe import clean
from dashboard.components.widgets import chart_note, download_csv, mode_banner, synthetic_badge, table_view
from dashboard.i18n import _
from dashboard.privacy import present_totals

base = st.session_state["filters"]
unit = st.session_state["unit"]
version = st.session_state["version"]
current = mode()

st.title(_("Compare two selections"))
mode_banner(current)
if st.button("⚖️ " + _(PRESET_TITLE), key="preset_feminita"):
    keep = {k: v for k, v in st.query_params.to_dict().items() if not k.startswith(("a.", "b."))}
    st.query_params.from_dict(keep | FEMINITA_PRESET)
    st.rerun()

params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
if not any(k.startswith(("a.", "b.")) for k in params):
    st.info(_("Choose two selections below, or open the preset above."))
vocab = cache.vocabulary_sets(version)
fa, notes_a = side_filters(params, "a.", base.include_synthetic, vocab)
fb, notes_b = side_filters(params, "b.", base.include_synthetic, vocab)
for note in notes_a + notes_b:
    widgets.note(note)

defenders = cache.named(version, "defender_list", (("include_synthetic", base.include_synthetic), ("search", ""),
                                                  ("public_only", current == "public")))
names = dict(zip(defenders["defender_id"], defenders["name"]))
for wanted in set(fa.defender_ids) | set(fb.defender_ids):
    if wanted not in names:
        found = cache.named(version, "defender_detail", (("defender_id", int(wanted)),))
        public = not found.empty and bool(found.iloc[0]["is_name_public"]) and found.iloc[0]["visibility"] == "public"
        if not found.empty and (public or current == "analyst"):
            names[wanted] = found.iloc[0]["name"]
name_a, name_b = describe_side(fa, names), describe_side(fb, names)
if name_a == name_b:
    name_a, name_b = "A: " + name_a, "B: " + name_b


def editor(prefix: str, current) -> None:
    """A small form that rewrites one side's URL parameters."""
    with st.expander(_("Change selection ") + prefix.rstrip(".").upper()):
        with st.form(f"form_{prefix}"):
            options = [0] + list(defenders["defender_id"][:300])
            chosen = current.defender_ids[0] if current.defender_ids else 0
            defender = st.selectbox(_("Defender or organisation"), options,
                                    index=options.index(chosen) if chosen in options else 0,
                                    format_func=lambda d: _("(any)") if d == 0 else clean(names.get(d, str(d))))
            y1, y2 = st.columns(2)
            year_from = y1.number_input(_("From year"), 1990, 2100, current.year_from or 1990)
            year_to = y2.number_input(_("To year"), 1990, 2100, current.year_to or 2100)
            countries = st.text_input(_("Countries (ISO-3 codes, comma separated)"), ",".join(current.countries))
            search = st.text_input(_("Search text"), current.search)
            if st.form_submit_button(_("Apply")):
                side = {"from": str(year_from) if year_from > 1990 else "", "to": str(year_to) if year_to < 2100 else "",
                        "defender": str(defender) if defender else "", "country": countries, "q": search}
                keep = {k: v for k, v in st.query_params.to_dict().items() if not k.startswith(prefix)}
                keep |= {prefix + k: v for k, v in side.items() if v}
                st.query_params.from_dict(keep)
                st.rerun()


def side(name: str, filters) -> Side:
    return Side(
        name=name, filters=filters, totals=cache.totals(version, filters, current),
        violations=cache.aggregate(version, filters, "violation", unit, current),
        actors=cache.aggregate(version, filters, "actor_type,actor_group", unit, current),
        involvement=cache.involvement(version, filters, current), places=cache.places(version, filters, current),
    )


def labelled(frame):
    """Codes become words (degree, actor group, country): the table and its CSV show the same thing."""
    out = frame.copy()
    if "involvement" in out:
        out["involvement"] = out["involvement"].map(lambda c: lab["involvement_degrees"].get(c, c))
    if "actor_group" in out:
        out["actor_group"] = out["actor_group"].map(lambda c: charts.GROUP_LABELS.get(c, c))
    if "country_code" in out:
        out.insert(0, "country", out.pop("country_code").map(lambda c: lab["countries"].get(c, c)))
    return out


lab = cache.labels(version)
sa, sb = side(name_a, fa), side(name_b, fb)
synthetic_in = [int(one.totals["synthetic_act_count"]) for one in (sa, sb)]
if any(synthetic_in):
    # each side's own count: a sum would count twice what both selections hold
    synthetic_badge(what=_("generated acts, not real cases: {a} in A, {b} in B").format(
        a=f"{synthetic_in[0]:,}", b=f"{synthetic_in[1]:,}"))
st.caption(_("Permalink: copy the address bar; it holds both selections."))

sides = ((sa, "a."), (sb, "b."))
for col, (s, prefix) in zip(st.columns(2), sides):
    with col:
        st.subheader(s.name)
        editor(prefix, s.filters)
        shown = present_totals(s.totals, current)
        m = st.columns(3)
        m[0].metric(_("Incidents"), shown["incident_count"])
        m[1].metric(_("Acts"), shown["act_count"])
        m[2].metric(_("Defenders affected"), shown["defender_count"])
        if s.totals["act_count"] == 0:
            st.info(_("Nothing matches this selection."))


def row_of_sides(frames):
    """One section of the page as a row of two columns, so it starts level on both sides: the
    column, side, URL prefix and frame of each side that selects something."""
    return [(col, s, prefix, frame) for col, (s, prefix), frame in zip(st.columns(2), sides, frames)
            if s.totals["act_count"] > 0]


for column, title, key, dl, name, by_group in (
        ("violation_code", _("Kinds of attack"), "cmp_v_", "cv", "violations", False),
        ("actor_type", _("Perpetrators"), "cmp_a_", "ca", "actors", True)):
    # both charts list the same rows in the same order, on one scale (compare.aligned)
    pair = aligned(getattr(sa, name), getattr(sb, name), column)
    top = max(largest(frame) for frame in pair)
    for col, s, prefix, frame in row_of_sides(pair):
        with col:
            chart(charts.breakdown(frame, column, unit, title, colour_by_group=by_group, in_frame_order=True,
                                   x_max=top), key=f"{key}{prefix}")
            chart_note(frame, unit)
            download_csv(frame, f"compare_{prefix[0]}_{name}", s.filters, f"{dl}{prefix}", unit=unit)

# the involvement tables list the same (degree, actor group) rows; places are each side's own
# (table_view writes the columns' names with spaces)
TABLE_LABELS = {"involvement": _("Degree of involvement"), "actor group": _("State or non-state"),
                "country": _("Country"), "place": _("Place"), "incident count": _("Incidents")}
tables = (("involvement", _("Degree of involvement (acts)"), "acts", _("Acts"), "ci",
           aligned(sa.involvement, sb.involvement, ["involvement", "actor_group"])),
          # a place's count is its incidents: its incident_count column said the same again
          ("places", _("Places (incidents)"), "incidents", _("Incidents"), "cp",
           tuple(frame.drop(columns="incident_count", errors="ignore") for frame in (sa.places, sb.places))))
for name, heading, counted, value_name, dl, pair in tables:
    for col, s, prefix, frame in row_of_sides([labelled(frame) for frame in pair]):
        with col:
            st.markdown("**" + heading + "**")
            st.dataframe(table_view(frame, current).rename(columns={"value": value_name}), hide_index=True,
                         width="stretch", column_config=TABLE_LABELS)
            download_csv(frame, f"compare_{prefix[0]}_{name}", s.filters, f"{dl}{prefix}", unit=counted)

st.subheader(_("What changed"))
for line in what_changed(sa, sb, mode=current):
    st.markdown("- " + line.replace("*", "\\*").replace("_", "\\_"))
