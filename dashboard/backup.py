"""Dated backups of the case database: made before imports and edit batches, listed, restored.

A backup is ``<db dir>/backups/hrd-YYYYmmddTHHMMSS-<reason>.duckdb`` (UTC, so
names sort in time order on every machine). Why it is made the way it is:

* **Through a connection, always.** With a connection in hand (the app holds the
  file read-write, so no other process could even read it) the copy is
  ``ATTACH <new file>; COPY FROM DATABASE <current> TO it; DETACH``: one
  consistent snapshot, tables, views, the ``selected_acts`` macro and the
  sequences' positions included, while readers carry on. Given only a path,
  the file is opened and copied the same way rather than byte for byte: a byte
  copy is only safe when no committed data waits in the write-ahead log and no
  other connection of the same process writes during the copy, and the
  COPY gives both guarantees without having to know.
* **Never half a backup.** The copy is written under a ``.partial`` name and
  renamed once complete, so a crash or a full disk leaves no file that
  ``hrd backups`` would offer for a restore.
* **Restore is the reverse, with a safety net.** It refuses while another
  program holds the database (DuckDB's lock error becomes a sentence), checks
  that the backup is a readable case database, keeps a backup of the file it is
  about to replace (even a damaged one, byte for byte), and puts the backup in
  place via a temporary file and a rename.
* **Bounded.** At most ``$HRD_BACKUP_KEEP`` (default 20) backups are kept; the
  oldest go first.

Edits come in batches (an analyst corrects several fields in a row), so
:func:`ensure_recent_backup` makes at most one backup per database every ten
minutes; imports call :func:`backup` every time.

This module never imports Streamlit.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from . import db
from .i18n import _

BACKUP_DIR_NAME = "backups"
DEFAULT_KEEP = 20
EDIT_BATCH_SECONDS = 600.0
# hrd-<UTC time>-<reason>.duckdb; a second backup in the same second gets "~2" after the time
_NAME_RE = re.compile(r"^hrd-(\d{8}T\d{6})(?:~(\d+))?-([a-z0-9-]+)\.duckdb$")
_STAMP = "%Y%m%dT%H%M%S"

_lock = threading.Lock()
_last_backup: dict[str, float] = {}
_verify_lock = threading.Lock()
_verified: dict[str, str] = {}


class BackupError(db.DatabaseError):
    """A backup or a restore that could not be made, with the reason for a person."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when it was made, why, and how big it is."""

    path: Path
    created: datetime
    reason: str
    size: int


def keep_count() -> int:
    """How many backups to keep (``$HRD_BACKUP_KEEP``, default 20, at least 1)."""
    try:
        return max(1, int(os.environ.get("HRD_BACKUP_KEEP", str(DEFAULT_KEEP))))
    except ValueError:
        return DEFAULT_KEEP


def backup_dir(db_path: Path | str) -> Path:
    """The folder beside the database where its backups live."""
    return Path(db_path).resolve().parent / BACKUP_DIR_NAME


