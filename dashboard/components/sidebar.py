"""The one set of filters for every page, kept in the URL so an address is a permalink."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from .. import cache
from . import widgets
from ..filters import UNITS, Filters, from_query_params, make_filters, to_query_params
from ..i18n import _

PAGE_KEYS = ("id", "defender_profile", "unit", "mode")
PAGE_PREFIXES = ("a.", "b.")
_STATE = {
    "countries": "f_countries", "regions": "f_regions", "violations": "f_violations",
    "actor_types": "f_actor_types", "sectors": "f_sectors", "genders": "f_genders",
}


def _query_params_dict() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def page_params() -> dict[str, list[str]]:
    """URL parameters owned by pages (case id, comparison sides), kept when filters change."""
    return {k: v for k, v in _query_params_dict().items() if k in PAGE_KEYS or k.startswith(PAGE_PREFIXES)}


def _options(version: str) -> dict[str, list[str]]:
    frame = cache.named(version, "filter_options")
    return {dim: list(group["code"]) for dim, group in frame.groupby("dimension", sort=False)}


def _load_from_url(version: str, options: dict[str, list[str]]) -> None:
    """On a session's first run, put the URL's filters into the widgets' state."""
    raw = {k: v for k, v in _query_params_dict().items() if k not in PAGE_KEYS and not k.startswith(PAGE_PREFIXES)}
    filters, notes = from_query_params(raw, cache.vocabulary_sets(version))
    for field, key in _STATE.items():
        st.session_state[key] = list(getattr(filters, field))
    years = sorted(int(y) for y in options.get("year", []))
    # a bound given in the URL stays in the URL even when it equals the data's first or last year,
    # so a shared link does not widen when older or newer cases are added later
    st.session_state["f_from_explicit"] = filters.year_from is not None
    st.session_state["f_to_explicit"] = filters.year_to is not None
    if years:
        lo = max(years[0], filters.year_from or years[0])
        hi = min(years[-1], filters.year_to or years[-1])
        st.session_state["f_years"] = (min(lo, hi), max(lo, hi))
    st.session_state["f_search"] = filters.search
    st.session_state["f_synthetic"] = filters.include_synthetic
    unit = st.query_params.get("unit", "incidents")
    if unit not in UNITS:
        notes.append(f"Ignored unknown unit {unit[:30]!r}.")
        unit = "incidents"
    st.session_state["f_unit"] = unit
    st.session_state["url_notes"] = notes
    st.session_state["filters_loaded"] = True


def _multiselect(label: str, key: str, options: list[str], names: dict[str, str]) -> None:
    current = [v for v in st.session_state.get(key, []) if v in options]
    extra = [v for v in st.session_state.get(key, []) if v not in options]
    st.session_state[key] = current
    st.multiselect(label, options + extra, key=key, format_func=lambda c: names.get(c, c))


def _years_moved() -> None:
    """A moved slider is an explicit choice: keep both bounds in the URL unless they span everything."""
    st.session_state["f_from_explicit"] = False
    st.session_state["f_to_explicit"] = False


def filter_sidebar(version: str) -> tuple[Filters, str]:
    """Draw the filters; return the selection and the counting unit, and mirror them in the URL."""
    options = _options(version)
    if not st.session_state.get("filters_loaded"):
        _load_from_url(version, options)
    lab = cache.labels(version)
    with st.sidebar:
        st.header(_("Filters"))
        for note in st.session_state.get("url_notes", []):
            widgets.note(note)
        st.radio(_("Count"), UNITS, key="f_unit", horizontal=True,
                 format_func=lambda u: {"incidents": _("Incidents"), "acts": _("Acts"), "defenders": _("Defenders")}[u],
                 help=_("Incidents: situations documented by a source. Acts: one thing done to one victim. "
                        "Defenders: distinct people, organisations and groups attacked."))
        regions = sorted(set(options.get("region", [])) | set(options.get("subregion", [])))
        _multiselect(_("Regions"), "f_regions", regions, {})
        countries = sorted(options.get("country", []), key=lambda c: lab["countries"].get(c, c))
        _multiselect(_("Countries"), "f_countries", countries, lab["countries"])
        years = sorted(int(y) for y in options.get("year", []))
        if len(years) > 1:
            st.slider(_("Years"), years[0], years[-1], key="f_years", on_change=_years_moved)
        violations = options.get("violation_category", []) + sorted(options.get("violation", []))
        _multiselect(_("Kinds of attack"), "f_violations", violations, lab["violation_types"])
        actor_opts = [g for g in ("state", "non_state", "unknown") if g in options.get("actor_group", [])]
        actor_opts += sorted(options.get("actor_type", []))
        _multiselect(_("Perpetrators (state / non-state, and kinds)"), "f_actor_types", actor_opts, lab["actor_types"])
        _multiselect(_("Sectors"), "f_sectors", sorted(options.get("sector", [])), lab["sectors"])
        _multiselect(_("Gender"), "f_genders", sorted(options.get("gender", [])), lab["genders"])
        st.text_input(_("Search titles and summaries"), key="f_search", max_chars=200)
        st.checkbox(_("Include synthetic demo data"), key="f_synthetic")
        if st.button(_("Clear filters"), width="stretch"):
            for key in list(_STATE.values()) + ["f_search"]:
                st.session_state[key] = [] if key != "f_search" else ""
            if years:
                st.session_state["f_years"] = (years[0], years[-1])
            _years_moved()
            st.session_state["f_synthetic"] = True
            st.rerun()
    year_from = year_to = None
    if len(years) > 1:
        lo, hi = st.session_state["f_years"]
        year_from = lo if lo > years[0] or st.session_state.get("f_from_explicit") else None
        year_to = hi if hi < years[-1] or st.session_state.get("f_to_explicit") else None
    filters = make_filters(
        **{field: st.session_state.get(key, []) for field, key in _STATE.items()},
        year_from=year_from, year_to=year_to, search=st.session_state.get("f_search", ""),
        include_synthetic=st.session_state.get("f_synthetic", True),
    )
    unit = st.session_state.get("f_unit", "incidents")
    sync_url(filters, unit)
    return filters, unit


def sync_url(filters: Filters, unit: str) -> None:
    """Write the filters (and the page's own keys) into the address bar."""
    wanted: dict[str, str | list[str]] = dict(to_query_params(filters))
    if unit != "incidents":
        wanted["unit"] = unit
    for key, values in page_params().items():
        if key != "unit":
            wanted[key] = values if len(values) > 1 else values[0]
    current = {k: (v if len(v) > 1 else v[0]) for k, v in _query_params_dict().items()}
    if current != wanted:
        st.query_params.from_dict(wanted)


def narrow(field: str, value: object) -> None:
    """Add a value to a filter: a chart's click callback (components/plot.py).

    A callback runs before the script, when the sidebar's widgets may still be set;
    the run that follows draws the narrowed selection. A value the vocabulary does not
    know (nothing a chart draws; only a forged message) changes nothing.
    """
    version = st.session_state.get("version")
    if version is None or str(value) not in cache.vocabulary_sets(version).get(field, set()):
        return
    key = _STATE[field]
    values = list(st.session_state.get(key, []))
    if str(value) not in values:
        st.session_state[key] = values + [str(value)]


def with_years(filters: Filters, year_from: int | None, year_to: int | None) -> Filters:
    """The same selection restricted to a year range (used by comparisons)."""
    return replace(filters, year_from=year_from, year_to=year_to)
