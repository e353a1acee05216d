"""Turn the free-text dates found in case data sets into date ranges with a precision.

Why not just ``pandas.to_datetime``: the sources we import write dates the way a
person would ("May 22 or 23, 2015", "October 2015 - June 2016", "Date unknown in
2002", "summer 1993"). Forcing those into a single day would invent precision the
source does not have, and an incident counted in the wrong month or year skews
every trend chart. So every date becomes a *range* (``start`` .. ``end``) plus the
precision the source actually gave (day, month, year or unknown), and the
original text is kept for the audit trail.

Division of labour, on purpose:

* Regular expressions only split a value into its pieces ("May 22", "23",
  "2015") and recognise whole-value forms (unknown dates, seasons, ISO dates).
* The maintained ``dateparser`` library turns each rebuilt piece into a date, so
  month names in English, Spanish and Russian, and impossible days such as
  "February 30", are handled by code that many projects test, not by ours.
  Its settings make it deterministic: no relative dates ("yesterday"), no Unix
  timestamps, a fixed ``RELATIVE_BASE`` and a required year, so the same text
  always gives the same date whatever day the import runs.

A value without a year ("March 3") raises :class:`DateParseError` rather than
guessing the year: a guessed year silently moves a case to another year.

Rulings on forms seen in CPJ's "journalists killed" data set (1,782 rows):

* "mid-April, 2005", "early 2020", "late May": the qualifier is dropped and the
  unit is kept (April 2005, month precision). The range still contains the
  event, which is what the precision promises.
* "summer 1993" (Tajikistan): the northern-hemisphere meteorological season,
  June to August, with month precision, like "June or July 1993". "winter" is
  refused because it straddles two years.
* "on an unknown date (death disclosed February 2007)": precision "unknown",
  no start, and ``end`` = the last day of the disclosure month, because the
  death happened no later than that.
* "Date unknown in 2002": year precision for 2002.
* "Date unknown", "Unknown" and "": precision "unknown", no start and no end.
* "03/04/2015" or "3.4.2015": refused as ambiguous (3 April in most of the
  world, 4 March in the United States) unless the caller says which order the
  file uses (``day_first``; a mapping's ``[file] date_order``). "13/04/2015"
  and "04/13/2015" can only be read one way and are accepted.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass
from typing import Final, Literal

from dateparser.date import DateDataParser
from dateparser.languages.loader import default_loader

from ..i18n import _

__all__ = ["PRECISIONS", "DateParseError", "ParsedDate", "Precision", "parse_date"]

Precision = Literal["day", "month", "year", "unknown"]
PRECISIONS: Final[tuple[Precision, ...]] = ("day", "month", "year", "unknown")
LANGUAGES: Final[tuple[str, ...]] = ("en", "es", "ru")

# Coarser precision wins when pieces are combined: "May 2014 - June 3, 2015" is
# only known to the month.
_COARSENESS: Final[dict[str, int]] = {"day": 0, "month": 1, "year": 2}


class DateParseError(ValueError):
    """A date text that cannot be turned into a range without guessing.

    A ``ValueError`` so callers that validate many fields can catch one type.
    """


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date as a closed range plus the precision the source gave.

    ``start`` and ``end`` are both ``None`` for a date that is unknown; for
    "disclosed on ..." forms only ``end`` (the latest possible day) is set.
    Frozen so cached results can be shared safely.
    """

    start: dt.date | None
    end: dt.date | None
    precision: Precision
    original: str


@dataclass(slots=True)
class _Point:
    """One piece of a date value while its missing parts are being filled in."""

    day: int | None = None
    month: str | None = None
    year: int | None = None


# --- dateparser, configured once -------------------------------------------

_SETTINGS: Final[dict[str, object]] = {
    "PREFER_DAY_OF_MONTH": "first",
    "PREFER_MONTH_OF_YEAR": "first",
    "REQUIRE_PARTS": ["year"],
    # Only absolute dates: no "yesterday", no Unix timestamps, no "20160628".
    "PARSERS": ["custom-formats", "absolute-time"],
    "RELATIVE_BASE": dt.datetime(2000, 1, 1),
    "RETURN_TIME_AS_PERIOD": False,
}
_PARSER: Final = DateDataParser(languages=list(LANGUAGES), settings=_SETTINGS)


