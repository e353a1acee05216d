"""The import commands of ``hrd``: ``hrd import``, ``hrd import --undo ID`` and ``hrd imports``.

Kept apart from cli.py so the import feature can be wired in with one call,
``register(subparsers)``. Exit status 2 means "nothing was written because of
errors" (a script can stop there); with ``--skip-invalid`` the valid rows are
written, the rejects go to ``<input stem>.rejects.csv`` and the status is 0.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .. import db
from ..i18n import _
from ..settings import MAPPINGS_DIR, db_path
from .importer import ImportResult, UndoError, import_file, list_imports, undo_import
from .mapping import MappingError
from .reader import ImportFileError

REPORT_LIMIT = 50
_HANDLED = (ImportFileError, MappingError, UndoError, db.DatabaseError)


def register(subparsers: Any) -> None:
    """Add ``import`` and ``imports`` to the ``hrd`` sub-command parsers."""
    p = subparsers.add_parser(
        "import", help=_("import a CSV or XLSX file through a mapping (or undo an import)"),
        description=_("Validate a file against a mapping and import it in one transaction. "
                      "Mappings are TOML files; see data/mappings/README.md."),
    )
    p.add_argument("file", nargs="?", type=Path, help=_("the CSV or XLSX file"))
    p.add_argument("--mapping", type=Path, help=_("the mapping TOML file (a bare name is looked up in data/mappings/)"))
    p.add_argument("--skip-invalid", action="store_true",
                   help=_("write the valid rows and put the others in <file>.rejects.csv"))
    p.add_argument("--dry-run", action="store_true", help=_("validate and report, write nothing"))
    p.add_argument("--rejects-dir", type=Path, help=_("folder for the rejects CSV (default: beside the input)"))
    p.add_argument("--undo", type=int, metavar="ID",
                   help=_("remove the incidents import ID added (updates it made are not reverted)"))
    p.set_defaults(func=cmd_import)

    p = subparsers.add_parser("imports", help=_("list the recorded imports"))
    p.set_defaults(func=cmd_imports)


def _mapping_path(raw: Path) -> Path:
    """A bare mapping name such as ``cpj_journalists_killed`` means data/mappings/<name>.toml."""
    if raw.exists() or raw.parent != Path("."):
        return raw
    candidate = MAPPINGS_DIR / (raw.name if raw.suffix == ".toml" else f"{raw.name}.toml")
    return candidate if candidate.exists() else raw


def _fail(message: str) -> int:
    print(f"hrd: error: {message}", file=sys.stderr)
    return 2


def _print_result(result: ImportResult) -> None:
    report = result.report
    if report.problems:
        print(report.format(REPORT_LIMIT))
    else:
        print(report.summary())
    print(result.summary())
    if result.rejects_path:
        print(_("Rejected rows and reasons: {path}").format(path=result.rejects_path))


def cmd_import(args: argparse.Namespace) -> int:
    """``hrd import FILE --mapping M`` or ``hrd import --undo ID``."""
    try:
        if args.undo is not None:
            if args.file or args.mapping:
                return _fail(_("--undo takes only the import id"))
            undone = undo_import(db_path(), args.undo)
            print(_("Undid import {id} ({file}): removed {n} incidents.").format(
                id=undone.import_id, file=undone.file_name, n=undone.incidents_removed))
            return 0
        if not args.file or not args.mapping:
            return _fail(_("give a FILE and --mapping MAPPING.toml (or --undo ID)"))
        result = import_file(args.file, _mapping_path(args.mapping), db_path(),
                             skip_invalid=args.skip_invalid, dry_run=args.dry_run, rejects_dir=args.rejects_dir)
    except _HANDLED as exc:
        return _fail(str(exc))
    _print_result(result)
    if result.report.has_file_errors or (result.report.errors and not args.skip_invalid):
        print(_("Nothing was written: fix the errors, or use --skip-invalid to import the valid rows."), file=sys.stderr)
        return 2
    return 0


def cmd_imports(args: argparse.Namespace) -> int:
    """``hrd imports``: the import log as a table."""
    try:
        con = db.connect(db_path(), read_only=True)
    except db.DatabaseError as exc:
        return _fail(str(exc))
    try:
        frame = list_imports(con)
    finally:
        con.close()
    if frame.empty:
        print(_("No imports yet."))
        return 0
    frame["imported_at"] = frame["imported_at"].dt.strftime("%Y-%m-%d %H:%M")
    frame["status"] = frame.pop("is_undone").map({True: _("undone"), False: _("active")})
    frame = frame.drop(columns=["file_sha256"]).rename(columns={"import_id": "id"})
    print(frame.to_string(index=False))
    return 0
