"""Mapping files: how the columns of someone else's spreadsheet become our cases.

An analyst writes one TOML file per data set, without touching code. It says
which column holds which field, how raw values map onto the project's
vocabularies, how multi-valued cells are split, which columns make the stable
source key, and which source and defaults every imported incident gets.
A typo in a mapping must never import quietly wrong data, so every unknown key
is an error that names the key, where it is, and the closest known key.

The format (every table is optional unless marked *required*)::

    name = "cpj"                     # required: slug; prefixes every source key
    description = "free text"
    required = ["date", "country"]   # fields whose cell may not be blank

    [file]
    encoding = "auto"                # or "utf-8", "cp1252", "utf-16", ...
    delimiter = "auto"               # or ",", ";", "\\t", "|"
    sheet = "Sheet1"                 # XLSX only; default: the first sheet
    header_row = 1                   # 1-based row holding the column names

    [source]                         # required: cited by every imported incident
    publisher = "Committee to Protect Journalists"
    title = "Journalists killed since 1992"
    url = "https://cpj.org/data/"
    published_date = 2016-10-22      # TOML date or "YYYY-MM-DD"
    note = "attribution text"
    url_column = "Link"              # per-row links, split on whitespace

    [defaults]                       # used when a cell is blank
    visibility = "public"            # public | restricted | confidential
    date_precision = "unknown"       # precision recorded for a blank date
    violation = "killing_unspecified"
    actor_type = "unknown_actor"
    involvement = "carried_out"
    gender = "unknown"
    sector = "journalism"            # a code or a list of codes
    kind = "person"                  # person | organisation | group
    country = "COL"                  # for files about one country
    name_public = true               # may the victim's name be shown publicly

    [key]
    columns = ["Name", "Date", "Country_killed"]   # required

    [columns]                        # field -> column name, or a list of columns
    date = "Date"
    country = "Country_killed"
    place = ["Municipio", "Departamento"]           # joined, blanks left out
    victim_name = "Name"

    [join]                           # separator for list-of-columns fields
    place = ", "                     # default ", "

    [split]                          # multi-valued cells: a separator or a list
    actor_type = ", "

    [values.actor_type]              # raw value (trimmed, case-folded) -> code(s)
    "political group" = "political_group"
    "unknown fire" = "unknown_actor"
    "n/a" = []                       # an empty list means "treat as blank"

    [countries]                      # raw country name -> ISO3, for this source
    "Kosovo" = "XKX"

    [[skip]]                         # rows to leave out on purpose, with a reason
    column = "Type"
    values = ["Test record"]
    reason = "test rows in the source"

Fields: date, country, place, title, summary, victim_name, gender, sector,
violation, actor_type, perpetrator_name, visibility. A raw value of a coded field
(violation, actor_type, sector, gender, visibility) that is itself a vocabulary
code is accepted without a ``values`` entry; any other unmapped value is a
validation error, never dropped. See data/mappings/README.md for a worked example.
"""
from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Mapping as TMapping

from ..i18n import _

FIELDS = (
    "date", "country", "place", "title", "summary", "victim_name", "gender",
    "sector", "violation", "actor_type", "perpetrator_name", "visibility",
)
CODED_FIELDS = {  # field -> vocabulary table its codes come from
    "violation": "violation_types",
    "actor_type": "actor_types",
    "sector": "sectors",
    "gender": "genders",
    "visibility": "visibilities",
}
# Fields whose value may be glued from several columns (text, not codes).
MULTI_COLUMN_FIELDS = frozenset({"date", "place", "title", "summary", "victim_name", "perpetrator_name"})
SPLIT_FIELDS = frozenset({"sector", "violation", "actor_type", "perpetrator_name"})
KINDS = ("person", "organisation", "group")
DATE_PRECISIONS = ("day", "month", "year", "unknown")
INVOLVEMENTS = ("carried_out", "ordered", "instigated", "failed_to_protect", "authored_measure")
DELIMITERS = ("auto", ",", ";", "\t", "|")

_TOP_KEYS = ("name", "description", "required", "file", "source", "defaults", "key",
             "columns", "join", "split", "values", "countries", "skip")