def _locale_words(keys: tuple[str, ...]) -> frozenset[str]:
    """Month or weekday names (with abbreviations) in our languages, lower case.

    Taken from dateparser's own locale data so that the words we accept as
    month names are exactly the ones it can parse.
    """
    words: set[str] = set()
    for language in LANGUAGES:
        info = default_loader.get_locale(language).info
        for key in keys:
            words.update(w.lower().rstrip(".") for w in info.get(key, []))
    return frozenset(words)


# dateparser's locale keys (not calendar.month_name, which follows the process locale).
_MONTH_KEYS: Final = ("january", "february", "march", "april", "may", "june", "july",
                      "august", "september", "october", "november", "december")
_WEEKDAY_KEYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_WORDS: Final = _locale_words(_MONTH_KEYS)
_WEEKDAY_WORDS: Final = _locale_words(_WEEKDAY_KEYS)
# Words that carry no date information in "22 de mayo de 2015", "the 3rd of May",
# "22 мая 2015 г.", "mid-April" or "between 5 and 11 February".
_FILLER_WORDS: Final = frozenset(
    {"of", "the", "on", "in", "de", "del", "г", "года", "год",
     "mid", "early", "late", "end", "beginning", "start", "between", "from",
     "around", "about", "approximately", "circa", "c", "desde", "entre", "с"}
)

# --- regexes: recognise whole-value forms and split into pieces -------------

# The layouts of the text _point_range builds, per precision.
_FORMATS: Final[dict[str, list[str]]] = {
    "day": ["%d %B %Y", "%d %b %Y"],
    "month": ["%B %Y", "%b %Y"],
    "year": ["%Y"],
}
_WHITESPACE = re.compile(r"\s+")
_UNKNOWN = re.compile(r"(?:date\s+)?unknown(?:\s+date)?|n/?a|", re.IGNORECASE)
_UNKNOWN_IN = re.compile(r"(?:date\s+)?unknown(?:\s+date)?\s+in\s+(?P<rest>.+)", re.IGNORECASE)
_DISCLOSED = re.compile(
    r"(?:on\s+)?an?\s+unknown\s+date\s*\([^()]*?\b(?:disclosed|reported|announced|confirmed)"
    r"\s+(?:on\s+|in\s+)?(?P<bound>[^()]+)\)",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"[0-9]{4}-[0-9]{1,2}(?:-[0-9]{1,2})?|[0-9]{1,4}([/.])[0-9]{1,2}\1[0-9]{1,4}")
_SEASONS: Final[dict[str, str]] = {
    "spring": "March - May",
    "summer": "June - August",
    "autumn": "September - November",
    "fall": "September - November",
}
_SEASON = re.compile(r"\b(spring|summer|autumn|fall|winter)\b", re.IGNORECASE)
_SEPARATOR = re.compile(
    # English, Spanish and Russian words for "or", "and", "to", "until".
    r"\s*(?:,\s*or\b|,\s*and\b|\b(?:or|and|to|through|thru|until|o|y|al|hasta|или|и|по)\b|[-–—]|,)\s*",
    re.IGNORECASE,
)
_DAY = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?", re.IGNORECASE)
_YEAR = re.compile(r"[0-9]{4}")


def _normalise(text: str) -> str:
    """Collapse runs of whitespace and trim stray punctuation (" January, 1999", "July 2007,")."""
    return _WHITESPACE.sub(" ", text).strip(" ,;.")


def _fail(original: str, reason: str) -> DateParseError:
    """Build the error with the offending value quoted, so a bad row can be found."""
    return DateParseError(_("cannot parse date {original}: {reason}").format(original=repr(original), reason=reason))


def _as_precision(value: str) -> Precision:
    """Narrow a precision string from dateparser or our own code to the Literal type."""
    for precision in PRECISIONS:
        if value == precision:
            return precision
    raise DateParseError(_("not a precision: {value}").format(value=repr(value)))


