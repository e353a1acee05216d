"""Published figures beside the project's own counts, only where the definitions match.

Other organisations publish headline figures (CPJ's journalists killed per year,
Front Line Defenders' defenders killed). Shown next to our own count they tell
a reader how complete the imported data is, but only if both count the same
thing; so each comparison is declared here, with the project's side of the
definition in words, and any other metric is refused rather than compared
loosely. The published figures themselves come from data/published_figures.csv
(loaded into the ``published_figures`` table by ``db.build``), each with its
definition and citation.

The project's count: distinct victims (defenders) of a killing act in imported,
non-synthetic incidents, by the year of the incident, limited to the sectors
the publisher covers. Hand-entered seed cases and synthetic demo data are left
out, because the published figure is compared with what was imported from the
publisher's side of the data. Undated incidents are not in any year; their
number is in ``frame.attrs["undated_own_count"]``.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from .. import sql
from ..i18n import _
from .countries import UnknownCountryError, to_iso3

WORLD = "World"


@dataclass(frozen=True)
class Comparison:
    """How the project counts what a publisher's metric counts."""

    publisher: str
    metric: str
    violation_category: str
    sectors: tuple[str, ...]
    own_definition: str
    title: str  # what the metric counts, in words: the page's heading and the chart's axis


COMPARISONS: dict[tuple[str, str], Comparison] = {
    (c.publisher, c.metric): c
    for c in (
        Comparison(
            "Committee to Protect Journalists", "journalists_killed", "killing", ("journalism",),
            "Imported defenders in the journalism sector who were killed (any killing type), "
            "counted once each, by year of the incident.",
            "Journalists killed",
        ),
        Comparison(
            "Front Line Defenders", "hrds_killed", "killing", (),
            "Imported defenders of any sector who were killed (any killing type), "
            "counted once each, by year of the incident.",
            "Human rights defenders killed",
        ),
    )
}

def published_figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every published figure with its definition and citation (queries/published_figures_list.sql)."""
    return sql.run(con, "published_figures_list")


def comparisons() -> list[tuple[str, str]]:
    """The (publisher, metric) pairs whose definitions match a count the project can make."""
    return sorted(COMPARISONS)


def _country_code(country: str) -> str:
    """'' for the world, else the ISO3 of the published figure's country label."""
    if country == WORLD:
        return ""
    try:
        return to_iso3(country)
    except UnknownCountryError as exc:
        raise ValueError(_("Cannot compare figures for {country}: {error}").format(
            country=repr(country), error=exc)) from None


def compare_with_published(
    con: duckdb.DuckDBPyConnection, metric: str, publisher: str, country: str = WORLD, public_only: bool = True,
) -> pd.DataFrame:
    """Per year: the published figure beside the project's own count, with both definitions.

    Columns: year, publisher, metric, country, published_value, own_count,
    difference (own minus published), report, definition (the publisher's),
    own_definition, cited_via. Every year with either number is listed; a year
    with only one of them has the other missing (never a made-up zero for the
    publisher; zero for the project where it has no matching cases that year).
    Raises ValueError for a metric whose definition has no match here.
    ``public_only`` (the default, for public outputs) counts public incidents only.
    """
    comparison = COMPARISONS.get((publisher, metric))
    if comparison is None:
        known = "; ".join(f"{p}: {m}" for p, m in comparisons())
        raise ValueError(_("No matching definition for {publisher} {metric}. Comparable: {known}.").format(
            publisher=repr(publisher), metric=repr(metric), known=known))
    own = sql.run(con, "published_own_killings_by_year", {
        "violation_category": comparison.violation_category, "sectors": list(comparison.sectors),
        "country_code": _country_code(country), "public_only": public_only,
    })
    published = sql.run(con, "published_figure_values", {"publisher": publisher, "metric": metric, "country": country})
    undated = int(own.loc[own["year"] < 0, "own_count"].sum())
    frame = published.merge(own[own["year"] >= 0], on="year", how="outer").sort_values("year")
    frame["own_count"] = frame["own_count"].fillna(0).astype("int64")
    frame["published_value"] = frame["published_value"].astype("Int64")
    frame["difference"] = frame["own_count"] - frame["published_value"]
    frame = frame.assign(publisher=publisher, metric=metric, country=country, own_definition=comparison.own_definition)
    frame["year"] = frame["year"].astype("int64")
    frame = frame[["year", "publisher", "metric", "country", "published_value", "own_count", "difference",
                   "report", "definition", "own_definition", "cited_via"]].reset_index(drop=True)
    frame.attrs["undated_own_count"] = undated
    return frame
