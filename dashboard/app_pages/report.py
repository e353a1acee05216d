"""Report: the current selection or a comparison as a PDF or a self-contained HTML file."""
from __future__ import annotations

import streamlit as st

from dashboard import cache
from dashboard.compare import FEMINITA_PRESET, PRESET_TITLE
from dashboard.components import widgets
from dashboard.components.session import mode, record
from dashboard.components.widgets import mode_banner, plain
from dashboard.i18n import _
from dashboard.report import MIME_TYPES, ReportError, build_report_data, render

filters = st.session_state["filters"]
unit = st.session_state["unit"]
version = st.session_state["version"]
current = mode()

st.title(_("Report"))
mode_banner(current)
st.caption(_("A report for donors and boards: the figures, charts, highlighted public cases, definitions and "
             "sources of a selection, in a file you can attach to an email."))

params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
url_comparison = {k: v[-1] for k, v in params.items() if k.startswith(("a.", "b.")) and v}
has_url_comparison = any(k.startswith("a.") for k in url_comparison) and any(k.startswith("b.") for k in url_comparison)

kinds = {"filters": _("The current filters (sidebar)"),
         "compare": _("The comparison in the address (Compare page)") if has_url_comparison else _(PRESET_TITLE)}
what = st.radio(_("Report on"), list(kinds), format_func=kinds.get, horizontal=True, key="report_what")
fmt = st.radio(_("Format"), ["pdf", "html"], horizontal=True, key="report_format",
               format_func=lambda f: {"pdf": _("PDF (static charts, A4)"),
                                      "html": _("HTML (interactive charts, works offline)")}[f])
compare = (url_comparison if has_url_comparison else dict(FEMINITA_PRESET)) if what == "compare" else None

if what == "filters":
    # the report marks generated data on its pages; the page says so before it is built
    widgets.synthetic_badge(cache.totals(version, filters, current))
    st.markdown(_("**Selection:** ") + plain("; ".join(filters.describe())))
else:
    st.markdown(_("**Comparison:** ") + plain(", ".join(f"{k}={v}" for k, v in sorted(compare.items()))))
st.caption(_("Counting unit: {unit}. ").format(unit=unit) + (
    _("Public report: small counts that include non-public cases are shown as “< k”, and only public cases "
      "are described.") if current == "public" else
    _("Analyst report: includes restricted and confidential cases; every page says so. Not for publication.")))

request = (what, fmt, filters, unit, current, tuple(sorted((compare or {}).items())), version)
if st.session_state.get("report_request") != request:
    st.session_state.pop("report_file", None)  # a file made for another selection must not be offered

if st.button(_("Build the report"), type="primary", key="report_build"):
    bar = st.progress(0.0, text=_("Starting"))

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(1.0, max(0.0, fraction)), text=_(message))

    try:
        if fmt == "pdf":
            from dashboard.report.pdf import warm_up

            warm_up()
        data = build_report_data(cache.connection(), filters, unit, current, compare=compare, progress=progress)
        name = f"hrd_report_{'comparison' if compare else filters.slug()}{'_ANALYST' if current == 'analyst' else ''}.{fmt}"
        payload = render(data, fmt, progress=progress, output_name=name)
    except ReportError as exc:
        bar.empty()
        st.error(str(exc))
    else:
        bar.progress(1.0, text=_("Done"))
        if compare is not None:
            widgets.synthetic_badge({"synthetic_act_count": data.synthetic_act_count})
        for note in data.notes:
            widgets.note(note)
        st.session_state["report_file"] = (payload, name, fmt)
        st.session_state["report_request"] = request
        record("report", f"{fmt} ({current}) {name}", data.filter_lines, None)

made = st.session_state.get("report_file")
if made:
    payload, name, made_fmt = made
    st.download_button(_("Download the report ({size:,} KB)").format(size=max(1, len(payload) // 1024)),
                       data=payload, file_name=name, mime=MIME_TYPES[made_fmt], key="report_download",
                       on_click="ignore")
    st.caption(_("Made from the data set in use now; the file states its fingerprint, filters and the command "
                 "that makes it again."))
