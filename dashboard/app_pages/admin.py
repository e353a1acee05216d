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
# columns named in words; an empty cell is blank, not "None"; a short log takes its own height
st.dataframe(log, hide_index=True, width="stretch", placeholder="", column_config={
    "audit_id": st.column_config.NumberColumn("#"),
    "logged_at": st.column_config.DatetimeColumn(_("When (UTC)"), format="YYYY-MM-DD HH:mm:ss"),
    "username": _("User"), "action": _("Action"), "target": _("What"), "filters": _("Filters"),
    "row_count": st.column_config.NumberColumn(_("Rows")), "before": _("Before"), "after": _("After"),
})
st.download_button(_("Download the audit log (CSV)"), export.to_csv_bytes(log), file_name="hrd_audit_log.csv",
                   mime="text/csv", on_click=record, args=("export", "audit log", None, len(log)))
st.subheader(_("Users"))
st.caption(_("Users are kept in {path}; add them with `hrd users add NAME --role ROLE`.").format(path=users_path()))
st.dataframe([{"name": u.name, "role": u.role} for u in list_users()], hide_index=True,
             column_config={"name": _("Name"), "role": _("Role")})
