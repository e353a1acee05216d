"""Keeping people safe: public and analyst modes, and small-cell suppression.

Public mode (no sign-in) is what a donor or a visitor sees:
- only public incidents are listed, and only public defenders are named;
- restricted and confidential incidents are still counted in aggregates, but a
  cell that includes a non-public incident and counts fewer than k incidents
  (k = ``HRD_SUPPRESSION_K``, default 5) is shown as "< k";
- complementary suppression: when a table has exactly one suppressed cell, the
  next smallest cell is suppressed too, so that the table's total cannot be used
  to work the hidden cell out; headline totals that include a non-public
  incident and count fewer than k incidents are also shown as "< k";
- text search sees only public incidents, so a count cannot confirm a word from
  a confidential summary.
Analyst mode (signed in as analyst or admin) sees everything.

The same functions serve pages, CSV downloads, command-line exports and reports,
so an output cannot forget a rule that another one obeys.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd

from .filters import Filters
from .settings import suppression_k

Mode = Literal["public", "analyst"]
MODES: tuple[str, ...] = ("public", "analyst")


def check_mode(mode: str) -> Mode:
    """Return the mode if known, else raise ValueError (an unknown mode must never mean 'analyst')."""
    if mode not in MODES:
        raise ValueError(f"Unknown mode {mode!r}; choose public or analyst.")
    return mode  # type: ignore[return-value]


def aggregate_filters(filters: Filters, mode: Mode) -> Filters:
    """Filters for counting: all visibilities, but public search only in public mode."""
    return replace(filters, search_public_only=(mode == "public"))


def listing_filters(filters: Filters, mode: Mode) -> Filters:
    """Filters for listing cases: in public mode only public incidents are listed."""
    if mode == "analyst":
        return replace(filters, search_public_only=False)
    return replace(filters, visibilities=("public",), search_public_only=True)


def suppressed_label(k: int | None = None) -> str:
    return f"< {k or suppression_k()}"


def suppress(frame: pd.DataFrame, mode: Mode, k: int | None = None) -> pd.DataFrame:
    """Apply small-cell suppression to an aggregate frame in public mode.

    Adds a ``display`` column (the text to show: a number or "< k") and an
    ``is_suppressed`` flag; the numeric ``value`` of a suppressed cell becomes
    NaN so charts and CSVs cannot carry the true number.
    """
    k = k or suppression_k()
    out = frame.copy()
    out.attrs.update(frame.attrs)
    if "value" not in out:
        return out
    if mode == "analyst" or out.empty or "incident_count" not in out or "has_non_public" not in out:
        out["is_suppressed"] = False
        out["display"] = out["value"].map(lambda v: f"{int(v):,}" if pd.notna(v) else "")
        return out
    small = out["has_non_public"].astype(bool) & (out["incident_count"] < k)
    if small.sum() == 1 and len(out) > 1:
        rest = out.loc[~small, "value"]
        small.loc[rest.idxmin()] = True
    out["is_suppressed"] = small
    out["value"] = out["value"].astype(float).where(~small, np.nan)
    out["incident_count"] = out["incident_count"].astype(float).where(~small, np.nan)
    out["display"] = [suppressed_label(k) if s else f"{int(v):,}" for s, v in zip(small, out["value"])]
    if "distinct_total" in out and small.any():
        out.attrs["suppressed"] = int(small.sum())
    return out


def present_totals(totals: dict[str, int], mode: Mode, k: int | None = None) -> dict[str, str]:
    """Headline figures as text, suppressed in public mode when a non-public incident makes them small."""
    k = k or suppression_k()
    hide = mode == "public" and totals.get("non_public_incident_count", 0) > 0 and totals.get("incident_count", 0) < k
    keys = ("incident_count", "act_count", "defender_count", "country_count")
    return {key: (suppressed_label(k) if hide and key != "country_count" else f"{totals.get(key, 0):,}") for key in keys}


def export_values(frame: pd.DataFrame) -> pd.DataFrame:
    """An aggregate ready for CSV: ``value`` holds the displayed text ("< k" where suppressed)."""
    out = frame.copy()
    if "display" in out:
        out["value"] = [d if s else (int(v) if pd.notna(v) else "") for d, s, v in
                        zip(out["display"], out.get("is_suppressed", False), out["value"])]
        out = out.drop(columns=["display"])
    if out.get("is_suppressed") is not None and "incident_count" in out:
        out["incident_count"] = out["incident_count"].map(lambda v: int(v) if pd.notna(v) else "")
    return out
