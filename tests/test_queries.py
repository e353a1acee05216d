"""Every named query has a header, runs, and takes values only as parameters."""
from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pandas as pd
import pytest

from dashboard import metrics, sql
from dashboard.filters import Filters

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
PACKAGE = ROOT / "dashboard"
NOT_NAMED_QUERIES = {"schema", "refresh_act_facts", "refresh_incident_rows", "selected_acts_macro",
                     "refresh_incident_csv_lines", "edit_update_incident", "edit_update_act", "edit_update_defender",
                     "refresh_text_incident_rows", "refresh_text_incident_facts", "refresh_text_act_facts",
                     "refresh_text_incident_csv_line"}
QUERY_FILES = sorted(p for p in QUERIES.glob("*.sql") if p.stem not in NOT_NAMED_QUERIES)

# Values for the non-selection parameters. incident 2 (Almaty) and defender 2
# (Zhanar Sekerbayeva) are seed rows, so they exist in the demo database too.
EXTRA_PARAMS = {"row_limit": 100, "row_offset": 0, "incident_id": 2, "defender_id": 2,
                "violation_category": "killing", "sectors": [], "country_code": "", "publisher": "Committee to Protect Journalists",
                "metric": "journalists_killed", "country": "World",
                "record_id": 2}
# The privacy switches, as public mode and analyst mode set them.
MODE_PARAMS = {
    "public": {"reveal_names": False, "reveal_places": False, "public_only": True, "search_public_only": True},
    "analyst": {"reveal_names": True, "reveal_places": True, "public_only": False, "search_public_only": False},
}
# Queries whose table is empty in a freshly built database.
MAY_BE_EMPTY = {"audit_log_list", "published_own_killings_by_year",  # no audit entries / no imported data in the demo database
                "incident_csv_columns"}  # columns only, by design
ALL_UNITS = ("incidents", "acts", "defenders")


def header_of(path: Path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line)
    return "\n".join(lines)


def test_there_are_query_files():
    assert len(QUERY_FILES) >= 15
    assert {p.stem for p in QUERY_FILES} == set(sql.query_names())


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_has_a_header(path):
    header = header_of(path)
    assert "One row" in header, f"{path.name}: the header must say what one row means"
    assert "Parameters" in header, f"{path.name}: the header must list the parameters"
    # every parameter the body uses is named in the header
    query = sql.load_query(path.stem)
    for param in query.params:
        assert f"${param}" in header, f"{path.name}: ${param} is used but not listed in the header"
    if not query.params:
        assert re.search(r"Parameters:\s*none", header), f"{path.name}: say 'Parameters: none.'"


@pytest.mark.parametrize("mode", ["public", "analyst"])
@pytest.mark.parametrize(
    "path", [p for p in QUERY_FILES if p.stem != "summary_by_dimensions"], ids=lambda p: p.stem
)
def test_query_runs_on_the_demo_database(demo_con, path, mode):
    query = sql.load_query(path.stem)
    available = Filters().to_params() | EXTRA_PARAMS | MODE_PARAMS[mode]
    missing = [p for p in query.params if p not in available]
    assert not missing, f"{path.name} needs parameters this test does not know: {missing}"
    frame = sql.run(demo_con, path.stem, available)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame.columns) > 0
    if path.stem not in MAY_BE_EMPTY:
        assert len(frame) > 0, f"{path.name} returned no rows on the demo database"


def test_row_limit_and_offset_page_through_lists(demo_con):
    params = Filters().to_params() | MODE_PARAMS["analyst"] | {"row_limit": 10, "row_offset": 0}
    first = sql.run(demo_con, "incident_list", params)
    second = sql.run(demo_con, "incident_list", params | {"row_offset": 10})
    assert len(first) == 10 and len(second) == 10
    assert not set(first["incident_id"]) & set(second["incident_id"])


def assert_in_order(frame: pd.DataFrame, by: list[str], ascending: list[bool]) -> None:
    """The query's rows come in exactly the order of these keys (a stable sort changes nothing)."""
    ordered = frame.sort_values(by, ascending=ascending, kind="stable")
    assert list(frame.index) == list(ordered.index)


