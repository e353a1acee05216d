"""Everything a report shows, gathered once and laid out as format-neutral blocks.

``build_report_data`` runs the same functions as the pages (``metrics.aggregate``,
``metrics.totals`` and ``privacy.present_totals``, ``compare.what_changed``), with
the same mode, so a report's figures equal the dashboard's for the same
selection, and the privacy rules cannot differ between a page and its report:
public by default, "< k" for small cells, only public incidents highlighted.

``report_blocks`` turns the data into a list of headings, paragraphs, figures,
tables and cases in reading order; the PDF and HTML writers only lay those out.

The comparison sides come from ``compare.build_side`` in the report's mode, and
``compare.what_changed`` is given the mode, so the report cannot print a number
that the charts suppress.

This module never imports Streamlit (DESIGN.md, principle 4).
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Union
from urllib.parse import parse_qsl, urlencode

import duckdb
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from .. import charts, db, sql
from ..compare import (FEMINITA_PRESET, PRESET_TITLE, Side, aligned, build_side, describe_side, largest,
                       side_filters, what_changed)
from ..export import incidents_frame
from ..filters import Filters
from ..i18n import _
from ..metrics import UNIT_LABELS, aggregate, labels, multi_count_note, totals, vocabulary_sets
from ..privacy import Mode, check_mode, present_totals, suppressed_label
from ..settings import STATIC_DIR, suppression_k

Progress = Callable[[float, str], None]
ANALYST_BANNER = "ANALYST REPORT – includes non-public cases – not for publication"
ANALYST_TITLE_MARK = "ANALYST REPORT – NOT FOR PUBLICATION"
MAX_BARS = 15
MAX_TABLE_ROWS = 15
CASES_PER_SIDE = 5
MAX_CASES = 10
UNIT_WORDS = {"incidents": "incidents", "acts": "acts (one thing done to one victim)",
              "defenders": "defenders affected (each counted once)"}
HEADLINE_LABELS = (
    ("incident_count", _("Incidents")), ("act_count", _("Acts")),
    ("defender_count", _("Defenders affected")), ("country_count", _("Countries")),
)
SDG_TEXT = (
    "SDG indicator 16.10.1 (UN Sustainable Development Goals, target 16.10) counts verified cases of "
    "killing, kidnapping, enforced disappearance, arbitrary detention and torture of journalists, "
    "associated media personnel, trade unionists and human rights advocates. Every kind of attack in this "
    "database is mapped to one of its categories: {categories}. Kinds of attack outside the five named "
    "categories (threats, doxxing, disrupted events, ...) fall under \"other harmful acts\"."
)


class ReportError(ValueError):
    """A report that cannot be made as asked (bad comparison, unknown format, no Chromium)."""


# --- blocks: the report in reading order, format-neutral ---------------------------

@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body | small | note | warning | code


@dataclass
class Bullets:
    items: list[str]
    style: str = "body"


@dataclass
class Metrics:
    """Headline figures: (label, value as shown) pairs."""

    items: list[tuple[str, str]]
    caption: str = ""


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths
    numeric: list[bool] | None = None  # right-align these columns
    note: str = ""


@dataclass
class Chart:
    key: str
    title: str
    figure: go.Figure
    note: str = ""
    is_map: bool = False


@dataclass
class ChartPair:
    """A comparison's two sides of one breakdown, side by side under one heading.

    Their rows and scale are aligned (``compare.aligned``), so a reader compares them
    across the page; printed one after the other they were pages apart.
    """

    left: Chart
    right: Chart
    labels: tuple[str, str]


def charts_in(blocks: list[Block]) -> list[Chart]:
    """Every chart the blocks print, those of a :class:`ChartPair` included, in reading order."""
    out: list[Chart] = []
    for block in blocks:
        if isinstance(block, Chart):
            out.append(block)
        elif isinstance(block, ChartPair):
            out += [block.left, block.right]
    return out


@dataclass
class Source:
    publisher: str
    title: str
    date: str
    url: str


@dataclass
class Case:
    incident_id: int
    title: str
    when: str
    where: str
    summary: str
    kinds: str
    perpetrators: str
    defenders: str
    visibility: str
    is_synthetic: bool
    sources: list[Source]


@dataclass
class CaseBlock:
    case: Case


@dataclass
class PageBreak:
    pass


Block = Union[Heading, Paragraph, Bullets, Metrics, Table, Chart, ChartPair, CaseBlock, PageBreak]


# --- the data ------------------------------------------------------------------------

@dataclass
class SideReport:
    """One side of a comparison, as the report shows it."""

    name: str
    filters: Filters
    scope: list[str]
    totals: dict[str, int]
    headline: dict[str, str]
    violations: Chart
    actors: Chart
    places: Table
    involvement: Table


@dataclass
class ReportData:
    """Everything one report shows; ``report_blocks`` lays it out."""

    title: str
    subtitle: str
    mode: Mode
    unit: str
    k: int
    created: datetime
    fingerprint: str
    filters: Filters
    filter_lines: list[str]
    scope: list[str]
    totals: dict[str, int]
    headline: dict[str, str]
    charts: dict[str, Chart] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    compare: dict[str, str] | None = None
    sides: list[SideReport] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    methodology: list[Block] = field(default_factory=list)
    published: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    synthetic_act_count: int = 0
    command_args: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def is_comparison(self) -> bool:
        return self.compare is not None

    @property
    def banner(self) -> str | None:
        """The text every page carries in analyst mode (None in public mode)."""
        return ANALYST_BANNER if self.mode == "analyst" else None

    def command(self, output: str = "report.pdf") -> str:
        """The shell command that makes this report again (from the same database)."""
        env = f"HRD_SUPPRESSION_K={self.k} " if self.k != 5 else ""
        return env + shlex.join(["hrd", "report", *self.command_args, "-o", output])


# --- comparison parameters -------------------------------------------------------------

def _side_spec(spec: str, prefix: str) -> dict[str, str]:
    """``defender=1&from=2021`` → ``{"a.defender": "1", "a.from": "2021"}``."""
    pairs = parse_qsl(spec.strip().lstrip("?"), keep_blank_values=False)
    out = {}
    for key, value in pairs:
        key = key.strip()
        if key.startswith(("a.", "b.")):
            key = key[2:]
        out[prefix + key] = value
    return out


def compare_params(preset: str | None = None, side_a: str | None = None, side_b: str | None = None) -> dict[str, str]:
    """The ``a.``/``b.`` parameters of a comparison: a named preset or two URL-style specs."""
    if preset is not None:
        if preset.strip().lower() != "feminita":
            raise ReportError(f"Unknown comparison preset {preset!r}; the preset is: feminita.")
        if side_a or side_b:
            raise ReportError("Give either a preset or two sides, not both.")
        return dict(FEMINITA_PRESET)
    if not side_a or not side_b:
        raise ReportError("A comparison needs both sides (A and B), e.g. 'defender=1&from=2021&to=2021'.")
    return _side_spec(side_a, "a.") | _side_spec(side_b, "b.")


def _normalise_compare(compare: str | Mapping[str, Any] | None) -> dict[str, str] | None:
    if compare is None:
        return None
    if isinstance(compare, str):
        return compare_params(preset=compare)
    out = {}
    for key, value in compare.items():
        if key.startswith(("a.", "b.")):
            out[key] = str(value[-1] if isinstance(value, (list, tuple)) else value)
    if not any(k.startswith("a.") for k in out) or not any(k.startswith("b.") for k in out):
        raise ReportError("A comparison needs parameters for both sides (a.… and b.…).")
    return out


def filter_args(filters: Filters) -> list[str]:
    """The ``hrd`` filter options that select ``filters``."""
    args: list[str] = []
    for flag, values in (("--country", filters.countries), ("--region", filters.regions)):
        args += [flag, ",".join(values)] if values else []
    if filters.year_from is not None:
        args += ["--from", str(filters.year_from)]
    if filters.year_to is not None:
        args += ["--to", str(filters.year_to)]
    for flag, values in (("--violation", filters.violations), ("--actor", filters.actor_types),
                         ("--sector", filters.sectors), ("--gender", filters.genders),
                         ("--visibility", filters.visibilities)):
        args += [flag, ",".join(values)] if values else []
    if filters.search:
        args += ["--search", filters.search]
    if filters.defender_ids:
        args += ["--defender", ",".join(str(d) for d in filters.defender_ids)]
    if not filters.include_synthetic:
        args.append("--no-synthetic")
    return args


def _command_args(filters: Filters, unit: str, mode: str, compare: dict[str, str] | None) -> list[str]:
    if compare is None:
        args = filter_args(filters)
    elif compare == FEMINITA_PRESET:
        args = ["--compare", "feminita"]
    else:
        args = []
        for prefix in ("a.", "b."):
            side = {k[2:]: v for k, v in compare.items() if k.startswith(prefix)}
            args += [f"--compare-{prefix[0]}", urlencode(side)]
    if compare is not None and not filters.include_synthetic:
        args.append("--no-synthetic")
    return args + ["--unit", unit, "--mode", mode]


# --- scope in plain words ---------------------------------------------------------------

def _names(codes: tuple[str, ...], label_map: dict[str, str]) -> str:
    return ", ".join(label_map.get(c, c) for c in codes)


def _defender_names(con: duckdb.DuckDBPyConnection, ids: tuple[int, ...], mode: Mode) -> dict[int, str]:
    """Names that may be printed: in public mode only public defenders whose name is public."""
    out: dict[int, str] = {}
    for defender_id in ids:
        found = sql.run(con, "defender_detail", {"defender_id": int(defender_id)})
        if found.empty:
            continue
        row = found.iloc[0]
        if mode == "analyst" or (bool(row["is_name_public"]) and row["visibility"] == "public"):
            out[int(defender_id)] = str(row["name"])
    return out


def _year_span(frame: pd.DataFrame) -> tuple[int, int] | None:
    if frame.empty or "year" not in frame:
        return None
    years = frame["year"].dropna()
    return (int(years.min()), int(years.max())) if len(years) else None


def scope_lines(filters: Filters, unit: str, lab: dict[str, dict[str, str]], names: dict[int, str],
                span: tuple[int, int] | None, country_count: int) -> list[str]:
    """The selection in plain words, one line per aspect (countries, years, kinds of attack, ...)."""
    groups = {"state": _("State actors"), "non_state": _("Non-state actors"), "unknown": _("Unknown")}
    places = [_names(filters.countries, lab["countries"])] if filters.countries else []
    places += list(filters.regions)
    lines = [_("Countries: {places}").format(places="; ".join(places)) if places else
             _("Countries: all ({count} in this selection)").format(count=country_count)]
    if filters.year_from is not None or filters.year_to is not None:
        years = (f"{filters.year_from}" if filters.year_from == filters.year_to else
                 f"{filters.year_from or _('earliest')}–{filters.year_to or _('latest')}")
        lines.append(_("Years: {years}").format(years=years))
    elif span:
        shown = f"{span[0]}" if span[0] == span[1] else f"{span[0]}–{span[1]}"
        lines.append(_("Years: all ({years} in this selection)").format(years=shown))
    else:
        lines.append(_("Years: all"))
    lines.append(_("Kinds of attack: {kinds}").format(kinds=_names(filters.violations, lab["violation_types"]))
                 if filters.violations else _("Kinds of attack: all"))
    if filters.actor_types:
        lines.append(_("Perpetrators: {kinds}").format(kinds=_names(filters.actor_types, lab["actor_types"] | groups)))
    if filters.sectors:
        lines.append(_("Defenders' sectors: {sectors}").format(sectors=_names(filters.sectors, lab["sectors"])))
    if filters.genders:
        lines.append(_("Gender of the defenders: {genders}").format(genders=_names(filters.genders, lab["genders"])))
    if filters.defender_ids:
        lines.append(_("Defenders and organisations: {names}").format(names=", ".join(
            names.get(d, _("defender no. {id} (name not public)").format(id=d)) for d in filters.defender_ids)))
    if filters.search:
        lines.append(_("Text search: “{text}”").format(text=filters.search))
    if filters.visibilities:
        lines.append(_("Visibility: {values}").format(values=", ".join(filters.visibilities)))
    if not filters.include_synthetic:
        lines.append(_("Synthetic demo data: left out"))
    lines.append(_("Counting unit: {unit}").format(unit=UNIT_WORDS[unit]))
    return lines


# --- charts and tables ---------------------------------------------------------------

def _plain_figure(fig: go.Figure, own_scale_and_order: bool = True) -> go.Figure:
    """A chart as the report prints it.

    The report prints a heading above each chart, so the figure's own title goes;
    the legend moves above the plot (below it, it collided with the axis title);
    bar charts get room for the value labels at the end of the longest bar, and
    horizontal bars are ordered by their total whatever their colour group - unless
    ``own_scale_and_order`` is false: a comparison's side keeps the rows and scale it
    shares with the other side (``compare.aligned``).
    """
    fig.update_layout(title_text="", margin=dict(t=30, l=10, r=10, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, xanchor="left", title_text=""))
    bars = [t for t in fig.data if t.type == "bar"]
    if bars and own_scale_and_order:
        horizontal = any(t.orientation == "h" for t in bars)
        values = [v for t in bars for v in (t.x if horizontal else t.y) if v is not None]
        top = max([float(v) for v in values if v == v] or [0.0])
        if horizontal:
            fig.update_xaxes(range=[0, top * 1.16 if top > 0 else 1])
            fig.update_yaxes(categoryorder="total ascending")
        else:
            fig.update_yaxes(range=[0, top * 1.14 if top > 0 else 1])
    return fig


def _chart_note(frame: pd.DataFrame, unit: str, k: int, extra: str = "") -> str:
    note = _("Counts: {unit}.").format(unit=UNIT_LABELS[unit])
    multi = multi_count_note(frame)
    if multi:
        note += " " + multi
    hidden = int(frame["is_suppressed"].sum()) if "is_suppressed" in frame else 0
    if hidden:
        note += " " + _("{count} value(s) shown as “{hidden}”: they include a non-public case and count fewer "
                        "than {k} incidents (small-cell suppression).").format(
                            count=hidden, hidden=suppressed_label(k), k=k)
    return (note + " " + extra).strip()


def _top(frame: pd.DataFrame, n: int) -> tuple[pd.DataFrame, int]:
    """The n largest rows (suppressed cells ranked by their hidden-safe position: last)."""
    if len(frame) <= n:
        return frame, 0
    order = pd.to_numeric(frame["value"], errors="coerce").fillna(-1)
    keep = frame.loc[order.sort_values(ascending=False).index[:n]].copy()
    keep.attrs.update(frame.attrs)
    return keep, len(frame) - n


def _breakdown_chart(key: str, frame: pd.DataFrame, column: str, unit: str, title: str, k: int,
                     by_group: bool = False, x_max: float | None = None) -> Chart:
    """A breakdown's chart: its largest MAX_BARS rows; with ``x_max`` (a comparison's side, aligned
    with the other by ``compare.aligned``), its first MAX_BARS rows in the frame's order on that scale."""
    aligned_side = x_max is not None
    if aligned_side:
        shown, left_out = frame.head(MAX_BARS), max(0, len(frame) - MAX_BARS)
        note = _("The {n} largest of {total}, counted over both selections, are shown.")
    else:
        shown, left_out = _top(frame, MAX_BARS)
        note = _("The {n} largest of {total} are shown.")
    extra = note.format(n=MAX_BARS, total=len(frame)) if left_out else ""
    fig = charts.breakdown(shown, column, unit, title, colour_by_group=by_group, in_frame_order=aligned_side,
                           x_max=x_max)
    return Chart(key, title, _plain_figure(fig, own_scale_and_order=not aligned_side),
                 _chart_note(frame, unit, k, extra))


