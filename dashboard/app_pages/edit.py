"""Correct an incident, an act or a defender (analysts and admins); every change is audited."""
from __future__ import annotations

import streamlit as st

from dashboard import cache
from dashboard.components.session import username
from dashboard.edits import EDITABLE, FIELD_LABELS, EditError, apply_edit, choices, current_values
from dashboard.i18n import _

user = st.session_state.get("user")
if user is None or user.role not in ("analyst", "admin"):
    st.error(_("Only signed-in analysts and admins can correct records."))
    st.stop()

st.title(_("Correct a record"))
st.caption(_("Each change is written to the audit log with its values before and after."))
table = st.selectbox(_("Record type"), list(EDITABLE), format_func=lambda t: {"incidents": _("Incident"), "acts": _("Act"), "defenders": _("Defender")}[t])
record_id = st.number_input(_("Id"), min_value=1, step=1, value=2 if table == "incidents" else 1)
con = cache.connection()
cur = con.cursor()
try:
    current = current_values(cur, table, int(record_id))
finally:
    cur.close()
if current is None:
    st.info(_("No record with this id."))
    st.stop()
vocabularies = choices(con)
with st.form("edit_form"):
    changes = {}
    for field, kind in EDITABLE[table].items():
        value = current[field]
        label = _(FIELD_LABELS.get(field, field))
        if kind == "bool":
            changes[field] = st.checkbox(label, value=bool(value))
        elif kind == "text" and field in ("summary", "description"):
            changes[field] = st.text_area(label, value=value or "", height=150)
        elif kind in vocabularies:  # a coded field: its vocabulary's labels to choose from, never a typed code
            names = vocabularies[kind]
            codes = list(names) + ([value] if value not in names else [])
            changes[field] = st.selectbox(label, codes, index=codes.index(value),
                                          format_func=lambda code, names=names: f"{names.get(code, code)} ({code})")
        else:
            changes[field] = st.text_input(label, value="" if value is None else str(value))
    submitted = st.form_submit_button(_("Save"))
if submitted:
    try:
        typed = {f: v for f, v in changes.items()}
        result = apply_edit(con, table, int(record_id), typed, username())
    except EditError as exc:
        st.error(str(exc))
    else:
        if result["after"]:
            st.success(_("Saved: {fields}.").format(fields=", ".join(result["after"])))
            st.cache_data.clear()
        else:
            st.info(_("Nothing changed."))
