"""The analyst's command line: ``hrd``.

Every command reads the database at ``$HRD_DB`` (default data/hrd.duckdb) and
fails with a one-line message and a non-zero exit for unknown names, filters or
values, so it can be scripted safely.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any, Sequence

import duckdb

from . import audit, db, sql
from .auth import ROLES, AuthError, add_user, list_users, users_path
from .privacy import MODES, check_mode
from .export import describe_selection, selection_csv_counted, summary_frame, to_csv_bytes, write_with_sidecar
from .filters import FilterError, Filters, check_vocabulary, make_filters
from .metrics import DIMENSIONS, check_unit, vocabulary_sets
from .settings import db_path


class CliError(Exception):
    """An error to print as one line, with exit status 2."""


def _add_filter_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters (comma lists allowed)")
    g.add_argument("--country", action="append", help="ISO-3 country code, e.g. KAZ")
    g.add_argument("--region", action="append", help="continent or UN subregion, e.g. 'Central Asia'")
    g.add_argument("--from", dest="year_from", help="first year")
    g.add_argument("--to", dest="year_to", help="last year")
    g.add_argument("--violation", action="append", help="violation type or category code")
    g.add_argument("--actor", action="append", help="actor type code or group (state, non_state, unknown)")
    g.add_argument("--sector", action="append", help="sector code")
    g.add_argument("--gender", action="append", help="gender code")
    g.add_argument("--visibility", action="append", help="public, restricted, confidential")
    g.add_argument("--search", help="text in titles and summaries")
    g.add_argument("--defender", action="append", help="defender or organisation id")
    g.add_argument("--no-synthetic", action="store_true", help="leave synthetic demo data out")


def filters_from_args(args: argparse.Namespace, con: duckdb.DuckDBPyConnection) -> Filters:
    """Build and check Filters from the command line against the database's vocabularies."""
    filters = make_filters(
        countries=args.country, regions=args.region, year_from=args.year_from, year_to=args.year_to,
        violations=args.violation, actor_types=args.actor, sectors=args.sector, genders=args.gender,
        visibilities=args.visibility, search=args.search, defender_ids=args.defender,
        include_synthetic=not args.no_synthetic,
    )
    check_vocabulary(filters, vocabulary_sets(con))
    return filters


