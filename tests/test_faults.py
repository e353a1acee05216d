"""Faults: a database that is missing, read-only, locked, truncated or corrupted; a full disk;
a process killed mid-edit or mid-report; and the backups that make all of it recoverable.

Each fault must end in a plain sentence and no traceback: on the page an
``st.error`` (AppTest records no exception), on the command line exit status 2
and one line starting ``hrd: error:`` or ``hrd: database error:``. And afterwards
the database opens with every committed change, or a backup puts it back.

(A process killed mid-import is covered by test_import_faults.py.)
"""
from __future__ import annotations

import gc
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import backup, cli, db, metrics
from dashboard.edits import EditError, apply_edit
from dashboard.filters import Filters

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
HRD = str(ROOT / ".venv" / "bin" / "hrd")
HEADER_BYTES = 3 * 4096  # DuckDB's file header and two database headers
BLOCK_BYTES = 256 * 1024
LOCK_HOLDER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])  # read-write: an exclusive lock on the file
    print("held", flush=True)
    sys.stdin.read()                   # until the test closes our stdin
""")


# --- helpers --------------------------------------------------------------------------------

def _release_connections() -> None:
    """Drop the app's cached connection so the file is free for another process or a restore."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    gc.collect()


def run_app(monkeypatch: pytest.MonkeyPatch, path: Path, page: str | None = None,
            params: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("HRD_DB", str(path))
    _release_connections()
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(page)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def assert_plain_error(at: AppTest, *words: str) -> str:
    """One st.error with a plain sentence (no traceback, no path, no DuckDB internals), nothing else."""
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1, [e.value for e in at.error]
    message = at.error[0].value
    for word in words:
        assert word in message, message
    for internal in ("Traceback", "IO Error", "duckdb", "/tmp", ".duckdb", "PID", "checksum"):
        assert internal not in message, f"{internal!r} shown to a visitor: {message}"
    assert len(at.metric) == 0  # no half-drawn page under the message
    return message


def run_cli(args: list[str], path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> tuple[int, str, str]:
    monkeypatch.setenv("HRD_DB", str(path))
    capsys.readouterr()
    code = cli.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_one_line_error(code: int, err: str, *words: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(("hrd: error: ", "hrd: database error: ")), lines[0]
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def fingerprint(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return db.content_fingerprint(con)
    finally:
        con.close()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class LockHolder:
    """A second Python process holding the database read-write until stopped."""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
        line = self.proc.stdout.readline()
        assert line.strip() == "held", self.proc.stderr.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def _corrupt_block(data: bytes, block: int, seed: int) -> bytes:
    out = bytearray(data)
    start = HEADER_BYTES + block * BLOCK_BYTES + 1000
    out[start:start + 4000] = random.Random(seed).randbytes(4000)
    return bytes(out)


def corrupt_one_data_block(src: Path, target: Path) -> None:
    """Random bytes in the middle of the file, in a block of act_facts that opening the file never reads.

    The file opens and the data version can be read, so only a check that reads
    every table (the app's verify_once) notices before a chart does.
    """
    data = src.read_bytes()
    for block in range(1, (len(data) - HEADER_BYTES) // BLOCK_BYTES):
        target.write_bytes(_corrupt_block(data, block, seed=block))
        try:
            con = duckdb.connect(str(target), read_only=True)
        except duckdb.Error:
            continue
        try:
            con.execute("select * from metadata").fetchall()
            try:
                con.execute("select sum(hash(f)) from act_facts as f").fetchall()
            except duckdb.Error:
                return
        except duckdb.Error:
            continue
        finally:
            con.close()
    pytest.fail("no block of act_facts found to corrupt")


def corrupt_everywhere(src: Path, target: Path) -> None:
    """Random bytes in every data block after the first (the catalogue stays readable)."""
    data = src.read_bytes()
    for block in range(1, (len(data) - HEADER_BYTES) // BLOCK_BYTES):
        data = _corrupt_block(data, block, seed=100 + block)
    target.write_bytes(data)


# --- backups --------------------------------------------------------------------------------

def test_backup_through_an_open_connection_is_a_complete_case_database(writable_seed_db: Path) -> None:
    con = duckdb.connect(str(writable_seed_db))
    try:
        con.execute("select nextval('audit_seq')").fetchall()
        con.execute("select nextval('audit_seq')").fetchall()
        made = backup.backup(con, "Edit batch!")
        original = db.content_fingerprint(con)
        totals = metrics.totals(con, Filters())
    finally:
        con.close()
    assert made.parent == writable_seed_db.parent / "backups"
    assert re.fullmatch(r"hrd-\d{8}T\d{6}-edit-batch\.duckdb", made.name), made.name
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]  # no .partial, no .wal
    copy = duckdb.connect(str(made), read_only=True)
    try:
        assert db.content_fingerprint(copy) == original
        assert metrics.totals(copy, Filters()) == totals  # the selected_acts macro came along
    finally:
        copy.close()
    scratch = made.parent.parent / "scratch.duckdb"
    shutil.copy(made, scratch)
    copy = duckdb.connect(str(scratch))
    try:  # and the sequence's position: the audit log's ids go on from where they were
        assert copy.execute("select nextval('audit_seq')").fetchall()[0][0] == 3
    finally:
        copy.close()


def test_backup_by_path_and_from_a_read_only_connection(writable_seed_db: Path) -> None:
    first = backup.backup(writable_seed_db, "manual")
    con = duckdb.connect(str(writable_seed_db), read_only=True)
    try:
        second = backup.backup(con, "manual")
    finally:
        con.close()
    assert first != second
    assert [b.path for b in backup.list_backups(writable_seed_db)] == [first, second]
    assert fingerprint(first) == fingerprint(second) == fingerprint(writable_seed_db)
    with pytest.raises(backup.BackupError, match="hrd init"):
        backup.backup(writable_seed_db.parent / "none.duckdb")


def test_only_the_newest_backups_are_kept(writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRD_BACKUP_KEEP", "3")
    con = duckdb.connect(str(writable_seed_db))
    try:
        made = [backup.backup(con, f"n{i}") for i in range(5)]
    finally:
        con.close()
    kept = backup.list_backups(writable_seed_db)
    assert [b.path for b in kept] == made[-3:]
    assert [b.reason for b in kept] == ["n2", "n3", "n4"]
    monkeypatch.setenv("HRD_BACKUP_KEEP", "not a number")
    assert backup.keep_count() == 20


def test_a_backup_beside_a_database_in_a_folder_named_with_quotes(seed_db_path: Path, tmp_path: Path) -> None:
    """The backup's path reaches ATTACH as a parameter: quotes in a folder's name are just characters."""
    folder = tmp_path / "O'Brien's \"cases\"; drop table incidents; --"
    folder.mkdir()
    path = folder / "hrd.duckdb"
    shutil.copy(seed_db_path, path)
    made = backup.backup(path, "manual")
    assert made.parent == folder / "backups" and made.exists()
    copy = duckdb.connect(str(made), read_only=True)
    try:
        assert copy.execute("select count(*) from incidents").fetchall()[0][0] > 0
    finally:
        copy.close()


def test_one_backup_per_edit_batch_holding_the_values_before(writable_seed_db: Path) -> None:
    con = duckdb.connect(str(writable_seed_db))
    try:
        old_title = con.execute("select title from incidents where incident_id = 2").fetchall()[0][0]
        apply_edit(con, "incidents", 2, {"title": "First correction"}, "ana")
        apply_edit(con, "incidents", 2, {"place": "Almaty city"}, "ana")
        assert len(backup.list_backups(writable_seed_db)) == 1  # the same batch
        backup._last_backup[str(writable_seed_db.resolve())] -= backup.EDIT_BATCH_SECONDS + 1
        apply_edit(con, "incidents", 1, {"title": "A later batch"}, "ana")
    finally:
        con.close()
    first, second = backup.list_backups(writable_seed_db)
    assert first.reason == second.reason == "edit"
    copy = duckdb.connect(str(first.path), read_only=True)
    try:
        assert copy.execute("select title, place from incidents where incident_id = 2").fetchall() == [(old_title, "Almaty")]
    finally:
        copy.close()


def test_restore_puts_the_backup_back_and_keeps_what_it_replaced(writable_seed_db: Path) -> None:
    before = fingerprint(writable_seed_db)
    con = duckdb.connect(str(writable_seed_db))
    try:
        made = backup.backup(con, "manual")
        apply_edit(con, "incidents", 2, {"title": "Changed after the backup"}, "ana")
    finally:
        con.close()
    changed = fingerprint(writable_seed_db)
    assert changed != before
    kept = backup.restore(writable_seed_db, made.name)  # a bare name from `hrd backups`
    assert fingerprint(writable_seed_db) == before
    assert kept is not None and "before-restore" in kept.name and fingerprint(kept) == changed
    assert not list(writable_seed_db.parent.glob("*.restoring")) and not Path(str(writable_seed_db) + ".wal").exists()


def test_restore_refuses_while_another_process_holds_the_database(writable_seed_db: Path) -> None:
    made = backup.backup(writable_seed_db, "manual")
    before = file_hash(writable_seed_db)
    holder = LockHolder(writable_seed_db)
    try:
        with pytest.raises(backup.BackupError, match=r"in use by another program \(process \d+\).*Stop the dashboard"):
            backup.restore(writable_seed_db, made)
    finally:
        holder.stop()
    assert file_hash(writable_seed_db) == before
    assert [b.path for b in backup.list_backups(writable_seed_db)] == [made]  # nothing half-done either
    assert backup.restore(writable_seed_db, made) is not None  # and once it is free, it works


def test_restore_refuses_what_is_not_a_case_database(writable_seed_db: Path, tmp_path: Path) -> None:
    before = file_hash(writable_seed_db)
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n" * 100)
    with pytest.raises(backup.BackupError, match="not a readable DuckDB database"):
        backup.restore(writable_seed_db, text)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(backup.BackupError, match="not a case database"):
        backup.restore(writable_seed_db, other)
    with pytest.raises(backup.BackupError, match="No backup named"):
        backup.restore(writable_seed_db, "hrd-20990101T000000-nothing.duckdb")
    assert file_hash(writable_seed_db) == before


def test_restore_onto_a_missing_database(writable_seed_db: Path) -> None:
    made = backup.backup(writable_seed_db, "manual")
    expected = fingerprint(writable_seed_db)
    writable_seed_db.unlink()
    assert backup.restore(writable_seed_db, made) is None
    assert fingerprint(writable_seed_db) == expected


def test_cli_lists_makes_and_restores_backups(writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out, _ = run_cli(["backups"], writable_seed_db, monkeypatch, capsys)
    assert code == 0 and "No backups" in out
    code, out, _ = run_cli(["backups", "--now", "--reason", "before upgrade"], writable_seed_db, monkeypatch, capsys)
    assert code == 0 and "before-upgrade.duckdb" in out
    name = backup.list_backups(writable_seed_db)[0].path.name
    code, out, _ = run_cli(["backups"], writable_seed_db, monkeypatch, capsys)
    assert code == 0 and name in out and "before-upgrade" in out
    code, out, _ = run_cli(["restore", name], writable_seed_db, monkeypatch, capsys)
    assert code == 0 and "Restored" in out and "hrd restore hrd-" in out
    code, _, err = run_cli(["restore", "no-such-backup.duckdb"], writable_seed_db, monkeypatch, capsys)
    assert_one_line_error(code, err, "No backup named")


# --- the database file itself -----------------------------------------------------------------

DAMAGE = {
    "truncated to its first 4 KB": lambda src, dst: dst.write_bytes(src.read_bytes()[:4096]),
    "random bytes in every data block": corrupt_everywhere,
    "random bytes in one act_facts block": corrupt_one_data_block,
    "a text file named .duckdb": lambda src, dst: dst.write_text("incident_id,title\n1,hello\n" * 200),
    "an empty file": lambda src, dst: dst.write_bytes(b""),
}


def test_missing_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    path = tmp_path / "nowhere.duckdb"
    assert_plain_error(run_app(monkeypatch, path), "not been set up", "hrd init")
    code, _, err = run_cli(["export", "incidents"], path, monkeypatch, capsys)
    assert_one_line_error(code, err, "No database at", "hrd init")
    assert not path.exists()  # nothing created by looking


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_database_says_so_and_a_backup_restores_it(
    damage: str, writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch, capsys,
) -> None:
    good = writable_seed_db.parent / "good.duckdb"
    shutil.copy(writable_seed_db, good)
    expected = fingerprint(good)
    made = backup.backup(writable_seed_db, "nightly")
    DAMAGE[damage](good, writable_seed_db)
    # the page: one plain sentence
    assert_plain_error(run_app(monkeypatch, writable_seed_db), "damaged", "backup")
    _release_connections()
    # the command line: one line, with what to do
    for args in (["export", "incidents"], ["export", "acts"]):
        code, _, err = run_cli(args, writable_seed_db, monkeypatch, capsys)
        if damage == "random bytes in one act_facts block" and args[1] == "incidents" and code == 0:
            continue  # the incident list may not touch the damaged block; the acts export does
        assert_one_line_error(code, err, "damaged", "hrd restore")
    # and the backup puts it back, keeping the damaged file too
    code, out, err = run_cli(["restore", made.name], writable_seed_db, monkeypatch, capsys)
    assert code == 0, err
    assert fingerprint(writable_seed_db) == expected
    assert any("before-restore" in b.reason for b in backup.list_backups(writable_seed_db))
    at = run_app(monkeypatch, writable_seed_db)
    assert not at.exception and not at.error and at.metric[0].value == "2"
    _release_connections()


def test_one_damaged_block_is_caught_before_any_chart_touches_it(
    writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the app's one-time full read, the Overview raised "Corrupt database file" mid-page."""
    good = writable_seed_db.parent / "good.duckdb"
    shutil.copy(writable_seed_db, good)
    corrupt_one_data_block(good, writable_seed_db)
    con = duckdb.connect(str(writable_seed_db), read_only=True)
    try:  # the file opens and the version query works: only a full read finds the damage
        assert con.execute("select count(*) from metadata").fetchall()[0][0] >= 1
        with pytest.raises(duckdb.Error, match="Corrupt database file"):
            backup.verify_tables(con)
    finally:
        con.close()
    for page in ("app_pages/overview.py", "app_pages/cases.py", "app_pages/compare.py"):
        assert_plain_error(run_app(monkeypatch, writable_seed_db, page), "damaged")
    _release_connections()


def test_a_large_file_is_verified_in_the_background_and_damage_still_ends_in_a_sentence(
    writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above the size limit the full read runs beside the first page; the page never shows a traceback,
    and once the read has found the damage every page says so before drawing anything."""
    monkeypatch.setattr(backup, "VERIFY_IN_BACKGROUND_BYTES", 0)  # the seed counts as large here
    monkeypatch.setattr(backup, "VERIFY_BACKGROUND_DELAY_S", 0.0)
    good = writable_seed_db.parent / "good.duckdb"
    shutil.copy(writable_seed_db, good)
    corrupt_one_data_block(good, writable_seed_db)
    first = run_app(monkeypatch, writable_seed_db, "app_pages/overview.py")
    assert not first.exception, [e.value[:300] for e in first.exception]
    deadline = time.monotonic() + 60
    while str(writable_seed_db) not in backup._verify_failed and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Corrupt database file" in str(backup._verify_failed.get(str(writable_seed_db)))
    for page in ("app_pages/overview.py", "app_pages/cases.py"):
        assert_plain_error(run_app(monkeypatch, writable_seed_db, page), "damaged")
    backup._verify_failed.clear()
    backup._verify_started.clear()
    _release_connections()


def test_database_locked_by_another_process(writable_seed_db: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    before = fingerprint(writable_seed_db)
    holder = LockHolder(writable_seed_db)
    try:
        assert_plain_error(run_app(monkeypatch, writable_seed_db), "in use by another program", "try again")
        _release_connections()
        for args in (["export", "incidents"], ["demo", "5"], ["backups", "--now"]):
            code, _, err = run_cli(args, writable_seed_db, monkeypatch, capsys)
            assert_one_line_error(code, err, "lock", "another program is using the database")
        code, _, err = run_cli(["restore", "x.duckdb"], writable_seed_db, monkeypatch, capsys)
        assert_one_line_error(code, err, "No backup named")
    finally:
        holder.stop()
    # once the other program lets go, the same server process recovers without a restart
    at = run_app(monkeypatch, writable_seed_db)
    assert not at.exception and not at.error and at.metric[0].value == "2"
    _release_connections()
    assert fingerprint(writable_seed_db) == before


@pytest.fixture()
def read_only_db(writable_seed_db: Path):
    """chmod 444; as root (who ignores file modes) also the immutable attribute, so writes really fail."""
    writable_seed_db.chmod(0o444)
    immutable = False
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(writable_seed_db)], capture_output=True)
        if done.returncode != 0:
            writable_seed_db.chmod(0o644)
            pytest.skip(f"running as root and chattr +i failed ({done.stderr.decode().strip()}): "
                        "a chmod 444 file would still be writable")
        immutable = True
    try:
        yield writable_seed_db
    finally:
        _release_connections()
        if immutable:
            subprocess.run(["chattr", "-i", str(writable_seed_db)], check=True)
        writable_seed_db.chmod(0o644)


def test_read_only_database_is_shown_and_refuses_writes_clearly(
    read_only_db: Path, monkeypatch: pytest.MonkeyPatch, capsys,
) -> None:
    before = file_hash(read_only_db)
    # the app falls back to reading: figures, no error
    at = run_app(monkeypatch, read_only_db)
    assert not at.exception and not at.error and at.metric[0].value == "2"
    at = run_app(monkeypatch, read_only_db, "app_pages/case.py", {"id": "2"})
    assert not at.exception and not at.error
    _release_connections()
    # reading commands work; writing ones say why not, in one line
    code, out, _ = run_cli(["export", "summary", "--by", "country"], read_only_db, monkeypatch, capsys)
    assert code == 0 and "KAZ" in out
    code, _, err = run_cli(["demo", "5"], read_only_db, monkeypatch, capsys)
    assert_one_line_error(code, err, "cannot be written")
    # an edit through a read-only connection is an EditError (the edit page shows it), not a traceback
    con = duckdb.connect(str(read_only_db), read_only=True)
    try:
        with pytest.raises(EditError, match="read-only"):
            apply_edit(con, "incidents", 2, {"title": "x"}, "ana")
    finally:
        con.close()
    assert file_hash(read_only_db) == before


# --- a full disk ------------------------------------------------------------------------------

BULK_MAPPING = """
name = "bulk"
[source]
publisher = "Test generator"
title = "Bulk rows"
[defaults]
violation = "threats"
[key]
columns = ["id"]
[columns]
date = "date"
country = "country"
victim_name = "name"
actor_type = "perpetrator"
[values.actor_type]
police = "police"
unknown = "unknown_actor"
"""


def write_bulk_csv(path: Path, rows: int) -> Path:
    countries = ["Colombia", "Mexico", "Brazil", "Philippines", "Kazakhstan", "Turkey"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,date,country,name,perpetrator\n")
        for i in range(rows):
            fh.write(f"B{i},20{10 + i % 15}-0{1 + i % 9}-1{i % 10},{countries[i % 6]},Person {i},"
                     f"{'police' if i % 3 else 'unknown'}\n")
    return path


IMPORT_ON_FULL_DISK = textwrap.dedent("""
    import sys
    from dashboard.ingest.importer import import_file
    try:
        result = import_file(sys.argv[1], sys.argv[2], sys.argv[3])
    except BaseException as exc:
        print("FAILED", type(exc).__name__, str(exc).replace("\\n", " ")[:500], flush=True)
        sys.exit(3)
    print("IMPORTED", result.incidents_added, flush=True)
""")


def _fill(folder: Path, leave: int) -> Path:
    """A filler file that leaves ``leave`` bytes free on the folder's filesystem."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    filler = folder / "filler.bin"
    with filler.open("wb") as fh:
        try:
            fh.write(b"\0" * max(0, free - leave))
        except OSError:
            pass
    return filler


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 40 MB tmpfs: the only way to fill a disk for real without filling the machine's."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root and mount rights): {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        _release_connections()
        subprocess.run(["umount", str(mount_point)], capture_output=True)
        if os.path.ismount(mount_point):
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def test_a_full_disk_refuses_backups_edits_imports_and_exports_and_loses_nothing(
    small_disk: Path, seed_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys,
) -> None:
    path = small_disk / "hrd.duckdb"
    shutil.copy(seed_db_path, path)
    expected = fingerprint(path)
    filler = _fill(small_disk, leave=128 * 1024)
    # 1. a backup that does not fit: a clear error, and no partial file to mistake for a backup
    con = duckdb.connect(str(path))
    try:
        with pytest.raises(backup.BackupError, match="No space left on device"):
            backup.backup(con, "edit")
        assert not [p for p in (small_disk / "backups").iterdir()]
        # 2. so an edit is refused before it starts (EditError: the edit page shows it)
        with pytest.raises(EditError, match="no backup could be made"):
            apply_edit(con, "incidents", 2, {"title": "Not saved"}, "ana")
        assert con.execute("select title from incidents where incident_id = 2").fetchall()[0][0] != "Not saved"
    finally:
        con.close()
    gc.collect()
    # 3. an import that fills the disk while it writes (in its own process: DuckDB invalidates the
    #    database instance after a failed checkpoint, and only a new process can open it again)
    data = write_bulk_csv(tmp_path / "bulk.csv", 20_000)
    mapping = tmp_path / "bulk.toml"
    mapping.write_text(BULK_MAPPING, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", IMPORT_ON_FULL_DISK, str(data), str(mapping), str(path)],
                          capture_output=True, text=True, cwd=str(ROOT), timeout=300)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "No space left on device" in done.stdout, done.stdout
    if "import" in _subcommands():  # the same through `hrd import`: one line, exit status 2
        done = subprocess.run([HRD, "import", str(data), "--mapping", str(mapping)], capture_output=True, text=True,
                              timeout=300, env=os.environ | {"HRD_DB": str(path)}, cwd=str(ROOT))
        assert_one_line_error(done.returncode, done.stderr, "No space left on device", "disk is full")
    # 4. the command line: one line with the hint, for a write that fills the disk ...
    done = subprocess.run([HRD, "demo", "20000"], capture_output=True, text=True, timeout=300,
                          env=os.environ | {"HRD_DB": str(path)}, cwd=str(ROOT))
    assert_one_line_error(done.returncode, done.stderr, "No space left on device", "disk is full")
    # ... and for an export file that does not fit (the database itself on a roomy disk)
    roomy = tmp_path / "roomy.duckdb"
    shutil.copy(seed_db_path, roomy)
    filler.unlink()
    filler = _fill(small_disk, leave=0)
    done = subprocess.run([HRD, "export", "incidents", "-o", str(small_disk / "out.csv")], capture_output=True,
                          text=True, timeout=300, env=os.environ | {"HRD_DB": str(roomy)}, cwd=str(ROOT))
    assert_one_line_error(done.returncode, done.stderr, "No space left on device", "disk is full")
    # 5. space again: the database opens with exactly what it had, and takes the import
    filler.unlink()
    assert fingerprint(path) == expected
    done = subprocess.run([sys.executable, "-c", IMPORT_ON_FULL_DISK, str(data), str(mapping), str(path)],
                          capture_output=True, text=True, cwd=str(ROOT), timeout=300)
    assert done.returncode == 0 and "IMPORTED 20000" in done.stdout, done.stdout + done.stderr


# --- killed mid-edit and mid-report ---------------------------------------------------------------

KILLED_EDIT = textwrap.dedent("""
    import sys, time, duckdb
    from dashboard import db, edits

    con = duckdb.connect(sys.argv[1])
    edits.apply_edit(con, "incidents", 1, {"title": "COMMITTED-A"}, "killtest")
    print("committed A", flush=True)
    real_refresh = db.refresh_facts

    def refresh(cur):  # inside edit B's transaction, after its UPDATE and audit entry
        print("refreshing", flush=True)
        if sys.argv[2] == "paused":
            time.sleep(120)
        real_refresh(cur)

    db.refresh_facts = refresh
    edits.apply_edit(con, "incidents", 2, {"title": "UNCOMMITTED-B", "country_code": "COL"}, "killtest")
    print("committed B", flush=True)
""")


def _kill_mid_edit(path: Path, how: str) -> list[str]:
    proc = subprocess.Popen([sys.executable, "-c", KILLED_EDIT, str(path), how], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
    seen: list[str] = []
    try:
        for line in proc.stdout:
            seen.append(line.strip())
            if line.startswith("refreshing"):
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (seen, proc.stderr.read())
    return seen


@pytest.mark.parametrize("how", ["paused", "racing"])
def test_sigkill_during_an_edit_keeps_every_committed_change(how: str, demo_db_path: Path, tmp_path: Path) -> None:
    """paused: killed inside edit B's transaction for sure; racing: killed while act_facts is rebuilt
    (3,000 incidents), so B may or may not have committed, but never in part."""
    path = tmp_path / "hrd.duckdb"
    shutil.copy(demo_db_path, path)
    seen = _kill_mid_edit(path, how)
    assert seen[:2] == ["committed A", "refreshing"]
    con = db.connect(path)  # opens read-write: the write-ahead log is replayed
    try:
        assert con.execute("select title from incidents where incident_id = 1").fetchall()[0][0] == "COMMITTED-A"
        assert con.execute("select count(*) from audit_log where after like '%COMMITTED-A%'").fetchall()[0][0] == 1
        title, country = con.execute("select title, country_code from incidents where incident_id = 2").fetchall()[0]
        b_committed = title == "UNCOMMITTED-B"
        if how == "paused":
            assert not b_committed
        assert (country == "COL") == b_committed  # both fields of B, or neither
        # act_facts agrees with incidents (it is rebuilt in the same transaction)
        mismatched = con.execute("select count(*) from act_facts as f join incidents as i using (incident_id) "
                                 "where f.country_code <> i.country_code").fetchall()[0][0]
        assert mismatched == 0
        assert metrics.totals(con, Filters(countries=("COL",)))["incident_count"] >= int(b_committed)
    finally:
        con.close()
    assert [b.reason for b in backup.list_backups(path)] == ["edit"]  # made before edit A, valid
    assert fingerprint(backup.list_backups(path)[0].path) == fingerprint(demo_db_path)


def test_sigkill_during_an_edit_leaves_no_audit_entry_for_it(seed_db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "hrd.duckdb"
    shutil.copy(seed_db_path, path)
    _kill_mid_edit(path, "paused")
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select title from incidents where incident_id = 2").fetchall()[0][0] != "UNCOMMITTED-B"
        assert con.execute("select count(*) from audit_log where after like '%UNCOMMITTED-B%'").fetchall()[0][0] == 0
    finally:
        con.close()


def _holds_open(pid: int, path: Path) -> bool:
    """Whether the process has the file open (read from /proc, so the test takes no lock itself)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return True
        except OSError:
            continue
    return False


def _subcommands() -> set[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return set(sub.choices)


def _has_report_command() -> bool:
    return "report" in _subcommands()


@pytest.mark.slow
def test_sigkill_during_a_report_build_leaves_the_database_whole(demo_db_path: Path, tmp_path: Path) -> None:
    if not _has_report_command():
        pytest.skip("`hrd report` is not registered in dashboard/cli.py yet (reports are being built elsewhere)")
    path = tmp_path / "hrd.duckdb"
    shutil.copy(demo_db_path, path)
    expected = fingerprint(path)
    out = tmp_path / "x.pdf"
    env = os.environ | {"HRD_DB": str(path), "HOME": str(tmp_path)}
    proc = subprocess.Popen([HRD, "report", "-o", str(out)], cwd=str(ROOT), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and not _holds_open(proc.pid, path):
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read().decode()
    time.sleep(1.5)  # it has the database open: now inside the build (queries, charts, the PDF)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL  # killed while still building, not after
    con = db.connect(path)
    try:
        assert db.content_fingerprint(con) == expected
        assert metrics.totals(con, Filters())["incident_count"] > 0
    finally:
        con.close()