def _value_table(title: str, frame: pd.DataFrame, label_column: str, label_title: str, unit: str,
                 n: int = MAX_TABLE_ROWS, note: str = "") -> Table:
    shown, left_out = _top(frame, n)
    order = pd.to_numeric(shown["value"], errors="coerce").fillna(-1).sort_values(ascending=False).index
    rows = [[str(shown.at[i, label_column]), str(shown.at[i, "display"])] for i in order]
    if left_out:
        note = (note + " " + _("The {n} largest of {total} are listed.").format(n=n, total=len(frame))).strip()
    return Table(title, [label_title, UNIT_LABELS[unit]], rows, widths=[3, 1.4], numeric=[False, True], note=note)


def _world_ids() -> list[str]:
    """The ISO-3 ids of every country shape bundled for offline maps."""
    import json

    shapes = json.loads((STATIC_DIR / "topojson" / "world_110m.json").read_text(encoding="utf-8"))
    return sorted({g["id"] for g in shapes["objects"]["countries"]["geometries"] if g.get("id")})


def report_map(frame: pd.DataFrame, unit: str) -> go.Figure:
    """The dashboard's world map, over a plain layer with every country drawn as its own shape.

    The base layer looks like the land but makes each country a path of its own,
    so the offline shapes can be checked (and a country with no case is still
    outlined); it has no hover text and no colour scale.
    """
    fig = charts.world_map(frame, unit)
    if frame.empty:
        return fig
    top = pd.to_numeric(frame["value"], errors="coerce").max()
    # the colour scale starts at nothing, even when one country is shown (plotly needs both ends)
    fig.update_traces(zmin=0, zmax=float(top) if pd.notna(top) and top > 0 else 1)
    ids = _world_ids()
    base = go.Choropleth(locations=ids, z=[0] * len(ids), locationmode="ISO-3", showscale=False,
                         colorscale=[[0, "#f2f2f2"], [1, "#f2f2f2"]], hoverinfo="skip", name="all countries",
                         marker_line_color="#bbb", marker_line_width=0.4)
    return go.Figure(data=[base, *fig.data], layout=fig.layout)


