"""Read a CSV or XLSX file into a DataFrame of text, or fail with a sentence.

Files come from other organisations' spreadsheets, so nothing about them is
trusted: the encoding is detected (a BOM first, then strict UTF-8, then
charset-normalizer), the delimiter is sniffed, every value stays text (a
leading zero, an ISO date or "1e5" must reach the mapping as written), and
every way a file can be broken or hostile ends in :class:`ImportFileError`
with a message a person can act on, never a traceback: a field over 10 MB,
more than 2,000 columns, or an .xlsx whose zip directory promises more than
200 MB once unpacked (a zip bomb) are refused before they are read.

The returned frame's index is the row number a spreadsheet user sees, counting
the header as row ``header_row``; fully blank rows are left out but keep their
numbers out of the index, so a report's "row 17" is row 17 in Excel.
"""
from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from ..i18n import _
from .mapping import FileOptions

MAX_FIELD_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 2000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_FILE_BYTES = 200 * 1024 * 1024
SNIFF_CHARS = 64 * 1024
CANDIDATE_DELIMITERS = ",;\t|"
# Tie-break among equally plausible decodings. cp1254 (Turkish) comes before
# cp1252 because the two differ only in bytes that are Turkish letters in one and
# Icelandic ones (Ð Ý Þ ð ý þ) in the other: Western European text decodes the
# same either way, Turkish text only with cp1254. Latin America and Western
# Europe (cp1252) come before Central Europe (cp1250), whose reading of "ñ" is "ń".
PREFERRED_ENCODINGS = ("utf_8", "cp1254", "cp1252", "cp1250", "cp1251", "koi8_r", "latin_1")
COMMON_CODE_PAGES = ("cp1252", "cp1250", "cp1251", "cp1254", "koi8_r", "cp1253", "cp1257")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC = (
    (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"), (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file: save it as .xlsx or CSV"),
    (b"SQLite format 3", "an SQLite database"), (b"\x7fELF", "a program"), (b"MZ\x90\x00", "a Windows program"),
)


class ImportFileError(ValueError):
    """A file that cannot be read as a table, with the reason in plain words."""


