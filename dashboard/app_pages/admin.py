"""Admins: the audit log (viewable and exportable) and the list of users."""
from __future__ import annotations

import streamlit as st

from dashboard import audit, cache, export
from dashboard.auth import list_users, users_path
from dashboard.components.session import record
from dashboard.i18n import _

user = st.session_state.get("user")
if user is None or user.role != "admin":
    st.error(_("Only admins can see the audit log."))
    st.stop()

st.title(_("Audit log"))
log = audit.entries(cache.connection(), 5000)
st.dataframe(log, hide_index=True, width="stretch", height=420)
st.download_button(_("Download the audit log (CSV)"), export.to_csv_bytes(log), file_name="hrd_audit_log.csv",
                   mime="text/csv", on_click=record, args=("export", "audit log", None, len(log)))
st.subheader(_("Users"))
st.caption(_("Users are kept in {path}; add them with `hrd users add NAME --role ROLE`.").format(path=users_path()))
st.dataframe([{"name": u.name, "role": u.role} for u in list_users()], hide_index=True)
