"""Small shared pieces: the synthetic-data badge, notes under charts, CSV download rows."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from .. import export, privacy
from ..textsafe import clean, clean_frame
from ..filters import Filters
from ..i18n import _
from ..metrics import UNIT_LABELS, multi_count_note


def synthetic_badge(totals: dict[str, int] | None = None, what: str | None = None) -> None:
    """A visible badge whenever synthetic demo rows are in view.

    ``totals``: a selection's totals, whose synthetic acts are counted in the badge; ``what``:
    the badge's own words instead, for a page about one generated record (a case, a defender)
    or two selections (the Compare page), where a count of acts would say something untrue
    (a case page read "1 acts are generated" for a case of eight acts)."""
    count = int((totals or {}).get("synthetic_act_count", 0) or 0)
    if what is None and count <= 0:
        return
    if what is None:
        what = (_("1 act is generated, not a real case") if count == 1 else
                _("{n} acts are generated, not real cases").format(n=f"{count:,}"))
    st.markdown(
        '<div data-testid="synthetic-badge" style="display:inline-block;background:#fff3cd;'
        'border:1px solid #d39e00;color:#6b4f00;border-radius:6px;padding:4px 10px;'
        'font-weight:600;margin:4px 0 8px 0">⚠ ' + _("Synthetic demo data in view") + " — " + html.escape(what) + "</div>",
        unsafe_allow_html=True,
    )


def chart_note(frame: pd.DataFrame, unit: str) -> None:
    """Say what the chart counts, and the multi-counting note where it applies."""
    note = _("Counts: ") + UNIT_LABELS[unit] + "."
    extra = multi_count_note(frame)
    if extra:
        note += " " + extra
    st.caption(note)


def download_csv(frame: pd.DataFrame, name: str, filters: Filters, key: str, label: str | None = None,
                 unit: str | None = None) -> None:
    """A CSV download of exactly this data, named after the filters, with the selection in a sidecar.

    Aggregates are exported as shown: suppressed cells read "< k" in public mode.
    Each click is written to the audit log.
    """
    from .session import mode, record

    current = mode()
    data = privacy.export_values(frame) if "display" in frame else frame
    if current == "public":
        data = data.drop(columns=["has_non_public"], errors="ignore")
    suffix = "_ANALYST" if current == "analyst" else ""
    file_name = f"hrd_{name}_{filters.slug()}{suffix}.csv"
    row = st.container(horizontal=True)
    row.download_button(
        label or _("Download CSV"), data=export.to_csv_bytes(data), file_name=file_name,
        mime="text/csv", key=f"dl_{key}", on_click=record,
        args=("export", file_name, filters.describe(), len(data)),
    )
    about = export.describe_selection(filters, name.replace("_", " "), unit=unit, row_count=len(data), mode=current)
    row.download_button(
        _("About this file"), data=about.encode("utf-8"), file_name=file_name.replace(".csv", ".about.txt"),
        mime="text/plain", key=f"dl_about_{key}", on_click="ignore",
    )


def empty_state(message: str | None = None) -> None:
    """A clear empty state instead of blank charts or an error."""
    st.info(message or _("No cases match these filters. Widen the years, or clear some filters in the sidebar."))


_MD_SPECIAL = "\\`*_{}[]()<>#+-.!|~$"


def plain(text: object) -> str:
    """Escape Markdown so that data (names, titles) is shown as text, never as links or markup."""
    value = clean(text)
    value = "".join(ch for ch in value if ch.isprintable() or ch == " ")
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in value)


def mode_banner(mode: str) -> None:
    """Say which view this is: the analyst view must never be mistaken for the public one."""
    if mode == "analyst":
        st.markdown(
            '<div data-testid="analyst-banner" style="background:#fde7e9;border:1px solid #b3261e;color:#7a1b14;'
            'border-radius:6px;padding:4px 10px;font-weight:600;margin:4px 0">🔒 ' +
            _("Analyst view: includes restricted and confidential cases. Do not share screenshots or files publicly.") +
            "</div>", unsafe_allow_html=True)


def table_view(frame: pd.DataFrame, mode: str) -> pd.DataFrame:
    """A table as shown: "< k" text for suppressed cells, no internal flags in public mode."""
    out = privacy.export_values(frame) if "display" in frame else frame.copy()
    drop = ["is_suppressed", "has_synthetic"] + (["has_non_public"] if mode == "public" else [])
    out = out.drop(columns=drop, errors="ignore")
    for col in ("value", "incident_count"):
        if col in out and out[col].map(lambda v: isinstance(v, str)).any():
            out[col] = out[col].astype(str)  # "< 5" beside numbers: one text column, not a mixed one
    return clean_frame(out).rename(columns=lambda c: c.replace("_", " "))


def note(text: str) -> None:
    """A warning caption about the address or the input: the value is echoed as text, never as Markdown."""
    st.caption("⚠️ " + plain(text))


def text(value: object) -> None:
    """Stored multi-line text (summaries, descriptions), shown as it is minus invisible characters."""
    st.text(clean(value))
