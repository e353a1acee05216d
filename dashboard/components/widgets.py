"""Small shared pieces: the synthetic-data badge, notes under charts, CSV download rows."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import export
from ..filters import Filters
from ..i18n import _
from ..metrics import UNIT_LABELS, multi_count_note


def synthetic_badge(totals: dict[str, int]) -> None:
    """A visible badge whenever synthetic demo rows are in view."""
    if totals.get("synthetic_act_count", 0) > 0:
        st.markdown(
            '<div data-testid="synthetic-badge" style="display:inline-block;background:#fff3cd;'
            'border:1px solid #d39e00;color:#6b4f00;border-radius:6px;padding:4px 10px;'
            'font-weight:600;margin:4px 0 8px 0">⚠ ' + _("Synthetic demo data in view") +
            f" — {totals['synthetic_act_count']:,} " + _("acts are generated, not real cases") + "</div>",
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
    """A CSV download of exactly this data, named after the filters, with the selection in a sidecar."""
    file_name = f"hrd_{name}_{filters.slug()}.csv"
    row = st.container(horizontal=True)
    row.download_button(
        label or _("Download CSV"), data=export.to_csv_bytes(frame), file_name=file_name,
        mime="text/csv", key=f"dl_{key}", on_click="ignore",
    )
    about = export.describe_selection(filters, name.replace("_", " "), unit=unit, row_count=len(frame))
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
    value = "" if text is None else str(text)
    value = "".join(ch for ch in value if ch.isprintable() or ch == " ")
    for ch in ("\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"):
        value = value.replace(ch, "")
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in value)