_FILE_KEYS = ("encoding", "delimiter", "sheet", "header_row", "date_order")
DATE_ORDERS = {"DMY": True, "MDY": False}
_SOURCE_KEYS = ("publisher", "title", "url", "published_date", "note", "url_column")
_DEFAULT_KEYS = ("visibility", "date_precision", "violation", "actor_type", "involvement",
                 "gender", "sector", "kind", "country", "name_public")
_KEY_KEYS = ("columns",)
_SKIP_KEYS = ("column", "values", "reason")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ISO3_RE = re.compile(r"^[A-Z]{3}$")
_WHITESPACE = re.compile(r"\s+")


class MappingError(ValueError):
    """A mapping file that cannot be used, with a message that says where and why."""


def normalise_value(text: str) -> str:
    """The form in which raw values and mapping keys are compared.

    Unicode NFC (a file may spell "Líder" with a combining accent), runs of
    whitespace collapsed, trimmed and case-folded, so "Líder comunal " and
    "líder  Comunal" are the same value and an analyst writes each only once.
    """
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


@dataclass(frozen=True)
class FileOptions:
    """How to read the file; "auto" means detect it."""

    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: str | None = None
    header_row: int = 1
    date_order: str | None = None  # "DMY" or "MDY": how to read 03/04/2015; None refuses it as ambiguous

    @property
    def day_first(self) -> bool | None:
        return DATE_ORDERS.get(self.date_order) if self.date_order else None


@dataclass(frozen=True)
class SourceInfo:
    """The publication every imported incident cites (DESIGN: every incident has a source)."""

    publisher: str
    title: str
    url: str | None = None
    published_date: date | None = None
    note: str | None = None
    url_column: str | None = None


@dataclass(frozen=True)
class Defaults:
    """Values used where a cell is blank, so blank never silently means "nothing"."""

    visibility: str = "public"
    date_precision: str = "unknown"
    violation: str | None = None
    actor_type: str = "unknown_actor"
    involvement: str = "carried_out"
    gender: str = "unknown"
    sector: tuple[str, ...] = ()
    kind: str = "person"
    country: str | None = None
    name_public: bool = True


@dataclass(frozen=True)
class SkipRule:
    """Leave out rows whose ``column`` holds one of ``values`` (compared normalised)."""

    column: str
    values: frozenset[str]
    reason: str


@dataclass(frozen=True)
class ImportMapping:
    """A loaded, structurally checked mapping file."""

    name: str
    source: SourceInfo
    key_columns: tuple[str, ...]
    description: str = ""
    required: tuple[str, ...] = ()
    file: FileOptions = FileOptions()
    defaults: Defaults = Defaults()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    join: dict[str, str] = field(default_factory=dict)
    split: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    skip: tuple[SkipRule, ...] = ()
    fingerprint: str = ""
    path: Path | None = None

    def joiner(self, field_name: str) -> str:
        """The separator between the columns of a list-of-columns field."""
        return self.join.get(field_name, ", ")

    def referenced_columns(self) -> list[str]:
        """Every column the mapping reads, in a stable order (for the missing-column check)."""
        cols: list[str] = []
        for names in self.columns.values():
            cols.extend(names)
        cols.extend(self.key_columns)
        if self.source.url_column:
            cols.append(self.source.url_column)
        cols.extend(rule.column for rule in self.skip)
        return list(dict.fromkeys(cols))


# --- loading ------------------------------------------------------------------

def _where(path: Path | None) -> str:
    return _("mapping {name}").format(name=path.name) if path else _("mapping")


