"""Overview: headline figures, attacks per year, the map, breakdowns, country x year."""
from __future__ import annotations

import streamlit as st

from dashboard import cache, charts
from dashboard.components.plot import chart, first_custom
from dashboard.components.sidebar import narrow
from dashboard.components.session import mode
from dashboard.components.widgets import chart_note, download_csv, empty_state, mode_banner, synthetic_badge
from dashboard.i18n import _
from dashboard.privacy import present_totals

filters = st.session_state["filters"]
unit = st.session_state["unit"]
version = st.session_state["version"]
current = mode()

st.title(_("Attacks on human rights defenders"))
totals = cache.totals(version, filters, current)
shown = present_totals(totals, current)
mode_banner(current)
synthetic_badge(totals)

c1, c2 = st.columns([3, 2])
c1.caption(_("Who did what to whom: incidents documented by sources, the acts within them, and the defenders affected."))
with c2:
    st.page_link("app_pages/compare.py", label=_("Compare: Feminita, Shymkent 2021 vs Almaty 2024"), icon="⚖️",
                 query_params={"a.defender": "1", "a.from": "2021", "a.to": "2021",
                               "b.defender": "1", "b.from": "2024", "b.to": "2024"})

m = st.columns(4)
m[0].metric(_("Incidents"), shown["incident_count"])
m[1].metric(_("Acts"), shown["act_count"])
m[2].metric(_("Defenders affected"), shown["defender_count"])
m[3].metric(_("Countries"), shown["country_count"])

if totals["act_count"] == 0:
    empty_state()
    st.stop()

# the five breakdowns at once (computed side by side), then the charts in order
frames = cache.overview(version, filters, unit, current)
per_year = frames["year,actor_group"]
chart(charts.per_year(per_year, unit, _("Attacks per year, by state / non-state perpetrators")), key="chart_year")
chart_note(per_year, unit)
download_csv(per_year, "per_year", filters, "year", unit=unit)

by_country = frames["country"]
chart(charts.world_map(by_country, unit, _("Where (click a country to filter)")), key="chart_map",
      on_click=lambda point: narrow("countries", point.get("location")), config={"topojsonURL": charts.TOPOJSON_URL})
chart_note(by_country, unit)
download_csv(by_country, "by_country", filters, "country", unit=unit)

left, right = st.columns(2)
kinds_title, actors_title = _("Kinds of attack"), _("Perpetrators: state and non-state")
room = charts.title_lines(kinds_title, actors_title)  # side by side: both plots start at the same height
with left:
    by_violation = frames["violation"]
    chart(charts.breakdown(by_violation, "violation_code", unit, kinds_title, title_room=room), key="chart_violation",
          on_click=lambda point: narrow("violations", first_custom(point)))
    chart_note(by_violation, unit)
    download_csv(by_violation, "by_violation", filters, "violation", unit=unit)
with right:
    by_actor = frames["actor_type,actor_group"]
    chart(charts.breakdown(by_actor, "actor_type", unit, actors_title, colour_by_group=True, title_room=room),
          key="chart_actor",
          on_click=lambda point: narrow("actor_types", first_custom(point)))
    chart_note(by_actor, unit)
    download_csv(by_actor, "by_actor_type", filters, "actor", unit=unit)

heat = charts.heatmap_cells(frames["country,year"])
chart(charts.heatmap(heat, unit, _("Country by year (the {n} countries with most counts)").format(n=charts.HEATMAP_COUNTRIES)),
      key="chart_heat")
chart_note(heat, unit)
download_csv(heat, "country_by_year", filters, "heat", unit=unit)