def _reason_slug(reason: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", str(reason).lower()).strip("-")[:40].strip("-")
    return slug or "manual"


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _database_of(con: duckdb.DuckDBPyConnection) -> tuple[str, Path | None, bool]:
    """(name, file path or None for an in-memory database, read-only?) of the connection's database."""
    cur = con.cursor()
    try:
        name = cur.execute("select current_database()").fetchall()[0][0]
        rows = cur.execute(
            "select path, readonly from duckdb_databases() where database_name = $n", {"n": name}
        ).fetchall()
    finally:
        cur.close()
    path = rows[0][0] if rows else None
    return name, (Path(path).resolve() if path and path != ":memory:" else None), bool(rows and rows[0][1])


def is_read_only(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's database was opened read-only (nothing can be changed through it)."""
    return _database_of(con)[2]


def _target_name(folder: Path, reason: str) -> Path:
    """A new name; backups made within the same second are numbered (~2, ~3, ...) so they sort in order."""
    stamp = datetime.now(timezone.utc).strftime(_STAMP)
    slug = _reason_slug(reason)
    taken = [int(m.group(2) or 1) for p in folder.glob(f"hrd-{stamp}*")
             if (m := _NAME_RE.match(p.name.removesuffix(".partial")))]
    if not taken:
        return folder / f"hrd-{stamp}-{slug}.duckdb"
    return folder / f"hrd-{stamp}~{max(taken) + 1}-{slug}.duckdb"


def _copy_through(con: duckdb.DuckDBPyConnection, name: str, target: Path) -> None:
    """ATTACH target, COPY FROM DATABASE name TO it, CHECKPOINT it, DETACH; raise if any step fails.

    The explicit checkpoint matters: DETACH checkpoints too, but quietly leaves
    the data in ``<target>.wal`` when that fails (a full disk), and a backup
    renamed without its WAL would be missing data. A failed checkpoint of the
    attached file invalidates only that file, never the database being copied.
    """
    alias = f"hrd_backup_{uuid.uuid4().hex[:12]}"
    cur = con.cursor()
    attached = False
    try:
        # the path travels as a parameter; the names (which SQL cannot take as parameters) are
        # fixed by this function: a generated alias and the database's own name from
        # current_database() (quoted); no user text reaches this SQL
        cur.execute(f"attach $path as {alias} (read_write)", {"path": str(target)})  # fixed names (see above)
        attached = True
        cur.execute(f"copy from database {_quote_identifier(name)} to {alias}")  # fixed names (see above)
        cur.execute(f"checkpoint {alias}")  # fixed names: the generated alias
        attached = False
        cur.execute(f"detach {alias}")  # fixed names: the generated alias
    finally:
        if attached:  # something failed: let go of the file so it can be removed
            try:
                cur.execute(f"detach {alias}")  # fixed names: the generated alias
            except duckdb.Error:
                pass
        cur.close()
    if Path(str(target) + ".wal").exists():
        raise BackupError(f"the copy of {name} was not completely written (its write-ahead log is still pending)")


def backup(con_or_path: duckdb.DuckDBPyConnection | Path | str, reason: str = "manual") -> Path:
    """Write a dated copy of the database into ``<db dir>/backups/`` and return its path.

    Raises BackupError (a DatabaseError) with a sentence when no complete copy
    could be written: a full disk, a read-only folder, a database that cannot be
    opened. Nothing partial is left behind.
    """
    if isinstance(con_or_path, (str, Path)):
        path = Path(con_or_path)
        if not path.exists():
            raise BackupError(f"No database at {path} to back up. Build it with `hrd init` first.")
        try:
            con = db.connect(path, read_only=False)
        except db.DatabaseError:
            con = db.connect(path, read_only=True)  # a read-only file can still be copied
        try:
            return backup(con, reason)
        finally:
            con.close()
    con = con_or_path
    name, path, _read_only = _database_of(con)
    if path is None:
        raise BackupError("This database lives in memory only; there is no file to back up.")
    folder = backup_dir(path)
    with _lock:  # two threads backing up at once would race for the same name
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupError(f"Cannot create the backup folder {folder}: {exc.strerror or exc}.") from None
        target = _target_name(folder, reason)
        partial = target.with_name(target.name + ".partial")
        try:
            _copy_through(con, name, partial)
            os.replace(partial, target)
        except (OSError, duckdb.Error, BackupError) as exc:
            for leftover in (partial, Path(str(partial) + ".wal")):
                try:
                    leftover.unlink(missing_ok=True)
                except OSError:
                    pass
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BackupError(f"Could not write a backup of {path.name} into {folder}: {first}") from None
        _last_backup[str(path)] = time.monotonic()
        prune(path)
    return target


def nothing_was_changed(exc: BackupError) -> str:
    """The sentence for a write refused because its backup failed (imports, undos and edits alike)."""
    hint = _(" The disk is full: free some space and try again.") if "No space left" in str(exc) else ""
    return _("Nothing was changed, because no backup could be made first: {reason}").format(reason=exc) + hint


def ensure_recent_backup(con: duckdb.DuckDBPyConnection, reason: str = "edit",
                         window_seconds: float = EDIT_BATCH_SECONDS) -> Path | None:
    """A backup before a batch of edits: at most one per database per ``window_seconds``.

    Returns the new backup's path, or None when a recent one covers this edit,
    or when there is nothing to protect (an in-memory database) or nothing can
    change (a read-only connection: the edit itself will say why it fails).
    """
    _name, path, read_only = _database_of(con)
    if path is None or read_only:
        return None
    last = _last_backup.get(str(path))
    if last is not None and time.monotonic() - last < window_seconds:
        return None
    return backup(con, reason)


def list_backups(db_path: Path | str) -> list[BackupInfo]:
    """The backups of a database, oldest first (files that do not follow the naming are ignored)."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = _NAME_RE.match(entry.name)
        if not match or not entry.is_file():
            continue
        created = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=timezone.utc)
        order = (created, int(match.group(2) or 1))
        found.append((order, BackupInfo(entry, created, match.group(3), entry.stat().st_size)))
    return [info for _order, info in sorted(found, key=lambda pair: pair[0])]


def prune(db_path: Path | str, keep: int | None = None) -> list[Path]:
    """Delete the oldest backups beyond ``keep`` (default ``$HRD_BACKUP_KEEP``); return what was deleted."""
    keep = keep_count() if keep is None else max(1, keep)
    backups = list_backups(db_path)
    removed = []
    for info in backups[: max(0, len(backups) - keep)]:
        try:
            info.path.unlink()
            removed.append(info.path)
        except OSError:
            pass
    return removed


def resolve_backup(db_path: Path | str, name: Path | str) -> Path:
    """A backup given as a path, or as a bare file name from ``hrd backups``."""
    candidate = Path(name)
    if candidate.is_file():
        return candidate
    in_folder = backup_dir(db_path) / candidate.name
    if candidate.parent == Path(".") and in_folder.is_file():
        return in_folder
    raise BackupError(f"No backup named {str(name)[:200]!r}; `hrd backups` lists them.")


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def _check_backup(path: Path) -> None:
    """The file must open read-only and hold the case tables."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise BackupError(f"{path.name} is not a readable DuckDB database ({first}); choose another backup.") from None
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        if not {"incidents", "acts", "act_facts", "metadata"} <= tables:
            raise BackupError(f"{path.name} is a DuckDB file but not a case database; choose another backup.")
        con.execute("select count(*) from incidents").fetchall()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise BackupError(f"{path.name} cannot be read ({first}); choose another backup.") from None
    finally:
        con.close()


def _keep_replaced(db_path: Path) -> Path | None:
    """Back up the database about to be replaced; refuse if another program holds it.

    A database that opens is copied through DuckDB (the WAL included, and the
    connection's close checkpoints it); one that does not open because it is
    damaged is kept byte for byte, WAL and all, so nothing is ever thrown away.
    """
    if not db_path.exists():
        return None
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.Error as exc:
        if _is_lock_error(exc):
            pid = re.search(r"PID (\d+)", str(exc))
            who = f" (process {pid.group(1)})" if pid else ""
            raise BackupError(
                f"The database {db_path} is in use by another program{who}. Stop the dashboard server and "
                "any running hrd command, then run the restore again."
            ) from None
        if isinstance(exc, duckdb.IOException) and "ermission" in str(exc):
            raise BackupError(f"The database {db_path} cannot be written (permission denied); "
                              "restore needs write access to the file and its folder.") from None
        return _keep_damaged(db_path)
    try:
        return backup(con, "before-restore")
    except BackupError:
        pass  # opens, but a damaged block stops the copy: keep it byte for byte below
    finally:
        con.close()
    return _keep_damaged(db_path)


def _keep_damaged(db_path: Path) -> Path:
    folder = backup_dir(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _target_name(folder, "before-restore-unreadable")
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(db_path, partial)
        os.replace(partial, target)
        wal = Path(str(db_path) + ".wal")
        if wal.exists():
            shutil.copyfile(wal, Path(str(target) + ".wal"))
    except OSError as exc:
        raise BackupError(f"Could not keep a copy of the damaged {db_path.name} before restoring: "
                          f"{exc.strerror or exc}. Nothing was changed.") from None
    return target


def restore(db_path: Path | str, backup_path: Path | str) -> Path | None:
    """Put a backup in place of the database; return the backup kept of the replaced file (None if there was none).

    Refuses, with a sentence and without changing anything, when the backup is
    not a readable case database or when another program has the database open.
    """
    db_path = Path(db_path).resolve()
    source = resolve_backup(db_path, backup_path).resolve()
    if source == db_path:
        raise BackupError("The backup and the database are the same file.")
    _check_backup(source)
    tmp = db_path.with_name(db_path.name + ".restoring")
    try:
        # copy first: keeping the replaced file may prune old backups, this one included
        shutil.copyfile(source, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"Could not copy {source.name} beside {db_path}: {exc.strerror or exc}. "
                          "Nothing was changed.") from None
    try:
        kept = _keep_replaced(db_path)
        # a WAL left by the replaced file must never be replayed onto the restored one;
        # whatever it held is in the backup kept above
        Path(str(db_path) + ".wal").unlink(missing_ok=True)
        os.replace(tmp, db_path)
    except OSError as exc:
        raise BackupError(f"Could not restore {source.name} to {db_path}: {exc.strerror or exc}.") from None
    finally:
        tmp.unlink(missing_ok=True)
    _check_backup(db_path)
    prune(db_path)
    return kept


# --- is the open database whole? ----------------------------------------------------------------

def verify_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Read every row of every table once, so a damaged block is found now rather than mid-page.

    DuckDB checks a block's checksum when it reads the block, and opens a file
    by reading only its headers and catalogue: random bytes in the middle of a
    file surface as "Corrupt database file" in whichever query first touches
    them. Hashing every row touches every data block.
    """
    cur = con.cursor()
    try:
        tables = [r[0] for r in cur.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'main' order by table_name").fetchall()]
        for table in tables:
            cur.execute("select count(*), sum(hash(t)) from query_table($name) as t", {"name": table}).fetchall()
    finally:
        cur.close()


#: Above this size the full read runs in the background (it takes over a second at a million incidents).
VERIFY_IN_BACKGROUND_BYTES = 256 * 2**20
# the background read waits this long first: started at once, it takes the cores the first
# visitor's page needs (at a million incidents, 3 s more before the charts are drawn)
VERIFY_BACKGROUND_DELAY_S = 20.0
_verify_failed: dict[str, BaseException] = {}
_verify_started: set[tuple[str, str]] = set()


def verify_soon(con: duckdb.DuckDBPyConnection, version: str) -> None:
    """:func:`verify_once`, without making the first visitor wait for it on a large file.

    A small file is read at once, as before. A large one is read by a background
    thread, after a pause that lets the first page be drawn; until it finishes, pages query as usual (a damaged block they touch
    raises an error the app explains in a sentence), and once it has found
    damage, every later run raises it here, before any chart.
    """
    _name, path, _read_only = _database_of(con)
    key = str(path)
    failed = _verify_failed.get(key)
    if failed is not None:
        raise failed
    if _verified.get(key) == version:
        return
    try:
        size = path.stat().st_size if path is not None else 0
    except OSError:
        size = 0
    if size < VERIFY_IN_BACKGROUND_BYTES:
        verify_once(con, version)
        return
    with _verify_lock:
        if (key, version) in _verify_started:
            return
        _verify_started.add((key, version))

    def run() -> None:
        time.sleep(VERIFY_BACKGROUND_DELAY_S)
        try:
            verify_once(con, version)
        except Exception as exc:  # kept for the next page run, which explains it
            _verify_failed[key] = exc

    threading.Thread(target=run, name="hrd-verify", daemon=True).start()


def verify_once(con: duckdb.DuckDBPyConnection, version: str) -> None:
    """:func:`verify_tables` once per database file and data version in this process.

    The app calls it on every run; only the first run after a start or a change
    of data pays for the full read (a fraction of a second on 100,000
    incidents), and concurrent sessions wait for that one check instead of
    repeating it.
    """
    _name, path, _read_only = _database_of(con)
    key = str(path)
    if _verified.get(key) == version:
        return
    with _verify_lock:
        if _verified.get(key) == version:
            return
        verify_tables(con)
        _verified[key] = version


def explain_database_error(exc: BaseException) -> str:
    """A plain sentence for a visitor about why the database cannot be used: no paths, no internals.

    The details (file path, process id, DuckDB's message) belong in the
    server's log, where the person who can fix it looks.
    """
    text = str(exc)
    if isinstance(exc, db.DatabaseError) and text.startswith("No database at"):
        return _("The case database has not been set up on this server yet. An administrator can build it "
                 "with `hrd init`.")
    if "Could not set lock" in text or "Conflicting lock" in text:
        return _("The case database is in use by another program (an import or a maintenance command), so "
                 "the dashboard cannot open it right now. Please try again in a few minutes.")
    if any(n in text for n in ("not a valid DuckDB database", "Corrupt database", "Could not read enough bytes",
                               "checksum")):
        return _("The case database file is damaged and cannot be read. Nothing is shown rather than wrong "
                 "figures. An administrator can restore the latest backup (`hrd backups`, then `hrd restore`).")
    if "invalidated" in text or "must be restarted" in text or "No space left" in text:
        return _("A write to the case database failed (for example, the disk is full), so this server must be "
                 "restarted before it can show figures again. Data saved before the failure is safe. An "
                 "administrator should free disk space and restart the dashboard.")
    if "ermission denied" in text or "not permitted" in text:
        return _("The dashboard is not allowed to read the case database file. An administrator should check "
                 "the file's permissions.")
    return _("The case database cannot be opened right now. Please try again later; if this persists, "
             "tell the administrator.")
