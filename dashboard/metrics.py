"""Aggregations in three counting units, with labels and the distinct total.

DESIGN.md's counting rule: a chart says what it counts; an incident with several
kinds of attack counts once under each kind, so sums across kinds are not totals.
Every aggregate therefore carries ``distinct_total`` (the selection's distinct
count in the same unit) and its cells carry ``incident_count`` and
``has_non_public`` so that small-cell suppression can be applied in public mode.

Fast paths. Every count can be made from act_facts (one row per act) with
``count(distinct ...)``, but at a million incidents that costs seconds on a small
server. So each query goes to the cheapest source that gives the same numbers
(``route``; the tables are built by queries/refresh_act_facts.sql):

- ``cells``: fact_cells, pre-counted per (year, country, visibility, synthetic),
  summed. Used when the selection is made only of place, year, visibility and
  synthetic filters (no act-level filter, no search, no defender), the unit is
  incidents or acts, and at most one dimension is act-level.
- ``incidents``: incident_facts, one row per incident with distinct value
  lists, counted with ``count(*)``. Used for incidents when a search or a
  defender filter is set (still no act-level filter, at most one act-level
  dimension).
- ``acts``: act_facts, for everything else (act-level filters, the defenders
  unit, two act-level dimensions, which must be matched act by act).
tests/test_bench.py checks that the three give the same figures.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

import duckdb
import pandas as pd

from . import sql
from .filters import UNITS, FilterError, Filters
from .i18n import _
from .privacy import Mode, aggregate_filters, check_mode, suppress
from .settings import suppression_k


@dataclass(frozen=True)
class Dimension:
    """An allowlisted grouping: the column it yields, the SQL that yields it, its vocabulary."""

    name: str
    column: str
    expression: str
    join: str = ""
    vocabulary: str | None = None
    multi_valued: bool = False
    incident_list: str | None = None  # incident_facts list column; None: an incident-level dimension

    @property
    def is_incident_level(self) -> bool:
        """Whether an incident has one value (place, year): then it is a column of every fact table."""
        return self.incident_list is None

    def incident_join(self) -> str:
        """The unnest that gives an incident one row per value (incident_facts)."""
        if self.incident_list is None:
            return ""
        return f"cross join unnest(selected.{self.incident_list}) as u_{self.name}({self.column})"

    def cell_join(self) -> str:
        """The unnest that gives a place-time cell one row per code with its counts (fact_cells)."""
        if self.incident_list is None:
            return ""
        return f"cross join unnest(selected.{self.name}_cells) as u_{self.name}({self.name}_cell)"

    def cell_expression(self) -> str:
        return self.expression if self.incident_list is None else f"{self.name}_cell.code"


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("country", "country_code", "country_code", vocabulary="countries"),
        Dimension("region", "region", "region"),
        Dimension("subregion", "subregion", "subregion"),
        Dimension("year", "year", "nullif(year, -1)"),
        Dimension("violation", "violation_code", "violation_code", vocabulary="violation_types",
                  incident_list="violation_codes"),
        Dimension("violation_category", "violation_category", "violation_category", vocabulary="violation_types",
                  incident_list="violation_categories"),
        Dimension("sdg_category", "sdg_category", "sdg_category", vocabulary="sdg_categories",
                  incident_list="sdg_categories"),
        Dimension(
            "actor_type", "actor_type", "actor_type",
            "cross join unnest(selected.actor_type_codes) as u_actor_type(actor_type)",
            vocabulary="actor_types", multi_valued=True, incident_list="actor_type_codes",
        ),
        Dimension(
            "actor_group", "actor_group", "actor_group",
            "cross join unnest(selected.actor_group_codes) as u_actor_group(actor_group)",
            vocabulary="actor_types", multi_valued=True, incident_list="actor_group_codes",
        ),
        Dimension(
            "sector", "sector", "sector",
            "cross join unnest(selected.sector_codes) as u_sector(sector)",
            vocabulary="sectors", multi_valued=True, incident_list="sector_codes",
        ),
        Dimension("gender", "gender_code", "gender_code", vocabulary="genders", incident_list="gender_codes"),
        Dimension(
            "involvement", "involvement", "involvement",
            "cross join unnest(selected.involvement_codes) as u_involvement(involvement)",
            vocabulary="involvement_degrees", multi_valued=True, incident_list="involvement_codes",
        ),
    )
}
UNIT_KEYS = {"incidents": "incident_id", "acts": "act_id", "defenders": "defender_id"}
UNIT_LABELS = {
    "incidents": "Incidents",
    "acts": "Acts (one thing done to one victim)",
    "defenders": "Defenders affected (distinct)",
}
MULTI_COUNT_NOTE = (
    "One {unit_singular} can fall under several {dims}; each counts once under each, "
    "so the bars add up to more than the distinct total ({total})."
)


def parse_dimensions(text: str | Sequence[str]) -> list[str]:
    """Split and check a comma list of dimension names against the allowlist."""
    names = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if p.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown or not names:
        raise FilterError(
            f"Unknown dimension(s): {', '.join(unknown) or '(none given)'}. "
            f"Choose from: {', '.join(DIMENSIONS)}."
        )
    if "actor_type" in names and "actor_group" in names:
        # the group is derived from the type afterwards; unnesting both would cross them
        names = [n for n in names if n != "actor_group"] + ["actor_group"]
    return list(dict.fromkeys(names))


def check_unit(unit: str) -> str:
    """Return the unit if it is one of incidents, acts, defenders; else a clear error."""
    if unit not in UNITS:
        raise FilterError(f"Unknown unit {unit!r}. Choose from: {', '.join(UNITS)}.")
    return unit


ACT_LEVEL_FILTERS = ("violations", "actor_types", "sectors", "genders")
SOURCES = {"acts": "selected_acts", "incidents": "selected_incidents", "cells": "selected_cells"}
TOTALS_QUERIES = {"acts": "selection_totals", "incidents": "selection_totals_from_incidents",
                  "cells": "selection_totals_from_cells"}


def route(filters: Filters, dims: Sequence[str] = (), unit: str = "incidents") -> str:
    """The cheapest fact table that counts this selection exactly: cells, incidents or acts.

    An act-level filter selects some acts of an incident and not others, and a
    breakdown by two act-level dimensions must pair values act by act, so both
    need act_facts; so does the defenders unit (distinct people per cell). The
    incident-level tables can count acts only by place and time.
    """
    if unit == "defenders" or any(getattr(filters, f) for f in ACT_LEVEL_FILTERS):
        return "acts"
    act_dims = [d for d in dims if not DIMENSIONS[d].is_incident_level]
    if len(act_dims) > 1:
        return "acts"
    if not filters.search and not filters.defender_ids:
        return "cells"
    if unit == "acts" and act_dims:
        return "acts"
    return "incidents"


def totals(con: duckdb.DuckDBPyConnection, filters: Filters, mode: Mode = "public") -> dict[str, int]:
    """Distinct totals of the selection: incidents, acts, defenders, countries (raw numbers;
    pages pass them through ``privacy.present_totals``)."""
    filters = aggregate_filters(filters, check_mode(mode))
    query = TOTALS_QUERIES[route(filters)]
    row = sql.run(con, query, filters.to_params()).iloc[0]
    return {k: int(v) for k, v in row.items()}


def labels(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Code-to-label maps for each vocabulary, keyed by vocabulary table name."""
    out: dict[str, dict[str, str]] = {}
    for vocab in ("violation_types", "actor_types", "sectors", "genders", "involvement_degrees", "sdg_categories"):
        frame = sql.run(con, f"vocabulary_{vocab}")
        out[vocab] = dict(zip(frame["code"], frame["label"]))
    countries = sql.run(con, "country_list")
    out["countries"] = dict(zip(countries["country_code"], countries["name"]))
    out["sectors"]["unspecified"] = "Unspecified"
    return out