@pytest.mark.parametrize("mode", ["public", "analyst"])
def test_places_are_in_one_order_whatever_the_ties(demo_con, mode):
    """Places with as many incidents and the same name ("(not public)" in public mode, a place
    name that recurs across countries) come in country order, so the table and its CSV list
    the same rows in the same order on every run."""
    params = Filters().to_params() | MODE_PARAMS[mode] | {"reveal_places": mode == "analyst"}
    frame = sql.run(demo_con, "places_by_incident_count", params)
    assert frame.duplicated(["value", "place"]).any()  # the demo has such ties
    assert_in_order(frame, ["value", "place", "country_code"], [False, True, True])


def test_filter_options_and_defenders_are_in_one_order_whatever_the_ties(demo_con):
    """Equal counts are settled by the code (sidebar options) and the name, then the id (defenders:
    the list stops at 500, so a tie at the cut would otherwise change who is listed)."""
    options = sql.run(demo_con, "filter_options", {})
    assert_in_order(options, ["dimension", "act_count", "code"], [True, False, True])
    params = {"include_synthetic": True, "search": "", "public_only": False}
    defenders = sql.run(demo_con, "defender_list", params)
    assert_in_order(defenders, ["incident_count", "name", "defender_id"], [False, True, True])


def test_detail_queries_find_the_seed_incident(demo_con):
    detail = sql.run(demo_con, "incident_detail", {"incident_id": 2})
    assert list(detail["place"]) == ["Almaty"]
    acts = sql.run(demo_con, "incident_acts", {"incident_id": 2} | MODE_PARAMS["analyst"])
    assert set(acts["act_id"]) == set(range(9, 20))


@pytest.mark.parametrize("unit", ALL_UNITS)
@pytest.mark.parametrize("dimension", list(metrics.DIMENSIONS))
def test_summary_by_every_dimension_and_unit(demo_con, dimension, unit):
    # analyst mode: no small-cell suppression, so the counting rule can be checked
    frame = metrics.aggregate(demo_con, Filters(), dimension, unit, mode="analyst")
    dim = metrics.DIMENSIONS[dimension]
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 1
    for col in (dim.column, "value", "incident_count", "has_non_public", "has_synthetic", "distinct_total"):
        assert col in frame.columns, col
    if dim.vocabulary:
        assert f"{dim.column}_label" in frame.columns
    assert (frame["value"] > 0).all()
    total = int(frame["distinct_total"].iloc[0])
    assert total > 0
    # Counting rule: a breakdown where each counted thing has exactly one value
    # adds up to the distinct total; any other adds up to at least the total.
    single_valued = (
        (unit == "incidents" and dimension in {"country", "region", "subregion", "year"})
        or (unit == "acts" and dimension in {
            "country", "region", "subregion", "year", "violation", "violation_category",
            "sdg_category", "gender",
        })
        or (unit == "defenders" and dimension == "gender")
    )
    if single_valued:
        assert int(frame["value"].sum()) == total
        assert metrics.multi_count_note(frame) is None
    else:
        assert int(frame["value"].sum()) >= total
        assert metrics.multi_count_note(frame) is not None


@pytest.mark.parametrize("unit", ALL_UNITS)
@pytest.mark.parametrize("dimension", list(metrics.DIMENSIONS))
def test_summary_in_public_mode(demo_con, dimension, unit):
    frame = metrics.aggregate(demo_con, Filters(), dimension, unit)  # public is the default
    assert isinstance(frame, pd.DataFrame) and len(frame) > 1
    shown = frame["value"].dropna()
    assert (shown > 0).all()
    # a hidden cell carries no number
    if "is_suppressed" in frame:
        assert frame.loc[frame["is_suppressed"].astype(bool), "value"].isna().all()


