"""Published figures: other organisations' headline numbers, beside ours where definitions match."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import cache, charts
from dashboard.components.plot import chart
from dashboard.components.session import mode
from dashboard.components.widgets import download_csv, plain
from dashboard.filters import Filters
from dashboard.i18n import _
from dashboard.ingest.published import COMPARISONS, compare_with_published, published_figures

current = mode()
st.title(_("Published figures"))
st.caption(_("Headline figures published by Front Line Defenders, Global Witness, CPJ and BHRRC, each with its "
             "definition and citation. Where a definition matches a count this database can make, the project's own "
             "count from imported data stands beside it; the difference says how complete the imported data is, "
             "not which number is right."))
con = cache.connection()
# the tables' column names, in words (the CSV downloads keep the data's own names)
LABELS = {
    "year": st.column_config.NumberColumn(_("Year"), format="%d"),
    "published_value": st.column_config.NumberColumn(_("Published")),
    "own_count": st.column_config.NumberColumn(_("This database")),
    "difference": st.column_config.NumberColumn(_("Difference")),
    "publisher": st.column_config.TextColumn(_("Publisher")),
    "report": st.column_config.TextColumn(_("Report")),
    "country": st.column_config.TextColumn(_("Country")),
    "metric": st.column_config.TextColumn(_("Metric")),
    "value": st.column_config.NumberColumn(_("Value")),
    "definition": st.column_config.TextColumn(_("Definition")),
    "cited_via": st.column_config.TextColumn(_("Cited via")),
}
for (publisher, metric), comparison in sorted(COMPARISONS.items()):
    frame = compare_with_published(con, metric, publisher, public_only=current == "public")
    st.subheader(f"{publisher}: {_(comparison.title).lower()}")
    definitions = sorted(set(frame["definition"].dropna()))
    if len(definitions) == 1:
        st.markdown(f"**{_('Their definition')}:** {plain(definitions[0])}")
    else:  # one per report ("HRDs killed (all sectors), 26 countries", "... 27 countries"): each beside its year
        st.markdown(f"**{_('Their definition')}:** " + _("it changes from one report to the next; each year's is "
                                                          "in the table below."))
    st.markdown(f"**{_('Our count')}:** {_(comparison.own_definition)}")
    if current == "public":
        st.caption(_("Public view: our count includes public incidents only."))
    counted = int(frame["own_count"].sum()) > 0
    if not counted:
        st.info(_("No matching imported data is loaded yet (import the publisher's data set to compare)."))
        # nothing was counted, so there is no count: blank, not "0 killed" and a difference of -124
        frame = frame.assign(own_count=pd.NA, difference=pd.NA).astype({"own_count": "Int64", "difference": "Int64"})
    fig = go.Figure()
    if counted:
        fig.add_bar(x=frame["year"], y=frame["own_count"], name=_("This database (imported)"), marker_color="#1f5fa8")
    # every year from the first to the last: a year without a published figure is a gap in the
    # line, not a straight line through it (FLD's 2019 and 2021 were joined across 2020)
    line = frame.groupby("year")["published_value"].first()
    line = line.reindex(range(int(line.index.min()), int(line.index.max()) + 1)) if len(line) else line
    fig.add_scatter(x=list(line.index), y=[None if pd.isna(v) else float(v) for v in line],
                    name=_("Published"), mode="markers+lines",
                    marker=dict(color="#b3261e", size=9), connectgaps=False)
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h"),
                      yaxis_title=_(comparison.title), plot_bgcolor="white", font=charts.FONT,
                      template=charts.TEMPLATE, xaxis=dict(dtick=1, tickformat="d"),  # whole years, no "2,021.5"
                      yaxis=dict(rangemode="tozero"), showlegend=True)
    chart(fig, key=f"pub_{publisher}_{metric}")
    columns = ["year", "published_value"] + (["own_count", "difference"] if counted else []) + ["report", "cited_via"]
    if len(definitions) > 1:
        columns.insert(columns.index("report"), "definition")
    st.dataframe(frame[columns], hide_index=True, width="stretch", column_config=LABELS)
    download_csv(frame, f"published_{metric}", Filters(), f"pub_{metric}")

st.subheader(_("All published figures"))
table = published_figures(con)
st.dataframe(table, hide_index=True, width="stretch", column_config=LABELS)
download_csv(table, "published_figures", Filters(), "pub_all")
