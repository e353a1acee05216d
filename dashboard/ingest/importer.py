"""Mapped imports: validate every row first, then write all of it in one transaction.

Why this shape:

* **Validate before writing.** An organisation's trend chart is only as good as
  its worst imported row, so every problem (unparseable date, unknown country,
  a value the mapping does not cover, a blank required field, a duplicate key)
  is listed with its spreadsheet row number, column and value. A value with no
  mapping is an error, never dropped. By default a file with errors writes
  nothing; ``skip_invalid`` writes the valid rows and a rejects CSV beside the
  input, so no row is lost without a trace.
* **One transaction.** incidents, acts, defenders, actors, perpetrators,
  sources, the ``imports`` record and the act_facts refresh are committed
  together; a process killed at any point leaves the database as it was.
* **Idempotent.** Each row's stable key (the mapping's ``name`` plus its key
  columns, trimmed and case-folded) is stored in ``incidents.source_key`` and a
  hash of the mapped cells plus the mapping in ``incidents.row_hash``. The same
  row again is left alone; a changed row (or a changed mapping) replaces its
  incident's acts, victim and sources while keeping the incident id.
* **Undo removes what an import added.** ``incidents.import_id`` names the
  import that first added an incident; updates made by later imports are not
  reverted by undoing them (the previous values are not kept).

Modelling choices for a row: one incident, one victim (a new defender per row:
names alone cannot tell two people apart), one act per violation code, every
act with all the row's perpetrators. Actors are shared by (name, actor type),
across imports; an unnamed perpetrator is "Unknown (<actor type>)".
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence
from urllib.parse import urlparse

import duckdb
import pandas as pd

from .. import audit, backup, db
from ..i18n import _
from ..csv_sql import FORMULA_PREFIXES
from ..export import to_csv_bytes
from .countries import UnknownCountryError, to_iso3
from .dates import DateParseError, ParsedDate, parse_date
from .mapping import (
    CODED_FIELDS,
    ImportMapping,
    MappingError,
    load_mapping,
    normalise_value,
    vocabulary_problems,
)
from .reader import ImportFileError, read_table

Progress = Callable[[str, int, int], None]
CHUNK_ROWS = 5000
MAX_SHOWN_VALUE = 200
UNNAMED_VICTIM = "Unnamed victim"
_NUMBER_RE = re.compile(r"^[+-]?\d[\d.,]*([eE][+-]?\d+)?$")
_URL_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)
_ISO_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_DAY_YEAR_RE = re.compile(r"^([A-Za-z]+) +(\d{1,2}), *(\d{4})$")
_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"), start=1)}

# Tables an import writes, in delete-safe order; names only ever come from here.
IMPORT_TABLES = ("act_perpetrators", "acts", "defender_sectors", "defenders", "incident_sources", "incidents")


# --- the report --------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about one cell, or the whole file when row is None."""

    row: int | None
    column: str
    value: str
    message: str
    kind: str
    severity: str = "error"  # error | warning | note


