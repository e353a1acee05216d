"""Reports for donors: one selection or one comparison as a PDF or a self-contained HTML file.

``build.build_report_data`` gathers everything a report shows (core, no Streamlit);
``pdf.render_pdf`` and ``html.render_html`` lay the same blocks out in two formats;
``render`` picks the format from a file name. Reports are public by default and
obey the same privacy rules as the pages (see dashboard.privacy).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .build import ReportData, ReportError, build_report_data, compare_params, report_blocks

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}
MIME_TYPES = {"pdf": "application/pdf", "html": "text/html"}

__all__ = [
    "FORMATS", "MIME_TYPES", "ReportData", "ReportError", "build_report_data", "compare_params",
    "format_for", "render", "report_blocks",
]


def format_for(path: str | Path) -> str:
    """'pdf' or 'html' from a file name's extension; ReportError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(
            f"Unknown report format {suffix or '(no extension)'!r} for {str(path)[:80]!r}: "
            "the file name must end in .pdf or .html."
        )
    return FORMATS[suffix]


def render(data: ReportData, fmt: str, progress: Callable[[float, str], None] | None = None,
           output_name: str | None = None) -> bytes:
    """The report as bytes in the given format ('pdf' or 'html').

    ``output_name`` is the file name printed in the report's "make it again" command.
    """
    name = output_name or f"report.{fmt}"
    if fmt == "pdf":
        from .pdf import render_pdf

        return render_pdf(data, progress=progress, output_name=name)
    if fmt == "html":
        from .html import render_html

        return render_html(data, progress=progress, output_name=name)
    raise ReportError(f"Unknown report format {fmt!r}; choose pdf or html.")
