"""Import a spreadsheet (admins): upload, choose or edit a mapping, preview, validate, import."""
from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import cache
from dashboard.components.session import username
from dashboard.db import DatabaseError
from dashboard.i18n import _
from dashboard.ingest.importer import import_file, list_imports, load_vocab, prepare
from dashboard.ingest.mapping import MappingError, parse_mapping_text
from dashboard.ingest.reader import ImportFileError, read_table
from dashboard.settings import MAPPINGS_DIR, db_path

user = st.session_state.get("user")
if user is None or user.role != "admin":
    st.error(_("Only admins can import data."))
    st.stop()

st.title(_("Import cases from a spreadsheet"))
st.caption(_("CSV (any common encoding and delimiter) or XLSX. Everything is checked before anything is written; "
             "an import with errors writes nothing unless you choose to skip the invalid rows."))
upload = st.file_uploader(_("File"), type=["csv", "xlsx", "txt", "tsv"], key="import_file")
shipped = sorted(p.name for p in MAPPINGS_DIR.glob("*.toml"))
choice = st.selectbox(_("Mapping"), shipped + [_("(write my own)")], key="import_mapping_choice")
initial = (MAPPINGS_DIR / choice).read_text(encoding="utf-8") if choice in shipped else ""
mapping_text = st.text_area(_("Mapping (TOML; see data/mappings/README.md)"), initial, height=260,
                            key=f"mapping_text_{choice}")
if upload is None:
    st.info(_("Choose a file to see a preview and the validation report."))
    st.stop()

workdir = Path(tempfile.mkdtemp(prefix="hrd-import-"))
path = workdir / Path(upload.name).name
path.write_bytes(upload.getvalue())
try:
    mapping = parse_mapping_text(mapping_text)
    frame = read_table(path, mapping.file)
except (MappingError, ImportFileError) as exc:
    st.error(str(exc))
    st.stop()

st.subheader(_("Preview (first 20 rows)"))
st.dataframe(frame.head(20), hide_index=True, width="stretch")
prepared = prepare(frame, mapping, load_vocab(cache.connection()), path.name)
report = prepared.report
st.subheader(_("Validation report"))
c = st.columns(3)
c[0].metric(_("Rows read"), report.rows_read)
c[1].metric(_("Rows with errors"), len(report.error_rows))
c[2].metric(_("Warnings"), len(report.warnings))
problems = report.to_frame()
if len(problems):
    st.dataframe(problems, hide_index=True, width="stretch", height=260)
else:
    st.success(_("No problems found."))
skip = st.checkbox(_("Skip invalid rows (they go to a rejects file)"), value=False)
blocked = report.has_file_errors or (report.errors and not skip)
if st.button(_("Import"), type="primary", disabled=bool(blocked)):
    bar = st.progress(0.0, text=_("Starting…"))

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 0.0, text=f"{stage}: {done:,} / {total:,}")

    try:  # the import writes its own audit entry, in its own transaction
        result = import_file(path, mapping, db_path(), skip_invalid=skip, progress=progress, rejects_dir=workdir,
                             user=username())
    except DatabaseError as exc:
        bar.empty()
        st.error(str(exc))
        st.stop()
    st.cache_data.clear()
    st.success(result.summary())
    if result.rejects_path and Path(result.rejects_path).exists():
        st.download_button(_("Download the rejected rows (CSV)"), Path(result.rejects_path).read_bytes(),
                           file_name=Path(result.rejects_path).name, mime="text/csv")
elif blocked:
    st.caption(_("Fix the errors above (or allow skipping invalid rows) to import."))

st.subheader(_("Past imports"))
st.dataframe(list_imports(cache.connection()), hide_index=True, width="stretch")
