"""A download clicked again after an edit serves the edited file, not the one stored before.

Streamlit's own file id for files above 1 MiB looks at the length and three 64 KiB samples
only (dashboard/components/downloads.py says why that served stale CSVs); these tests use
Streamlit's real storage and media file manager, and the real app script.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime import memory_media_file_storage
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard.components import downloads

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
STREAMLIT_FILE_ID = memory_media_file_storage._calculate_file_id  # as imported, before the app replaces it


def two_csvs_of_one_length() -> tuple[bytes, bytes]:
    """Two 3 MiB CSVs that differ in one byte a third of the way in: outside the head, middle and
    tail samples, as a date corrected in one row of a long listing is."""
    row = b"2024-10-09,KAZ,Almaty,incident title,summary text\r\n"
    before = b"\xef\xbb\xbfdate,country,place,title,summary\r\n" + row * (3 * 2**20 // len(row))
    at = len(before) // 3
    assert before[at:at + 1] != b"X"
    after = before[:at] + b"X" + before[at + 1:]
    return before, after


def test_streamlit_alone_gives_the_two_files_one_id():
    """Why the replacement exists: with Streamlit 1.67's fingerprint both files share an id, so
    the storage, which keeps the first file under an id, would serve the old one."""
    before, after = two_csvs_of_one_length()
    assert STREAMLIT_FILE_ID(before, "text/csv", "hrd_incidents_all.csv") == \
        STREAMLIT_FILE_ID(after, "text/csv", "hrd_incidents_all.csv")


def test_whole_file_ids_differ_for_any_changed_byte_name_or_type():
    before, after = two_csvs_of_one_length()
    ids = {
        downloads.whole_file_id(before, "text/csv", "a.csv"),
        downloads.whole_file_id(after, "text/csv", "a.csv"),
        downloads.whole_file_id(before, "text/csv", "b.csv"),
        downloads.whole_file_id(before, "text/plain", "a.csv"),
        downloads.whole_file_id(before, "text/csv", None),
        downloads.whole_file_id(b"", "text/csv", "a.csv"),
    }
    assert len(ids) == 6
    assert downloads.whole_file_id(before, "text/csv", "a.csv") == downloads.whole_file_id(bytes(before), "text/csv", "a.csv")


def test_a_deferred_download_clicked_again_after_an_edit_serves_the_edited_file(monkeypatch: pytest.MonkeyPatch):
    """The path of the Cases page's CSV buttons (data from a callable, run at each click), on
    Streamlit's real manager and in-memory storage: each click stores and serves what the
    callable returned that time."""
    monkeypatch.setattr(memory_media_file_storage, "_calculate_file_id", STREAMLIT_FILE_ID)
    downloads.install()
    before, after = two_csvs_of_one_length()
    current = {"data": before}
    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)
    placeholder = manager.add_deferred(lambda: current["data"], "text/csv", "coords", "hrd_incidents_all.csv")
    first = manager.execute_deferred(placeholder)
    current["data"] = after  # an edit between two clicks
    second = manager.execute_deferred(placeholder)
    assert first != second
    served = [storage.get_file(url.rsplit("/", 1)[1]).content for url in (first, second)]
    assert served == [before, after]


def test_the_app_installs_the_whole_file_ids(demo_db_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The app script replaces Streamlit's fingerprint before any page makes a download."""
    monkeypatch.setenv("HRD_DB", str(demo_db_path))
    monkeypatch.setattr(memory_media_file_storage, "_calculate_file_id", STREAMLIT_FILE_ID)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert memory_media_file_storage._calculate_file_id is downloads.whole_file_id


def test_install_says_so_when_streamlit_has_no_such_function(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delattr(memory_media_file_storage, "_calculate_file_id")
    with pytest.raises(RuntimeError, match="_calculate_file_id"):
        downloads.install()
