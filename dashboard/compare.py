"""Comparing two selections: side data and a generated "what changed" list.

Used by the Compare page and by reports; it works on frames from
``metrics.aggregate`` so that the page's cached results can be reused.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import duckdb
import pandas as pd

from . import sql
from .filters import Filters, from_query_params
from .metrics import aggregate, labels, route, totals
from .privacy import Mode, aggregate_filters, present_totals, suppress

FEMINITA_PRESET = {
    "a.defender": "1", "a.from": "2021", "a.to": "2021",
    "b.defender": "1", "b.from": "2024", "b.to": "2024",
}
PRESET_TITLE = "Feminita: Shymkent 2021 vs Almaty 2024"


@dataclass
class Side:
    """One side of a comparison: its filters, totals and breakdowns."""

    name: str
    filters: Filters
    totals: dict[str, int]
    violations: pd.DataFrame
    actors: pd.DataFrame
    involvement: pd.DataFrame
    places: pd.DataFrame


def side_filters(params: dict[str, list[str] | str], prefix: str, include_synthetic: bool = True,
                 vocab: dict[str, set[str]] | None = None) -> tuple[Filters, list[str]]:
    """The filters of one side from URL parameters that start with ``prefix`` (``a.`` or ``b.``)."""
    own = {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}
    filters, notes = from_query_params(own, vocab)
    if not include_synthetic:
        filters = Filters(**{**filters.__dict__, "include_synthetic": False})
    return filters, [f"{prefix.rstrip('.').upper()}: {n}" for n in notes]


def build_side(con: duckdb.DuckDBPyConnection, name: str, filters: Filters, unit: str, mode: Mode = "public") -> Side:
    """Compute everything one side of the Compare page shows, in the given mode (no Streamlit caching here)."""
    lab = labels(con)
    return Side(
        name=name, filters=filters, totals=totals(con, filters, mode),
        violations=aggregate(con, filters, "violation", unit, lab, mode=mode),
        actors=aggregate(con, filters, "actor_type,actor_group", unit, lab, mode=mode),
        involvement=involvement(con, filters, mode),
        places=places(con, filters, mode),
    )


def involvement(con: duckdb.DuckDBPyConnection, filters: Filters, mode: Mode = "public") -> pd.DataFrame:
    """Acts per degree of involvement and actor group in the selection, suppressed for the mode.

    A selection by place, time, visibility and synthetic data alone is summed from
    fact_cells' pre-counted pairs (the same figures, tests compare them); any other
    needs the act-level query, which at a million incidents takes about 0.2 s."""
    selection = aggregate_filters(filters, mode)
    query = "acts_by_involvement_from_cells" if route(selection) == "cells" else "acts_by_involvement"
    return suppress(sql.run(con, query, selection.to_params()), mode)


def places(con: duckdb.DuckDBPyConnection, filters: Filters, mode: Mode = "public") -> pd.DataFrame:
    """Incidents per place in the selection, suppressed for the mode; places of non-public
    incidents read "(not public)" outside analyst mode. (One scan of incident_rows for a
    selection by place and time was tried: no faster at a million incidents.)"""
    params = aggregate_filters(filters, mode).to_params() | {"reveal_places": mode == "analyst"}
    return suppress(sql.run(con, "places_by_incident_count", params), mode)


# the counting columns of a breakdown (metrics.aggregate); every other column names the row
COUNT_COLUMNS = {"value": 0.0, "incident_count": 0.0, "has_non_public": False, "has_synthetic": False,
                 "is_suppressed": False, "display": "0"}


def aligned(a: pd.DataFrame, b: pd.DataFrame, keys: str | Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two sides' frames of one breakdown with the same rows in the same order.

    Why: the Compare page's charts and tables stand side by side and are read row against
    row. A row (named by ``keys``: a code, or codes such as degree of involvement and actor
    group) found on one side only is added to the other with a count of 0, which is what
    that selection holds; both then list the rows by their combined counts, largest first
    (a suppressed count orders as 0), ties by label. So a row sits at the same height on
    both sides, and each side's CSV lists what its chart or table shows. A side with no
    rows (nothing selected) is left as it is, and so is the other side then.
    ``what_changed`` works on the sides' own frames, not on these.
    """
    if a.empty or b.empty:
        return a, b
    keys = [keys] if isinstance(keys, str) else list(keys)
    names = [c for c in a.columns if c not in COUNT_COLUMNS and c != "distinct_total"]
    counted = pd.concat([f[keys].assign(combined=pd.to_numeric(f["value"], errors="coerce").fillna(0))
                         for f in (a, b)]).groupby(keys, as_index=False, dropna=False)["combined"].sum()
    rows = pd.concat([a[names], b[names]]).drop_duplicates(keys).merge(counted, on=keys, how="left")
    labels = [f"{k}_label" for k in keys if f"{k}_label" in names]
    rows = rows.sort_values(["combined", *labels, *keys], ascending=[False] + [True] * (len(labels) + len(keys)),
                            kind="stable")[names]
    return _filled(a, rows, keys), _filled(b, rows, keys)


