"""The filter object shared by pages, the command line and reports.

A ``Filters`` value is immutable and hashable, so it can key caches; it turns into
the named parameters of ``selected_acts`` and to and from URL query parameters.
Values are checked against the vocabularies so that a typo gives a clear message
rather than an empty chart.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Iterable, Mapping

MAX_SEARCH_LENGTH = 200
MAX_LIST_LENGTH = 300
YEAR_MIN, YEAR_MAX = 1900, 2100
UNITS = ("incidents", "acts", "defenders")


class FilterError(ValueError):
    """A filter value that is malformed or not in the vocabulary."""


@dataclass(frozen=True)
class Filters:
    """A selection of acts. Empty tuples mean "no restriction"."""

    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    violations: tuple[str, ...] = ()
    actor_types: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    visibilities: tuple[str, ...] = ()
    include_synthetic: bool = True
    search: str = ""
    defender_ids: tuple[int, ...] = ()
    search_public_only: bool = False  # set by the public mode, never by a user

    def to_params(self) -> dict[str, Any]:
        """Named parameters for ``selected_acts`` (see queries/selected_acts_macro.sql)."""
        return {
            "countries": list(self.countries),
            "regions": list(self.regions),
            "year_from": self.year_from if self.year_from is not None else -1,
            "year_to": self.year_to if self.year_to is not None else 9999,
            "violations": list(self.violations),
            "actor_types": list(self.actor_types),
            "sectors": list(self.sectors),
            "genders": list(self.genders),
            "visibilities": list(self.visibilities),
            "include_synthetic": bool(self.include_synthetic),
            "search": self.search,
            "search_public_only": bool(self.search_public_only),
            "defender_ids": [int(x) for x in self.defender_ids],
        }

    def is_empty(self) -> bool:
        """True when nothing narrows the selection (synthetic data included)."""
        return self == Filters()

    def describe(self) -> list[str]:
        """The filters in plain words, one per line, for file headers and reports."""
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value in ((), None, "") or (f.name == "include_synthetic" and value) or f.name == "search_public_only":
                continue
            if isinstance(value, tuple):
                value = ", ".join(str(v) for v in value)
            out.append(f"{f.name.replace('_', ' ')}: {value}")
        return out or ["no filter (everything in the database)"]

    def slug(self) -> str:
        """A short, file-name-safe text of the filters, for download names."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value in ((), None, "") or (f.name == "include_synthetic" and value) or f.name == "search_public_only":
                continue
            text = "-".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
            parts.append(f"{f.name}-{text}")
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", "_".join(parts)).strip("_") or "all"
        return slug[:120]


_LIST_FIELDS = ("countries", "regions", "violations", "actor_types", "sectors", "genders", "visibilities")
_CODE_RE = re.compile(r"^[A-Za-z0-9_ .,'()&-]{1,80}$")


def _clean_list(name: str, values: Iterable[Any]) -> tuple[str, ...]:
    items = []
    for raw in values:
        for part in str(raw).split(","):
            part = part.strip()
            if part:
                items.append(part)
    if len(items) > MAX_LIST_LENGTH:
        raise FilterError(f"Too many values for {name} ({len(items)}; at most {MAX_LIST_LENGTH}).")
    for item in items:
        if not _CODE_RE.match(item):
            raise FilterError(f"{name}: {item[:60]!r} is not a valid code.")
    return tuple(dict.fromkeys(items))


