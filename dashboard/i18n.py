"""One translation function for every user-facing string.

Groups documenting attacks in Central Asia work in Russian and Kazakh; routing all
text through ``_`` now means a gettext catalogue (compiled with Babel) can be
dropped into ``dashboard/locale/<lang>/LC_MESSAGES/dashboard.mo`` later without
touching the pages.
"""
from __future__ import annotations

import gettext
import os
from pathlib import Path

_LOCALE_DIR = Path(__file__).parent / "locale"
_translation = gettext.translation(
    "dashboard",
    localedir=_LOCALE_DIR,
    languages=[os.environ.get("HRD_LANG", "en")],
    fallback=True,
)


def _(message: str) -> str:
    """Translate ``message`` into the interface language (English when no catalogue)."""
    return _translation.gettext(message)
