"""Plotly figures built from aggregate DataFrames; pages only place them.

Each builder takes the frame returned by ``metrics.aggregate`` (or a similar
table) and returns a ``plotly.graph_objects.Figure``. Axis titles always name the
counting unit, because DESIGN.md's first rule is that a chart says what it counts.
"""
from __future__ import annotations

import math
import textwrap
from typing import Any, Callable, Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go

from .metrics import UNIT_LABELS
from .settings import STATIC_DIR

STATE_COLOURS = {"state": "#b3261e", "non_state": "#1f5fa8", "unknown": "#8a8a8a"}
GROUP_LABELS = {"state": "State actors", "non_state": "Non-state actors", "unknown": "Unknown"}
TOPOJSON_URL = "/app/static/topojson/"
FONT = dict(family="DejaVu Sans, Arial, sans-serif", size=13)

# The look of the dashboard's charts (the light theme Streamlit's chart element gave them):
# grey labels and grid, dark bold titles. The dashboard draws its charts itself
# (components/plot.py), so the figure carries its whole look; the PDF's charts share it.
MUTED = "#808495"
GRID = "#e6eaf1"
HEADING = "#2F2D2B"
TEMPLATE = go.layout.Template(layout=dict(
    font=dict(color=MUTED),
    title=dict(font=dict(color=HEADING, size=15, weight="bold")),
    colorway=["#0068c9", "#83c9ff", "#ff2b2b", "#ffabab", "#29b09d", "#7defa1", "#ff8700", "#ffd16a"],
    xaxis=dict(showgrid=False, zeroline=False, gridcolor=GRID, zerolinecolor=GRID, tickcolor=GRID,
               tickfont=dict(size=12), title=dict(font=dict(size=14), standoff=20), automargin=True),
    yaxis=dict(gridcolor=GRID, zerolinecolor=GRID, tickcolor=GRID, ticklabelposition="outside",
               tickfont=dict(size=12), title=dict(font=dict(size=14), standoff=24), automargin=True),
    legend=dict(font=dict(size=12, color="#262730")),
    hoverlabel=dict(bgcolor="white", bordercolor="rgba(47, 45, 43, 0.2)", font=dict(color=MUTED, size=12)),
    margin=dict(pad=8),
))


def _display(data: pd.DataFrame) -> pd.Series:
    """The text of each value: "< k" for suppressed cells, else the number."""
    if "display" in data:
        return data["display"].astype(str)
    return pd.to_numeric(data["value"], errors="coerce").map(lambda v: f"{int(v):,}" if pd.notna(v) else "")


# Plotly widens a margin that is too narrow for the tick labels, axis titles, legend or
# colour bar ("automargin") by drawing the chart a second time, which is half of the
# chart's drawing time in the browser (the Overview draws five). The builders below
# ask for margins that already hold what the chart carries, estimated from its labels,
# so the first drawing is the last; automargin stays on for any label the estimate misses.
CHAR_PX = 7.7  # width of one character of a 12 px tick label in DejaVu Sans (the widest font FONT names), with room
LABEL_PAD_PX = 16  # between the tick labels and the plot
AXIS_TITLE_PX = 40  # a 14 px axis title and its stand-off from the tick labels
TICK_ROW_PX = 28  # a row of horizontal tick labels (years, counts) and its gap
LEGEND_PX = 30  # one row of legend at the bottom edge (a narrow column may wrap it: automargin's case)
COLOUR_BAR_PX = 122  # a colour bar with its title (the counting unit)


def label_width(labels: Iterable[object]) -> int:
    """The estimated pixel width of the longest of these tick labels."""
    longest = max((len(str(label)) for label in labels), default=0)
    return math.ceil(longest * CHAR_PX) + LABEL_PAD_PX