def _per_year_by_side(frames: list[tuple[str, pd.DataFrame]], unit: str) -> go.Figure:
    data = []
    for name, frame in frames:
        part = frame.dropna(subset=["year"]).copy()
        part["side"] = name
        data.append(part)
    merged = pd.concat(data, ignore_index=True) if data else pd.DataFrame()
    if merged.empty:
        return charts.empty_figure("No dated acts in these selections")
    merged["year"] = merged["year"].astype(int).astype(str)
    merged["shown"] = pd.to_numeric(merged["value"], errors="coerce").fillna(0)
    fig = px.bar(merged, x="year", y="shown", color="side", barmode="group", text="display",
                 color_discrete_sequence=["#1f5fa8", "#b3261e"])
    fig.update_traces(textposition="outside", cliponaxis=False)
    fig.update_xaxes(title="Year", type="category")
    fig.update_yaxes(title=UNIT_LABELS[unit], rangemode="tozero", **charts.count_ticks(merged["shown"].max()))
    fig.update_layout(height=320, font=charts.FONT, plot_bgcolor="white", paper_bgcolor="white")
    return _plain_figure(fig)


# --- comparison sides ---------------------------------------------------------------------

def safe_changes(a: Side, b: Side, mode: Mode) -> list[str]:
    """``compare.what_changed`` in the report's mode: suppressed cells and totals stay hidden."""
    return what_changed(a, b, mode=mode)