def _clean_year(name: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise FilterError(f"{name}: {str(value)[:40]!r} is not a year.") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise FilterError(f"{name}: {year} is outside {YEAR_MIN}-{YEAR_MAX}.")
    return year


def _clean_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise FilterError(f"{name}: {text[:20]!r} is not true or false.")


def make_filters(**values: Any) -> Filters:
    """Build Filters from loose values (strings, lists, comma lists), checking their shape."""
    known = {f.name for f in fields(Filters)} - {"search_public_only"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise FilterError(f"Unknown filter(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name in _LIST_FIELDS:
            clean[name] = _clean_list(name, [value] if isinstance(value, (str, int)) else value)
        elif name in ("year_from", "year_to"):
            clean[name] = _clean_year(name, value)
        elif name == "include_synthetic":
            clean[name] = _clean_bool(name, value)
        elif name == "search":
            text = str(value)
            if len(text) > MAX_SEARCH_LENGTH:
                raise FilterError(f"search: at most {MAX_SEARCH_LENGTH} characters.")
            clean[name] = "".join(ch for ch in text if ch.isprintable()).strip()
        elif name == "defender_ids":
            items = [value] if isinstance(value, (str, int)) else value
            try:
                clean[name] = tuple(int(x) for v in items for x in str(v).split(",") if x.strip())
            except ValueError:
                raise FilterError("defender_ids: numbers only.") from None
    filters = Filters(**clean)
    if filters.year_from is not None and filters.year_to is not None and filters.year_from > filters.year_to:
        raise FilterError(f"year_from ({filters.year_from}) is after year_to ({filters.year_to}).")
    return filters


def check_vocabulary(filters: Filters, vocab: Mapping[str, set[str]]) -> None:
    """Raise FilterError for codes that are not in the database's vocabularies.

    ``vocab`` maps a filter field name to its set of allowed codes (see
    ``dashboard.metrics.vocabulary_sets``).
    """
    for name in _LIST_FIELDS:
        allowed = vocab.get(name)
        if allowed is None:
            continue
        bad = [v for v in getattr(filters, name) if v not in allowed]
        if bad:
            shown = ", ".join(sorted(allowed))[:400]
            listed = ", ".join(b[:40] for b in bad[:10]) + (f" … and {len(bad) - 10} more" if len(bad) > 10 else "")
            raise FilterError(f"Unknown {name.replace('_', ' ')}: {listed}. Known values: {shown}")


# --- URL query parameters -------------------------------------------------------

_URL_KEYS = {
    "country": "countries",
    "region": "regions",
    "from": "year_from",
    "to": "year_to",
    "violation": "violations",
    "actor": "actor_types",
    "sector": "sectors",
    "gender": "genders",
    "q": "search",
    "synthetic": "include_synthetic",
    "defender": "defender_ids",
}
_FIELD_TO_URL = {v: k for k, v in _URL_KEYS.items()}


def to_query_params(filters: Filters) -> dict[str, str]:
    """Filters as short URL query parameters (comma lists); defaults are left out."""
    out: dict[str, str] = {}
    default = Filters()
    for name, value in asdict(filters).items():
        if name in ("visibilities", "search_public_only") or value == getattr(default, name):
            continue
        key = _FIELD_TO_URL[name]
        if isinstance(value, (tuple, list)):
            out[key] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[key] = "1" if value else "0"
        else:
            out[key] = str(value)
    return out


def from_query_params(
    params: Mapping[str, str | list[str]], vocab: Mapping[str, set[str]] | None = None,
    extra_keys: Iterable[str] = (),
) -> tuple[Filters, list[str]]:
    """Parse URL query parameters into Filters, ignoring what is wrong.

    Returns the filters and a list of notes for the page to show: an address
    shared by someone else must never crash the app, so every bad key or value is
    dropped with a note instead of an error. ``extra_keys`` are keys used by pages
    (such as ``page`` or ``case``) that are not filters and need no note.
    """
    notes: list[str] = []
    good: dict[str, Any] = {}
    allowed_extra = set(extra_keys)
    for key, raw in params.items():
        if key in allowed_extra:
            continue
        name = _URL_KEYS.get(key)
        if name is None:
            notes.append(f"Ignored unknown parameter {key[:40]!r}.")
            continue
        values = raw if isinstance(raw, list) else [raw]
        if not values:
            continue
        if name in _LIST_FIELDS or name == "defender_ids":
            value: Any = values  # repeated keys add values: ?country=KAZ&country=KGZ
        else:
            value = values[-1]
            if len(values) > 1:
                notes.append(f"{key[:40]!r} was given {len(values)} times; the last value is used.")
        try:
            single = make_filters(**{name: value})
            candidate = getattr(single, name)
            if vocab is not None and name in vocab and isinstance(candidate, tuple):
                bad = [c for c in candidate if c not in vocab[name]]
                if bad:
                    notes.append(f"Ignored unknown {name.replace('_', ' ')}: {', '.join(b[:40] for b in bad)}.")
                    candidate = tuple(c for c in candidate if c in vocab[name])
            good[name] = candidate
        except FilterError as exc:
            notes.append(f"Ignored {key[:40]!r}: {exc}")
    try:
        filters = Filters(**good)
        if filters.year_from is not None and filters.year_to is not None and filters.year_from > filters.year_to:
            notes.append("Ignored the year range: 'from' is after 'to'.")
            filters = replace(filters, year_from=None, year_to=None)
    except TypeError:  # pragma: no cover - fields are checked above
        filters = Filters()
    return filters, notes