def read_table(path: Path | str, options: FileOptions | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX file into a DataFrame of strings ("" for blank cells)."""
    path = Path(path)
    options = options or FileOptions()
    if not path.is_file():
        raise ImportFileError(_("No file at {path}.").format(path=path))
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(_("{name} is empty.").format(name=path.name))
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, options)
    if size > MAX_FILE_BYTES:
        raise ImportFileError(_("{name} is {size:.0f} MB; files over {limit} MB are not imported.").format(
            name=path.name, size=size / 2**20, limit=MAX_FILE_BYTES // 2**20))
    return read_csv_bytes(path.read_bytes(), options, path.name)


# --- CSV -------------------------------------------------------------------------

def _binary_kind(data: bytes) -> str | None:
    """Name the kind of a binary file from its first bytes, so the error says what it is."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _by_bom(data: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _guess_encoding(data: bytes, name: str) -> str:
    """Strict UTF-8 first (most files, and fast), else charset-normalizer plus a tie-break.

    charset-normalizer ranks encodings by "chaos", but on a few hundred bytes of
    names it often finds several equally clean single-byte decodings (and
    sometimes only an unlikely one, such as Korean johab for a Spanish Latin-1
    file). So the common code pages are always put forward as candidates, the
    cleanest are kept, and among those the decoding whose non-ASCII characters
    look most like letters of one script wins (:func:`_plausibility`), then the
    order of ``PREFERRED_ENCODINGS``.
    """
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = _candidates(data)
    scored = []
    for rank, encoding in enumerate(candidates):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(data[:SNIFF_CHARS], final=False)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((_plausibility(text), -_preference(encoding), -rank, encoding))
    if not scored:
        raise ImportFileError(_(
            "{name}: cannot tell which text encoding it uses. Save it as UTF-8 CSV, "
            "or set encoding = \"...\" under [file] in the mapping."
        ).format(name=name))
    return max(scored)[3]


def _candidates(data: bytes) -> list[str]:
    """Encodings charset-normalizer finds about equally clean, common code pages included."""
    from charset_normalizer import from_bytes

    results = list(from_bytes(data)) + list(from_bytes(data, cp_isolation=list(COMMON_CODE_PAGES)))
    if not results:
        return ["cp1252", "latin_1"]
    best = min(r.chaos for r in results)
    names: list[str] = []
    for r in sorted(results, key=lambda r: r.chaos):
        if r.chaos <= best + 0.02:
            names.extend([r.encoding, *r.could_be_from_charset])
    return list(dict.fromkeys(names))


def _preference(encoding: str) -> int:
    """Rank in PREFERRED_ENCODINGS (lower is preferred); others after them."""
    try:
        canonical = codecs.lookup(encoding).name
    except LookupError:
        return len(PREFERRED_ENCODINGS) + 1
    for rank, preferred in enumerate(PREFERRED_ENCODINGS):
        if codecs.lookup(preferred).name == canonical:
            return rank
    return len(PREFERRED_ENCODINGS)


def _plausibility(text: str) -> float:
    """How much the non-ASCII characters look like real letters (higher is better).

    Letters and punctuation ("¿", "«") score one each; a wrong code page turns
    letters into symbols ("£ukasz" for "Łukasz"),
    mixes scripts in one word ("Jьrgen"), puts capitals inside words, or makes
    a Latin word mostly accented letters (Russian read as cp1252, "Àííà").
    """
    score, count = 0.0, 0
    for word in text.split():
        if word.isascii():
            continue
        scripts: set[str] = set()
        latin_letters = accented = 0
        prev_lower = False
        for ch in word:
            if ch.isascii():
                if ch.isalpha():
                    scripts.add("LATIN")
                    latin_letters += 1
                prev_lower = ch.islower()
                continue
            count += 1
            category = unicodedata.category(ch)
            if category in ("Lu", "Ll"):
                script = unicodedata.name(ch, "? ?").split(" ")[0]
                scripts.add(script)
                if script == "LATIN":
                    latin_letters += 1
                    accented += 1
                score += 1 - (2 if category == "Lu" and prev_lower else 0)
            elif category[0] in "LPZ":  # "ª", "¿", "«", a no-break space: as plausible as a letter
                score += 1
            else:  # symbols, digits such as "³", controls: what a wrong code page produces
                score -= 1
            prev_lower = category == "Ll"
        if len(scripts) > 1:
            score -= 2
        if accented > 1 and accented * 2 > latin_letters:
            score -= accented
    return score / max(count, 1)


def decode(data: bytes, encoding: str, name: str) -> str:
    """Bytes to text with the mapping's encoding or a detected one; BOMs removed."""
    bom = _by_bom(data)
    if encoding == "auto":
        if bom:
            encoding, skip = bom
            data = data[skip:]
        else:
            if b"\x00" in data[:4096] and not _looks_utf16(data):
                raise ImportFileError(_("{name} is a binary file, not a CSV or XLSX table.").format(name=name))
            encoding = _guess_encoding(data, name)
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ImportFileError(_("Unknown encoding {encoding!r} in the mapping's [file] table.").format(
            encoding=encoding)) from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(_(
            "{name} cannot be decoded as {encoding} (byte {byte}). Set the right encoding "
            "under [file] in the mapping, or save the file as UTF-8."
        ).format(name=name, encoding=encoding, byte=exc.start)) from None
    text = text.lstrip("\ufeff")
    if _looks_binary(text):
        raise ImportFileError(_("{name} is a binary file, not a CSV or XLSX table.").format(name=name))
    return text


def _looks_binary(text: str) -> bool:
    """Control or unassigned characters in more than 1 % of the start: not a table of text."""
    sample = text[:SNIFF_CHARS]
    odd = sum(
        1 for ch in sample
        if ch not in "\t\n\r\f" and unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")
    )
    return "\x00" in sample or odd > 0.01 * max(len(sample), 1)


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: text in the Latin range has a zero in every other byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return False
    evens, odds = sample[0::2], sample[1::2]
    return odds.count(0) > 0.4 * len(odds) or evens.count(0) > 0.4 * len(evens)


def _sniff_delimiter(text: str) -> str:
    """csv.Sniffer among , ; tab |, checked against the header; else the commonest in the header.

    The Sniffer is fooled by prose with many commas, so its answer is kept only
    if it splits the header into more than one column or no candidate does.
    """
    sample = text[:SNIFF_CHARS]
    cut = sample.rfind("\n")
    if 0 < cut < len(sample) - 1:
        sample = sample[:cut]
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in CANDIDATE_DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=CANDIDATE_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed and counts.get(sniffed, 0) > 0:
        return sniffed
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _csv_rows(text: str, delimiter: str, name: str) -> list[list[str]]:
    """Parse CSV text strictly: an unclosed quote is an error, not a cell that swallows the rest of the file.

    Some exports (CPJ's among them) escape quotes inside quoted cells with a
    backslash (``"Aung Kyaw Naing, \\"Par Gyi\\""``) instead of doubling them;
    when the standard reading fails and the text has such escapes, it is read
    again with the backslash as escape character.
    """
    try:
        return _csv_rows_with(text, delimiter, name, escapechar=None)
    except ImportFileError as first:
        if '\\"' not in text or "larger than" in str(first):
            raise
        try:
            return _csv_rows_with(text, delimiter, name, escapechar="\\")
        except ImportFileError:
            raise first from None


def _csv_rows_with(text: str, delimiter: str, name: str, escapechar: str | None) -> list[list[str]]:
    """One strict reading; a field over the limit becomes an error, not a MemoryError."""
    old = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_BYTES)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True, escapechar=escapechar)
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ImportFileError(_("{name}: line {row} has {n} columns; at most {limit} are read.").format(
                    name=name, row=reader.line_num, n=len(row), limit=MAX_COLUMNS))
            rows.append(row)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ImportFileError(_(
                "{name}: a field near line {line} is larger than {limit} MB; "
                "this is not a case table (or a quote is never closed)."
            ).format(name=name, line=reader.line_num, limit=MAX_FIELD_BYTES // 2**20)) from None
        raise ImportFileError(_("{name}: not a readable CSV near line {line} ({reason}).").format(
            name=name, line=reader.line_num, reason=exc)) from None
    finally:
        csv.field_size_limit(old)
    return rows


def read_csv_bytes(data: bytes, options: FileOptions | None = None, name: str = "file") -> pd.DataFrame:
    """Decode, sniff and parse CSV bytes into the table frame."""
    options = options or FileOptions()
    kind = _binary_kind(data)
    if kind and not _by_bom(data):
        raise ImportFileError(_("{name} is {kind}, not a CSV or XLSX table.").format(name=name, kind=_(kind)))
    text = decode(data, options.encoding, name)
    if not text.strip():
        raise ImportFileError(_("{name} is empty.").format(name=name))
    delimiter = options.delimiter if options.delimiter != "auto" else _sniff_delimiter(text)
    return to_frame(_csv_rows(text, delimiter, name), options.header_row, name)


# --- XLSX ------------------------------------------------------------------------

def check_zip(path: Path) -> None:
    """Refuse a zip whose directory promises more than the limit once unpacked (a zip bomb).

    Python's zipfile stops reading an entry at its declared size, so the
    declared total bounds what openpyxl can unpack.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(_("{name} is not a valid XLSX file ({reason}).").format(name=path.name, reason=exc)) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(_(
            "{name} would unpack to {size:,.0f} MB (limit {limit} MB); it is refused as a possible zip bomb."
        ).format(name=path.name, size=total / 2**20, limit=MAX_UNCOMPRESSED_BYTES // 2**20))
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_("{name} is a zip archive but not an Excel workbook (.xlsx).").format(name=path.name))


def cell_text(value: object) -> str:
    """An Excel cell as the text a person sees: 12 not 12.0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0, 0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, options: FileOptions | None = None) -> pd.DataFrame:
    """Read one sheet with openpyxl in read-only mode, every value as text.

    Formula cells are read as the formula text ("=HYPERLINK(...)"), as a CSV
    export would show them: a file saved by another program often has no
    cached result, and reading those as blank would drop data silently. The
    validation report lists them as warnings.
    """
    import openpyxl

    options = options or FileOptions()
    check_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(_("{name} is not a readable Excel workbook ({reason}).").format(
            name=path.name, reason=f"{type(exc).__name__}: {exc}")) from None
    try:
        if options.sheet is not None and options.sheet not in wb.sheetnames:
            raise ImportFileError(_("{name} has no sheet {sheet!r}; sheets: {sheets}.").format(
                name=path.name, sheet=options.sheet, sheets=", ".join(wb.sheetnames)))
        ws = wb[options.sheet] if options.sheet is not None else wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True):
            width = len(row)
            while width and row[width - 1] is None:  # a stray format far right is not a column
                width -= 1
            if width > MAX_COLUMNS:
                raise ImportFileError(_("{name}: {n} columns; at most {limit} are read.").format(
                    name=path.name, n=width, limit=MAX_COLUMNS))
            rows.append([cell_text(v) for v in row[:width]])
    finally:
        wb.close()
    return to_frame(rows, options.header_row, path.name)