def _range_for(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """Expand the first day of a unit to the whole unit it stands for."""
    if precision == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    if precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    return day, day


def _dateparser(text: str, original: str, formats: list[str] | None = None) -> tuple[dt.date, str]:
    """Ask dateparser for one date and the unit it found (day, month or year).

    ``formats`` are the layouts we expect (we built the text): dateparser tries
    them first, which is about 30 times faster than its full analysis, and
    falls back to that analysis for month names in Spanish or Russian.

    dateparser is heuristic code run on arbitrary input, so any of its
    internal errors is reported as a DateParseError rather than escaping.
    """
    try:
        data = _PARSER.get_date_data(text, date_formats=formats)
    except (ValueError, OverflowError, TypeError, LookupError, AttributeError) as exc:
        raise _fail(original, _("dateparser failed on {text} ({error})").format(text=repr(text), error=exc)) from exc
    if data.date_obj is None or data.period not in _COARSENESS:
        raise _fail(original, _("dateparser does not read {text} as a date with a year").format(text=repr(text)))
    return data.date_obj.date(), data.period


# --- splitting a value into points ------------------------------------------

def _classify(token: str, original: str) -> _Point:
    """Read one piece such as "May 22", "23", "2015" or "22 de mayo de 2015"."""
    point = _Point()
    for raw in token.split(" "):
        word = raw.lower().rstrip(".")
        if not word or word in _FILLER_WORDS or word in _WEEKDAY_WORDS:
            continue
        if _YEAR.fullmatch(word) and point.year is None:
            point.year = int(word)
        elif (day := _DAY.fullmatch(word)) and point.day is None:
            point.day = int(day.group(1))
        elif word in _MONTH_WORDS and point.month is None:
            point.month = word
        else:
            raise _fail(original, _("unexpected word {word}").format(word=repr(raw)))
    return point


def _assemble(tokens: list[str], original: str) -> list[_Point]:
    """Combine pieces into points: "May 22 or 23, 2015" -> May 22 2015, May 23 2015.

    A lone year completes every earlier point that lacks one; a lone day after
    a lone month ("January, 10, 1995") completes that month.
    """
    points: list[_Point] = []
    for token in tokens:
        piece = _classify(token, original)
        lone_year = piece.year is not None and piece.day is None and piece.month is None
        lone_day = piece.day is not None and piece.month is None and piece.year is None
        pending = [p for p in points if p.year is None]
        if lone_year and pending:
            for point in pending:
                point.year = piece.year
        elif lone_day and points and points[-1].month and points[-1].day is None and points[-1].year is None:
            points[-1].day = piece.day
        elif piece != _Point():
            points.append(piece)
    return points


def _fill_missing(points: list[_Point]) -> None:
    """Share months and years between points: "May 22 or 23", "10-12 April 1994"."""
    for earlier, later in itertools.pairwise(points):
        if later.day is not None and later.month is None:
            later.month = earlier.month
    for earlier, later in reversed(list(itertools.pairwise(points))):
        if earlier.day is not None and earlier.month is None:
            earlier.month = later.month
        if earlier.year is None:
            earlier.year = later.year


def _point_range(point: _Point, original: str) -> tuple[dt.date, dt.date, str]:
    """Parse one completed point with dateparser and expand it to its unit."""
    if point.year is None:
        raise _fail(original, _("no year is given and none will be guessed"))
    if point.day is not None and point.month is None:
        raise _fail(original, _("day {day} has no month").format(day=point.day))
    precision = "day" if point.day is not None else "month" if point.month else "year"
    text = " ".join(str(part) for part in (point.day, point.month, point.year) if part is not None)
    day, period = _dateparser(text, original, _FORMATS[precision])
    # dateparser is lenient ("99 may 2015" may come back as another date): keep
    # only answers that agree with the pieces we handed it.
    if period != precision or day.year != point.year or point.day not in (None, day.day):
        raise _fail(original, _("{text} is not a valid date").format(text=repr(text)))
    start, end = _range_for(day, precision)
    return start, end, precision


def _combine(ranges: list[tuple[dt.date, dt.date, str]], original: str) -> ParsedDate:
    """Join the points of a list or range into one span with the coarsest precision."""
    for (start_a, _end_a, _precision_a), (start_b, _end_b, _precision_b) in itertools.pairwise(ranges):
        if start_b < start_a:
            raise _fail(original, _("the dates are out of order"))
    precision = max((r[2] for r in ranges), key=_COARSENESS.__getitem__)
    return ParsedDate(ranges[0][0], max(r[1] for r in ranges), _as_precision(precision), original)


def _parse_pieces(text: str, original: str) -> ParsedDate:
    """Split a value into pieces, complete them, and parse each one."""
    if _NUMERIC.fullmatch(text):
        day, period = _dateparser(text, original)
        start, end = _range_for(day, period)
        return ParsedDate(start, end, _as_precision(period), original)
    seasons = {season.lower() for season in _SEASON.findall(text)}
    if "winter" in seasons:
        raise _fail(original, _("'winter' spans two calendar years"))
    if seasons:
        text = _SEASON.sub(lambda m: _SEASONS[m.group(1).lower()], text)
    tokens = [t for t in _SEPARATOR.split(text) if t and t.strip()]
    points = _assemble(tokens, original)
    if not points:
        raise _fail(original, _("no date in it"))
    _fill_missing(points)
    return _combine([_point_range(p, original) for p in points], original)


def _parse_special(text: str, original: str) -> ParsedDate | None:
    """Whole-value forms that say the date is unknown, possibly with a bound."""
    if _UNKNOWN.fullmatch(text):
        return ParsedDate(None, None, "unknown", original)
    if match := _UNKNOWN_IN.fullmatch(text):
        inner = _parse_pieces(_normalise(match.group("rest")), original)
        return ParsedDate(inner.start, inner.end, inner.precision, original)
    if match := _DISCLOSED.fullmatch(text):
        bound = _parse_pieces(_normalise(match.group("bound")), original)
        return ParsedDate(None, bound.end, "unknown", original)
    return None


_DAY_MONTH = re.compile(r"([0-9]{1,2})([/.])([0-9]{1,2})\2([0-9]{4})")


def _resolve_order(text: str, original: str, day_first: bool | None) -> str:
    """Rewrite "a/b/yyyy" as an ISO date when the order is known; refuse it when it could be either."""
    match = _DAY_MONTH.fullmatch(text)
    if not match:
        return text
    a, b, year = int(match.group(1)), int(match.group(3)), match.group(4)
    if day_first is None:
        if a <= 12 and b <= 12 and a != b:
            raise _fail(original, _("it could be {a} {month_b} or {b} {month_a}; say which with date_order = \"DMY\" "
                                    "or \"MDY\" in the mapping's [file] section").format(
                a=a, month_b=calendar.month_name[b], b=b, month_a=calendar.month_name[a]))
        if a > 12:  # only day first makes sense
            day_first = True
        elif b > 12:
            day_first = False
        else:
            day_first = True  # the same number twice: either reading gives the same day
    day, month = (a, b) if day_first else (b, a)
    try:
        dt.date(int(year), month, day)
    except ValueError:
        order = _("day/month") if day_first else _("month/day")
        raise _fail(original, _("read as {order}, day {day} of month {month} is not a date").format(
            order=order, day=day, month=month)) from None
    return f"{year}-{month:02d}-{day:02d}"


@functools.lru_cache(maxsize=8192)
def parse_date(text: str, day_first: bool | None = None) -> ParsedDate:
    """Parse a free-text date into a :class:`ParsedDate` range.

    Raises :class:`DateParseError` (quoting the value) for text that is not a
    date or has no year, or a numeric day and month that could be read either
    way when ``day_first`` is not given (True: 03/04/2015 is 3 April; False:
    4 March). Results are cached because data sets repeat the
    same few thousand values, and dateparser costs about a millisecond a call.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_date expects a str, got {type(text).__name__}: {text!r}")
    cleaned = _resolve_order(_normalise(text), text, day_first)
    special = _parse_special(cleaned, text)
    return special if special is not None else _parse_pieces(cleaned, text)
