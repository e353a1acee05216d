"""The signed-in user of this browser session, the idle timeout, and audit entries."""
from __future__ import annotations

import time
from typing import Any

import streamlit as st

from .. import audit, cache
from ..auth import User, idle_minutes
from ..i18n import _


def current_user() -> User | None:
    """The signed-in user, or None; ends the session after the configured idle time."""
    user = st.session_state.get("user")
    if user is None:
        return None
    now = time.time()
    last = st.session_state.get("last_seen", now)
    if now - last > idle_minutes() * 60:
        record("sign_out_idle", user.name)
        st.session_state.pop("user", None)
        st.session_state["signed_out_note"] = _("You were signed out after a period of inactivity.")
        return None
    st.session_state["last_seen"] = now
    return user


def mode() -> str:
    """public for visitors and viewers; analyst for analysts and admins."""
    user = st.session_state.get("user")
    return user.mode if user is not None else "public"


def username() -> str:
    user = st.session_state.get("user")
    return user.name if user is not None else "public visitor"


def record(action: str, target: str = "", filters: Any = None, row_count: int | None = None,
           before: Any = None, after: Any = None) -> None:
    """Write an audit entry for this session's user."""
    audit.record(cache.connection(), username(), action, target, filters, row_count, before, after)