@dataclass
class ValidationReport:
    """Every problem found in a file, before anything is written."""

    file_name: str
    mapping_name: str
    rows_read: int
    problems: list[Problem] = field(default_factory=list)
    rows_skipped: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def error_rows(self) -> set[int]:
        """Rows with at least one error (rejected under skip_invalid)."""
        return {p.row for p in self.errors if p.row is not None}

    @property
    def has_file_errors(self) -> bool:
        """Errors about the whole file (a missing column): no row can be trusted then."""
        return any(p.row is None for p in self.errors)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_valid(self) -> int:
        if self.has_file_errors:
            return 0
        return self.rows_read - self.rows_skipped - len(self.error_rows)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table: row, column, value, reason, kind, severity."""
        return pd.DataFrame(
            [(p.row, p.column, p.value, p.message, p.kind, p.severity) for p in self.problems],
            columns=["row", "column", "value", "reason", "kind", "severity"],
        ).astype({"row": "Int64"})

    def summary(self) -> str:
        """One line: what was read and what was found."""
        return (
            _("{file}: {read} rows read with mapping {mapping!r}; {errors} errors in {error_rows} rows, "
              "{warnings} warnings, {skipped} rows skipped by rule, {valid} valid rows.").format(
                file=self.file_name, read=self.rows_read, mapping=self.mapping_name, errors=len(self.errors),
                error_rows=len(self.error_rows), warnings=len(self.warnings), skipped=self.rows_skipped,
                valid=self.rows_valid)
        )

    def format(self, limit: int = 50) -> str:
        """The report as text for the terminal: the first ``limit`` problems, then a count."""
        lines = [self.summary()]
        ordered = sorted(self.problems, key=lambda p: (p.severity != "error", p.row or 0))
        for p in ordered[:limit]:
            where = _("row {n}").format(n=p.row) if p.row is not None else _("file")
            value = f" {_shown(p.value)!r}" if p.value else ""
            lines.append(f"  {p.severity:7} {where:>9}  {p.column}:{value} {p.message}")
        if len(ordered) > limit:
            lines.append("  " + _("... and {n} more problems (see the rejects CSV or the import page).").format(
                n=len(ordered) - limit))
        return "\n".join(lines)


def _shown(value: str) -> str:
    return value if len(value) <= MAX_SHOWN_VALUE else value[:MAX_SHOWN_VALUE] + "…"


# --- prepared rows -------------------------------------------------------------------

@dataclass(slots=True)
class CaseRow:
    """One valid row, resolved to codes and ready to write (slots, not frozen: 200,000 are built)."""

    row: int
    source_key: str
    row_hash: str
    title: str
    start_date: date | None
    end_date: date | None
    date_precision: str
    country_code: str
    place: str | None
    summary: str | None
    visibility: str
    victim_name: str
    is_name_public: bool
    kind: str
    gender: str
    sectors: tuple[str, ...]
    violations: tuple[str, ...]
    perpetrators: tuple[tuple[str, str], ...]  # (actor name, actor type code)
    involvement: str
    urls: tuple[str, ...]


@dataclass
class Vocabulary:
    """Codes and labels from the database being imported into (the authority)."""

    codes: dict[str, set[str]]
    violation_labels: dict[str, str]
    actor_labels: dict[str, str]
    country_names: dict[str, str]


def load_vocab(con: duckdb.DuckDBPyConnection) -> Vocabulary:
    """Read the vocabulary tables once per import."""
    cur = con.cursor()
    try:
        codes: dict[str, set[str]] = {}
        labels: dict[str, dict[str, str]] = {}
        for table in (*CODED_FIELDS.values(), "countries"):
            key = "country_code" if table == "countries" else "code"
            label = "name" if table == "countries" else "label"
            rows = cur.execute(f"select {key}, {label} from {table}").fetchall()  # fixed table names
            codes[table] = {r[0] for r in rows}
            labels[table] = {r[0]: r[1] for r in rows}
    finally:
        cur.close()
    return Vocabulary(codes, labels["violation_types"], labels["actor_types"], labels["countries"])


class _RowResolver:
    """Turns raw cells into codes for one mapping, caching each distinct raw value.

    Data sets repeat the same few hundred dates, countries and categories, so
    every lookup is done once per distinct text; that keeps a 200,000-row file
    to seconds although dateparser costs about a millisecond a call.
    """

    def __init__(self, mapping: ImportMapping, vocab: Vocabulary, columns: dict[str, list[str]]):
        self.m = mapping
        self.vocab = vocab
        self.columns = columns
        self._dates: dict[str, ParsedDate | str] = {}
        self._countries: dict[str, str | Exception] = {}
        self._coded: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._splitters = {f: re.compile("|".join(re.escape(s) for s in seps)) for f, seps in mapping.split.items()}

    # fields ---------------------------------------------------------------
    def text(self, fields: dict[str, str], name: str) -> str:
        """A field's text for one row (prepared column-wise by ``field_texts``)."""
        return fields.get(name, "")

    def split(self, name: str, text: str) -> list[str]:
        pieces = self._splitters[name].split(text) if name in self._splitters else [text]
        return [p.strip() for p in pieces if p.strip()]

    def codes(self, name: str, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(codes, unmapped raw pieces) for a coded field's cell."""
        key = (name, text)
        if key not in self._coded:
            table = self.m.values.get(name, {})
            allowed = self.vocab.codes[CODED_FIELDS[name]]
            found: list[str] = []
            unmapped: list[str] = []
            for piece in self.split(name, text):
                norm = normalise_value(piece)
                if norm in table:
                    found.extend(table[norm])
                elif norm in allowed:
                    found.append(norm)
                else:
                    unmapped.append(piece)
            self._coded[key] = (tuple(dict.fromkeys(found)), tuple(unmapped))
        return self._coded[key]

    def date(self, text: str) -> ParsedDate | str:
        """The parsed date, or the error message."""
        if text not in self._dates:
            try:
                self._dates[text] = fast_date(text) or parse_date(text, self.m.file.day_first)
            except DateParseError as exc:
                self._dates[text] = str(exc)
        return self._dates[text]

    def country(self, text: str) -> str | Exception:
        """ISO3 for a country cell: the mapping's aliases first, then the shared rules."""
        if text not in self._countries:
            alias = self.m.countries.get(normalise_value(text))
            try:
                code = alias or to_iso3(text)
                if code not in self.vocab.codes["countries"]:
                    raise UnknownCountryError(_("{code} (for {text}) is not in the countries table").format(
                        code=repr(code), text=repr(text)))
                self._countries[text] = code
            except UnknownCountryError as exc:
                self._countries[text] = exc
        return self._countries[text]


def fast_date(text: str) -> ParsedDate | None:
    """The two commonest exact-day forms ("2016-06-28", "October 22, 2016") without dateparser.

    dateparser costs about 2 ms a distinct value, so a file of 3,500 distinct
    days would take 7 s; these forms are unambiguous, give exactly what
    ``parse_date`` gives (a test checks it on every value of both external data
    sets), and anything else, including an impossible day, goes to ``parse_date``.
    """
    match = _ISO_DAY_RE.match(text)
    parts = (match.group(1), match.group(2), match.group(3)) if match else None
    if parts is None and (match := _MONTH_DAY_YEAR_RE.match(text)) and match.group(1).lower() in _MONTHS:
        parts = (match.group(3), str(_MONTHS[match.group(1).lower()]), match.group(2))
    if parts is None:
        return None
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    return ParsedDate(day, day, "day", text)


class _RowCheck:
    """Collects one row's problems while its fields are resolved."""

    def __init__(self, row: int, problems: list[Problem]):
        self.row = row
        self.problems = problems
        self.failed = False

    def error(self, column: str, value: str, message: str, kind: str) -> None:
        self.failed = True
        self.problems.append(Problem(self.row, column, value, message, kind))

    def warn(self, column: str, value: str, message: str, kind: str) -> None:
        self.problems.append(Problem(self.row, column, value, message, kind, "warning"))


# --- validation ------------------------------------------------------------------------

def _match_columns(frame: pd.DataFrame, wanted: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Mapping column names -> file column names (exact, else unique case-insensitive match)."""
    by_fold: dict[str, list[str]] = {}
    for col in frame.columns:
        by_fold.setdefault(normalise_value(col), []).append(col)
    found, missing = {}, []
    for name in wanted:
        if name in frame.columns:
            found[name] = name
        elif len(by_fold.get(normalise_value(name), [])) == 1:
            found[name] = by_fold[normalise_value(name)][0]
        else:
            missing.append(name)
    return found, missing


def _mapping_problems(mapping: ImportMapping, vocab: Vocabulary) -> list[str]:
    """Gaps that make every row fail, found before looking at rows."""
    problems = vocabulary_problems(mapping, vocab.codes)
    if "violation" not in mapping.columns and not mapping.defaults.violation:
        problems.append("no violation column and no [defaults] violation: every act needs a violation type")
    if "country" not in mapping.columns and not mapping.defaults.country:
        problems.append("no country column and no [defaults] country: every incident needs a country")
    return problems


_FORMULA_FIRST = frozenset(p[0] for p in FORMULA_PREFIXES)


def _is_formula(value: str) -> bool:
    """Text a spreadsheet would run as a formula (a plain signed number is not)."""
    return value.startswith(FORMULA_PREFIXES) and not _NUMBER_RE.match(value.strip())


@dataclass
class Prepared:
    report: ValidationReport
    rows: list[CaseRow]


def field_texts(frame: pd.DataFrame, mapping: ImportMapping, columns: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each mapped field's text for every row, trimmed, list-of-columns fields joined.

    Done column-wise once, because a per-row, per-field lookup dominated the
    time of a 200,000-row import.
    """
    out: dict[str, list[str]] = {}
    for name, cols in columns.items():
        lists = [[v.strip() for v in frame[c].tolist()] for c in cols]
        if len(lists) == 1:
            out[name] = lists[0]
        else:
            sep = mapping.joiner(name)
            out[name] = [sep.join(p for p in parts if p) for parts in zip(*lists)]
    return out


def row_hashes(frame: pd.DataFrame, mapping: ImportMapping, cols: Sequence[str]) -> list[str]:
    """Hash of each row's mapped cells and the mapping: a change to either updates the incident.

    Only the columns the mapping reads are hashed, so a publisher adding an
    unrelated column to next year's file does not "change" every incident.
    """
    prefix = mapping.fingerprint + "\x1e" + "\x1d".join(cols) + "\x1e"
    return [
        hashlib.sha256((prefix + "\x1f".join(values)).encode("utf-8")).hexdigest()
        for values in zip(*(frame[c].tolist() for c in cols))
    ]


def source_keys(frame: pd.DataFrame, mapping: ImportMapping, cols: Sequence[str]) -> list[str]:
    """``<mapping name>:<key values normalised, joined by |>``; "" when every key cell is blank."""
    cache: dict[str, str] = {}

    def norm(value: str) -> str:
        if value not in cache:
            cache[value] = normalise_value(value)
        return cache[value]

    keys = []
    for values in zip(*(frame[c].tolist() for c in cols)):
        parts = [norm(v) for v in values]
        keys.append(f"{mapping.name}:" + "|".join(parts) if any(parts) else "")
    return keys


def _formula_warnings(frame: pd.DataFrame, cols: Sequence[str], skipped: set[int]) -> list[Problem]:
    """Cells a spreadsheet would run as formulas: kept as data, noted as warnings."""
    problems = []
    for col in cols:
        for row, value in zip(frame.index.tolist(), frame[col].tolist()):
            if value[:1] in _FORMULA_FIRST and row not in skipped and _is_formula(value):
                problems.append(Problem(
                    int(row), col, value, _("looks like a spreadsheet formula; kept as text (neutralised on export)"),
                    "formula", "warning",
                ))
    return problems


class _RowBuilder:
    """Builds a CaseRow from one row's cells, reporting every problem on the way."""

    def __init__(self, mapping: ImportMapping, vocab: Vocabulary, resolver: _RowResolver):
        self.m = mapping
        self.vocab = vocab
        self.r = resolver
        self._unnamed_names: dict[str, str] = {}

    def col(self, name: str) -> str:
        """The file column(s) of a field, for messages."""
        return " + ".join(self.r.columns.get(name, [])) or name

    def build(self, row: int, cells: dict[str, str], key: str, row_hash: str, check: _RowCheck) -> CaseRow | None:
        """``cells`` holds the row's text per field (see ``field_texts``)."""
        for name in self.m.required:
            if not self.r.text(cells, name):
                check.error(self.col(name), "", _("required field {name!r} is blank").format(name=name), "missing_required")
        parsed = self._date(cells, check)
        country = self._country(cells, check)
        violations = self._coded(cells, "violation", check, (self.m.defaults.violation,) if self.m.defaults.violation else ())
        actor_types = self._coded(cells, "actor_type", check, (self.m.defaults.actor_type,))
        sectors = self._coded(cells, "sector", check, self.m.defaults.sector)
        kind = self.m.defaults.kind
        default_gender = self.m.defaults.gender if kind == "person" else "not_applicable"
        gender = self._single(cells, "gender", check, default_gender)
        visibility = self._single(cells, "visibility", check, self.m.defaults.visibility)
        perpetrators = self._perpetrators(cells, actor_types, check)
        urls = self._urls(cells, check)
        if check.failed or parsed is None or country is None:
            return None
        victim = self.r.text(cells, "victim_name")
        is_public = bool(victim) and self.m.defaults.name_public and visibility == "public"
        return CaseRow(
            row=row, source_key=key, row_hash=row_hash,
            title=self._title(cells, violations, victim if is_public else "", country),
            start_date=parsed.start, end_date=parsed.end, date_precision=parsed.precision,
            country_code=country, place=self.r.text(cells, "place") or None,
            summary=self.r.text(cells, "summary") or None, visibility=visibility,
            victim_name=victim or UNNAMED_VICTIM, is_name_public=is_public, kind=kind, gender=gender,
            sectors=sectors, violations=violations, perpetrators=perpetrators,
            involvement=self.m.defaults.involvement, urls=urls,
        )

    def _date(self, cells: dict[str, str], check: _RowCheck) -> ParsedDate | None:
        text = self.r.text(cells, "date")
        if not text:
            return ParsedDate(None, None, self.m.defaults.date_precision, "")  # type: ignore[arg-type]
        parsed = self.r.date(text)
        if isinstance(parsed, str):
            check.error(self.col("date"), text, parsed, "bad_date")
            return None
        return parsed

    def _country(self, cells: dict[str, str], check: _RowCheck) -> str | None:
        text = self.r.text(cells, "country")
        if not text:
            if self.m.defaults.country:
                return self.m.defaults.country
            if "country" not in self.m.required:
                check.error(self.col("country"), "", _("country is blank and the mapping has no [defaults] country"),
                            "missing_required")
            return None
        code = self.r.country(text)
        if isinstance(code, Exception):
            check.error(
                self.col("country"), text,
                _("{reason}; add it under [countries] in the mapping (name = \"ISO3\")").format(reason=code),
                "unknown_country",
            )
            return None
        return code

    def _coded(self, cells: dict[str, str], name: str, check: _RowCheck, default: tuple[str, ...]) -> tuple[str, ...]:
        text = self.r.text(cells, name)
        codes, unmapped = self.r.codes(name, text) if text else ((), ())
        for piece in unmapped:
            check.error(
                self.col(name), piece,
                _("no mapping for this {what} value; add it under [values.{name}]").format(
                    what=name.replace("_", " "), name=name),
                "unmapped_value",
            )
        return codes or tuple(default)

    def _single(self, cells: dict[str, str], name: str, check: _RowCheck, default: str) -> str:
        codes = self._coded(cells, name, check, (default,))
        if len(codes) > 1:
            check.error(self.col(name), self.r.text(cells, name),
                        _("maps to several {name} codes: {codes}").format(name=name, codes=", ".join(codes)),
                        "unmapped_value")
        return codes[0]

    def _perpetrators(self, cells: dict[str, str], types: tuple[str, ...], check: _RowCheck) -> tuple[tuple[str, str], ...]:
        """Pair perpetrator names with actor types: none named, one type for all, or one each."""
        names = self.r.split("perpetrator_name", self.r.text(cells, "perpetrator_name"))
        if not names:
            return tuple((self._unnamed(t), t) for t in types)
        if len(types) == 1:
            return tuple((n, types[0]) for n in names)
        if len(types) == len(names):
            return tuple(zip(names, types))
        check.error(
            self.col("perpetrator_name"), self.r.text(cells, "perpetrator_name"),
            _("{names} perpetrator names but {types} actor types; give one type, or one per name").format(
                names=len(names), types=len(types)),
            "perpetrator_mismatch",
        )
        return ()

    def _unnamed(self, actor_type: str) -> str:
        """"Unknown (political group)": one shared actor per type for unnamed perpetrators."""
        if actor_type == "unknown_actor":
            return "Unknown perpetrator"
        if actor_type not in self._unnamed_names:
            label = self.vocab.actor_labels.get(actor_type, actor_type).lower()
            self._unnamed_names[actor_type] = f"Unknown ({label})"
        return self._unnamed_names[actor_type]

    def _urls(self, cells: dict[str, str], check: _RowCheck) -> tuple[str, ...]:
        if "_url" not in self.r.columns:
            return ()
        column = self.r.columns["_url"][0]
        urls = []
        for token in cells["_url"].split():
            if _URL_RE.match(token):
                urls.append(token)
            else:
                check.warn(column, token, _("not a web link (http or https); left out of the sources"), "bad_link")
        return tuple(dict.fromkeys(urls))

    def _title(self, cells: dict[str, str], violations: tuple[str, ...], victim: str, country: str | None) -> str:
        """The title column, else "<violation>: <victim>, <place>" (the name only when public)."""
        title = self.r.text(cells, "title")
        if title:
            return title
        what = " / ".join(self.vocab.violation_labels.get(v, v) for v in violations) or "Incident"
        where = self.r.text(cells, "place") or self.vocab.country_names.get(country or "", country or "")
        return f"{what}: {victim}, {where}" if victim else f"{what}: {where}"


def _skip_reasons(frame: pd.DataFrame, mapping: ImportMapping, found: dict[str, str]) -> dict[int, str]:
    """Row number -> reason, for rows a [[skip]] rule leaves out on purpose."""
    reasons: dict[int, str] = {}
    for rule in mapping.skip:
        column = frame[found[rule.column]]
        normalised = {v: normalise_value(v) for v in column.unique().tolist()}
        for row, value in zip(frame.index.tolist(), column.tolist()):
            if normalised[value] in rule.values:
                reasons.setdefault(int(row), rule.reason)
    return reasons


def _resolved_columns(mapping: ImportMapping, found: dict[str, str]) -> dict[str, list[str]]:
    cols = {name: [found[c] for c in names] for name, names in mapping.columns.items()}
    if mapping.source.url_column:
        cols["_url"] = [found[mapping.source.url_column]]
    return cols


def prepare(frame: pd.DataFrame, mapping: ImportMapping, vocab: Vocabulary, file_name: str = "") -> Prepared:
    """Validate every row and resolve the valid ones (the heart of validate and import)."""
    report = ValidationReport(file_name, mapping.name, len(frame))
    for message in _mapping_problems(mapping, vocab):
        report.problems.append(Problem(None, "(mapping)", "", message, "mapping"))
    found, missing = _match_columns(frame, mapping.referenced_columns())
    for name in missing:
        report.problems.append(Problem(
            None, name, "", _("column named in the mapping is not in the file (columns: {columns})").format(
                columns=", ".join(map(str, frame.columns))[:300]),
            "missing_column",
        ))
    if report.problems:
        return Prepared(report, [])
    columns = _resolved_columns(mapping, found)
    builder = _RowBuilder(mapping, vocab, _RowResolver(mapping, vocab, columns))
    key_cols = [found[c] for c in mapping.key_columns]
    mapped_cols = sorted(set(found.values()))
    skipped = _skip_reasons(frame, mapping, found)
    report.problems.extend(_formula_warnings(frame, mapped_cols, set(skipped)))
    texts = field_texts(frame, mapping, columns)
    names = list(texts)
    seen: dict[str, int] = {}
    rows: list[CaseRow] = []
    per_row = zip(frame.index.tolist(), source_keys(frame, mapping, key_cols), row_hashes(frame, mapping, mapped_cols),
                  zip(*texts.values()) if texts else iter(lambda: (), None))
    key_label = " + ".join(key_cols)
    for row, key, row_hash, values in per_row:
        row = int(row)
        if row in skipped:
            report.rows_skipped += 1
            report.problems.append(Problem(row, "", "", _("skipped: {reason}").format(reason=skipped[row]), "skipped", "note"))
            continue
        check = _RowCheck(row, report.problems)
        if not key:
            check.error(key_label, "", _("the key columns are all blank, so the row cannot be matched on re-import"),
                        "missing_required")
        elif key in seen:
            check.error(key_label, key, _("duplicate key: the same {columns} as row {row}").format(
                columns=", ".join(mapping.key_columns), row=seen[key]), "duplicate_key")
        else:
            seen[key] = row
        case = builder.build(row, dict(zip(names, values)), key, row_hash, check)
        if case is not None and not check.failed:
            rows.append(case)
    return Prepared(report, rows)


def validate(frame: pd.DataFrame, mapping: ImportMapping, con: duckdb.DuckDBPyConnection, file_name: str = "") -> ValidationReport:
    """List every problem in a read file against a mapping and the database's vocabularies."""
    return prepare(frame, mapping, load_vocab(con), file_name).report


# --- writing ---------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refused import, would do)."""

    file_name: str
    file_sha256: str
    report: ValidationReport
    import_id: int | None = None
    written: bool = False
    dry_run: bool = False
    incidents_added: int = 0
    incidents_updated: int = 0
    incidents_unchanged: int = 0
    rows_rejected: int = 0
    rejects_path: Path | None = None
    backup_path: Path | None = None

    @property
    def rows_read(self) -> int:
        return self.report.rows_read

    @property
    def rows_imported(self) -> int:
        """Valid rows: added, updated or already present unchanged."""
        return self.incidents_added + self.incidents_updated + self.incidents_unchanged

    def summary(self) -> str:
        """One line for the terminal and the import page."""
        counts = _(
            "{added} incidents added, {updated} updated, {unchanged} unchanged; {rejected} rows rejected, "
            "{skipped} skipped by rule (of {read} rows in {file})."
        ).format(added=self.incidents_added, updated=self.incidents_updated, unchanged=self.incidents_unchanged,
                 rejected=self.rows_rejected, skipped=self.report.rows_skipped, read=self.rows_read,
                 file=self.file_name)
        if self.written:
            return _("Import {id}: {counts}").format(id=self.import_id, counts=counts)
        if self.report.has_file_errors:
            return _("Nothing written: the file or the mapping has errors that affect every row ({file}).").format(
                file=self.file_name)
        if self.dry_run:
            return _("Dry run, nothing written. Would be: {counts}").format(counts=counts)
        return _("Nothing written because of errors. With --skip-invalid: {counts}").format(counts=counts)


class _Ids:
    """Next free ids (max + 1), taken inside the write transaction as demo.py does."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.next: dict[str, int] = {}
        for table, column in (("incidents", "incident_id"), ("acts", "act_id"), ("defenders", "defender_id"),
                              ("actors", "actor_id"), ("sources", "source_id"), ("imports", "import_id")):
            self.next[table] = int(con.execute(f"select coalesce(max({column}), 0) + 1 from {table}").fetchall()[0][0])  # fixed names

    def take(self, table: str, count: int = 1) -> int:
        first = self.next[table]
        self.next[table] += count
        return first


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Insert a frame by column name; table and columns come from this module's code."""
    if frame.empty:
        return
    if table not in IMPORT_TABLES + ("actors", "sources", "imports"):
        raise ValueError(f"not a table an import writes: {table!r}")
    cols = ", ".join(frame.columns)
    con.register("_import_frame", frame)
    try:
        con.execute(f"insert into {table} ({cols}) select {cols} from _import_frame")  # fixed names, checked above
    finally:
        con.unregister("_import_frame")


def _with_ids(con: duckdb.DuckDBPyConnection, name: str, ids: Iterable[int]) -> None:
    con.register(name, pd.DataFrame({"id": pd.Series(list(ids), dtype="int64")}))


def _existing(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, tuple[int, str | None, int | None]]:
    """source_key -> (incident_id, row_hash, import_id) for keys already in the database."""
    con.register("_keys", pd.DataFrame({"source_key": pd.Series(keys, dtype=object)}))
    try:
        rows = con.execute(
            "select i.source_key, i.incident_id, i.row_hash, i.import_id from incidents as i "
            "join _keys as k on k.source_key = i.source_key"
        ).fetchall()
    finally:
        con.unregister("_keys")
    return {r[0]: (int(r[1]), r[2], r[3]) for r in rows}


def _dataset_source(con: duckdb.DuckDBPyConnection, mapping: ImportMapping, ids: _Ids) -> int:
    """The mapping's source, reused across imports when publisher, title and URL match."""
    s = mapping.source
    found = con.execute(
        "select source_id from sources where publisher = $p and title = $t and coalesce(url, '') = $u order by source_id limit 1",
        {"p": s.publisher, "t": s.title, "u": s.url or ""},
    ).fetchall()
    if found:
        return int(found[0][0])
    source_id = ids.take("sources")
    con.execute(
        "insert into sources values ($id, $p, $t, $d, $u, $n)",
        {"id": source_id, "p": s.publisher, "t": s.title, "d": s.published_date, "u": s.url, "n": s.note},
    )
    return source_id


def _link_sources(con: duckdb.DuckDBPyConnection, mapping: ImportMapping, urls: set[str], ids: _Ids) -> dict[str, int]:
    """Per-row links become sources of their own (publisher = the site), shared by URL."""
    if not urls:
        return {}
    con.register("_urls", pd.DataFrame({"url": sorted(urls)}))
    try:
        rows = con.execute("select u.url, min(s.source_id) from _urls as u join sources as s on s.url = u.url group by u.url").fetchall()
    finally:
        con.unregister("_urls")
    known = {r[0]: int(r[1]) for r in rows}
    new = sorted(urls - set(known))
    first = ids.take("sources", len(new))
    frame = pd.DataFrame({
        "source_id": range(first, first + len(new)),
        "publisher": [urlparse(u).netloc.removeprefix("www.") or u for u in new],
        "title": [f"Link cited in {mapping.source.title} ({mapping.source.publisher})"] * len(new),
        "url": new,
        "note": [f"per-row link from import mapping {mapping.name}"] * len(new),
    })
    _insert(con, "sources", frame)
    known.update(zip(new, frame["source_id"].tolist()))
    return known


def _actors(con: duckdb.DuckDBPyConnection, mapping: ImportMapping, pairs: set[tuple[str, str]], ids: _Ids) -> dict[tuple[str, str], int]:
    """Actors deduplicated by (name, actor type), reusing those already in the database."""
    if not pairs:
        return {}
    ordered = sorted(pairs)
    con.register("_pairs", pd.DataFrame(ordered, columns=["name", "actor_type_code"]))
    try:
        rows = con.execute(
            "select p.name, p.actor_type_code, min(a.actor_id) from _pairs as p join actors as a "
            "on a.name = p.name and a.actor_type_code = p.actor_type_code group by all"
        ).fetchall()
    finally:
        con.unregister("_pairs")
    known = {(r[0], r[1]): int(r[2]) for r in rows}
    new = [p for p in ordered if p not in known]
    first = ids.take("actors", len(new))
    _insert(con, "actors", pd.DataFrame({
        "actor_id": range(first, first + len(new)),
        "name": [p[0] for p in new],
        "actor_type_code": [p[1] for p in new],
        "is_synthetic": False,
        "description": f"Imported with mapping {mapping.name}",
    }))
    known.update({p: first + i for i, p in enumerate(new)})
    return known


@dataclass
class _Detached:
    """Victims, actors and sources that removed incidents referred to (maybe orphans now)."""

    victims: list[int]
    actors: list[int]
    sources: list[int]


def detach_incidents(con: duckdb.DuckDBPyConnection, incident_ids: Sequence[int]) -> _Detached:
    """Delete incidents with their acts, perpetrator links and source links.

    Returns what they referred to, so the caller can delete what nothing else
    uses once its own inserts are done (an update re-uses the same actors and
    sources; deleting them first would break the rows it is about to write).
    """
    if not incident_ids:
        return _Detached([], [], [])
    _with_ids(con, "_gone", incident_ids)
    try:
        def ids(query: str) -> list[int]:
            return [int(r[0]) for r in con.execute(query).fetchall()]

        detached = _Detached(
            victims=ids("select distinct victim_defender_id from acts where incident_id in (select id from _gone) "
                        "and victim_defender_id is not null"),
            actors=ids("select distinct ap.actor_id from act_perpetrators as ap join acts as a using (act_id) "
                       "where a.incident_id in (select id from _gone)"),
            sources=ids("select distinct source_id from incident_sources where incident_id in (select id from _gone)"),
        )
        con.execute("delete from act_perpetrators where act_id in (select act_id from acts where incident_id in (select id from _gone))")
        con.execute("delete from acts where incident_id in (select id from _gone)")
        con.execute("delete from incident_sources where incident_id in (select id from _gone)")
        con.execute("delete from incidents where incident_id in (select id from _gone)")
    finally:
        con.unregister("_gone")
    return detached


def remove_incidents(con: duckdb.DuckDBPyConnection, incident_ids: Sequence[int]) -> int:
    """Delete incidents and every victim, actor and source only they referred to.

    A victim, actor or source still used by another incident survives, so undoing
    one import never takes away what another import or the seed relies on.
    """
    detached = detach_incidents(con, incident_ids)
    delete_unreferenced(con, detached)
    return len(incident_ids)


def delete_unreferenced(con: duckdb.DuckDBPyConnection, detached: _Detached) -> None:
    """Drop the given victims, actors and sources that no remaining row refers to."""
    _with_ids(con, "_victims", detached.victims)
    _with_ids(con, "_actors", detached.actors)
    _with_ids(con, "_sources", detached.sources)
    try:
        con.execute(
            "create or replace temp table _orphan_victims as select id from _victims"
            " where id not in (select victim_defender_id from acts where victim_defender_id is not null)"
            " and id not in (select organisation_id from defenders where organisation_id is not null)"
        )
        con.execute("delete from defender_sectors where defender_id in (select id from _orphan_victims)")
        con.execute("delete from defenders where defender_id in (select id from _orphan_victims)")
        con.execute("drop table _orphan_victims")
        con.execute("delete from actors where actor_id in (select id from _actors) and actor_id not in (select actor_id from act_perpetrators)")
        con.execute("delete from sources where source_id in (select id from _sources) and source_id not in (select source_id from incident_sources)")
    finally:
        for name in ("_victims", "_actors", "_sources"):
            con.unregister(name)


@dataclass
class _Plan:
    """Which valid rows add, update or leave alone which incidents."""

    add: list[CaseRow]
    update: list[tuple[CaseRow, int, int | None]]  # row, incident_id, original import_id
    unchanged: int


def _plan(con: duckdb.DuckDBPyConnection, rows: list[CaseRow]) -> _Plan:
    existing = _existing(con, [r.source_key for r in rows])
    add, update, unchanged = [], [], 0
    for r in rows:
        if r.source_key not in existing:
            add.append(r)
        elif existing[r.source_key][1] == r.row_hash:
            unchanged += 1
        else:
            incident_id, _, import_id = existing[r.source_key]
            update.append((r, incident_id, import_id))
    return _Plan(add, update, unchanged)


def _chunk_frames(
    items: list[tuple[CaseRow, int, int]], ids: _Ids, now: datetime,
    source_id: int, links: dict[str, int], actors: dict[tuple[str, str], int],
) -> dict[str, pd.DataFrame]:
    """Rows of every table for a chunk of (row, incident_id, import_id)."""
    incidents, defenders, sectors, acts, perps, inc_sources = [], [], [], [], [], []
    defender0 = ids.take("defenders", len(items))
    act0 = ids.take("acts", sum(len(r.violations) for r, _, _ in items))
    for n, (r, incident_id, import_id) in enumerate(items):
        defender_id = defender0 + n
        incidents.append((incident_id, r.source_key, r.title, r.start_date, r.end_date, r.date_precision,
                          r.country_code, r.place, r.summary, r.visibility, False, import_id, r.row_hash, now))
        defenders.append((defender_id, r.victim_name, r.kind, r.gender, r.country_code, None,
                          r.is_name_public, r.visibility, False, None))
        sectors.extend((defender_id, s) for s in r.sectors)
        actor_ids = list(dict.fromkeys(actors[p] for p in r.perpetrators))
        for violation in r.violations:
            acts.append((act0, incident_id, violation, r.start_date, r.date_precision, defender_id, None, False))
            perps.extend((act0, a, r.involvement, None) for a in actor_ids)
            act0 += 1
        inc_sources.extend((incident_id, s) for s in dict.fromkeys([source_id, *(links[u] for u in r.urls)]))
    return {
        "incidents": pd.DataFrame(incidents, columns=[
            "incident_id", "source_key", "title", "start_date", "end_date", "date_precision", "country_code",
            "place", "summary", "visibility", "is_synthetic", "import_id", "row_hash", "updated_at"]),
        "defenders": pd.DataFrame(defenders, columns=[
            "defender_id", "name", "kind", "gender_code", "country_code", "organisation_id",
            "is_name_public", "visibility", "is_synthetic", "description"]),
        "defender_sectors": pd.DataFrame(sectors, columns=["defender_id", "sector_code"]),
        "acts": pd.DataFrame(acts, columns=[
            "act_id", "incident_id", "violation_code", "act_date", "date_precision", "victim_defender_id",
            "description", "is_synthetic"]),
        "act_perpetrators": pd.DataFrame(perps, columns=["act_id", "actor_id", "involvement_code", "note"]),
        "incident_sources": pd.DataFrame(inc_sources, columns=["incident_id", "source_id"]),
    }


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _write(
    con: duckdb.DuckDBPyConnection, plan: _Plan, mapping: ImportMapping, result: ImportResult,
    progress: Progress | None,
) -> int:
    """Everything an import writes, inside the caller's transaction. Returns the import id."""
    ids = _Ids(con)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    import_id = ids.take("imports")
    con.execute(
        "insert into imports values ($id, $f, $h, $m, $t, $read, $added, $updated, $rejected, false)",
        {"id": import_id, "f": result.file_name, "h": result.file_sha256, "m": mapping.name, "t": now,
         "read": result.rows_read, "added": len(plan.add), "updated": len(plan.update), "rejected": result.rows_rejected},
    )
    detached = detach_incidents(con, [incident_id for _, incident_id, _ in plan.update])
    touched = plan.add + [u[0] for u in plan.update]
    source_id = _dataset_source(con, mapping, ids)
    links = _link_sources(con, mapping, {u for r in touched for u in r.urls}, ids)
    actors = _actors(con, mapping, {p for r in touched for p in r.perpetrators}, ids)
    first = ids.take("incidents", len(plan.add))
    items = [(r, incident_id, old_import or import_id) for r, incident_id, old_import in plan.update]
    items += [(r, first + n, import_id) for n, r in enumerate(plan.add)]
    done = 0
    for chunk in _chunks(items, CHUNK_ROWS):
        frames = _chunk_frames(chunk, ids, now, source_id, links, actors)
        for table in ("incidents", "defenders", "defender_sectors", "acts", "act_perpetrators", "incident_sources"):
            _insert(con, table, frames[table])
        done += len(chunk)
        if progress:
            progress("writing", done, len(items))
    delete_unreferenced(con, detached)
    if progress:
        progress("refreshing", len(items), len(items))
    db.refresh_facts(con)
    return import_id


def write_rejects(path: Path, report: ValidationReport, directory: Path | None = None) -> Path:
    """``<input stem>.rejects.csv``: row, column, value, reason (formula-safe, UTF-8 with BOM).

    Beside the input by default, where the analyst will look; ``directory``
    puts it elsewhere (for inputs in a folder that must stay untouched). If
    that folder cannot be written, the file goes to the temporary folder and
    the returned path says where, rather than failing after the commit.
    """
    frame = report.to_frame()
    data = to_csv_bytes(frame[frame["severity"] == "error"][["row", "column", "value", "reason"]])
    target = (directory or path.parent) / f"{path.stem}.rejects.csv"
    try:
        target.write_bytes(data)
    except OSError:
        target = Path(tempfile.gettempdir()) / target.name
        target.write_bytes(data)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open(db_path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    if not Path(db_path).exists():
        raise db.DatabaseError(_("No database at {path}. Build it with `hrd init` first.").format(path=db_path))
    return db.connect(Path(db_path), read_only=read_only)


def _backup_first(con: duckdb.DuckDBPyConnection, reason: str) -> Path:
    """A dated copy before a write; no copy, no write."""
    try:
        return backup.backup(con, reason)
    except backup.BackupError as exc:
        raise backup.BackupError(backup.nothing_was_changed(exc)) from None


def import_file(
    path: Path | str, mapping_path: Path | str | ImportMapping, db_path: Path | str, skip_invalid: bool = False,
    dry_run: bool = False, progress: Progress | None = None, rejects_dir: Path | None = None,
    user: str | None = None,
) -> ImportResult:
    """Validate a file and, if allowed, write it in one transaction.

    Writes nothing when the report has errors, unless ``skip_invalid`` (then
    the valid rows are written and the errors go to ``<stem>.rejects.csv``).
    Errors about the whole file (a missing column, a mapping code not in the
    vocabularies) always stop the import. ``dry_run`` reports what would happen.
    ``progress(stage, done, total)`` is called at each stage and after each
    chunk of rows written (for a progress bar on the import page).
    ``mapping_path`` may also be a loaded ImportMapping (the import page edits
    mappings as text). Raises ImportFileError / MappingError / DatabaseError
    for what cannot be read.

    Before writing, a dated backup of the database is made (``hrd backups``
    lists them); if none can be made, nothing is imported. The audit log entry
    (``user``, default the operating-system user) commits with the import.
    """
    path, db_path = Path(path), Path(db_path)
    mapping = mapping_path if isinstance(mapping_path, ImportMapping) else load_mapping(mapping_path)
    if progress:
        progress("reading", 0, 0)
    frame = read_table(path, mapping.file)
    con = _open(db_path, read_only=dry_run)
    try:
        if progress:
            progress("validating", 0, len(frame))
        prepared = prepare(frame, mapping, load_vocab(con), path.name)
        report = prepared.report
        result = ImportResult(path.name, _sha256(path), report, dry_run=dry_run)
        result.rows_rejected = len(report.error_rows) if not report.has_file_errors else report.rows_read
        if report.has_file_errors:
            return result
        plan = _plan(con, prepared.rows)
        result.incidents_added, result.incidents_updated, result.incidents_unchanged = (
            len(plan.add), len(plan.update), plan.unchanged)
        if dry_run or (report.errors and not skip_invalid):
            return result
        result.backup_path = _backup_first(con, "import")
        con.execute("begin transaction")
        try:
            result.import_id = _write(con, plan, mapping, result, progress)
            audit.record(con, user or audit.command_line_user(), "import", path.name, None, result.rows_imported, None,
                         {"import_id": result.import_id, "file_sha256": result.file_sha256,
                          "added": result.incidents_added, "updated": result.incidents_updated,
                          "rejected": result.rows_rejected}, within_transaction=True)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        result.written = True
    finally:
        con.close()
    if report.errors:
        result.rejects_path = write_rejects(path, report, rejects_dir)
    if progress:
        progress("done", result.rows_imported, result.rows_read)
    return result


# --- listing and undo -----------------------------------------------------------------

def list_imports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every recorded import, newest last, with the incidents it still holds."""
    cur = con.cursor()
    try:
        return cur.execute(
            "select im.import_id, im.imported_at, im.file_name, im.mapping_name, im.rows_read, "
            "im.incidents_added, im.incidents_updated, im.rows_rejected, im.is_undone, "
            "(select count(*) from incidents as i where i.import_id = im.import_id) as incidents_held, "
            "im.file_sha256 from imports as im order by im.import_id"
        ).df()
    finally:
        cur.close()


@dataclass(frozen=True)
class UndoResult:
    import_id: int
    incidents_removed: int
    file_name: str


class UndoError(ValueError):
    """An import that does not exist or was already undone."""


def undo_import(db_path: Path | str, import_id: int, user: str | None = None) -> UndoResult:
    """Remove the incidents an import added, in one transaction, and mark it undone.

    Updates the import made to incidents added earlier are not reverted (their
    previous values are not kept); this is said in ``hrd imports`` help.
    """
    con = _open(Path(db_path), read_only=False)
    try:
        found = con.execute("select file_name, is_undone from imports where import_id = $id", {"id": int(import_id)}).fetchall()
        if not found:
            raise UndoError(_("No import with id {id}; see `hrd imports`.").format(id=import_id))
        if found[0][1]:
            raise UndoError(_("Import {id} ({file}) was already undone.").format(id=import_id, file=found[0][0]))
        _backup_first(con, "undo")
        con.execute("begin transaction")
        try:
            ids = [int(r[0]) for r in con.execute(
                "select incident_id from incidents where import_id = $id", {"id": int(import_id)}).fetchall()]
            remove_incidents(con, ids)
            con.execute("update imports set is_undone = true where import_id = $id", {"id": int(import_id)})
            db.refresh_facts(con)
            audit.record(con, user or audit.command_line_user(), "import_undo", found[0][0], None, len(ids), None,
                         {"import_id": int(import_id)}, within_transaction=True)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()
    return UndoResult(int(import_id), len(ids), found[0][0])


__all__ = [
    "CaseRow", "ImportFileError", "ImportResult", "MappingError", "Prepared", "Problem", "UndoError", "UndoResult",
    "Vocabulary", "fast_date", "load_vocab",
    "ValidationReport", "detach_incidents", "delete_unreferenced", "import_file", "list_imports", "prepare",
    "read_table", "remove_incidents",
    "undo_import", "validate", "write_rejects",
]
