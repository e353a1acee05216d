"""Make stored text safe to show: no bidi overrides, no control characters.

Case texts come from appeals, spreadsheets and web forms that nobody cleaned.
A right-to-left override can make "evil" read as "live" in a table, and control
characters (terminal escapes, bells, NULs) can break a grid or a log. The pages
show text through these functions so that what the reader sees is what is
stored, minus the invisible characters that could disguise it. Nothing is
changed in the database: cleaning happens only on the way to the screen.
"""
from __future__ import annotations

import re

import pandas as pd

#: Unicode bidirectional embedding, override and isolate controls.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")


def clean(text: object) -> str:
    """Text without bidi controls and control characters; line breaks and tabs are kept."""
    if text is None:
        return ""
    value = str(text)
    return _INVISIBLE.sub("", value) if _INVISIBLE.search(value) else value


def clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text columns are cleaned; numbers, dates and flags are left as they are."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(lambda v: clean(v) if isinstance(v, str) else v)
    return out