def _involvement_table(frame: pd.DataFrame, lab: dict[str, dict[str, str]], name: str) -> Table:
    groups = {"state": "State", "non_state": "Non-state", "unknown": "Unknown"}
    rows = [[lab["involvement_degrees"].get(r.involvement, r.involvement), groups.get(r.actor_group, r.actor_group),
             str(r.display)] for r in frame.itertuples()]
    return Table(_("Degree of involvement – {name}").format(name=name),
                 [_("Involvement"), _("Perpetrator group"), _("Acts")], rows,
                 widths=[2.2, 1.6, 1], numeric=[False, False, True],
                 note=_("An act with several perpetrators counts once per degree of involvement."))


def _places_table(frame: pd.DataFrame, lab: dict[str, dict[str, str]], name: str) -> Table:
    shown, left_out = _top(frame, MAX_TABLE_ROWS)
    rows = [[lab["countries"].get(r.country_code, str(r.country_code)), str(r.place or "–"), str(r.display)]
            for r in shown.itertuples()]
    note = _("The {n} largest of {total} places are listed.").format(n=MAX_TABLE_ROWS, total=len(frame)) \
        if left_out else ""
    return Table(_("Places – {name}").format(name=name), [_("Country"), _("Place"), _("Incidents")], rows,
                 widths=[1.6, 2, 1],
                 numeric=[False, False, True], note=note)


def _side_report(con: duckdb.DuckDBPyConnection, key: str, side: Side, unit: str, mode: Mode, k: int,
                 lab: dict[str, dict[str, str]], names: dict[int, str],
                 shown: dict[str, tuple[pd.DataFrame, float]]) -> SideReport:
    """One side of a comparison; ``shown`` holds its breakdowns (violations, actors, involvement)
    aligned with the other side's (``compare.aligned``: the same rows in one order) and the scale
    both share."""
    years = aggregate(con, side.filters, "year", unit, lab, mode=mode)
    violations, violations_max = shown["violations"]
    actors, actors_max = shown["actors"]
    return SideReport(
        name=side.name, filters=side.filters,
        scope=scope_lines(side.filters, unit, lab, names, _year_span(years), side.totals["country_count"]),
        totals=side.totals, headline=present_totals(side.totals, mode, k),
        violations=_breakdown_chart(f"{key}_violations", violations, "violation_code", unit,
                                    _("Kinds of attack – {name}").format(name=side.name), k, x_max=violations_max),
        actors=_breakdown_chart(f"{key}_actors", actors, "actor_type", unit,
                                _("Perpetrators, state and non-state – {name}").format(name=side.name), k,
                                by_group=True, x_max=actors_max),
        places=_places_table(side.places, lab, side.name),
        involvement=_involvement_table(shown["involvement"][0], lab, side.name),
    )


