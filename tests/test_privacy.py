"""Protecting the people in the data: leak tests, suppression, sign-in, audit log.

The leak database carries restricted and confidential incidents and defenders
whose every text holds a marker starting with LEAK; nothing a public visitor can
see or download may contain one.
"""
from __future__ import annotations


import gc
import json
import subprocess
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import audit, auth, metrics
from dashboard.edits import apply_edit
from dashboard.export import acts_frame, incidents_frame, summary_frame, to_csv_bytes
from dashboard.filters import Filters
from dashboard.privacy import suppress

from leakdb import MARKER_PREFIX, build_leak_db, markers

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
HRD = str(ROOT / ".venv" / "bin" / "hrd")


@pytest.fixture(scope="module")
def leak_db(seed_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_leak_db(seed_db_path, tmp_path_factory.mktemp("leak") / "leak.duckdb")


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


_STORAGES: list = []


@pytest.fixture(autouse=True)
def capture_media(monkeypatch: pytest.MonkeyPatch):
    """Keep every in-memory media store AppTest makes, to read the download files."""
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _STORAGES.append(self)

    _STORAGES.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    yield


def _all_output(at: AppTest, expect_files: bool = False) -> str:
    """Every element's protobuf text plus every file offered for download."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    files = [f for storage in _STORAGES for f in storage._files_by_id.values()]
    assert files or not expect_files, "no download files were captured"
    for f in files:
        parts.append(f.content.decode("utf-8", "replace"))
    return "\n".join(parts)


def _assert_no_marker(text: str, where: str) -> None:
    found = [m for m in markers() if m in text]
    assert not found, f"{where} leaks {found}"
    assert MARKER_PREFIX not in text, f"{where} leaks a marker (possibly escaped)"


PUBLIC_VIEWS = [
    ("app_pages/overview.py", {}),
    ("app_pages/overview.py", {"country": "KAZ"}),
    ("app_pages/overview.py", {"q": "leaksummary"}),
    ("app_pages/compare.py", {"a.country": "KAZ", "b.country": "COL"}),
    ("app_pages/compare.py", {"a.defender": "101", "b.defender": "300"}),
    ("app_pages/cases.py", {}),
    ("app_pages/cases.py", {"country": "KAZ"}),
    ("app_pages/case.py", {"id": "101"}),
    ("app_pages/case.py", {"id": "2"}),
    ("app_pages/profiles.py", {}),
    ("app_pages/profiles.py", {"defender_profile": "101"}),
    ("app_pages/profiles.py", {"defender_profile": "300"}),
]


@pytest.mark.parametrize("page,params", PUBLIC_VIEWS, ids=[f"{p.split('/')[-1]}-{'&'.join(q)}" for p, q in PUBLIC_VIEWS])
def test_public_pages_and_downloads_leak_nothing(leak_db: Path, monkeypatch: pytest.MonkeyPatch, page: str, params: dict) -> None:
    monkeypatch.setenv("HRD_DB", str(leak_db))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    _assert_no_marker(_all_output(at), f"{page} {params}")


def test_non_public_case_page_says_so(leak_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRD_DB", str(leak_db))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/case.py")
    at.query_params["id"] = "101"
    at.run()
    assert any("not public" in w.value for w in at.warning)


def test_public_map_and_tables_show_suppressed_cells(leak_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRD_DB", str(leak_db))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    text = _all_output(at, expect_files=True)
    assert "< 5" in text  # map hover text, bars and the CSV downloads
    csvs = [f.content.decode("utf-8-sig") for st_ in _STORAGES for f in st_._files_by_id.values() if f.mimetype == "text/csv"]
    assert any("KAZ" in c and "< 5" in c for c in csvs)


def test_suppression_rule_literal_values(leak_db: Path) -> None:
    con = duckdb.connect(str(leak_db))
    try:
        public = metrics.aggregate(con, Filters(), "country", "incidents", mode="public").set_index("country_code")
        analyst = metrics.aggregate(con, Filters(), "country", "incidents", mode="analyst").set_index("country_code")
    finally:
        con.close()
    # KAZ: 2 public + 2 non-public = 4 < 5 -> suppressed; COL: 6 public + 2 non-public = 8 -> shown
    assert public.loc["KAZ", "display"] == "< 5" and pd.isna(public.loc["KAZ", "value"])
    assert public.loc["BRA", "display"] == "< 5" and public.loc["KGZ", "display"] == "< 5"
    assert public.loc["COL", "display"] == "8" and public.loc["COL", "value"] == 8
    assert analyst.loc["KAZ", "value"] == 4 and analyst.loc["BRA", "value"] == 1
    assert set(public.index) == set(analyst.index)


def test_complementary_suppression_hides_a_second_cell() -> None:
    frame = pd.DataFrame({
        "country_code": ["A", "B", "C"], "value": [3, 7, 20], "incident_count": [3, 7, 20],
        "has_non_public": [True, False, False],
    })
    out = suppress(frame, "public", k=5)
    assert list(out["is_suppressed"]) == [True, True, False]
    assert list(out["display"]) == ["< 5", "< 5", "20"]
    assert list(suppress(frame, "analyst", k=5)["display"]) == ["3", "7", "20"]


def test_core_exports_in_public_mode_leak_nothing(leak_db: Path) -> None:
    con = duckdb.connect(str(leak_db))
    try:
        blobs = [
            to_csv_bytes(incidents_frame(con, Filters())),
            to_csv_bytes(acts_frame(con, Filters())),
            to_csv_bytes(summary_frame(con, Filters(), "country,year", "incidents")),
            to_csv_bytes(summary_frame(con, Filters(search="leaksummary"), "violation", "acts")),
        ]
        analyst = to_csv_bytes(incidents_frame(con, Filters(), mode="analyst")).decode("utf-8")
    finally:
        con.close()
    for blob in blobs:
        _assert_no_marker(blob.decode("utf-8"), "core export")
    assert "(name withheld)" in blobs[0].decode("utf-8")
    assert "LEAKTITLE-101-Z9" in analyst  # the analyst export does include everything


@pytest.mark.parametrize("args", [
    ["export", "incidents"],
    ["export", "acts"],
    ["export", "summary", "--by", "country,year,violation", "--unit", "acts"],
    ["export", "summary", "--by", "sector,gender", "--unit", "defenders"],
    ["export", "incidents", "--search", "LEAKSUMMARY"],
])
def test_cli_exports_are_public_by_default(leak_db: Path, tmp_path: Path, args: list[str]) -> None:
    work = tmp_path / "db.duckdb"
    work.write_bytes(leak_db.read_bytes())
    out = subprocess.run([HRD, *args], capture_output=True, env={"HRD_DB": str(work), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    _assert_no_marker(out.stdout.decode("utf-8"), " ".join(args))
    if args[1] == "summary" and "country" in args[3]:
        assert "< 5" in out.stdout.decode("utf-8")


def test_cli_analyst_export_says_so(leak_db: Path, tmp_path: Path) -> None:
    work = tmp_path / "db.duckdb"
    work.write_bytes(leak_db.read_bytes())
    target = tmp_path / "all.csv"
    out = subprocess.run([HRD, "export", "incidents", "--mode", "analyst", "-o", str(target)], capture_output=True,
                         env={"HRD_DB": str(work), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    about = (tmp_path / "all.about.txt").read_text()
    assert "ANALYST EXPORT" in about
    assert "LEAKTITLE-101-Z9" in target.read_text(encoding="utf-8-sig")


# --- sign-in -------------------------------------------------------------------

@pytest.fixture()
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.json"
    monkeypatch.setenv("HRD_USERS", str(path))
    auth.add_user("ana", "analyst", "a long analyst passphrase", path)
    auth.add_user("adm", "admin", "a long admin passphrase!", path)
    auth.add_user("vic", "viewer", "a long viewer passphrase", path)
    return path


def test_users_file_holds_only_hashes(users_file: Path) -> None:
    text = users_file.read_text()
    assert "a long analyst passphrase" not in text and "admin passphrase" not in text
    assert text.count("$argon2id$") == 3
    assert not str(users_file).startswith(str(ROOT))


def test_wrong_passwords_fail_and_slow_down(users_file: Path) -> None:
    throttle = auth.Throttle(base=0.3, cap=2.0)
    with pytest.raises(auth.AuthError):
        auth.authenticate("ana", "wrong", users_file, throttle)
    start = time.monotonic()
    with pytest.raises(auth.AuthError):
        auth.authenticate("ana", "wrong again", users_file, throttle)
    second = time.monotonic() - start
    start = time.monotonic()
    with pytest.raises(auth.AuthError):
        auth.authenticate("ana", "still wrong", users_file, throttle)
    third = time.monotonic() - start
    assert second >= 0.3 and third >= 0.6 and third > second
    assert auth.authenticate("ana", "a long analyst passphrase", users_file, throttle).role == "analyst"
    assert throttle.delay("ana") == 0.0
    with pytest.raises(auth.AuthError):
        auth.authenticate("nobody", "x", users_file, throttle)


def test_users_add_command_reads_stdin(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    out = subprocess.run([HRD, "users", "add", "zoe", "--role", "analyst"], input=b"zoe's long password\n",
                         capture_output=True, env={"HRD_USERS": str(path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr.decode()
    assert "zoe's long password" not in path.read_text()
    short = subprocess.run([HRD, "users", "add", "yan"], input=b"short\n", capture_output=True,
                           env={"HRD_USERS": str(path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert short.returncode == 2 and b"at least" in short.stderr


def test_viewer_cannot_reach_analyst_pages_by_url(leak_db: Path, users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRD_DB", str(leak_db))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = auth.User("vic", "viewer")
    at.session_state["last_seen"] = time.time()
    at.run()
    # the analyst pages are not even registered for a viewer, so no address reaches them
    for page in ("app_pages/edit.py", "app_pages/admin.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    _assert_no_marker(_all_output(at), "viewer session")
    at.session_state["user"] = auth.User("ana", "analyst")
    at.run()
    at.switch_page("app_pages/edit.py")
    at.run()
    assert "Correct a record" in [t.value for t in at.title]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/admin.py")


def test_sign_in_audit_export_and_edit_are_logged(leak_db: Path, tmp_path: Path, users_file: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "audit.duckdb"
    work.write_bytes(leak_db.read_bytes())
    monkeypatch.setenv("HRD_DB", str(work))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/sign_in.py")
    at.run()
    at.text_input(key="signin_name").input("ana")
    at.text_input(key="signin_password").input("a long analyst passphrase")
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert at.session_state["user"].role == "analyst"
    # analyst mode lists the confidential case
    at.switch_page("app_pages/case.py")
    at.query_params["id"] = "101"
    at.run()
    assert "LEAKTITLE-101-Z9" in [t.value.replace("\\", "") for t in at.title]
    _clear_caches()  # release the app's connection before the command line writes
    gc.collect()
    out = subprocess.run([HRD, "export", "incidents", "-o", str(tmp_path / "x.csv")], capture_output=True,
                         env={"HRD_DB": str(work), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    con = duckdb.connect(str(work))
    try:
        apply_edit(con, "incidents", 2, {"place": "Almaty city"}, "ana")
        log = audit.entries(con)
    finally:
        con.close()
    actions = list(log["action"])
    assert "sign_in" in actions and "export" in actions and "edit" in actions
    edit = log[log["action"] == "edit"].iloc[0]
    assert "Almaty" in edit["before"] and "Almaty city" in edit["after"] and edit["username"] == "ana"


def test_admin_page_shows_the_audit_log_in_words(leak_db: Path, tmp_path: Path, users_file: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An admin's page lists the audit log (their own sign-in first) and the users, with the
    columns named in words; an analyst's navigation has no such page."""
    work = tmp_path / "admin.duckdb"
    work.write_bytes(leak_db.read_bytes())
    monkeypatch.setenv("HRD_DB", str(work))
    for name, password, sees_log in (("adm", "a long admin passphrase!", True), ("ana", "a long analyst passphrase", False)):
        _clear_caches()
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page("app_pages/sign_in.py")
        at.run()
        at.text_input(key="signin_name").input(name)
        at.text_input(key="signin_password").input(password)
        next(b for b in at.button if b.label == "Sign in").click()
        at.run()
        if not sees_log:  # an analyst's navigation has no such page
            with pytest.raises(ValueError, match="admin.py"):
                at.switch_page("app_pages/admin.py")
            continue
        at.switch_page("app_pages/admin.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        log = at.dataframe[0]
        assert log.value.iloc[0]["action"] == "sign_in" and log.value.iloc[0]["username"] == "adm"
        labels = {c: spec.get("label") for c, spec in json.loads(log.proto.columns).items()}
        assert labels["logged_at"] == "When (UTC)" and labels["row_count"] == "Rows", labels
        assert log.proto.placeholder == ""  # an empty cell is blank, not "None"
        assert set(at.dataframe[1].value["name"]) == {"ana", "adm", "vic"}


def test_compare_what_changed_keeps_small_totals_suppressed(leak_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """KAZ holds 4 incidents, 2 of them non-public: the "what changed" totals must read "< 5", not the count."""
    monkeypatch.setenv("HRD_DB", str(leak_db))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/compare.py")
    at.query_params.update({"a.country": "KAZ", "b.country": "COL"})
    at.run()
    assert not at.exception
    lines = [m.value for m in at.markdown if m.value.startswith("- Acts:")]
    assert lines and "< 5 in KAZ" in lines[0].replace("\\", ""), lines
    metrics_shown = [m.value for m in at.metric]
    assert "< 5" in metrics_shown
