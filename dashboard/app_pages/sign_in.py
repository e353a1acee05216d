"""Sign in as an analyst or admin; sign out."""
from __future__ import annotations

import time

import streamlit as st

from dashboard.auth import AuthError, authenticate
from dashboard.components.session import record
from dashboard.i18n import _

st.title(_("Analyst sign-in"))
user = st.session_state.get("user")
if user is not None:
    st.success(_("Signed in as {name} ({role}).").format(name=user.name, role=user.role))
    if st.button(_("Sign out")):
        record("sign_out", user.name)
        st.session_state.pop("user", None)
        st.rerun()
    st.stop()

st.caption(_("Without signing in you see the public view: only public cases are listed and small counts "
             "that include non-public cases are suppressed."))
with st.form("sign_in"):
    name = st.text_input(_("Name"), max_chars=64, key="signin_name")
    password = st.text_input(_("Password"), type="password", max_chars=256, key="signin_password")
    submitted = st.form_submit_button(_("Sign in"))
if submitted:
    try:
        user = authenticate(name, password)
    except AuthError as exc:
        record("sign_in_failed", name[:64])
        st.error(str(exc))
    else:
        st.session_state["user"] = user
        st.session_state["last_seen"] = time.time()
        record("sign_in", user.name)
        st.rerun()