# --- highlighted cases -----------------------------------------------------------------

def _when(row: Any) -> str:
    start, end = row.start_date, row.end_date
    if pd.isna(start):
        return "date unknown"
    start = pd.Timestamp(start)
    precision = str(row.date_precision or "day")
    if precision == "year":
        return f"{start.year}"
    if precision == "month":
        return start.strftime("%B %Y")
    text = start.strftime("%-d %B %Y")
    if not pd.isna(end) and pd.Timestamp(end) != start:
        text += " – " + pd.Timestamp(end).strftime("%-d %B %Y")
    return text


def _sources(con: duckdb.DuckDBPyConnection, incident_id: int) -> list[Source]:
    frame = sql.run(con, "incident_sources_list", {"incident_id": int(incident_id)})
    out = []
    for r in frame.itertuples():
        date = "" if pd.isna(r.published_date) else pd.Timestamp(r.published_date).strftime("%Y-%m-%d")
        out.append(Source(str(r.publisher), str(r.title), date, "" if pd.isna(r.url) else str(r.url)))
    return out


def highlighted_cases(con: duckdb.DuckDBPyConnection, filters: Filters, mode: Mode, limit: int) -> list[Case]:
    """The latest incidents of the selection, real cases first, each with its sources.

    ``export.incidents_frame`` applies the listing rule: public mode lists public
    incidents only and withholds the names of non-public defenders; analyst mode
    may list restricted and confidential incidents (the report then says so on
    every page).
    """
    frames = [incidents_frame(con, replace(filters, include_synthetic=False), limit=limit, mode=mode)]
    if filters.include_synthetic and len(frames[0]) < limit:
        more = incidents_frame(con, filters, limit=limit, mode=mode)
        frames.append(more[more["is_synthetic"]])
    frame = pd.concat(frames, ignore_index=True).drop_duplicates("incident_id").head(limit)
    cases = []
    for r in frame.itertuples():
        where = ", ".join(str(x) for x in (r.place, r.country) if isinstance(x, str) and x)
        cases.append(Case(
            incident_id=int(r.incident_id), title=str(r.title), when=_when(r), where=where or "place unknown",
            summary="" if pd.isna(r.summary) else str(r.summary),
            kinds=str(r.violation_types or ""), perpetrators=str(r.actor_types or ""),
            defenders=str(r.defenders or ""), visibility=str(r.visibility), is_synthetic=bool(r.is_synthetic),
            sources=_sources(con, r.incident_id),
        ))
    return cases


# --- definitions, methodology, published figures ------------------------------------------

def methodology_blocks(con: duckdb.DuckDBPyConnection, mode: Mode, unit: str, k: int, synthetic_acts: int,
                       violation_codes: list[str], lab: dict[str, dict[str, str]]) -> list[Block]:
    """What is counted and how, in words a board member can follow."""
    blocks: list[Block] = [
        Heading(_("What is counted"), 2),
        Bullets([
            _("Incident: one situation documented by at least one source, with a date, a place and a summary "
              "(for example, the disruption of Feminita's Lesbian Kurultai in Almaty, 7–9 October 2024)."),
            _("Act: one thing done to one victim within an incident – its kind of attack, its date, its "
              "perpetrator(s) with their degree of involvement, and the victim."),
            _("Defenders affected: the distinct persons, organisations or groups who were the victim of at least "
              "one act, each counted once however often they were attacked."),
            _("This report counts {unit}. Years are the year in which an incident began.").format(
                unit=UNIT_WORDS[unit]),
        ]),
        Heading(_("Sums are not totals"), 2),
        Paragraph(_(
            "An incident with several kinds of attack counts once under each kind, and an act with several "
            "perpetrators counts once under each kind of perpetrator. The bars of a breakdown therefore add up "
            "to more than the number of incidents, acts or defenders; the distinct totals are the headline "
            "figures, and each chart says when it multi-counts.")),
        Heading(_("Perpetrators"), 2),
        Paragraph(_(
            "Perpetrators are classed in two levels: state actors (police, judiciary, legislature, national and "
            "local government, military, ...), non-state actors (anti-rights groups, private individuals, "
            "companies, organised crime, ...) and unknown. A state actor who failed to protect counts as a state "
            "perpetrator with that degree of involvement.")),
        Heading(_("Privacy and small-cell suppression"), 2),
    ]
    if mode == "public":
        blocks.append(Paragraph(_(
            "This is a public report. It names and describes public incidents only. Restricted and "
            "confidential incidents are counted in the figures, but any figure that includes a non-public "
            "incident and counts fewer than k = {k} incidents is shown as “{hidden}”; where a "
            "table would have exactly one such cell, the next smallest is hidden too, so that a hidden number "
            "cannot be worked out from a total. Headline figures follow the same rule.").format(
                k=k, hidden=suppressed_label(k))))
    else:
        blocks.append(Paragraph(_(
            "This is an ANALYST report: it includes restricted and confidential cases, no figure is "
            "suppressed, and highlighted cases may be non-public. It must not be published or shared outside "
            "the organisation. Make a public report (--mode public) for anyone else."), "warning"))
    if synthetic_acts:
        blocks += [Heading(_("Synthetic demo data"), 2), Paragraph(_(
            "This selection includes {count} acts of synthetic demo data: generated to show how "
            "the dashboard works, not real cases. Figures that include them must not be cited. Make the report "
            "again with --no-synthetic (or untick synthetic data in the dashboard) to leave them out.").format(
                count=f"{synthetic_acts:,}"), "warning")]
    sdg_labels = lab["sdg_categories"]
    other = sdg_labels.get("other_harmful_acts", _("Other harmful acts"))
    blocks += [Heading(_("SDG 16.10.1 categories"), 2),
               Paragraph(_(SDG_TEXT).format(categories=", ".join(sdg_labels.values())))]
    vocab = sql.run(con, "vocabulary_violation_types")
    vocab = vocab[vocab["code"].isin(violation_codes)]
    if len(vocab):
        rows = [[str(r.label), sdg_labels.get(r.sdg_16_10_1_category, other)
                 if isinstance(r.sdg_16_10_1_category, str) and r.sdg_16_10_1_category else other]
                for r in vocab.sort_values("label").itertuples()]
        blocks.append(Table(_("Kinds of attack in this report and their SDG 16.10.1 category"),
                            [_("Kind of attack"), _("SDG 16.10.1 category")], rows, widths=[3, 2]))
    blocks += [Heading(_("Sources"), 2), Paragraph(_(
        "Every incident is documented by at least one source (publisher, title, date and address), listed "
        "with the highlighted cases. Records follow HURIDOCS' Events Standard Formats: who did what to whom."))]
    return blocks