def test_summary_by_two_dimensions(demo_con):
    frame = metrics.aggregate(demo_con, Filters(), ["country", "year"], "incidents", mode="analyst")
    assert int(frame["value"].sum()) == int(frame["distinct_total"].iloc[0])


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "../../etc/passwd",
        "/etc/passwd",
        "queries/incident_list",
        "incident_list.sql",
        "INCIDENT_LIST",
        "incident_list; drop table incidents",
        "nosuch",
        "",
        "_private",
        "incident_list\n",
        "..",
    ],
)
def test_unknown_query_names_are_refused(name):
    with pytest.raises(sql.UnknownQueryError) as info:
        sql.load_query(name)
    message = str(info.value)
    assert message.startswith("Unknown query")
    assert "incident_list" in message  # lists the known queries


def test_run_refuses_unknown_names(seed_con):
    with pytest.raises(sql.UnknownQueryError):
        sql.run(seed_con, "../etc/passwd")


@pytest.mark.parametrize("name", sorted(NOT_NAMED_QUERIES))
def test_schema_and_macro_files_are_not_named_queries(name):
    """query_names() leaves these out ("schema and macro files excluded"), so
    load_query should not serve them either: `hrd query schema` would otherwise try
    to run DDL (db.py reads these files itself)."""
    assert name not in sql.query_names()
    with pytest.raises(sql.UnknownQueryError):
        sql.load_query(name)


def test_statements_are_read_only_by_name_from_their_list():
    """sql.statement serves the statement files and nothing else (not a query, not a path)."""
    assert set(sql.STATEMENTS) == NOT_NAMED_QUERIES
    for name in NOT_NAMED_QUERIES:
        assert sql.statement(name).body.strip()
    for name in ("incident_list", "../queries/schema", "edit_update_incidents"):
        with pytest.raises(sql.UnknownQueryError):
            sql.statement(name)


def test_missing_parameter_is_a_clear_error(seed_con):
    with pytest.raises(ValueError, match="incident_id"):
        sql.run(seed_con, "incident_detail", {})


# --- no SQL built from values ----------------------------------------------------------

EXECUTE_METHODS = {"execute", "executemany", "sql", "query", "from_query"}
# The project's convention (db.py, demo.py): "# fixed names", "# fixed table names",
# "# table/cols from committed files", "# names from EDITABLE" (an allowlist).
FIXED_NAMES_COMMENT = re.compile(r"#.*\b(fixed|names|committed|allowlist)", re.IGNORECASE)
PY_FILES = sorted(PACKAGE.rglob("*.py"))


def comments_by_line(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string
    return out


def test_python_files_found():
    assert any(p.name == "db.py" for p in PY_FILES)


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_execute_with_fstring_only_for_fixed_names_line_grep(path):
    """The simple form: a line with ``execute(f"`` says in a comment that the names are fixed."""
    bad = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if re.search(r"""\bexecute(many)?\(\s*f["']""", line) and not FIXED_NAMES_COMMENT.search(line):
            bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert bad == [], "SQL built with an f-string and no '# fixed names' comment:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_execute_with_formatted_sql_only_for_fixed_names(path):
    """The thorough form, across line breaks: any execute/sql call whose SQL is an
    f-string, ``%`` or ``.format()`` must carry the comment on one of its lines."""
    source = path.read_text(encoding="utf-8")
    comments = comments_by_line(source)
    bad = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in EXECUTE_METHODS or not node.args:
            continue
        first = node.args[0]
        formatted = (
            isinstance(first, ast.JoinedStr)
            or (isinstance(first, ast.BinOp) and isinstance(first.op, (ast.Mod, ast.Add)))
            or (isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute)
                and first.func.attr in {"format", "format_map"})
        )
        if not formatted:
            continue
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        if not any(FIXED_NAMES_COMMENT.search(comments.get(n, "")) for n in lines):
            bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bad == [], "SQL built by formatting without a comment saying the names are fixed: " + ", ".join(bad)


@pytest.mark.parametrize(
    ("by", "unit"),
    [
        ("country_code; drop table incidents", "acts"),
        ("year) from incidents; --", "acts"),
        ("{unit_key}", "acts"),
        ("year", "act_id) from incidents; --"),
        ("year", "incident_id"),
    ],
)
def test_identifiers_come_only_from_the_allowlist(seed_con, by, unit):
    from dashboard.filters import FilterError

    with pytest.raises(FilterError):
        metrics.aggregate(seed_con, Filters(), by, unit)
