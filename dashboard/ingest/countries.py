"""Country names from outside data sets -> ISO 3166-1 alpha-3 codes.

Why codes: the case store, the filters and the map all key countries by ISO3,
while sources write "UK", "Ivory Coast", "Bosnia" or "Yugoslavia". One function
decides every mapping, so the same name always lands in the same country and a
name nobody has ruled on fails loudly (:class:`UnknownCountryError`) instead of
becoming a country of its own.

Matching is delegated to ``country_converter`` (coco), a maintained table of
regular expressions for current country names. Two things it does not do, and
this module adds: names of states that no longer exist or joint labels used by
one publisher (:data:`LEGACY_ALIASES`), and an error instead of a log line when a
name is unknown or matches two countries.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

import country_converter as coco
import pandas as pd

from ..i18n import _

__all__ = ["LEGACY_ALIASES", "UnknownCountryError", "country_table", "to_iso3"]


class UnknownCountryError(ValueError):
    """A country name that cannot be mapped to exactly one ISO3 code.

    A ``ValueError`` so importers can handle it with other bad values.
    """


# Keys are compared after collapsing whitespace and case-folding. Each entry is a
# ruling on where incidents recorded under that name are counted today.
LEGACY_ALIASES: Final[Mapping[str, str]] = MappingProxyType({
    # The Federal Republic of Yugoslavia (1992-2003) became Serbia and Montenegro
    # and then Serbia, its UN-recognised successor. CPJ's "Yugoslavia" rows
    # (1999-2001) are in Belgrade, central Serbia and Kosovo; Kosovo has no ISO
    # code of its own, so all are counted under SRB. Re-map single records to
    # "XKX" (the code coco and the EU use for Kosovo) if a project needs it.
    "yugoslavia": "SRB",
    "federal republic of yugoslavia": "SRB",
    # Serbia and Montenegro (2003-2006): Serbia is the legal continuator;
    # Montenegro seceded. Choose MNE per record where the place is known.
    "serbia and montenegro": "SRB",
    "serbia/montenegro": "SRB",
    # Czechoslovakia (to 1992): the Czech Republic inherited its seat in most
    # registries; Slovak places should be re-mapped to SVK per record.
    "czechoslovakia": "CZE",
    # The USSR (to 1991): the Russian Federation is its continuator state.
    "ussr": "RUS",
    "soviet union": "RUS",
    # Zaire was renamed the Democratic Republic of the Congo in 1997.
    "zaire": "COD",
    # Burma is Myanmar's former (and still widely used) name.
    "burma": "MMR",
    # CPJ's joint label. Its 21 records in 1992-2016 are, as far as the names
    # and outlets show, killings in Gaza and the West Bank (e.g. Simone Camilli,
    # Gaza 2014; Raffaele Ciriello, Ramallah 2002), so the place of the attack
    # is Palestine. coco alone finds both ISR and PSE in it and gives up.
    "israel and the occupied palestinian territory": "PSE",
    "occupied palestinian territory": "PSE",
})

_WHITESPACE = re.compile(r"\s+")
_TABLE_COLUMNS: Final = {
    "ISO3": "country_code",
    "ISO2": "iso2",
    "name_short": "name",
    "continent": "region",
    "UNregion": "subregion",
}


@functools.lru_cache(maxsize=1)
def _converter() -> coco.CountryConverter:
    """One converter per process: building it reads and compiles coco's table."""
    return coco.CountryConverter()


@functools.lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    """The cached country table (callers get copies, see :func:`country_table`)."""
    data = _converter().data[list(_TABLE_COLUMNS)].rename(columns=_TABLE_COLUMNS)
    return data.dropna(subset=["country_code"]).sort_values("country_code").reset_index(drop=True)


def country_table() -> pd.DataFrame:
    """Every country coco knows: country_code (ISO3), iso2, name, region, subregion.

    ``region`` is coco's continent ("Asia", "America", ...) and ``subregion``
    the UN geoscheme region ("Central Asia"), so charts can roll countries up
    without a second lookup. A copy is returned so a caller cannot change the
    cached table for everyone else.
    """
    return _table().copy()


@functools.lru_cache(maxsize=1)
def _codes() -> tuple[frozenset[str], Mapping[str, str]]:
    """The set of ISO3 codes and the ISO2 -> ISO3 map, for code input and checks."""
    table = _table()
    return frozenset(table["country_code"]), dict(zip(table["iso2"], table["country_code"], strict=True))


def _key(name: str) -> str:
    """Alias lookup key: whitespace collapsed, case-folded."""
    return _WHITESPACE.sub(" ", name).strip().casefold()


@contextlib.contextmanager
def _quiet_coco() -> Iterator[None]:
    """Silence coco's per-name warnings; we report failures as exceptions instead."""
    logger = logging.getLogger("country_converter")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _checked(code: str, name: str, via: str) -> str:
    """Accept an alias target only if it is a code in the country table."""
    if code not in _codes()[0]:
        raise UnknownCountryError(_("{via} maps {name} to {code}, which is not an ISO3 code").format(
            via=via, name=repr(name), code=repr(code)))
    return code


def _from_code(name: str) -> str | None:
    """ISO3 or ISO2 codes, in upper case only: "CAN" is Canada but "can" is a word."""
    iso3, iso2 = _codes()
    if name in iso3:
        return name
    return iso2.get(name)


def _from_coco(name: str) -> str:
    """Ask coco's regular expressions; turn "not found" and "two matches" into errors."""
    with _quiet_coco():
        result = _converter().convert(name, src="regex", to="ISO3", not_found=None)
    if isinstance(result, list):
        codes = ", ".join(sorted(map(str, result)))
        raise UnknownCountryError(
            _("country name {name} is ambiguous: it matches {codes}; pass an alias to choose one").format(
                name=repr(name), codes=codes)
        )
    if result not in _codes()[0]:
        raise UnknownCountryError(_("unknown country name {name}").format(name=repr(name)))
    return str(result)


@functools.lru_cache(maxsize=4096)
def _lookup(name: str) -> str:
    """Legacy aliases, then codes, then coco. Cached: coco tries ~250 regexes a name."""
    legacy = LEGACY_ALIASES.get(_key(name))
    if legacy is not None:
        return _checked(legacy, name, "LEGACY_ALIASES")
    return _from_code(name) or _from_coco(name)


def to_iso3(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """Map a country name or ISO2/ISO3 code to its ISO3 code.

    ``aliases`` (name -> ISO3) lets an importer settle names specific to its
    source; they take precedence over :data:`LEGACY_ALIASES` and coco. Raises
    :class:`UnknownCountryError`, quoting the value, when the name is empty,
    unknown or ambiguous.
    """
    if not isinstance(name, str):
        raise TypeError(f"to_iso3 expects a str, got {type(name).__name__}: {name!r}")
    cleaned = _WHITESPACE.sub(" ", name).strip()
    if not cleaned:
        raise UnknownCountryError(_("empty country name {name}").format(name=repr(name)))
    if aliases:
        chosen = {_key(k): v for k, v in aliases.items()}.get(_key(cleaned))
        if chosen is not None:
            return _checked(chosen, name, _("the aliases passed in"))
    return _lookup(cleaned)
