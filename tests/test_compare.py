"""The Compare page's pairs of breakdowns: the same rows in the same order on both sides."""
from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from dashboard import compare, metrics
from dashboard.filters import make_filters

SIDES = (make_filters(regions=["Asia"], year_from=2019, year_to=2019),
         make_filters(regions=["Europe"], year_from=2024, year_to=2024))


@pytest.fixture(scope="module")
def pair_of_sides(demo_db_path):
    con = duckdb.connect(str(demo_db_path), read_only=True)
    try:
        lab = metrics.labels(con)
        yield {by: [metrics.aggregate(con, f, by, "incidents", lab, mode="public") for f in SIDES]
               for by in ("violation", "actor_type,actor_group")}
    finally:
        con.close()


@pytest.mark.parametrize("by, column", [("violation", "violation_code"), ("actor_type,actor_group", "actor_type")])
def test_aligned_sides_list_the_same_rows_in_one_order(pair_of_sides, by: str, column: str) -> None:
    a, b = pair_of_sides[by]
    x, y = compare.aligned(a, b, column)
    assert list(x[column]) == list(y[column]) and set(x[column]) == set(a[column]) | set(b[column])
    assert len(x) > min(len(a), len(b))  # the demo's two sides differ, so rows were added
    for own, out in ((a, x), (b, y)):
        assert list(out.columns) == list(own.columns) and out.dtypes.equals(own.dtypes)
        assert out.attrs == own.attrs
        assert set(out["distinct_total"]) == set(own["distinct_total"])
        kept = out[out[column].isin(own[column])].set_index(column).sort_index()
        pd.testing.assert_frame_equal(kept, own.set_index(column).sort_index())  # suppressed stays "< k"
        added = out[~out[column].isin(own[column])]
        assert (added["value"] == 0).all() and (added["display"] == "0").all()
        assert not added["is_suppressed"].any() and not added["has_non_public"].any()
    # largest combined count first; a suppressed count orders as 0
    combined = [(0 if math.isnan(p) else p) + (0 if math.isnan(q) else q) for p, q in zip(x["value"], y["value"])]
    assert combined == sorted(combined, reverse=True)
    # the sides' labels (and, for perpetrators, groups) travel with the added rows
    label = f"{column}_label"
    assert dict(zip(x[column], x[label])) == dict(zip(y[column], y[label]))


def test_an_empty_side_is_left_alone(pair_of_sides) -> None:
    a, _ = pair_of_sides["violation"]
    nothing = a.iloc[0:0]
    x, y = compare.aligned(a, nothing, "violation_code")
    assert x is a and y is nothing


def test_what_changed_still_reads_the_sides_own_frames(demo_db_path) -> None:
    """A kind of attack on one side only is named as such; the zero rows the charts add do not hide it."""
    con = duckdb.connect(str(demo_db_path), read_only=True)
    try:
        a, b = (compare.build_side(con, name, f, "incidents") for name, f in zip(("A", "B"), SIDES))
    finally:
        con.close()
    lines = compare.what_changed(a, b)
    assert any(line.startswith("New in B") or line.startswith("Only in A") for line in lines)


def test_involvement_tables_align_on_degree_and_group(demo_db_path) -> None:
    """Rows named by two codes (degree of involvement, actor group): the same pairs on both sides."""
    con = duckdb.connect(str(demo_db_path), read_only=True)
    try:
        a, b = (compare.involvement(con, f, "public") for f in SIDES)
    finally:
        con.close()
    keys = ["involvement", "actor_group"]
    x, y = compare.aligned(a, b, keys)
    pairs = lambda frame: list(zip(frame["involvement"], frame["actor_group"]))  # noqa: E731
    assert pairs(x) == pairs(y) and set(pairs(x)) == set(pairs(a)) | set(pairs(b))
    assert len(x) > min(len(a), len(b))
    for own, out in ((a, x), (b, y)):
        assert out.dtypes.equals(own.dtypes)
        kept = out.merge(own[keys], on=keys)
        pd.testing.assert_frame_equal(kept.set_index(keys).sort_index(), own.set_index(keys).sort_index())
        added = out[~out.set_index(keys).index.isin(own.set_index(keys).index)]
        assert (added["value"] == 0).all() and (added["display"] == "0").all()