def _open(read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """The configured database, refused with a way out if an earlier version built its fact tables."""
    con = db.connect(db_path(), read_only=read_only)
    if not db.facts_are_current(con):
        con.close()
        raise db.DatabaseError(f"The database at {db_path()} was built by an earlier version of the dashboard. "
                               "Run `hrd init --if-missing` to rebuild its summary tables (the cases are kept).")
    return con


def cmd_init(args: argparse.Namespace) -> int:
    path = db_path()
    if path.exists() and args.if_missing:
        try:
            con = db.connect(path)
        except db.DatabaseError:  # open in the running dashboard, which checks its fact tables itself
            print(f"{path} exists and is open in another program; nothing to do.")
            return 0
        try:
            updated = db.update_facts(con)
        finally:
            con.close()
        print(f"{path} exists; its fact tables were built by an earlier version and are now rebuilt."
              if updated else f"{path} exists; nothing to do.")
        return 0
    db.build(path, demo_incidents=args.demo, seed=args.seed, force=args.force)
    con = _open()
    try:
        counts = con.execute(
            "select (select count(*) from incidents), (select count(*) from acts), "
            "(select count(*) from incidents where is_synthetic)"
        ).fetchall()[0]
    finally:
        con.close()
    print(f"Built {path}: {counts[0]} incidents ({counts[2]} synthetic), {counts[1]} acts.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import generate_demo

    if args.count <= 0:
        raise CliError("the number of incidents must be positive")
    path = db_path()
    if not path.exists():
        db.build(path)
    con = _open(read_only=False)
    try:
        con.execute("begin transaction")
        written = generate_demo(con, args.count, seed=args.seed)
        db.refresh_facts(con)
        con.execute("commit")
    finally:
        con.close()
    print(f"Added {written['incidents']} synthetic incidents and {written['acts']} acts to {path}.")
    return 0


def _emit(data: bytes, rows: int, output: str, about: str) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    csv_path, sidecar = write_with_sidecar(data, Path(output), about)
    print(f"Wrote {rows} rows to {csv_path} (selection described in {sidecar}).", file=sys.stderr)


def check_output(output: str) -> None:
    """Refuse an output file that cannot be written, before any work: a report takes seconds
    to build and an export of a million rows longer, only to fail on a mistyped folder."""
    if output == "-":
        return
    path = Path(output)
    folder = path.parent
    if path.is_dir():
        raise CliError(f"cannot write {path}: it is a folder; give a file name")
    if not folder.is_dir():
        raise CliError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise CliError(f"cannot write {path}: the folder {folder} is not writable")


def _open_for_audit() -> duckdb.DuckDBPyConnection:
    """Read-write when possible (so the export is audited), else read-only."""
    try:
        return _open(read_only=False)
    except db.DatabaseError:
        return _open(read_only=True)


def cmd_export(args: argparse.Namespace) -> int:
    mode = check_mode(args.mode)
    check_output(args.output)
    con = _open_for_audit()
    try:
        filters = filters_from_args(args, con)
        fingerprint = db.content_fingerprint(con)
        unit = None
        if args.what in ("incidents", "acts"):
            # as the Cases page's downloads (stored lines or DuckDB's COPY): seconds at a million rows
            data, rows = selection_csv_counted(con, args.what, filters, mode)
            what = ("incidents, one row per incident" if args.what == "incidents"
                    else "acts, one row per act and perpetrator")
        else:
            if not args.by:
                raise CliError(f"summary needs --by, a comma list of: {', '.join(DIMENSIONS)}")
            unit = check_unit(args.unit)
            frame = summary_frame(con, filters, args.by, unit, mode=mode)
            data, rows = to_csv_bytes(frame), len(frame)
            what = f"summary by {args.by}"
        about = describe_selection(filters, what, unit=unit, row_count=rows, mode=mode, fingerprint=fingerprint)
        audit.record(con, audit.command_line_user(), "export", f"{args.what} ({mode}) -> {args.output}",
                     filters.describe(), rows)
    finally:
        con.close()
    _emit(data, rows, args.output, about)
    return 0


def _compare_from_args(args: argparse.Namespace) -> dict[str, str] | None:
    """The a./b. parameters of ``--compare`` or ``--compare-a``/``--compare-b`` (None: no comparison)."""
    from .report import compare_params

    if args.compare is None and args.compare_a is None and args.compare_b is None:
        return None
    if args.compare is not None and (args.compare_a or args.compare_b):
        raise CliError("use either --compare feminita or --compare-a/--compare-b, not both")
    if args.compare is None and not (args.compare_a and args.compare_b):
        raise CliError("a comparison needs both --compare-a and --compare-b, e.g. 'defender=1&from=2021&to=2021'")
    return compare_params(args.compare, args.compare_a, args.compare_b)


def cmd_report(args: argparse.Namespace) -> int:
    from .compare import side_filters
    from .report import build_report_data, format_for, render

    fmt = format_for(args.output)  # before any work: a wrong extension fails at once
    check_output(args.output)  # and so does a folder that is not there
    mode = check_mode(args.mode)
    unit = check_unit(args.unit)
    compare = _compare_from_args(args)
    if fmt == "pdf":
        from .report.pdf import warm_up

        warm_up()  # Chromium starts while the data is read; fails at once if there is none
    con = _open_for_audit()
    try:
        filters = filters_from_args(args, con)
        if compare is not None:
            if Filters(include_synthetic=filters.include_synthetic) != filters:
                raise CliError("with a comparison, give each side's filters in --compare-a/--compare-b "
                               "(only --no-synthetic applies to both sides)")
            vocab = vocabulary_sets(con)
            notes = [n for prefix in ("a.", "b.") for n in side_filters(compare, prefix, True, vocab)[1]]
            if notes:
                raise CliError("; ".join(notes))
        data = build_report_data(con, filters, unit, mode, compare=compare)
        payload = render(data, fmt, output_name=Path(args.output).name)
        Path(args.output).write_bytes(payload)
        audit.record(con, audit.command_line_user(), "report", f"{fmt} ({mode}) -> {args.output}",
                     data.filter_lines, None)
    finally:
        con.close()
    print(f"Wrote {fmt.upper()} report to {args.output} ({len(payload):,} bytes, {mode} mode, "
          f"data set {data.fingerprint}).", file=sys.stderr)
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    if args.action == "list":
        for user in list_users():
            print(f"{user.name}\t{user.role}")
        return 0
    if not args.name:
        raise CliError("users add needs a NAME")
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise CliError("the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = add_user(args.name, args.role, password)
    except AuthError as exc:
        raise CliError(str(exc)) from None
    print(f"Saved user {user.name} ({user.role}) in {users_path()} (argon2 hash only).")
    return 0


def _query_params(name: str, pairs: Sequence[str]) -> dict[str, Any]:
    """Turn ``key=value`` pairs into typed parameters; selection keys go through Filters."""
    raw: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise CliError(f"--param takes key=value, got {pair!r}")
        key, value = pair.split("=", 1)
        raw[key.strip()] = value
    query = sql.load_query(name)
    unknown = sorted(set(raw) - set(query.params))
    if unknown:
        raise CliError(f"query {name!r} takes no parameter(s) {', '.join(unknown)}; it takes: {', '.join(query.params) or 'none'}")
    filter_keys = set(Filters().to_params())
    filters = make_filters(**{k: v for k, v in raw.items() if k in filter_keys})
    params: dict[str, Any] = filters.to_params()
    for key, value in raw.items():
        if key in filter_keys:
            continue
        params[key] = int(value) if value.strip().lstrip("-").isdigit() else value
    params.setdefault("row_limit", 1000)
    params.setdefault("row_offset", 0)
    missing = [p for p in query.params if p not in params]
    if missing:
        raise CliError(f"query {name!r} needs --param for: {', '.join(missing)}")
    return params


def cmd_query(args: argparse.Namespace) -> int:
    if args.list or not args.name:
        for name in sql.query_names():
            first = sql.load_query(name).header.splitlines()[0] if sql.load_query(name).header else ""
            print(f"{name:32} {first}")
        return 0
    params = _query_params(args.name, args.param or [])
    if args.name == "summary_by_dimensions":
        raise CliError("summary_by_dimensions needs dimensions: use `hrd export summary --by ...`")
    con = _open()
    try:
        frame = sql.run(con, args.name, params)
    finally:
        con.close()
    sys.stdout.buffer.write(to_csv_bytes(frame))
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    import json

    from .ingest.draft import draft_incidents, draft_to_dict

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path} as UTF-8 text: {exc}") from None
    drafts = draft_to_dict(draft_incidents(text))
    print(json.dumps(drafts, ensure_ascii=False, indent=2, default=str))
    if not drafts:
        print("No incident could be proposed (no date with a place or country).", file=sys.stderr)
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    """List the dated backups (or make one now with --now)."""
    from . import backup

    path = db_path()
    if args.now:
        made = backup.backup(path, args.reason)
        print(f"Wrote {made}")
        return 0
    found = backup.list_backups(path)
    if not found:
        print(f"No backups in {backup.backup_dir(path)} yet (one is made before every import and edit batch).")
        return 0
    print(f"Backups of {path} in {backup.backup_dir(path)} (newest last; at most {backup.keep_count()} are kept):")
    for info in found:
        print(f"{info.path.name}\t{info.created:%Y-%m-%d %H:%M:%S} UTC\t{info.reason}\t{info.size / 2**20:.1f} MB")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a backup in place of the database, keeping a backup of the replaced file."""
    from . import backup

    path = db_path()
    kept = backup.restore(path, args.backup)
    print(f"Restored {Path(args.backup).name} to {path}.")
    if kept is not None:
        print(f"The database it replaced is kept as {kept} (`hrd restore {kept.name}` undoes this).")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from . import bench

    return bench.main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hrd", description="Case store of attacks on human rights defenders.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="build the database from the committed seed")
    p.add_argument("--demo", type=int, default=0, metavar="N", help="also add N synthetic demo incidents")
    p.add_argument("--seed", type=int, default=20241009, help="random seed for the demo data")
    p.add_argument("--force", action="store_true", help="rebuild even if the file exists")
    p.add_argument("--if-missing", action="store_true", help="do nothing if the file exists")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="add N synthetic demo incidents (marked synthetic)")
    p.add_argument("count", type=int, nargs="?", default=1000)
    p.add_argument("--seed", type=int, default=20241009)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export", help="write incidents, acts or a summary as CSV")
    p.add_argument("what", choices=["incidents", "acts", "summary"])
    p.add_argument("--by", help=f"summary dimensions, comma list of: {', '.join(DIMENSIONS)}")
    p.add_argument("--unit", default="incidents", help="incidents, acts or defenders")
    p.add_argument("-o", "--output", default="-", help="output CSV file ('-' for standard output)")
    p.add_argument("--mode", default="public", choices=MODES,
                   help="public (default: safe to share; suppression applied) or analyst (everything; internal only)")
    _add_filter_args(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="write a report for donors: PDF (static charts) or self-contained HTML")
    p.add_argument("-o", "--output", required=True, help="output file: FILE.pdf or FILE.html (format from the extension)")
    p.add_argument("--unit", default="incidents", help="incidents, acts or defenders")
    p.add_argument("--mode", default="public", choices=MODES,
                   help="public (default: safe to share; suppression applied) or analyst (everything; internal only)")
    p.add_argument("--compare", choices=["feminita"], help="report on a preset comparison instead of the filters")
    p.add_argument("--compare-a", metavar="PARAMS", help="side A as URL parameters, e.g. 'defender=1&from=2021&to=2021'")
    p.add_argument("--compare-b", metavar="PARAMS", help="side B as URL parameters")
    _add_filter_args(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("users", help="manage analyst sign-in users (argon2 hashes, kept outside the repository)")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", default="analyst", choices=ROLES)
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("draft", help="propose incidents from the text of an appeal or news report (JSON)")
    p.add_argument("file")
    p.set_defaults(func=cmd_draft)

    from .ingest.commands import register as register_import

    register_import(sub)

    p = sub.add_parser("bench", help="time the dashboard on synthetic databases of 10,000 to 10,000,000 incidents")
    from .bench import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("query", help="run a named query from queries/ and print CSV")
    p.add_argument("name", nargs="?")
    p.add_argument("--param", action="append", metavar="KEY=VALUE")
    p.add_argument("--list", action="store_true", help="list the named queries")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("backups", help="list the dated backups made before imports and edit batches")
    p.add_argument("--now", action="store_true", help="make a backup now")
    p.add_argument("--reason", default="manual", help="a word for the backup's name (with --now)")
    p.set_defaults(func=cmd_backups)

    p = sub.add_parser("restore", help="put a backup in place of the database (stop the dashboard server first)")
    p.add_argument("backup", help="a backup's file name from `hrd backups`, or a path to one")
    p.set_defaults(func=cmd_restore)
    return parser


def _one_line(exc: BaseException) -> str:
    """The first line of an error's message (DuckDB's can run to several), kept short."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    first = lines[0] if lines else type(exc).__name__
    # "database has been invalidated ..." names the cause only on a later line
    original = next((line for line in lines[1:] if line.startswith("Original error:")), None)
    if original:
        first = f"{first} {original}"
    return first if len(first) <= 600 else first[:600] + "…"


_HINTS = (
    (("Could not set lock", "Conflicting lock"),
     "another program is using the database: stop the dashboard server or the other hrd command, then try again"),
    (("not a valid DuckDB database", "Corrupt database", "Could not read enough bytes", "checksum"),
     "the database file is damaged: `hrd backups` lists the backups and `hrd restore NAME` puts one back"),
    (("No space left on device", "disk is full", "Disk full"),
     "the disk is full: free some space and try again (an interrupted write leaves the data as it was)"),
    (("Permission denied", "Operation not permitted", "Read-only file system", "read-only mode",
      "Cannot execute statement of type"),
     "the database (or its folder) cannot be written here: check the file's permissions"),
)


def _hint(exc: BaseException) -> str:
    """A next step for the errors a person can fix: a lock, a damaged file, a full disk, permissions."""
    import errno

    if isinstance(exc, OSError):
        return f" (hint: {_HINTS[2][1]})" if exc.errno == errno.ENOSPC else ""
    if not isinstance(exc, (db.DatabaseError, duckdb.Error)):
        return ""
    message = str(exc)
    for needles, hint in _HINTS:
        if any(n in message for n in needles):
            return f" (hint: {hint})"
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hrd`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (CliError, FilterError, db.DatabaseError, sql.UnknownQueryError, ValueError, OSError) as exc:
        message = _one_line(exc)
        print(f"hrd: error: {message}{_hint(exc)}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        message = _one_line(exc)
        print(f"hrd: database error: {message}{_hint(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