def _published_module():
    try:
        from ..ingest import published
    except Exception:  # noqa: BLE001 - the module may be mid-edit; the table is enough
        return None
    return published if hasattr(published, "compare_with_published") and hasattr(published, "COMPARISONS") else None


def published_blocks(con: duckdb.DuckDBPyConnection, mode: Mode, k: int) -> list[Block]:
    """Other organisations' headline figures, beside this database's own count where definitions match."""
    blocks: list[Block] = [Paragraph(_(
        "Other organisations publish headline figures. They are shown beside this database's own count only "
        "where both count the same thing; the comparison covers the whole database, not only this report's "
        "selection, and the project's count includes only data imported from the publisher's side (no "
        "hand-entered seed cases, no synthetic data)."), "small")]
    module = _published_module()
    matched = 0
    if module is not None:
        for publisher, metric in sorted(module.COMPARISONS):
            try:
                frame = module.compare_with_published(con, metric, publisher)
            except (ValueError, duckdb.Error):
                continue
            if frame.empty or int(frame["own_count"].fillna(0).sum()) == 0:
                continue
            matched += 1
            rows = []
            for r in frame.itertuples():
                own = int(r.own_count)
                # the own count is not split by visibility: in public mode small counts are hidden
                own_text = suppressed_label(k) if mode == "public" and 0 < own < k else f"{own:,}"
                pub = "–" if pd.isna(r.published_value) else f"{int(r.published_value):,}"
                diff = "–" if pd.isna(r.published_value) or own_text.startswith("<") else f"{int(r.difference):+,}"
                rows.append([str(r.year), pub, own_text, diff])
            definition = str(frame["definition"].dropna().iloc[0]) if frame["definition"].notna().any() else ""
            blocks.append(Table(
                f"{publisher}: {metric.replace('_', ' ')} (world), per year", ["Year", "Published", "This database",
                                                                              "Difference"],
                rows, widths=[1, 1.2, 1.3, 1.2], numeric=[False, True, True, True],
                note=_("Publisher's definition: {theirs}. This database: {ours}").format(
                    theirs=definition, ours=_(frame["own_definition"].iloc[0])) + (
                    " " + _("In a public report the project's counts from 1 to {k} are shown as “{hidden}”, "
                            "because they are not split by visibility.").format(k=k - 1, hidden=suppressed_label(k))
                    if mode == "public" else "")))
    if not matched:
        blocks.append(Paragraph(_(
            "No matching local data is loaded: none of the published figures below has a count in this database "
            "with the same definition (for example, CPJ's journalists killed per year needs imported killings of "
            "journalists), so they are listed for context only."), "note"))
    figures = sql.run(con, "published_figures_list")
    if len(figures):
        rows = [[str(r.publisher), str(r.year), str(r.country), str(r.metric).replace("_", " "), f"{int(r.value):,}",
                 str(r.cited_via)] for r in figures.itertuples()]
        blocks.append(Table(_("Published figures"), ["Publisher", "Year", "Country", "Metric", "Value", "Cited via"],
                            rows, widths=[2.5, 0.7, 1.2, 2.3, 0.8, 3.8], numeric=[False, False, False, False, True, False]))
    else:
        blocks.append(Paragraph(_("No published figures are loaded in this database."), "note"))
    return blocks


# --- the whole report ------------------------------------------------------------------------

