"""parse_date: literal cases, every date form in CPJ's real data set, and fuzzing."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.ingest.dates import PRECISIONS, DateParseError, ParsedDate, parse_date

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CPJ = SHARED / "data" / "external" / "cpj_journalists_killed_1992_2016.csv"

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("October  2, 2016", D(2016, 10, 2), D(2016, 10, 2), "day"),
        ("October 22, 2016", D(2016, 10, 22), D(2016, 10, 22), "day"),
        ("August 2015", D(2015, 8, 1), D(2015, 8, 31), "month"),
        ("February 2016", D(2016, 2, 1), D(2016, 2, 29), "month"),
        ("May 22 or 23, 2015", D(2015, 5, 22), D(2015, 5, 23), "day"),
        ("October 2015 - June 2016", D(2015, 10, 1), D(2016, 6, 30), "month"),
        ("2015", D(2015, 1, 1), D(2015, 12, 31), "year"),
        ("2016-06-28", D(2016, 6, 28), D(2016, 6, 28), "day"),
        ("Date unknown", None, None, "unknown"),
        ("", None, None, "unknown"),
        ("unknown", None, None, "unknown"),
        ("Unknown", None, None, "unknown"),
        # Every other non-standard form in the CPJ file.
        (" January, 1999", D(1999, 1, 1), D(1999, 1, 31), "month"),
        ("July 2007,", D(2007, 7, 1), D(2007, 7, 31), "month"),
        ("January, 10, 1995", D(1995, 1, 10), D(1995, 1, 10), "day"),
        ("April 24 1994", D(1994, 4, 24), D(1994, 4, 24), "day"),
        ("April 10-12, 1994", D(1994, 4, 10), D(1994, 4, 12), "day"),
        ("April-June, 1994", D(1994, 4, 1), D(1994, 6, 30), "month"),
        ("August or September, 2014", D(2014, 8, 1), D(2014, 9, 30), "month"),
        ("June or July 1993", D(1993, 6, 1), D(1993, 7, 31), "month"),
        ("Between February 5 and 11, 2014", D(2014, 2, 5), D(2014, 2, 11), "day"),
        ("January 30 to February 24, 2016", D(2016, 1, 30), D(2016, 2, 24), "day"),
        ("June 24 through July 9, 2013", D(2013, 6, 24), D(2013, 7, 9), "day"),
        ("June 30 or July 1, 2015", D(2015, 6, 30), D(2015, 7, 1), "day"),
        ("February 8 or February 9, 2016", D(2016, 2, 8), D(2016, 2, 9), "day"),
        ("May 2,3 or 4, 2015", D(2015, 5, 2), D(2015, 5, 4), "day"),
        ("May 13, 14, 15, 16, 17, or 18, 2015", D(2015, 5, 13), D(2015, 5, 18), "day"),
        ("May 29, 30, 31, June 1, or 2, 2014", D(2014, 5, 29), D(2014, 6, 2), "day"),
        ("mid-April, 2005", D(2005, 4, 1), D(2005, 4, 30), "month"),
        ("summer 1993", D(1993, 6, 1), D(1993, 8, 31), "month"),
        ("Date unknown in 2002", D(2002, 1, 1), D(2002, 12, 31), "year"),
        ("on an unknown date (death disclosed February 2007)", None, D(2007, 2, 28), "unknown"),
        # Forms from appeals and news reports.
        ("9 October 2024", D(2024, 10, 9), D(2024, 10, 9), "day"),
        ("10-12 April 1994", D(1994, 4, 10), D(1994, 4, 12), "day"),
        ("late 2020", D(2020, 1, 1), D(2020, 12, 31), "year"),
        ("2014-2016", D(2014, 1, 1), D(2016, 12, 31), "year"),
        ("Tuesday, May 3, 2016", D(2016, 5, 3), D(2016, 5, 3), "day"),
        ("3rd of May 2016", D(2016, 5, 3), D(2016, 5, 3), "day"),
        ("22 de mayo de 2015", D(2015, 5, 22), D(2015, 5, 22), "day"),
        ("22 o 23 de mayo de 2015", D(2015, 5, 22), D(2015, 5, 23), "day"),
        ("22 мая 2015 г.", D(2015, 5, 22), D(2015, 5, 22), "day"),
    ],
)
def test_parse_date_literal(text: str, start: dt.date | None, end: dt.date | None, precision: str) -> None:
    assert parse_date(text) == ParsedDate(start, end, precision, text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("March 3", "no year"),
        ("May 22, 23", "no year"),
        ("banana", "unexpected word 'banana'"),
        ("a 2015", "unexpected word 'a'"),
        ("32/13/2020", "is not a date"),
        ("February 30, 2016", "dateparser does not read"),
        ("99 May 2015", "dateparser does not read"),
        ("12 2015", "has no month"),
        ("winter 1993", "spans two calendar years"),
        ("June 2016 - October 2015", "out of order"),
    ],
)
def test_parse_date_rejects_with_the_value_quoted(text: str, reason: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_date(text)
    assert repr(text) in str(info.value)
    assert reason in str(info.value)


def test_date_parse_error_is_a_value_error() -> None:
    assert issubclass(DateParseError, ValueError)


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expects a str"):
        parse_date(float("nan"))  # type: ignore[arg-type]


def test_results_are_cached_and_frozen() -> None:
    first = parse_date("August 2015")
    assert parse_date("August 2015") is first
    with pytest.raises(AttributeError):
        first.start = None  # type: ignore[misc]


def _cpj_dates() -> pd.Series:
    return pd.read_csv(CPJ, usecols=["Date"])["Date"]


def test_every_cpj_date_form_parses() -> None:
    dates = _cpj_dates()
    assert len(dates) == 1782
    failures = {}
    for value in dates.unique():
        try:
            parse_date(value)
        except DateParseError as exc:
            failures[value] = str(exc)
    # No CPJ value lacks a year, so none is rejected.
    assert failures == {}
    counts = pd.Series([parse_date(v).precision for v in dates]).value_counts().to_dict()
    assert counts == {"day": 1738, "month": 34, "unknown": 8, "year": 2}


def test_3500_rows_parse_without_pathological_slowness() -> None:
    """A guard against a parser that tries every format the slow way, not a benchmark."""
    rows = pd.concat([_cpj_dates(), _cpj_dates()], ignore_index=True)
    assert len(rows) == 3564
    parse_date.cache_clear()
    started = time.perf_counter()
    parsed = [parse_date(value) for value in rows]
    elapsed = time.perf_counter() - started
    assert len(parsed) == 3564
    assert elapsed < 30.0, f"took {elapsed:.2f} s"


def _check_contract(text: str) -> None:
    """Either a well-formed ParsedDate or a DateParseError, never another exception."""
    try:
        result = parse_date(text)
    except DateParseError:
        return
    assert result.precision in PRECISIONS
    assert result.original == text
    if result.start is not None and result.end is not None:
        assert result.start <= result.end
    if result.precision == "unknown":
        assert result.start is None
    else:
        assert result.start is not None and result.end is not None


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_parses_or_raises_date_parse_error(text: str) -> None:
    _check_contract(text)


_PIECES = st.sampled_from(
    ["May", "June", "February", "or", "and", "to", "-", ",", " ", "2015", "1", "29", "31", "0", "99",
     "mid", "summer", "winter", "unknown", "Date", "in", "/", ".", "2016-06-28", "de", "мая", "(", ")",
     "disclosed", "an", "on", "date", "13/12/2020", "0000", "9999", "between", "through"]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=8).map(" ".join))
def test_date_like_text_parses_or_raises_date_parse_error(text: str) -> None:
    _check_contract(text)


# --- numeric day and month: no guessing ----------------------------------------------------------

@pytest.mark.parametrize("text", ["03/04/2015", "3.4.2015", "11/12/2019"])
def test_a_day_and_month_that_could_be_either_is_refused(text: str) -> None:
    with pytest.raises(DateParseError, match="date_order"):
        parse_date(text)


@pytest.mark.parametrize("text,day_first,expected", [
    ("03/04/2015", True, dt.date(2015, 4, 3)),
    ("03/04/2015", False, dt.date(2015, 3, 4)),
    ("3.4.2015", True, dt.date(2015, 4, 3)),
    ("13/04/2015", None, dt.date(2015, 4, 13)),  # only one reading is a date
    ("04/13/2015", None, dt.date(2015, 4, 13)),
    ("04/04/2015", None, dt.date(2015, 4, 4)),  # both readings are the same day
])
def test_a_numeric_date_is_read_in_the_order_given(text: str, day_first: bool | None, expected: dt.date) -> None:
    parsed = parse_date(text, day_first)
    assert (parsed.start, parsed.end, parsed.precision) == (expected, expected, "day")


def test_an_impossible_month_in_the_given_order_is_refused() -> None:
    with pytest.raises(DateParseError):
        parse_date("13/04/2015", False)  # month 13