def largest(frame: pd.DataFrame) -> float:
    """The largest count a breakdown shows (0 when it is empty or every count is suppressed):
    the scale two aligned charts share is the larger of their two."""
    return float(pd.to_numeric(frame["value"], errors="coerce").fillna(0).max()) if not frame.empty else 0.0


def _filled(frame: pd.DataFrame, rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` over ``rows`` (in their order), with a count of 0 where it has no row."""
    out = rows.merge(frame.drop(columns=[c for c in rows.columns if c not in keys]), on=keys, how="left",
                     indicator="_found")
    missing = out.pop("_found") == "left_only"  # a suppressed count (NaN) in the frame stays NaN
    for name, zero in COUNT_COLUMNS.items():
        if name in out:
            out[name] = out[name].where(~missing, zero).astype(frame[name].dtype)
    if "distinct_total" in out:
        out["distinct_total"] = frame["distinct_total"].iloc[0]
    out.attrs.update(frame.attrs)
    return out[list(frame.columns)]


def _values(frame: pd.DataFrame, column: str) -> dict[str, float]:
    """Label -> count; a suppressed cell is present with NaN (its number must not be used)."""
    if frame.empty:
        return {}
    label = f"{column}_label" if f"{column}_label" in frame else column
    return dict(zip(frame[label], pd.to_numeric(frame["value"], errors="coerce")))


def what_changed(a: Side, b: Side, max_items: int = 8, mode: Mode = "public") -> list[str]:
    """Plain-language differences between side A and side B.

    Kinds of attack and perpetrators present on only one side come first (they
    are the qualitative change an advocate looks for), then the largest shifts
    in counts, then the change in totals. Suppressed cells never enter a shift,
    and totals are shown as the headline figures show them (so "< 5" stays "< 5").
    """
    out: list[str] = []
    for what, column, fa, fb in (
        ("kinds of attack", "violation_code", a.violations, b.violations),
        ("kinds of perpetrator", "actor_type", a.actors, b.actors),
    ):
        va, vb = _values(fa, column), _values(fb, column)
        only_a = sorted(set(va) - set(vb))
        only_b = sorted(set(vb) - set(va))
        if only_b:
            out.append(f"New in {b.name}: {what} not seen in {a.name}: {', '.join(only_b)}.")
        if only_a:
            out.append(f"Only in {a.name}: {what} not seen in {b.name}: {', '.join(only_a)}.")
    shifts = []
    for column, frame_a, frame_b in (("violation_code", a.violations, b.violations), ("actor_type", a.actors, b.actors)):
        va, vb = _values(frame_a, column), _values(frame_b, column)
        for key in set(va) & set(vb):
            if pd.notna(va[key]) and pd.notna(vb[key]) and va[key] != vb[key]:
                shifts.append((abs(vb[key] - va[key]), key, va[key], vb[key]))
    for _, key, x, y in sorted(shifts, reverse=True)[:3]:
        out.append(f"{key}: {int(x)} in {a.name} → {int(y)} in {b.name}.")
    ta, tb = present_totals(a.totals, mode), present_totals(b.totals, mode)
    out.append(
        f"Acts: {ta['act_count']} in {a.name} → {tb['act_count']} in {b.name}; "
        f"defenders affected: {ta['defender_count']} → {tb['defender_count']}."
    )
    return out[:max_items]


def describe_side(filters: Filters, defender_names: dict[int, str]) -> str:
    """A short name for a side, such as "Feminita 2021" or "KAZ 2019-2024"."""
    parts = [defender_names.get(d, f"defender {d}").split(" (")[0] for d in filters.defender_ids]
    parts += list(filters.countries) + list(filters.regions)
    if filters.year_from is not None or filters.year_to is not None:
        years = f"{filters.year_from or '…'}" if filters.year_from == filters.year_to else \
            f"{filters.year_from or '…'}–{filters.year_to or '…'}"
        parts.append(years)
    if filters.search:
        parts.append(f"“{filters.search}”")
    return " ".join(parts) or "everything"
