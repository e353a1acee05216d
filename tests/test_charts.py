"""The figures' own margins: wide enough for their labels, so Plotly draws them once."""
from __future__ import annotations

import pandas as pd

from dashboard import charts


def test_label_width_follows_the_longest_label():
    assert charts.label_width([]) == charts.LABEL_PAD_PX
    short, long_ = charts.label_width(["Chad"]), charts.label_width(["Chad", "Democratic Republic of the Congo"])
    assert long_ > short
    assert long_ - short == round(28 * charts.CHAR_PX)  # 32 - 4 characters


def test_count_labels_are_at_most_five_characters_wide():
    """Plotly writes 1,250,000 as "1.25M": a tick label never needs more than five characters."""
    assert charts.count_label_width(9) < charts.count_label_width(900)
    assert charts.count_label_width(12_500_000) == charts.count_label_width(99_999) == charts.label_width(["12.5M"])


def test_full_width_figures_ask_for_their_margins():
    per_year = pd.DataFrame({"year": [2021, 2024, 2024], "actor_group": ["state", "state", "non_state"],
                             "value": [1_200_000, 80, 5]})
    fig = charts.per_year(per_year, "incidents")
    assert fig.layout.margin.l == charts.count_label_width(1_200_000 * 1.15) + charts.AXIS_TITLE_PX
    assert fig.layout.margin.b == charts.TICK_ROW_PX + charts.AXIS_TITLE_PX + charts.LEGEND_PX  # it has a legend

    cells = pd.DataFrame({"country_code": ["KAZ", "COD"], "country_code_label": ["Kazakhstan", "Congo (Kinshasa)"],
                          "year": [2021, 2024], "value": [2, 3]})
    heat = charts.heatmap(cells, "incidents")
    assert heat.layout.margin.l == charts.label_width(["Congo (Kinshasa)"])
    assert heat.layout.margin.r == charts.COLOUR_BAR_PX
    world = charts.world_map(cells.drop(columns="year"), "incidents")
    assert world.layout.margin.r == charts.COLOUR_BAR_PX and world.layout.margin.l == 10


def test_heat_map_years_are_categories_even_for_a_single_year():
    """One year in the selection: a numeric axis would tick 2,023.8, 2024, 2,024.2."""
    cells = pd.DataFrame({"country_code": ["KAZ"], "country_code_label": ["Kazakhstan"], "year": [2024], "value": [1]})
    heat = charts.heatmap(cells, "incidents")
    assert heat.layout.xaxis.type == "category"
    assert list(heat.data[0].x) == ["2024"]


def test_long_breakdown_labels_and_titles_wrap_instead_of_being_cut() -> None:
    """Plotly cuts a tick label longer than its margin allows (a half-width column is about
    200 px in a 900 px window): long labels and titles go on several lines, rows grow to hold them."""
    assert charts.wrapped("Threats", 16) == "Threats"
    assert charts.wrapped("Defamation and stigmatising statements", 16) == "Defamation and<br>stigmatising<br>statements"
    assert charts.wrapped("Extraordinarily-long-single-word", 16) == "Extraordinarily-long-single-word"  # kept whole
    frame = pd.DataFrame({"violation_code": ["threat", "defamation"], "value": [5, 3],
                          "violation_code_label": ["Threats", "Defamation and stigmatising statements"]})
    fig = charts.breakdown(frame, "violation_code", "incidents", "Perpetrators: state and non-state")
    assert list(fig.layout.yaxis.categoryarray) == ["Defamation and<br>stigmatising<br>statements", "Threats"]
    assert all(len(line) <= charts.WRAP_LABEL_CHARS for label in fig.data[0].y for line in label.split("<br>"))
    assert fig.layout.title.text == "Perpetrators: state and<br>non-state"
    assert fig.layout.margin.t == 50 + charts.TITLE_LINE_PX
    short = charts.breakdown(frame.assign(violation_code_label=["Threats", "Beating"]), "violation_code",
                             "incidents", "Kinds")
    assert short.layout.margin.t == 50 and short.layout.title.text == "Kinds"
    # beside a chart whose title takes two lines, a one-line title keeps the same room: both plots
    # start at the same height (the Overview's two breakdowns)
    room = charts.title_lines("Kinds", "Perpetrators: state and non-state")
    assert room == 2 and charts.title_lines("Kinds") == 1
    beside = charts.breakdown(frame, "violation_code", "incidents", "Kinds", title_room=room)
    assert beside.layout.margin.t == fig.layout.margin.t and beside.layout.title.text == "Kinds"
    alone = charts.breakdown(frame, "violation_code", "incidents", "Kinds")
    assert beside.layout.height - alone.layout.height == charts.TITLE_LINE_PX
    # three-line labels get taller rows than one-line labels (here both above the 260 px minimum)
    many = pd.concat([frame] * 10, ignore_index=True)
    many["violation_code"] = [f"c{i}" for i in range(len(many))]
    one_line = many.assign(violation_code_label=[f"Kind {i}" for i in range(len(many))])
    assert (charts.breakdown(many, "violation_code", "incidents", "Kinds").layout.height
            > charts.breakdown(one_line, "violation_code", "incidents", "Kinds").layout.height)


def test_breakdown_in_frame_order_and_on_a_given_scale() -> None:
    """Two charts drawn side by side (the Compare page) keep the rows' order and share the axis."""
    frame = pd.DataFrame({"violation_code": ["b", "a", "c"], "value": [1.0, 7.0, 0.0]})
    fig = charts.breakdown(frame, "violation_code", "incidents", "Kinds", in_frame_order=True, x_max=30)
    assert list(fig.layout.yaxis.categoryarray) == ["c", "a", "b"]  # Plotly lists a category axis bottom up
    assert fig.layout.xaxis.range == (0, 36.0)
    own = charts.breakdown(frame, "violation_code", "incidents", "Kinds")
    assert list(own.layout.yaxis.categoryarray) == ["c", "b", "a"] and own.layout.xaxis.range == (0, 7.0 * 1.2)


def test_count_axes_tick_whole_numbers() -> None:
    """One incident on an axis: ticks at 0 and 1, not at 0.5 (half an incident)."""
    one = pd.DataFrame({"violation_code": ["a"], "value": [1.0]})
    assert charts.breakdown(one, "violation_code", "incidents", "Kinds").layout.xaxis.dtick == 1
    many = pd.DataFrame({"violation_code": ["a"], "value": [40.0]})
    assert charts.breakdown(many, "violation_code", "incidents", "Kinds").layout.xaxis.dtick is None
    years = pd.DataFrame({"year": [2021, 2024], "value": [1, 2]})
    assert charts.per_year(years, "incidents").layout.yaxis.dtick == 1


def test_map_colours_run_from_zero_to_the_largest_count() -> None:
    """Plotly ignores zmin without zmax: the country with fewest incidents looked like one with none,
    and a single country got a colour bar of 0.5 to 1.5 incidents."""
    cells = pd.DataFrame({"country_code": ["KAZ", "KGZ"], "value": [3.0, 40.0]})
    trace = charts.world_map(cells, "incidents").data[0]
    assert (trace.zmin, trace.zmax) == (0, 40.0) and trace.colorbar.dtick is None
    one = charts.world_map(cells.iloc[:1].assign(value=1.0), "incidents").data[0]
    assert (one.zmin, one.zmax) == (0, 1.0) and one.colorbar.dtick == 1
    heat = charts.heatmap(cells.assign(year=2024), "incidents").data[0]
    assert (heat.zmin, heat.zmax) == (0, 40.0)