def vocabulary_sets(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Allowed codes per filter field, for ``filters.check_vocabulary``."""
    lab = labels(con)
    countries = sql.run(con, "country_list")
    regions = set(countries["region"].dropna()) | set(countries["subregion"].dropna())
    return {
        "countries": set(lab["countries"]),
        "regions": regions,
        "violations": set(lab["violation_types"]),
        "actor_types": set(lab["actor_types"]),
        "sectors": set(lab["sectors"]),
        "genders": set(lab["genders"]),
        "visibilities": {"public", "restricted", "confidential"},
    }


def aggregate(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str | Sequence[str],
    unit: str = "incidents",
    label_maps: dict[str, dict[str, str]] | None = None,
    mode: Mode = "public",
    whole: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Count the selection by the given dimensions in the given unit.

    Returns one row per combination with code columns, ``<column>_label`` columns,
    ``value``, ``incident_count``, ``has_non_public``, ``has_synthetic``, and the
    selection's ``distinct_total`` in the same unit. ``attrs`` carries the unit and
    whether any dimension is multi-valued (so pages know to show the note).
    In public mode (the default, so that a forgotten argument fails safe) small
    cells are suppressed (see dashboard.privacy): ``value`` is NaN there and
    ``display`` says "< k".
    """
    dims = parse_dimensions(by)
    check_unit(unit)
    mode = check_mode(mode)
    filters = aggregate_filters(filters, mode)
    derive_group = "actor_type" in dims and "actor_group" in dims
    sql_dims = [DIMENSIONS[d] for d in dims if not (derive_group and d == "actor_group")]
    frame = sql.run(con, "summary_by_dimensions", filters.to_params(), _identifiers(filters, sql_dims, unit))
    label_maps = label_maps if label_maps is not None else labels(con)
    if derive_group:
        parents = _actor_parents(con)
        frame.insert(len(sql_dims), "actor_group", frame["actor_type"].map(parents))
    for name in dims:
        dim = DIMENSIONS[name]
        if dim.vocabulary:
            frame[f"{dim.column}_label"] = frame[dim.column].map(label_maps[dim.vocabulary]).fillna(frame[dim.column])
    if "year" in frame:
        frame["year"] = frame["year"].astype("Int64")
    whole = whole if whole is not None else totals(con, filters, mode)
    total = whole[{"incidents": "incident_count", "acts": "act_count", "defenders": "defender_count"}[unit]]
    hide_total = mode == "public" and whole["non_public_incident_count"] > 0 and whole["incident_count"] < suppression_k()
    frame["distinct_total"] = float("nan") if hide_total else total
    out = suppress(frame, mode)
    # set last: pandas deep-copies attrs on every operation, which costs more than the counting
    out.attrs.update(unit=unit, dimensions=dims, multi_valued=is_multi_counted(dims, unit), mode=mode)
    return out


# the Overview page's breakdowns, in the order it draws them: per year (by state / non-state
# perpetrators), the map, kinds of attack, perpetrators, and the country x year heat map
OVERVIEW_BREAKDOWNS = ("year,actor_group", "country", "violation", "actor_type,actor_group", "country,year")


def overview(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    unit: str,
    label_maps: dict[str, dict[str, str]],
    mode: Mode,
    whole: dict[str, int],
) -> dict[str, pd.DataFrame]:
    """The Overview's five breakdowns of the selection (``aggregate`` for each), computed at the same time.

    Why at the same time: each is a small query on the summary tables whose fixed costs
    (planning it, building a DataFrame) outweigh its scan, so one after another they cost
    about 1.4 times as much as side by side; DuckDB lets go of Python while it runs a
    query, and every query runs on its own cursor (``sql.run``). ``whole`` is the
    selection's ``totals``, counted once by the caller.
    """
    with ThreadPoolExecutor(max_workers=len(OVERVIEW_BREAKDOWNS), thread_name_prefix="overview") as pool:
        futures = {by: pool.submit(aggregate, con, filters, by, unit, label_maps, mode, whole)
                   for by in OVERVIEW_BREAKDOWNS}
        return {by: future.result() for by, future in futures.items()}


INCIDENT_LEVEL = frozenset({"country", "region", "subregion", "year"})


def _identifiers(filters: Filters, sql_dims: Sequence[Dimension], unit: str) -> dict[str, str]:
    """The SQL fragments of summary_by_dimensions.sql for the route's source (allowlisted text only)."""
    source = route(filters, [d.name for d in sql_dims], unit)
    act_dim = next((d for d in sql_dims if not d.is_incident_level), None)
    if source == "cells":
        counted = f"{act_dim.name}_cell." if act_dim else ""
        column = "act_count" if unit == "acts" else "incident_count"
        return {
            "source": SOURCES[source],
            "dimension_columns": ", ".join(f"{d.cell_expression()} as {d.column}" for d in sql_dims),
            "expansion_joins": act_dim.cell_join() if act_dim else "",
            "value": f"cast(sum({counted}{column}) as bigint)",
            "incident_count": f"cast(sum({counted}incident_count) as bigint)",
        }
    if source == "incidents":
        return {
            "source": SOURCES[source],
            "dimension_columns": ", ".join(f"{d.expression} as {d.column}" for d in sql_dims),
            "expansion_joins": act_dim.incident_join() if act_dim else "",
            "value": "cast(sum(act_count) as bigint)" if unit == "acts" else "count(*)",
            "incident_count": "count(*)",
        }
    return {
        "source": SOURCES[source],
        "dimension_columns": ", ".join(f"{d.expression} as {d.column}" for d in sql_dims),
        "expansion_joins": "\n    ".join(d.join for d in sql_dims if d.join),
        # act lists hold distinct values, so an act is one row per combination of its values
        "value": "count(*)" if unit == "acts" else f"count(distinct {UNIT_KEYS[unit]})",
        "incident_count": "count(distinct incident_id)",
    }


def is_multi_counted(dims: Sequence[str], unit: str) -> bool:
    """Whether one counted thing can appear in several cells of this breakdown.

    An act has one violation type but maybe several perpetrators; an incident has
    one place and year but maybe many kinds of attack; a defender can be attacked
    in several years, places and ways (their gender is the only single value).
    """
    return bool(multi_counted_dimensions(dims, unit))


def multi_counted_dimensions(dims: Sequence[str], unit: str) -> list[str]:
    """The dimensions of ``dims`` under which one counted thing can fall several times."""
    if unit == "acts":
        return [d for d in dims if DIMENSIONS[d].multi_valued]
    if unit == "incidents":
        return [d for d in dims if d not in INCIDENT_LEVEL]
    return [d for d in dims if d != "gender"]


# a dimension in the words of the note under a chart ("several kinds of attack")
DIMENSION_WORDS = {
    "country": "countries", "region": "regions", "subregion": "subregions", "year": "years",
    "violation": "kinds of attack", "violation_category": "categories of attack", "sdg_category": "SDG categories",
    "actor_type": "kinds of perpetrator", "actor_group": "perpetrator groups (state, non-state, unknown)",
    "sector": "sectors", "gender": "genders", "involvement": "degrees of involvement",
}


def _actor_parents(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    types = sql.run(con, "vocabulary_actor_types")
    return {c: (p if isinstance(p, str) and p else c) for c, p in zip(types["code"], types["parent_code"])}


def multi_count_note(frame: pd.DataFrame) -> str | None:
    """The note to print under a chart of a multi-valued breakdown, or None."""
    if not frame.attrs.get("multi_valued"):
        return None
    unit = frame.attrs.get("unit", "incidents")
    singular = {"incidents": "incident", "acts": "act", "defenders": "defender"}[unit]
    # only the dimensions that multiply: an incident has one year, so "several years" would be untrue
    multiple = multi_counted_dimensions(frame.attrs.get("dimensions", []), unit)
    dims = _(" or ").join(_(DIMENSION_WORDS.get(d, d.replace("_", " "))) for d in multiple)
    total = frame["distinct_total"].iloc[0] if len(frame) else 0
    shown = f"{int(total):,}" if pd.notna(total) else _("suppressed")
    return _(MULTI_COUNT_NOTE).format(unit_singular=_(singular), dims=dims, total=shown)