def _check_keys(table: TMapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    """Unknown keys are errors: a misspelt key would otherwise be ignored silently."""
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = " " + _("Did you mean {key}?").format(key=repr(close[0])) if close else ""
            raise MappingError(
                _("Unknown key {key} in {where}.{hint} Known keys: {keys}.").format(
                    key=repr(key), where=where, hint=hint, keys=", ".join(allowed))
            )


def _table(data: TMapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise MappingError(_("[{key}] in {where} must be a table, not {type}.").format(
            key=key, where=where, type=type(value).__name__))
    return value


def _text(value: Any, what: str, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise MappingError(_("{what} must be a non-empty text, got {value}.").format(what=what, value=repr(value)))
    return value


def _text_list(value: Any, what: str) -> tuple[str, ...]:
    """A text or a list of texts, as a tuple."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v != "" for v in items):
        raise MappingError(_("{what} must be a text or a list of texts, got {value}.").format(
            what=what, value=repr(value)))
    return tuple(items)


def _field_name(name: str, where: str) -> str:
    if name not in FIELDS:
        close = difflib.get_close_matches(name, FIELDS, n=1)
        hint = " " + _("Did you mean {key}?").format(key=repr(close[0])) if close else ""
        raise MappingError(_("Unknown field {name} in {where}.{hint} Fields: {fields}.").format(
            name=repr(name), where=where, hint=hint, fields=", ".join(FIELDS)))
    return name


def _file_options(data: dict[str, Any], where: str) -> FileOptions:
    _check_keys(data, _FILE_KEYS, _("[file] of {where}").format(where=where))
    delimiter = data.get("delimiter", "auto")
    if delimiter not in DELIMITERS:
        raise MappingError(_("[file] delimiter must be one of {choices}, got {value}.").format(
            choices=repr(DELIMITERS), value=repr(delimiter)))
    header_row = data.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or not 1 <= header_row <= 1000:
        raise MappingError(_("[file] header_row must be a whole number from 1 to 1000, got {value}.").format(
            value=repr(header_row)))
    sheet = data.get("sheet")
    order = data.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        raise MappingError(_("[file] date_order must be \"DMY\" (03/04/2015 is 3 April) or \"MDY\" (4 March), "
                             "got {value}.").format(value=repr(order)))
    return FileOptions(
        encoding=_text(data.get("encoding", "auto"), "[file] encoding"),
        delimiter=delimiter,
        sheet=_text(sheet, "[file] sheet") if sheet is not None else None,
        header_row=header_row,
        date_order=order,
    )


def _source_info(data: dict[str, Any], where: str) -> SourceInfo:
    if not data:
        raise MappingError(_("{where} needs a [source] table with publisher and title: every incident cites a source.")
                           .format(where=where))
    _check_keys(data, _SOURCE_KEYS, _("[source] of {where}").format(where=where))
    published = data.get("published_date")
    if isinstance(published, str):
        try:
            published = date.fromisoformat(published)
        except ValueError:
            raise MappingError(_("[source] published_date must be YYYY-MM-DD, got {value}.").format(
                value=repr(published))) from None
    if published is not None and not isinstance(published, date):
        raise MappingError(_("[source] published_date must be a date, got {value}.").format(value=repr(published)))
    optional = {k: _text(data[k], f"[source] {k}") if k in data else None for k in ("url", "note", "url_column")}
    return SourceInfo(
        publisher=_text(data.get("publisher"), "[source] publisher"),
        title=_text(data.get("title"), "[source] title"),
        published_date=published,
        **optional,
    )


def _defaults(data: dict[str, Any], where: str) -> Defaults:
    _check_keys(data, _DEFAULT_KEYS, _("[defaults] of {where}").format(where=where))
    base = Defaults()
    kind = data.get("kind", base.kind)
    if kind not in KINDS:
        raise MappingError(_("[defaults] kind must be one of {choices}, got {value}.").format(
            choices=", ".join(KINDS), value=repr(kind)))
    precision = data.get("date_precision", base.date_precision)
    if precision not in DATE_PRECISIONS:
        raise MappingError(_("[defaults] date_precision must be one of {choices}, got {value}.").format(
            choices=", ".join(DATE_PRECISIONS), value=repr(precision)))
    involvement = data.get("involvement", base.involvement)
    if involvement not in INVOLVEMENTS:
        raise MappingError(_("[defaults] involvement must be one of {choices}, got {value}.").format(
            choices=", ".join(INVOLVEMENTS), value=repr(involvement)))
    country = data.get("country")
    if country is not None and not (isinstance(country, str) and _ISO3_RE.match(country)):
        raise MappingError(_("[defaults] country must be an ISO3 code such as \"COL\", got {value}.").format(
            value=repr(country)))
    name_public = data.get("name_public", base.name_public)
    if not isinstance(name_public, bool):
        raise MappingError(_("[defaults] name_public must be true or false, got {value}.").format(
            value=repr(name_public)))
    violation = data.get("violation")
    return Defaults(
        visibility=_text(data.get("visibility", base.visibility), "[defaults] visibility"),
        date_precision=precision,
        violation=_text(violation, "[defaults] violation") if violation is not None else None,
        actor_type=_text(data.get("actor_type", base.actor_type), "[defaults] actor_type"),
        involvement=involvement,
        gender=_text(data.get("gender", base.gender), "[defaults] gender"),
        sector=_text_list(data["sector"], "[defaults] sector") if "sector" in data else (),
        kind=kind,
        country=country,
        name_public=name_public,
    )


def _columns(data: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, value in data.items():
        _field_name(name, _("[columns] of {where}").format(where=where))
        cols = _text_list(value, f"[columns] {name}")
        if len(cols) > 1 and name not in MULTI_COLUMN_FIELDS:
            raise MappingError(
                _("[columns] {name} takes one column (only {fields} may join several).").format(
                    name=name, fields=", ".join(sorted(MULTI_COLUMN_FIELDS)))
            )
        out[name] = cols
    return out


def _split(data: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, value in data.items():
        _field_name(name, _("[split] of {where}").format(where=where))
        if name not in SPLIT_FIELDS:
            raise MappingError(_("[split] {name}: only {fields} can be split.").format(
                name=name, fields=", ".join(sorted(SPLIT_FIELDS))))
        out[name] = _text_list(value, f"[split] {name}")
    return out


def _join(data: dict[str, Any], where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in data.items():
        _field_name(name, _("[join] of {where}").format(where=where))
        out[name] = _text(value, f"[join] {name}", allow_empty=True)
    return out


def _values(data: dict[str, Any], where: str) -> dict[str, dict[str, tuple[str, ...]]]:
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, table in data.items():
        _field_name(name, _("[values] of {where}").format(where=where))
        if name not in CODED_FIELDS:
            raise MappingError(_("[values.{name}]: only {fields} have vocabularies.").format(
                name=name, fields=", ".join(CODED_FIELDS)))
        if not isinstance(table, dict):
            raise MappingError(_("[values.{name}] must be a table of raw value = code.").format(name=name))
        mapped: dict[str, tuple[str, ...]] = {}
        for raw, code in table.items():
            key = normalise_value(raw)
            codes = () if code == [] else _text_list(code, f"[values.{name}] {raw!r}")
            if key in mapped and mapped[key] != codes:
                raise MappingError(_("[values.{name}] maps {raw} twice (keys are compared trimmed and case-folded).")
                                   .format(name=name, raw=repr(raw)))
            mapped[key] = codes
        out[name] = mapped
    return out


def _countries(data: dict[str, Any], where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw, code in data.items():
        if not (isinstance(code, str) and _ISO3_RE.match(code)):
            raise MappingError(_("[countries] {raw} must map to an ISO3 code such as \"PSE\", got {value}.").format(
                raw=repr(raw), value=repr(code)))
        out[normalise_value(raw)] = code
    return out


def _skip_rules(data: Any, where: str) -> tuple[SkipRule, ...]:
    if not isinstance(data, list):
        raise MappingError(_("skip rules in {where} are written [[skip]] (an array of tables).").format(where=where))
    rules = []
    for rule in data:
        if not isinstance(rule, dict):
            raise MappingError(_("each [[skip]] in {where} must be a table.").format(where=where))
        _check_keys(rule, _SKIP_KEYS, _("[[skip]] of {where}").format(where=where))
        values = _text_list(rule.get("values"), "[[skip]] values")
        rules.append(SkipRule(
            column=_text(rule.get("column"), "[[skip]] column"),
            values=frozenset(normalise_value(v) for v in values),
            reason=_text(rule.get("reason"), _("[[skip]] reason (say why these rows are left out)")),
        ))
    return tuple(rules)


def _check_required(required: tuple[str, ...], columns: dict[str, tuple[str, ...]], where: str) -> None:
    for name in required:
        _field_name(name, _("required of {where}").format(where=where))
        if name not in columns:
            raise MappingError(_("required field {name} in {where} has no column in [columns].").format(
                name=repr(name), where=where))


def parse_mapping(data: dict[str, Any], path: Path | None = None, text: str = "") -> ImportMapping:
    """Check a parsed TOML document and build the mapping (separate from I/O for the import page)."""
    where = _where(path)
    _check_keys(data, _TOP_KEYS, _("the top level of {where}").format(where=where))
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise MappingError(_("{where} needs name = \"...\": lower-case letters, digits, - and _ "
                             "(it prefixes source keys).").format(where=where))
    key = _table(data, "key", where)
    _check_keys(key, _KEY_KEYS, _("[key] of {where}").format(where=where))
    key_columns = _text_list(key.get("columns"), "[key] columns") if key.get("columns") else ()
    if not key_columns:
        raise MappingError(_("{where} needs [key] columns = [...]: the columns that identify a row across imports.")
                           .format(where=where))
    columns = _columns(_table(data, "columns", where), where)
    required = _text_list(data["required"], "required") if data.get("required") else ()
    _check_required(required, columns, where)
    source_text = text or repr(sorted(data.items(), key=lambda kv: kv[0]))
    return ImportMapping(
        name=name,
        description=_text(data.get("description", ""), "description", allow_empty=True),
        required=required,
        file=_file_options(_table(data, "file", where), where),
        source=_source_info(_table(data, "source", where), where),
        defaults=_defaults(_table(data, "defaults", where), where),
        key_columns=key_columns,
        columns=columns,
        join=_join(_table(data, "join", where), where),
        split=_split(_table(data, "split", where), where),
        values=_values(_table(data, "values", where), where),
        countries=_countries(_table(data, "countries", where), where),
        skip=_skip_rules(data.get("skip", []), where),
        fingerprint=hashlib.sha256(source_text.encode("utf-8")).hexdigest()[:16],
        path=path,
    )


def parse_mapping_text(text: str, path: Path | None = None) -> ImportMapping:
    """Parse mapping TOML from text (the import page edits mappings in a text box)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(_("{where} is not valid TOML: {error}").format(where=_where(path), error=exc)) from exc
    return parse_mapping(data, path, text)


def load_mapping(path: Path | str) -> ImportMapping:
    """Read and check a mapping file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(_("No mapping file at {path}.").format(path=path)) from None
    except UnicodeDecodeError:
        raise MappingError(_("Mapping {name} is not UTF-8 text.").format(name=path.name)) from None
    return parse_mapping_text(text, path)


# --- checks against the database's vocabularies ----------------------------------

def vocabulary_problems(mapping: ImportMapping, vocab: TMapping[str, set[str]]) -> list[str]:
    """Codes in the mapping that the vocabularies do not have, as sentences.

    Separate from loading because the authority is the database being imported
    into, not the files next to the mapping.
    """
    problems: list[str] = []

    def check(code: str, table: str, where: str) -> None:
        if table in vocab and code not in vocab[table]:
            problems.append(_("{where}: {code} is not a code in {table}").format(
                where=where, code=repr(code), table=table))

    d = mapping.defaults
    for attr, table in (("visibility", "visibilities"), ("actor_type", "actor_types"), ("gender", "genders")):
        check(getattr(d, attr), table, f"[defaults] {attr}")
    if d.violation:
        check(d.violation, "violation_types", "[defaults] violation")
    for code in d.sector:
        check(code, "sectors", "[defaults] sector")
    if d.country:
        check(d.country, "countries", "[defaults] country")
    for name, table in mapping.values.items():
        for raw, codes in table.items():
            for code in codes:
                check(code, CODED_FIELDS[name], f"[values.{name}] {raw!r}")
    for raw, code in mapping.countries.items():
        check(code, "countries", f"[countries] {raw!r}")
    return problems