def count_label_width(top: float) -> int:
    """The estimated width of a linear axis' tick labels up to ``top``, as Plotly writes them (200k, 1.5M)."""
    digits = len(f"{int(top):d}") if top >= 1 else 1
    # Plotly shortens to 3 significant digits and a suffix (k, M, B); 4 characters then, plus a decimal point
    return label_width(["0" * min(digits, 5)])


def _shared_layout(traces: Sequence[Any], title: str, height: int = 360, left: int = 10, right: int = 30,
                   bottom: int = 10, top: int = 50) -> dict[str, Any]:
    """Shared look; a legend sits at the figure's bottom edge, below the axis title, never on top of it.

    ``left``, ``right``, ``bottom``: the margins the figure's labels need (see above); a legend
    adds its row to the bottom one.
    """
    legend = any(getattr(trace, "showlegend", None) is not False and getattr(trace, "name", None) for trace in traces)
    return dict(
        template=TEMPLATE, title=dict(text=title, x=0, xanchor="left"),
        height=height + (30 if legend else 0), font=FONT,
        margin=dict(l=left, r=right, t=top, b=bottom + (LEGEND_PX if legend else 0)),
        legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left"),
        plot_bgcolor="white", paper_bgcolor="white",
    )


def _merged(first: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """``first`` updated by ``then``, nested dicts merged (as Plotly's update_layout merges them)."""
    out = dict(first)
    for key, value in then.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _figure(traces: Sequence[Any], title: str, layout: dict[str, Any] | None = None, **shared: int) -> go.Figure:
    """The figure from its traces and its whole layout, validated once.

    Why one constructor call: Plotly validates every ``update_layout``/``update_xaxes`` call
    anew, about five times the cost of a layout passed whole; building the Overview's five
    figures is on the path of a freshly started server's first page.
    """
    return go.Figure(data=list(traces), layout=_merged(layout or {}, _shared_layout(traces, title, **shared)))


def _layout(fig: go.Figure, title: str, **shared: int) -> go.Figure:
    """The shared look for a figure made elsewhere (plotly.express)."""
    fig.update_layout(**_shared_layout(fig.data, title, **shared))
    return fig


def empty_figure(message: str) -> go.Figure:
    """A blank figure with a message, for selections with no data."""
    return _figure([], "", dict(annotations=[dict(text=message, showarrow=False, font=dict(size=15))],
                                xaxis=dict(visible=False), yaxis=dict(visible=False)), height=220)


def _bars(data: pd.DataFrame, x: str, y: str, text: str, colour: str, name: str | None = None,
          custom: str | None = None, horizontal: bool = False, text_size: int | None = None) -> go.Bar:
    """One bar trace, labelled with its values ("< k" where suppressed) outside the bars."""
    categories, values = (data[y], data[x]) if horizontal else (data[x], data[y])
    return go.Bar(
        x=values if horizontal else categories, y=categories if horizontal else values,
        orientation="h" if horizontal else "v", name=name, showlegend=name is not None,
        text=data[text], textposition="outside", cliponaxis=False, marker_color=colour,
        textfont=dict(size=text_size) if text_size else None,
        customdata=data[[custom]].to_numpy() if custom else None,
        hovertemplate=("%{y}: %{text}" if horizontal else "%{x}: %{text}")
        + ("<extra>%{fullData.name}</extra>" if name is not None else "<extra></extra>"),
    )


def _by_group(data: pd.DataFrame, make: Callable[[pd.DataFrame, str, str], go.Bar]) -> list[go.Bar]:
    """One trace per actor group, in the order the groups first appear (as the legend reads)."""
    traces = []
    for group in data["actor_group"].drop_duplicates():
        name = GROUP_LABELS.get(group, group)
        traces.append(make(data[data["actor_group"] == group], name, STATE_COLOURS.get(group, STATE_COLOURS["unknown"])))
    return traces


def count_ticks(largest: float) -> dict[str, int]:
    """The tick step of a count axis: counts are whole numbers, and up to a largest count of 5
    Plotly would put ticks at halves (0.5 incidents); from there on its own steps are whole."""
    return {"dtick": 1} if largest < 5 else {}


def count_colours(counts: pd.Series, unit: str) -> dict[str, object]:
    """The colour scale of a map or heat map: from 0 to the largest count, with its colour bar.

    Why both ends: Plotly ignores zmin without zmax and spans the counts present, so the
    place with fewest incidents was drawn like one with none (and a single country got a
    scale of 0.5 to 1.5 incidents)."""
    top = max(1.0, float(counts.fillna(0).max()))
    return {"zmin": 0, "zmax": top, "colorbar": dict(title=dict(text=unit), **count_ticks(top))}


def per_year(frame: pd.DataFrame, unit: str, title: str = "Attacks per year") -> go.Figure:
    """Bars per year, split by actor group when the frame has one.

    Built from graph_objects, not plotly.express: express costs the first visitor of
    a freshly started server about half a second of imports and set-up."""
    if frame.empty:
        return empty_figure("No data for this selection")
    data = frame.dropna(subset=["year"]).copy()
    data["year"] = data["year"].astype(int)
    data["shown"] = pd.to_numeric(data["value"], errors="coerce").fillna(0)
    data["label"] = _display(data)
    if "actor_group" in data:
        traces = _by_group(data, lambda part, name, colour: _bars(part, "year", "shown", "label", colour, name,
                                                                   custom="actor_group", text_size=10))
    else:
        traces = [_bars(data, "year", "shown", "label", STATE_COLOURS["state"], text_size=10)]
    top = max(1.0, data["shown"].max()) * 1.15  # room above the tallest bar for its value label
    layout = dict(xaxis=dict(title=dict(text="Year"), dtick=1),
                  yaxis=dict(title=dict(text=UNIT_LABELS[unit]), rangemode="tozero", range=[0, top],
                             **count_ticks(data["shown"].max())),
                  barmode="group", legend=dict(title=dict(text="")))
    return _figure(traces, title, layout, left=count_label_width(top) + AXIS_TITLE_PX,
                   bottom=TICK_ROW_PX + AXIS_TITLE_PX)


# breakdowns sit in half-width columns: in a window of 900 px a column is about 200 px wide,
# and Plotly cuts a tick label or title longer than its margin allows instead of wrapping it
WRAP_LABEL_CHARS = 16
WRAP_TITLE_CHARS = 24
ROW_PX = {1: 28, 2: 34}  # a category row by the lines of its label; more lines: MANY_LINES_ROW_PX
MANY_LINES_ROW_PX = 52
TITLE_LINE_PX = 22


def wrapped(text: str, longest: int) -> str:
    """``text`` on as many lines (Plotly's ``<br>``) as keep each within ``longest`` characters,
    cut at spaces; a single longer word stays whole."""
    return "<br>".join(textwrap.wrap(text, width=longest, break_long_words=False, break_on_hyphens=False)
                       or [text])


def title_lines(*titles: str) -> int:
    """The most lines any of these titles takes once wrapped: the title room two charts side by side
    share, so that their plots start at the same height."""
    return max((wrapped(title, WRAP_TITLE_CHARS).count("<br>") + 1 for title in titles), default=1)


def breakdown(frame: pd.DataFrame, column: str, unit: str, title: str, colour_by_group: bool = False,
              title_room: int = 1, in_frame_order: bool = False, x_max: float | None = None) -> go.Figure:
    """Horizontal bars of one dimension (largest at the top); long labels and titles wrapped (``wrapped``).

    ``title_room``: lines kept for the title even if it takes fewer (``title_lines`` of the charts
    drawn beside this one). ``in_frame_order``: the frame's first row at the top, instead of the
    largest; ``x_max``: the largest count the axis must hold, at least the frame's own. Both let two
    charts drawn side by side (the Compare page's, ``compare.aligned``) share rows and scale.
    """
    if frame.empty:
        return empty_figure("No data for this selection")
    data = frame.copy()
    data["shown"] = pd.to_numeric(data["value"], errors="coerce").fillna(0)
    data["text"] = _display(data)
    label = f"{column}_label" if f"{column}_label" in data else column
    data[label] = data[label].astype(str).map(lambda text: wrapped(text, WRAP_LABEL_CHARS))
    lines = int(data[label].str.count("<br>").max()) + 1
    title_room = max(title_lines(title), title_room)
    title = wrapped(title, WRAP_TITLE_CHARS)
    data = data.iloc[::-1] if in_frame_order else data.sort_values("shown", ascending=True, kind="stable")
    if colour_by_group and "actor_group" in data:
        traces = _by_group(data, lambda part, name, colour: _bars(part, "shown", label, "text", colour, name,
                                                                   custom=column, horizontal=True))
    else:
        traces = [_bars(data, "shown", label, "text", "#1f5fa8", custom=column, horizontal=True)]
    top = max(1.0, data["shown"].max(), x_max or 0)
    layout = dict(
        xaxis=dict(title=dict(text=UNIT_LABELS[unit]), rangemode="tozero", range=[0, top * 1.2],
                   **count_ticks(top)),
        # the order of the sorted rows, whichever trace a row is in: the largest at the top
        yaxis=dict(title=dict(text=""), type="category", categoryorder="array",
                   categoryarray=list(data[label].astype(str).drop_duplicates())),
        # each row is in one trace: "relative" gives it the full width, "group" would leave room for the others
        barmode="relative", legend=dict(title=dict(text="")))
    # the category labels' margin is left to automargin: a fixed one as wide as the longest label
    # would leave no room for the bars in a narrow column (Plotly fits fixed margins first)
    row = ROW_PX.get(lines, MANY_LINES_ROW_PX)
    extra_title = TITLE_LINE_PX * (title_room - 1)
    return _figure(traces, title, layout, height=max(260, row * len(data) + 110) + extra_title,
                   bottom=TICK_ROW_PX + AXIS_TITLE_PX, top=50 + extra_title)


def world_map(frame: pd.DataFrame, unit: str, title: str = "Where") -> go.Figure:
    """A choropleth by ISO-3 country code; shapes come from the app's own static files."""
    if frame.empty:
        return empty_figure("No data for this selection")
    data = frame.copy()
    data["shown"] = pd.to_numeric(data["value"], errors="coerce")
    data["text"] = _display(data)
    name = data["country_code_label"] if "country_code_label" in data else data["country_code"]
    trace = go.Choropleth(
        locations=data["country_code"], z=data["shown"].fillna(0), locationmode="ISO-3",
        text=name, customdata=data[["text"]].to_numpy(),
        hovertemplate="%{text}: %{customdata[0]}<extra></extra>",
        colorscale="Reds", marker_line_color="#666", marker_line_width=0.4, **count_colours(data["shown"], unit),
    )
    geo = dict(showframe=False, showcoastlines=False, projection=dict(type="natural earth"),
               showcountries=True, countrycolor="#bbb", landcolor="#f2f2f2", showland=True)
    return _figure([trace], title, dict(geo=geo), height=420, right=COLOUR_BAR_PX)


HEATMAP_COUNTRIES = 25


def heatmap_cells(frame: pd.DataFrame, top: int = HEATMAP_COUNTRIES) -> pd.DataFrame:
    """The cells the heat map draws: dated cells of the ``top`` countries with most counts.

    Pages export exactly this frame, so the CSV under the chart is the chart's data.
    """
    data = frame.dropna(subset=["year"]).copy()
    if data.empty:
        return data
    label = "country_code_label" if "country_code_label" in data else "country_code"
    totals = pd.to_numeric(data["value"], errors="coerce").fillna(0).groupby(data[label]).sum()
    keep = totals.sort_values(ascending=False, kind="stable").index[:top]
    out = data[data[label].isin(keep)]
    out.attrs.update(frame.attrs)
    return out


def heatmap(frame: pd.DataFrame, unit: str, title: str = "Country by year") -> go.Figure:
    """Country x year heat map of ``heatmap_cells(frame)`` (countries with most counts first)."""
    data = heatmap_cells(frame)
    if data.empty:
        return empty_figure("No data for this selection")
    data["shown"] = pd.to_numeric(data["value"], errors="coerce")
    label = "country_code_label" if "country_code_label" in data else "country_code"
    order = data.groupby(label)["shown"].sum().fillna(0).sort_values(ascending=False, kind="stable").index
    grid = data.pivot_table(index=label, columns="year", values="shown", aggfunc="sum").reindex(order)
    text = data.assign(t=_display(data)).pivot_table(
        index=label, columns="year", values="t", aggfunc="first").reindex(index=grid.index, columns=grid.columns)
    trace = go.Heatmap(
        z=grid.to_numpy(), x=[str(c) for c in grid.columns], y=list(grid.index), colorscale="Reds",
        text=text.fillna("").to_numpy(), texttemplate="%{text}", hoverongaps=False,
        **count_colours(data["shown"], unit),
    )
    # years as categories: a single year would otherwise get a numeric axis ticked 2,023.8, 2,024.2
    layout = dict(xaxis=dict(type="category"), yaxis=dict(autorange="reversed"))
    return _figure([trace], title, layout, height=max(300, 24 * len(grid) + 110),
                   left=label_width(grid.index), right=COLOUR_BAR_PX, bottom=TICK_ROW_PX + 18)


def timeline(acts: pd.DataFrame, title: str = "Escalation timeline") -> go.Figure:
    """Acts over time for a profile: one row per kind of attack, coloured by state / non-state perpetrator.

    Rows make the escalation readable: the kinds of attack seen in one year and
    the new ones in a later year stand on separate lines.
    """
    import plotly.express as px  # only profile pages draw a timeline

    if acts.empty:
        return empty_figure("No acts")
    data = acts.copy()
    data["act_date"] = pd.to_datetime(data["act_date"])
    data["actor_group"] = data["actor_group"].fillna("Unknown")
    data = data.drop_duplicates(["act_id", "actor_group"])
    # kinds of attack on lines of at most 24 characters: unwrapped, the longest names took most of
    # a phone's width and left the dates a strip
    data["violation_type"] = data["violation_type"].astype(str).map(lambda text: wrapped(text, WRAP_TITLE_CHARS))
    lines = int(data["violation_type"].str.count("<br>").max()) + 1
    colours = {GROUP_LABELS[k]: v for k, v in STATE_COLOURS.items()}
    fig = px.scatter(data, x="act_date", y="violation_type", color="actor_group", color_discrete_map=colours,
                     hover_data={"incident_title": True, "victim": True, "perpetrator": True, "actor_group": False},
                     labels={"act_date": "Date", "violation_type": "Kind of attack", "incident_title": "Incident",
                             "victim": "Victim", "perpetrator": "Perpetrator", "actor_group": "Perpetrator"})
    fig.update_traces(marker=dict(size=12, opacity=0.85, line=dict(width=1, color="white")))
    fig.update_xaxes(title="Date")
    fig.update_yaxes(title="", type="category", categoryorder="array",
                     categoryarray=list(data.sort_values("act_date")["violation_type"].drop_duplicates())[::-1])
    fig.update_layout(legend_title_text="Perpetrator")
    row = max(26, 15 * lines + 6)  # a row holds its label's lines
    return _layout(fig, title, height=max(300, row * data["violation_type"].nunique() + 140))


def configure_static_images() -> None:
    """Point Plotly's static image export (kaleido) at the bundled shapes; no MathJax."""
    import plotly.io as pio

    pio.defaults.topojson = (STATIC_DIR / "topojson").as_uri() + "/"
    pio.defaults.mathjax = False
