"""The real ``hrd`` console script, run as a subprocess against copies of built databases."""
from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
HRD = ROOT / ".venv" / "bin" / "hrd"

pytestmark = pytest.mark.skipif(not HRD.exists(), reason="the hrd console script is not installed")


def hrd(*args: str, db: Path, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, HRD_DB=str(db))
    return subprocess.run(
        [str(HRD), *args], env=env, cwd=cwd or ROOT, capture_output=True, timeout=timeout
    )


def out_text(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8-sig")


def err_text(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8")


def csv_of(result: subprocess.CompletedProcess) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(result.stdout), encoding="utf-8-sig")


def count(path: Path, query: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(con.execute(query).fetchall()[0][0])
    finally:
        con.close()


@pytest.fixture()
def seed_copy(writable_seed_db: Path) -> Path:
    """A private copy of the seed database (exports write an audit entry into it)."""
    return writable_seed_db


# --- init and demo ---------------------------------------------------------------------------

def test_init_builds_a_new_database_and_if_missing_is_a_no_op(tmp_path):
    path = tmp_path / "sub" / "new.duckdb"
    first = hrd("init", db=path)
    assert first.returncode == 0, err_text(first)
    assert path.exists()
    assert "2 incidents" in out_text(first) and "19 acts" in out_text(first)
    assert count(path, "select count(*) from incidents") == 2
    assert count(path, "select count(*) from acts") == 19

    before = (path.stat().st_mtime_ns, path.read_bytes())
    second = hrd("init", "--if-missing", db=path)
    assert second.returncode == 0, err_text(second)
    assert "nothing to do" in out_text(second)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert not list(path.parent.glob("*.building*"))


def make_facts_old(path: Path) -> None:
    """Make a database look built by an earlier version: its incident_rows without the columns
    and macro that today's listing reads, and no record of the SQL that built its facts."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create or replace table incident_rows as "
                    "select * exclude (year, region, subregion) from incident_rows order by list_position")
        con.execute("drop macro in_place_and_time")
        con.execute("delete from metadata where key = 'facts_sql'")
    finally:
        con.close()


def test_init_if_missing_rebuilds_facts_made_by_an_earlier_version(seed_copy):
    make_facts_old(seed_copy)
    cases_before = count(seed_copy, "select count(*) from incidents"), count(seed_copy, "select count(*) from acts")
    refused = hrd("export", "incidents", db=seed_copy)
    assert refused.returncode != 0
    assert "built by an earlier version" in err_text(refused) and "hrd init --if-missing" in err_text(refused)
    assert "Traceback" not in err_text(refused)

    first = hrd("init", "--if-missing", db=seed_copy)
    assert first.returncode == 0, err_text(first)
    assert "built by an earlier version and are now rebuilt" in out_text(first)
    assert (count(seed_copy, "select count(*) from incidents"), count(seed_copy, "select count(*) from acts")) == cases_before
    exported = hrd("export", "incidents", db=seed_copy)
    assert exported.returncode == 0, err_text(exported)
    assert len(csv_of(exported)) == 2

    second = hrd("init", "--if-missing", db=seed_copy)
    assert "nothing to do" in out_text(second)


def test_init_refuses_to_overwrite_without_force(seed_copy):
    result = hrd("init", db=seed_copy)
    assert result.returncode == 2
    assert err_text(result).startswith("hrd: error:")
    assert "Traceback" not in err_text(result)


def test_demo_adds_synthetic_incidents(seed_copy):
    result = hrd("demo", "50", db=seed_copy)
    assert result.returncode == 0, err_text(result)
    assert "50 synthetic incidents" in out_text(result)
    assert count(seed_copy, "select count(*) from incidents") == 52
    assert count(seed_copy, "select count(*) from incidents where is_synthetic") == 50
    assert count(seed_copy, "select count(*) from incidents where not is_synthetic") == 2
    # the facts the queries read were refreshed in the same step
    assert count(seed_copy, "select count(distinct incident_id) from act_facts") == 52
    assert count(seed_copy, "select count(*) from act_facts") == count(seed_copy, "select count(*) from acts")


# --- exports ----------------------------------------------------------------------------------

def test_export_summary_by_year_and_actor_type(seed_copy):
    result = hrd("export", "summary", "--by", "year,actor_type", "--unit", "acts", db=seed_copy)
    assert result.returncode == 0, err_text(result)
    assert result.stdout.startswith(b"\xef\xbb\xbf")
    frame = csv_of(result)
    in_2024 = frame[frame["year"] == 2024]
    assert {"anti_rights_group", "police", "legislature", "local_government"} <= set(in_2024["actor_type"])
    got = {r.actor_type: int(r.value) for r in in_2024.itertuples()}
    assert got == {"police": 6, "anti_rights_group": 3, "legislature": 2, "local_government": 1, "company": 1}
    assert set(frame["unit"]) == {"acts"}


def test_export_incidents_to_a_file_with_sidecar(seed_copy, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    path = target / "incidents.csv"
    result = hrd("export", "incidents", "-o", str(path), db=seed_copy)
    assert result.returncode == 0, err_text(result)
    assert path.exists()
    sidecar = target / "incidents.about.txt"
    assert sidecar.exists()
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert sorted(frame["incident_id"]) == [1, 2]
    about = sidecar.read_text(encoding="utf-8")
    assert "Rows: 2" in about
    assert "incidents" in about
    assert result.stdout == b""  # the message goes to stderr, stdout stays clean


@pytest.mark.parametrize("what", ["incidents", "acts"])
def test_export_file_is_the_pages_download_and_counts_its_rows(seed_copy, tmp_path, what):
    """The command line writes what the Cases page's download holds (DuckDB's COPY), and the
    sidecar counts rows, not lines (cells hold line breaks)."""
    from dashboard import export
    from dashboard.filters import Filters

    path = tmp_path / f"{what}.csv"
    result = hrd("export", what, "--mode", "analyst", "-o", str(path), db=seed_copy)
    assert result.returncode == 0, err_text(result)
    con = duckdb.connect(str(seed_copy), read_only=True)
    try:
        make = export.incidents_frame if what == "incidents" else export.acts_frame
        frame = make(con, Filters(), mode="analyst")
    finally:
        con.close()
    assert path.read_bytes() == export.to_csv_bytes(frame)
    assert f"Rows: {len(frame)}" in (tmp_path / f"{what}.about.txt").read_text(encoding="utf-8")
    assert f"Wrote {len(frame)} rows" in err_text(result)


def test_export_with_filters(seed_copy):
    result = hrd("export", "incidents", "--country", "KAZ", "--from", "2024", "--search", "Almaty", db=seed_copy)
    assert result.returncode == 0, err_text(result)
    assert list(csv_of(result)["incident_id"]) == [2]


def test_query_incident_detail(seed_copy):
    result = hrd("query", "incident_detail", "--param", "incident_id=2", db=seed_copy)
    assert result.returncode == 0, err_text(result)
    assert "Almaty" in out_text(result)
    assert list(csv_of(result)["incident_id"]) == [2]


def test_query_list(seed_copy):
    result = hrd("query", "--list", db=seed_copy)
    assert result.returncode == 0, err_text(result)
    assert "incident_detail" in out_text(result)
    assert "summary_by_dimensions" in out_text(result)


# --- errors: status 2, one line, no traceback --------------------------------------------------

@pytest.mark.parametrize(
    "args",
    [
        ("query", "nosuch"),
        ("query", "../etc/passwd"),
        ("export", "summary", "--by", "nosuch", "--unit", "acts"),
        ("export", "summary", "--by", "year;drop table incidents"),
        ("export", "incidents", "--country", "XXX"),
        ("export", "incidents", "--from", "abc"),
        ("export", "incidents", "--from", "2025", "--to", "2020"),
        ("export", "summary", "--by", "year", "--unit", "nosuch"),
        ("query", "incident_detail", "--param", "nosuch=1"),
        ("query", "incident_detail", "--param", "incident_id"),
        ("query", "incident_detail"),
        ("export", "incidents", "--search", "x" * 300),
        ("export", "incidents", "--defender", "abc"),
        ("demo", "0"),
    ],
    ids=[
        "unknown-query", "query-path", "unknown-dimension", "sql-dimension", "unknown-country",
        "bad-year", "year-range", "unknown-unit", "unknown-param", "param-without-value",
        "missing-param", "long-search", "bad-defender", "demo-zero",
    ],
)
def test_errors_are_one_line_with_status_2(seed_copy, args):
    before = count(seed_copy, "select count(*) from incidents")
    result = hrd(*args, db=seed_copy)
    err = err_text(result)
    assert result.returncode == 2, (result.returncode, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hrd: error:"), err
    assert len(lines[0]) < 2000
    assert out_text(result) == ""
    assert count(seed_copy, "select count(*) from incidents") == before


@pytest.mark.parametrize(
    "args",
    [("export", "incidents"), ("export", "summary", "--by", "year"), ("query", "country_list")],
    ids=["export-incidents", "export-summary", "query"],
)
def test_missing_database_is_a_clear_error(tmp_path, args):
    missing = tmp_path / "nothing-here.duckdb"
    result = hrd(*args, db=missing)
    err = err_text(result)
    assert result.returncode == 2, err
    assert "Traceback" not in err
    assert err.strip().startswith("hrd: error:"), err
    assert "hrd init" in err  # says how to build one
    assert len(err.strip().splitlines()) == 1, err
    assert not missing.exists(), "a read command must not create an empty database"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "-o", "{missing}/report.pdf"), "the folder {missing} does not exist"),
        (("report", "-o", "{missing}/report.html"), "the folder {missing} does not exist"),
        (("export", "incidents", "-o", "{missing}/incidents.csv"), "the folder {missing} does not exist"),
        (("export", "summary", "--by", "year", "-o", "{folder}"), "it is a folder; give a file name"),
    ],
    ids=["report-pdf", "report-html", "export-incidents", "export-to-a-folder"],
)
def test_an_output_that_cannot_be_written_is_refused_before_any_work(seed_copy, tmp_path, args, message):
    """A mistyped folder fails at once with a sentence, not after the report or export is built,
    and leaves no audit entry for a file that was never written."""
    missing = tmp_path / "no such folder"
    fill = {"missing": str(missing), "folder": str(tmp_path)}
    audit_before = count(seed_copy, "select count(*) from audit_log")
    result = hrd(*(a.format(**fill) for a in args), db=seed_copy, timeout=60)
    err = err_text(result)
    assert result.returncode == 2, err
    assert err.strip().splitlines() == [f"hrd: error: cannot write {args[-1].format(**fill)}: {message.format(**fill)}"]
    assert not missing.exists()
    assert count(seed_copy, "select count(*) from audit_log") == audit_before