def build_report_data(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    unit: str = "incidents",
    mode: str = "public",
    compare: str | Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> ReportData:
    """Gather a report on the selection (or a comparison): figures, charts, cases, definitions.

    ``compare`` is None (report on ``filters``), ``"feminita"`` (the preset), or the
    ``a.``/``b.`` URL parameters of the Compare page; with a comparison only
    ``filters.include_synthetic`` carries over to the sides, as on the page.
    ``mode`` is public by default; ``progress(fraction, message)`` is called
    between steps so a page can show a progress bar.
    """
    import time

    started = time.perf_counter()
    mode = check_mode(mode)
    if unit not in UNIT_LABELS:
        raise ReportError(f"Unknown unit {unit!r}. Choose from: {', '.join(UNIT_LABELS)}.")
    step = progress or (lambda fraction, message: None)
    params = _normalise_compare(compare)
    k = suppression_k()
    step(0.02, "Reading vocabularies")
    lab = labels(con)
    fingerprint = db.content_fingerprint(con)
    data = ReportData(
        title="", subtitle="", mode=mode, unit=unit, k=k, created=datetime.now(timezone.utc),
        fingerprint=fingerprint, filters=filters, filter_lines=[], scope=[], totals={}, headline={},
        compare=params, command_args=_command_args(filters, unit, mode, params),
    )
    codes: set[str] = set()
    if params is None:
        step(0.1, "Counting the selection")
        data.totals = totals(con, filters, mode)
        data.headline = present_totals(data.totals, mode, k)
        data.synthetic_act_count = data.totals["synthetic_act_count"]
        step(0.2, "Attacks per year")
        per_year = aggregate(con, filters, "year,actor_group", unit, lab, mode=mode)
        names = _defender_names(con, filters.defender_ids, mode)
        data.scope = scope_lines(filters, unit, lab, names, _year_span(per_year), data.totals["country_count"])
        data.filter_lines = filters.describe()
        data.title = _("Attacks on human rights defenders")
        data.subtitle = _subtitle(filters, unit, lab, names)
        data.charts["per_year"] = Chart("per_year", _("Attacks per year, by state and non-state perpetrators"),
                                        _plain_figure(charts.per_year(per_year, unit)),
                                        _chart_note(per_year, unit, k))
        step(0.35, "Where: the map")
        by_country = aggregate(con, filters, "country", unit, lab, mode=mode)
        data.charts["map"] = Chart("map", _("Where"), _plain_figure(report_map(by_country, unit)),
                                   _chart_note(by_country, unit, k), is_map=True)
        data.tables["countries"] = _value_table("Countries", by_country, "country_code_label", "Country", unit)
        step(0.5, "Kinds of attack and perpetrators")
        by_violation = aggregate(con, filters, "violation", unit, lab, mode=mode)
        codes |= set(by_violation.get("violation_code", pd.Series(dtype=str)))
        data.charts["violations"] = _breakdown_chart("violations", by_violation, "violation_code", unit,
                                                     "Kinds of attack", k)
        by_actor = aggregate(con, filters, "actor_type,actor_group", unit, lab, mode=mode)
        data.charts["actors"] = _breakdown_chart("actors", by_actor, "actor_type", unit,
                                                 "Perpetrators: state and non-state", k, by_group=True)
        step(0.65, "Highlighted cases")
        data.cases = highlighted_cases(con, filters, mode, MAX_CASES)
    else:
        step(0.1, "Reading both sides of the comparison")
        vocab = vocabulary_sets(con)
        fa, notes_a = side_filters(params, "a.", filters.include_synthetic, vocab)
        fb, notes_b = side_filters(params, "b.", filters.include_synthetic, vocab)
        data.notes = notes_a + notes_b
        names = _defender_names(con, tuple(dict.fromkeys(fa.defender_ids + fb.defender_ids)), mode)
        name_a, name_b = describe_side(fa, names), describe_side(fb, names)
        if name_a == name_b:
            name_a, name_b = "A: " + name_a, "B: " + name_b
        step(0.2, f"Counting {name_a}")
        side_a = build_side(con, name_a, fa, unit, mode)
        step(0.35, f"Counting {name_b}")
        side_b = build_side(con, name_b, fb, unit, mode)
        data.title = _(PRESET_TITLE) if params == FEMINITA_PRESET else _("{a} compared with {b}").format(
            a=name_a, b=name_b)
        data.subtitle = _("Comparison of two selections, counted in {unit}").format(unit=unit)
        data.filter_lines = [f"A ({name_a}): " + "; ".join(fa.describe()),
                             f"B ({name_b}): " + "; ".join(fb.describe())]
        step(0.5, "Breakdowns of both sides")
        pairs = {name: aligned(getattr(side_a, name), getattr(side_b, name), keys)
                 for name, keys in (("violations", "violation_code"), ("actors", "actor_type"),
                                    ("involvement", ["involvement", "actor_group"]))}
        scale = {name: max(largest(frame.head(MAX_BARS)) for frame in pair) for name, pair in pairs.items()}
        for i, (key, side) in enumerate((("a", side_a), ("b", side_b))):
            shown = {name: (pair[i], scale[name]) for name, pair in pairs.items()}
            data.sides.append(_side_report(con, key, side, unit, mode, k, lab, names, shown))
            codes |= set(side.violations.get("violation_code", pd.Series(dtype=str)))
        data.totals = {key: side_a.totals[key] + side_b.totals[key] for key in side_a.totals}
        data.headline = {}
        data.synthetic_act_count = side_a.totals["synthetic_act_count"] + side_b.totals["synthetic_act_count"]
        data.scope = [f"A: {name_a}", f"B: {name_b}", _("Counting unit: {unit}").format(unit=UNIT_WORDS[unit])]
        years = [(s.name, aggregate(con, s.filters, "year", unit, lab, mode=mode)) for s in (side_a, side_b)]
        both = pd.concat([frame for _name, frame in years], ignore_index=True)
        both.attrs.update(years[0][1].attrs, multi_valued=any(f.attrs.get("multi_valued") for _n, f in years))
        data.charts["per_year"] = Chart("per_year", _("Attacks per year, both selections"),
                                        _per_year_by_side(years, unit), _chart_note(both, unit, k))
        data.changes = safe_changes(side_a, side_b, mode)
        step(0.65, "Highlighted cases")
        seen: dict[int, Case] = {}
        for side in (fa, fb):
            for case in highlighted_cases(con, side, mode, CASES_PER_SIDE):
                seen.setdefault(case.incident_id, case)
        data.cases = list(seen.values())[:MAX_CASES]
    step(0.75, "Definitions and published figures")
    data.methodology = methodology_blocks(con, mode, unit, k, data.synthetic_act_count, sorted(codes), lab)
    data.published = published_blocks(con, mode, k)
    data.timings["data"] = time.perf_counter() - started
    step(0.8, "Report data ready")
    return data


def _subtitle(filters: Filters, unit: str, lab: dict[str, dict[str, str]], names: dict[int, str]) -> str:
    parts = []
    if filters.countries or filters.regions:
        parts.append(", ".join([lab["countries"].get(c, c) for c in filters.countries] + list(filters.regions)))
    else:
        parts.append("All countries")
    if filters.year_from is not None or filters.year_to is not None:
        parts.append(f"{filters.year_from}" if filters.year_from == filters.year_to else
                     f"{filters.year_from or '…'}–{filters.year_to or '…'}")
    else:
        parts.append("all years")
    parts.append(_names(filters.violations, lab["violation_types"]) if filters.violations else "all kinds of attack")
    if filters.defender_ids:
        parts.append(", ".join(names.get(d, f"defender no. {d}").split(" (")[0] for d in filters.defender_ids))
    parts.append(f"counted in {unit}")
    return " · ".join(parts)


# --- layout -------------------------------------------------------------------------------------

def report_blocks(data: ReportData, output_name: str = "report.pdf") -> list[Block]:
    """The report in reading order; both writers lay out exactly these blocks."""
    blocks: list[Block] = [Heading(_("In short"), 2), Bullets(data.scope)]
    if data.synthetic_act_count:
        blocks.append(Paragraph(_(
            "Synthetic demo data in this selection: {count} acts are generated, not real cases. Do not cite "
            "these figures.").format(count=f"{data.synthetic_act_count:,}"), "warning"))
    if data.mode == "analyst":
        blocks.append(Paragraph(_(ANALYST_BANNER) + ". " + _("No figure is suppressed."), "warning"))
    for note in data.notes:
        blocks.append(Paragraph(_("Note: ") + note, "note"))
    if not data.is_comparison:
        blocks.append(Metrics([(label, data.headline[key]) for key, label in HEADLINE_LABELS],
                              _("Distinct totals of the selection.")))
        if data.totals.get("act_count", 0) == 0:
            blocks.append(Paragraph(_("No cases match this selection."), "note"))
        else:
            for key in ("per_year", "map"):
                blocks += [Heading(data.charts[key].title, 2), data.charts[key]]
            blocks.append(data.tables["countries"])
            for key in ("violations", "actors"):
                blocks += [Heading(data.charts[key].title, 2), data.charts[key]]
    else:
        for label, side in zip(("A", "B"), data.sides):
            blocks += [Heading(f"{label}: {side.name}", 2), Bullets(side.scope[:-1], "small"),
                       Metrics([(lab, side.headline[key]) for key, lab in HEADLINE_LABELS[:3]])]
        blocks += [Heading(_("What changed"), 2), Bullets(data.changes or [_("No difference found.")])]
        blocks += [Heading(data.charts["per_year"].title, 2), data.charts["per_year"]]
        filled = [side for side in data.sides if side.totals.get("act_count", 0)]
        for side in data.sides:
            if side not in filled:
                blocks += [Heading(side.name, 2), Paragraph(_("Nothing matches this selection."), "note")]
        if len(filled) == 2:
            labels = (f"A: {filled[0].name}", f"B: {filled[1].name}")
            for part, title in (("violations", _("Kinds of attack")),
                                ("actors", _("Perpetrators, state and non-state"))):
                blocks += [Heading(title, 2), ChartPair(getattr(filled[0], part), getattr(filled[1], part), labels)]
        for side in filled if len(filled) == 1 else ():
            blocks += [Heading(side.violations.title, 2), side.violations,
                       Heading(side.actors.title, 2), side.actors]
        for side in data.sides:
            blocks += [side.places, side.involvement]
    blocks.append(Heading(_("Highlighted cases"), 1))
    if data.mode == "public":
        blocks.append(Paragraph(_("Public incidents only, latest first, each with its sources. Names of defenders "
                                  "whose names are not public are withheld."), "small"))
    else:
        blocks.append(Paragraph(_("Latest first; may include restricted and confidential incidents (marked)."),
                                "warning"))
    blocks += [CaseBlock(c) for c in data.cases] or [Paragraph(_("No public incident in this selection."), "note")]
    blocks += [Heading(_("Definitions and methodology"), 1), *data.methodology]
    blocks += [Heading(_("Published figures"), 1), *data.published]
    blocks += [Heading(_("How this report was made"), 1), Table("", ["", ""], [
        [_("Made on"), data.created.strftime("%d %B %Y, %H:%M UTC")],
        [_("Mode"), _("public (suppression applied, public cases only)") if data.mode == "public"
         else _("ANALYST (includes non-public cases; not for publication)")],
        [_("Counting unit"), UNIT_LABELS[data.unit]],
        [_("Suppression threshold"), f"k = {data.k}" + ("" if data.mode == "public" else " " + _("(not applied)"))],
        [_("Data set fingerprint"), data.fingerprint],
        [_("Filters"), "\n".join(data.filter_lines)],
    ], widths=[1, 3])]
    blocks += [Paragraph(_("To make this report again from the same data (same fingerprint):"), "small"),
               Paragraph(data.command(output_name), "code")]
    return blocks