# --- common ----------------------------------------------------------------------

def _header(raw: list[str], name: str) -> list[str]:
    """Trimmed, NFC column names; blanks get Excel-like names; duplicates are an error."""
    header = [unicodedata.normalize("NFC", h).strip().lstrip("\ufeff") for h in raw]
    while header and header[-1] == "":
        header.pop()
    header = [h or f"column {i + 1}" for i, h in enumerate(header)]
    seen: set[str] = set()
    for h in header:
        if h in seen:
            raise ImportFileError(_("{name}: the column name {column!r} appears twice in the header; rename one.").format(
                name=name, column=h))
        seen.add(h)
    return header


def to_frame(rows: list[list[str]], header_row: int, name: str) -> pd.DataFrame:
    """Rows of text -> DataFrame indexed by spreadsheet row number, blank rows dropped."""
    if len(rows) < header_row or not any(c.strip() for c in rows[header_row - 1]):
        raise ImportFileError(_("{name} has no header in row {row}.").format(name=name, row=header_row))
    header = _header(rows[header_row - 1], name)
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(_("{name}: {n} columns; at most {limit} are read.").format(
            name=name, n=len(header), limit=MAX_COLUMNS))
    width = len(header)
    data, numbers = [], []
    for offset, row in enumerate(rows[header_row:]):
        row_number = header_row + 1 + offset
        if len(row) > width:
            if any(c.strip() for c in row[width:]):
                raise ImportFileError(_(
                    "{name}: row {row} has {n} fields but the header has {width}; check the delimiter and the quotes."
                ).format(name=name, row=row_number, n=len(row), width=width))
            row = row[:width]
        if not any(c.strip() for c in row):
            continue
        data.append(row + [""] * (width - len(row)))
        numbers.append(row_number)
    if not data:
        raise ImportFileError(_("{name} has a header but no data rows.").format(name=name))
    frame = pd.DataFrame(data, columns=header, index=pd.Index(numbers, name="row"), dtype=object)
    return frame
