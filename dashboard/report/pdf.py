"""The report as an A4 PDF: fpdf2 for the pages, kaleido (with Debian's Chromium) for the charts.

- Fonts: DejaVu Sans (Debian's fonts-dejavu-core) when present, so Kazakh and
  Russian names print; otherwise the PDF core fonts, with characters they cannot
  show replaced (and a note in the footer that the text was simplified).
- Charts: rendered once per report to PNG by kaleido at 800 px wide (so that the
  13 px chart font prints at about 8 pt) and twice that resolution, then scaled
  to the text width. ``kaleido.start_sync_server()`` keeps one Chromium running for
  the process (about 0.5 s per chart instead of 3 s); a lock keeps concurrent
  Streamlit sessions from mixing up its answers.
- Every page has its number in the footer; in analyst mode every page carries
  the "ANALYST REPORT" header.
"""
from __future__ import annotations

import io
import os
import shutil
import struct
import threading
import time
import warnings
from pathlib import Path
from typing import Callable

import plotly.graph_objects as go
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from .. import charts
from ..i18n import _
from .build import (Block, Bullets, CaseBlock, Chart, ChartPair, Heading, Metrics, PageBreak, Paragraph, ReportData,
                    ReportError, Table, charts_in, report_blocks)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CHART_WIDTH_PX = 800
PAIR_WIDTH_PX = 430  # each chart of a ChartPair: half the page, its text as large as a whole chart's
PAIR_GAP_MM = 6.0
CHART_SCALE = 2
CHROMIUM_HELP = (
    "The PDF's charts are drawn by Chromium, which was not found. Install it with "
    "`apt-get install chromium` (Debian/Ubuntu), or set BROWSER_PATH to a Chrome or Chromium executable. "
    "The HTML report (-o report.html) needs no browser to be made."
)
_RENDER_LOCK = threading.Lock()
_SERVER_STARTED = False
INK = (33, 37, 41)
GREY = (100, 100, 100)
RED = (179, 38, 30)
BLUE = (31, 95, 168)
_LATIN1 = {"–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "→": "->", "…": "...", "•": "-",
           "·": "-", "≥": ">=", "≤": "<=", "\u00a0": " "}


# --- static chart images ------------------------------------------------------------------

def find_chromium() -> str:
    """The browser kaleido will drive: BROWSER_PATH, else chromium/chrome on PATH; ReportError if none."""
    wanted = os.environ.get("BROWSER_PATH", "").strip()
    if wanted:
        if Path(wanted).is_file():
            return wanted
        raise ReportError(f"BROWSER_PATH={wanted!r} is not a file. {CHROMIUM_HELP}")
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(CHROMIUM_HELP)


def _start_server(browser: str) -> bool:
    """Start kaleido's long-lived browser once per process (False if this kaleido has none)."""
    global _SERVER_STARTED
    import kaleido

    if _SERVER_STARTED:
        return True
    if not hasattr(kaleido, "start_sync_server"):
        return False
    kaleido.start_sync_server(path=browser, silence_warnings=True)
    _SERVER_STARTED = True
    return True


def warm_up() -> None:
    """Start Chromium for the charts now, in the background, while the report's data is gathered.

    Starting the browser takes seconds; kaleido's server starts it on its own
    thread, so calling this before ``build_report_data`` overlaps the two. Raises
    ReportError at once when there is no Chromium.
    """
    browser = find_chromium()
    with _RENDER_LOCK:
        _start_server(browser)


def render_images(figures: list[go.Figure], progress: Callable[[int], None] | None = None,
                  widths: list[int] | None = None) -> list[bytes]:
    """PNG bytes of each figure, drawn offline (map shapes from dashboard/static/topojson),
    each ``widths[i]`` pixels wide (default ``CHART_WIDTH_PX``)."""
    if not figures:
        return []
    browser = find_chromium()
    charts.configure_static_images()
    import kaleido
    import plotly.io as pio

    out = []
    with _RENDER_LOCK:
        use_server = _start_server(browser)
        for number, fig in enumerate(figures):
            height = int(fig.layout.height or 400)
            width = widths[number] if widths else CHART_WIDTH_PX
            opts = dict(format="png", width=width, height=height, scale=CHART_SCALE)
            try:
                if use_server:
                    png = kaleido.calc_fig_sync(fig.to_dict(), opts=opts, topojson=pio.defaults.topojson)
                else:  # pragma: no cover - older kaleido
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        png = fig.to_image(**opts)
            except Exception as exc:  # noqa: BLE001 - kaleido raises many kinds; the message matters
                if "Chrome" in type(exc).__name__ or "browser" in str(exc).lower():
                    raise ReportError(f"{CHROMIUM_HELP} ({exc})") from exc
                raise
            out.append(png)
            if progress:
                progress(number + 1)
    return out


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ReportError("A chart image is not a PNG.")
    return struct.unpack(">II", png[16:24])


# --- the document ---------------------------------------------------------------------------

class ReportPDF(FPDF):
    """A4 pages with a running header (the analyst banner when it applies) and numbered footers."""

    def __init__(self, data: ReportData) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.data = data
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").is_file() and (FONT_DIR / "DejaVuSans-Bold.ttf").is_file()
        if self.unicode:
            self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            mono = FONT_DIR / "DejaVuSansMono.ttf"
            self.add_font("DejaVuMono", "", str(mono if mono.is_file() else FONT_DIR / "DejaVuSans.ttf"))
            self.family, self.mono = "DejaVu", "DejaVuMono"
        else:
            self.family, self.mono = "helvetica", "courier"
        self.set_margins(18, 20 if data.banner else 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(self.clean(data.title))
        self.set_author("HRD attacks dashboard")
        self.set_creator("hrd report")
        self.set_text_color(*INK)

    def clean(self, text: object) -> str:
        """Text the current fonts can show (core fonts: Latin-1 only)."""
        value = "" if text is None else str(text)
        value = "".join(ch for ch in value if ch.isprintable() or ch == "\n")
        if self.unicode:
            return value
        for bad, good in _LATIN1.items():
            value = value.replace(bad, good)
        return value.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        if self.data.banner:
            self.set_xy(0, 0)
            self.set_fill_color(*RED)
            self.set_text_color(255, 255, 255)
            self.set_font(self.family, "B", 10)
            self.cell(self.w, 9, self.clean(self.data.banner), align="C", fill=True)
            self.set_text_color(*INK)
        if self.page_no() > 1:
            self.set_xy(self.l_margin, 11 if self.data.banner else 7)
            self.set_font(self.family, "", 7.5)
            self.set_text_color(*GREY)
            self.cell(self.epw, 4, self.clean(self.data.title), align="R")
            self.set_text_color(*INK)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 7.5)
        self.set_text_color(*GREY)
        left = _("Data set {fingerprint}").format(fingerprint=self.data.fingerprint) + f" · {self.data.created:%Y-%m-%d}"
        if self.data.mode == "analyst":
            left += " · " + _("ANALYST – not for publication")
        self.cell(self.epw / 2, 5, self.clean(left), align="L")
        self.cell(self.epw / 2, 5, _("Page {page} of {pages}").format(page=self.page_no(), pages="{nb}"), align="R")
        self.set_text_color(*INK)

    # --- layout helpers -------------------------------------------------------------------

    def space_left(self) -> float:
        return self.page_break_trigger - self.get_y()

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one."""
        if self.space_left() < height:
            self.add_page()

    def para(self, value: str, size: float = 10, style: str = "", colour: tuple[int, int, int] = INK,
             height: float | None = None, family: str | None = None, fill: tuple[int, int, int] | None = None,
             indent: float = 0, link: str | None = None, wrap_chars: bool = False) -> None:
        self.set_font(family or self.family, style, size)
        self.set_text_color(*colour)
        if fill:
            self.set_fill_color(*fill)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, height or size * 0.5, self.clean(value), align="L", fill=bool(fill),
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT, link=link or None,
                        wrapmode=WrapMode.CHAR if wrap_chars else WrapMode.WORD,
                        padding=(1.2, 2, 1.2, 2) if fill else 0)
        self.set_text_color(*INK)

    def gap(self, mm: float = 2) -> None:
        self.ln(mm)


def _title_page(pdf: ReportPDF, data: ReportData) -> None:
    pdf.add_page()
    if data.mode == "analyst":
        pdf.para(_("ANALYST REPORT – NOT FOR PUBLICATION"), 12, "B", RED)
        pdf.gap(2)
    pdf.para(data.title, 20, "B", height=9)
    pdf.gap(1)
    pdf.para(data.subtitle, 11, colour=GREY, height=6)
    pdf.gap(1)
    pdf.para(_("Made on {date} · data set fingerprint {fingerprint} · {kind}").format(
        date=f"{data.created:%d %B %Y}", fingerprint=data.fingerprint,
        kind=_("public report") if data.mode == "public" else _("analyst report")), 8.5, colour=GREY)
    pdf.gap(3)
    pdf.set_draw_color(200, 200, 200)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.gap(3)


def _heading(pdf: ReportPDF, block: Heading, following: Block | None, images: dict[int, tuple[bytes, float]]) -> None:
    keep = 30.0
    if isinstance(following, Chart) and id(following) in images:
        keep = 12 + images[id(following)][1]
    elif isinstance(following, ChartPair) and id(following.left) in images:
        keep = 12 + _pair_room(following, images)
    if block.level == 1:
        keep = max(keep, 80)  # a section title never sits alone at the foot of a page
    pdf.need(min(keep, pdf.page_break_trigger - pdf.t_margin))
    if block.level == 1:
        pdf.gap(3)
        pdf.para(block.text, 15, "B", height=8)
        pdf.gap(2)
    else:
        pdf.gap(2)
        pdf.para(block.text, 11.5, "B", height=6)
        pdf.gap(1)


def _paragraph(pdf: ReportPDF, block: Paragraph) -> None:
    if block.style == "small":
        pdf.para(block.text, 8.5, colour=GREY, height=4.2)
    elif block.style == "note":
        pdf.para(block.text, 9, colour=GREY, height=4.6)
    elif block.style == "warning":
        pdf.para(block.text, 9.5, "B", colour=(122, 27, 20), fill=(253, 231, 233), height=5)
    elif block.style == "code":
        pdf.para(block.text, 8.5, family=pdf.mono, fill=(243, 243, 243), height=4.5, wrap_chars=True)
    else:
        pdf.para(block.text, 10, height=5)
    pdf.gap(1.5)


def _bullets(pdf: ReportPDF, block: Bullets) -> None:
    size = 8.5 if block.style == "small" else 10
    for item in block.items:
        pdf.set_font(pdf.family, "", size)
        pdf.set_x(pdf.l_margin + 2)
        pdf.cell(4, size * 0.5, pdf.clean("•"))
        pdf.para(item, size, height=size * 0.5, indent=6)
        pdf.gap(0.6)
    pdf.gap(1.5)


def _metrics(pdf: ReportPDF, block: Metrics) -> None:
    pdf.need(26)
    n = len(block.items)
    gap = 3
    width = (pdf.epw - gap * (n - 1)) / n
    top = pdf.get_y()
    for i, (label, value) in enumerate(block.items):
        x = pdf.l_margin + i * (width + gap)
        pdf.set_fill_color(245, 245, 245)
        pdf.set_draw_color(220, 220, 220)
        pdf.rect(x, top, width, 20, style="DF")
        pdf.set_xy(x, top + 2.5)
        pdf.set_font(pdf.family, "B", 17)
        pdf.cell(width, 8, pdf.clean(value), align="C")
        pdf.set_xy(x, top + 12)
        pdf.set_font(pdf.family, "", 8.5)
        pdf.set_text_color(*GREY)
        pdf.cell(width, 5, pdf.clean(label), align="C")
        pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, top + 21)
    if block.caption:
        pdf.para(block.caption, 8, colour=GREY, height=4)
    pdf.gap(3)


def _table(pdf: ReportPDF, block: Table) -> None:
    if not block.rows:
        return
    pdf.need(24)
    if block.title:
        pdf.para(block.title, 10, "B", height=5.5)
        pdf.gap(0.5)
    headings = any(block.columns)
    widths = block.widths or [1] * len(block.columns)
    numeric = block.numeric or [False] * len(block.columns)
    size = 7.5 if len(block.columns) >= 5 else 8.5  # wide tables in a smaller type, so rows wrap less
    pdf.set_font(pdf.family, "", size)
    pdf.set_fill_color(255, 255, 255)  # table cells take the current fill colour
    pdf.set_draw_color(210, 210, 210)
    style = FontFace(family=pdf.family, emphasis="BOLD", size_pt=size, fill_color=(236, 236, 236))
    with pdf.table(col_widths=widths, text_align=["RIGHT" if n else "LEFT" for n in numeric], width=pdf.epw,
                   line_height=size * 0.47, first_row_as_headings=headings, headings_style=style,
                   borders_layout="HORIZONTAL_LINES", padding=(1, 1.5), wrapmode=WrapMode.WORD) as table:
        if headings:
            row = table.row()
            for column in block.columns:
                row.cell(pdf.clean(column))
        for values in block.rows:
            row = table.row()
            for value in values:
                row.cell(pdf.clean(value))
    if block.note:
        pdf.gap(0.8)
        pdf.para(block.note, 8, colour=GREY, height=4)
    pdf.gap(3)


def _chart(pdf: ReportPDF, block: Chart, image: tuple[bytes, float] | None) -> None:
    if image is None:
        return
    png, height = image
    width = pdf.epw
    room = pdf.page_break_trigger - pdf.t_margin - 12
    if height > room:  # a very tall chart: shrink it to one page, keeping its proportions
        width, height = width * room / height, room
    pdf.need(height + 2)
    pdf.image(io.BytesIO(png), x=pdf.l_margin + (pdf.epw - width) / 2, y=pdf.get_y(), w=width, h=height,
              alt_text=pdf.clean(block.title))
    pdf.set_y(pdf.get_y() + height + 1)
    if block.note:
        pdf.para(block.note, 8, colour=GREY, height=4)
    pdf.gap(3)


def _pair_notes(block: ChartPair) -> list[str]:
    """The pair's notes: one when both sides say the same, else one per side, labelled."""
    notes = [block.left.note, block.right.note]
    if notes[0] == notes[1]:
        return [n for n in notes[:1] if n]
    return [f"{label[:1]}: {note}" for label, note in zip(block.labels, notes) if note]


def _notes_mm(notes: list[str]) -> float:
    return sum(4 * (1 + len(note) // 120) for note in notes)  # 8 pt lines of about 120 characters


def _pair_room(block: ChartPair, images: dict[int, tuple[bytes, float]]) -> float:
    """The height a pair takes: labels, the taller chart, notes."""
    return 7 + max(images[id(block.left)][1], images[id(block.right)][1]) + _notes_mm(_pair_notes(block))


def _chart_pair(pdf: ReportPDF, block: ChartPair, images: dict[int, tuple[bytes, float]]) -> None:
    """The two sides' charts side by side, each under its side's name; their notes below."""
    parts = [(block.left, images.get(id(block.left))), (block.right, images.get(id(block.right)))]
    if any(image is None for _chart_block, image in parts):
        return
    notes = _pair_notes(block)
    notes_mm = _notes_mm(notes)
    half = (pdf.epw - PAIR_GAP_MM) / 2
    height = max(image[1] for _chart_block, image in parts)
    scale = 1.0
    room = pdf.page_break_trigger - pdf.t_margin - 17 - notes_mm
    if height > room:  # very tall: both shrink alike, so their rows stay level
        scale, height = room / height, room
    pdf.need(height + 7 + notes_mm)  # the charts, their labels and their notes on one page
    top = pdf.get_y()
    for i, ((chart, (png, image_height)), label) in enumerate(zip(parts, block.labels)):
        x = pdf.l_margin + i * (half + PAIR_GAP_MM)
        pdf.set_xy(x, top)
        pdf.set_font(pdf.family, "B", 9)
        pdf.cell(half, 5, pdf.clean(label))
        width = half * scale
        pdf.image(io.BytesIO(png), x=x + (half - width) / 2, y=top + 6, w=width, h=image_height * scale,
                  alt_text=pdf.clean(f"{chart.title}"))
    pdf.set_y(top + 6 + height + 1)
    for note in notes:
        pdf.para(note, 8, colour=GREY, height=4)
    pdf.gap(3)


def _case(pdf: ReportPDF, block: CaseBlock) -> None:
    case = block.case
    pdf.need(40)
    tags = []
    if case.visibility != "public":
        tags.append(case.visibility.upper() + " – " + _("NOT PUBLIC"))
    if case.is_synthetic:
        tags.append(_("SYNTHETIC DEMO DATA – NOT A REAL CASE"))
    if tags:
        pdf.para(" · ".join(tags), 8, "B", RED, height=4)
    pdf.para(case.title, 10.5, "B", height=5.2)
    pdf.para(f"{case.when} · {case.where}", 8.5, colour=GREY, height=4.4)
    pdf.gap(0.8)
    for label, value in ((_("Kinds of attack"), case.kinds), (_("Perpetrators"), case.perpetrators),
                         (_("Defenders"), case.defenders)):
        if value:
            pdf.para(f"{label}: {value}", 8.5, height=4.3)
    if case.summary:
        pdf.gap(0.8)
        pdf.para(case.summary, 9, height=4.5)
    if case.sources:
        pdf.gap(0.8)
        pdf.para(_("Sources:"), 8.5, "B", height=4.3)
        for source in case.sources:
            line = f"{source.publisher}: {source.title}" + (f" ({source.date})" if source.date else "")
            pdf.para(line, 8.5, height=4.3, indent=3)
            if source.url:
                link = source.url if source.url.startswith(("http://", "https://")) else None
                pdf.para(source.url, 8, colour=BLUE, height=4, indent=3, link=link, wrap_chars=True)
    pdf.gap(2)
    pdf.set_draw_color(225, 225, 225)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.gap(3)


def render_pdf(data: ReportData, progress: Callable[[float, str], None] | None = None,
               output_name: str = "report.pdf") -> bytes:
    """The report as PDF bytes (A4, numbered pages, static charts)."""
    started = time.perf_counter()
    step = progress or (lambda fraction, message: None)
    blocks = report_blocks(data, output_name)
    chart_blocks = charts_in(blocks)
    halves = {id(chart) for b in blocks if isinstance(b, ChartPair) for chart in (b.left, b.right)}
    step(0.82, f"Drawing {len(chart_blocks)} charts")
    pngs = render_images([b.figure for b in chart_blocks],
                         lambda n: step(0.82 + 0.13 * n / max(1, len(chart_blocks)), f"Chart {n} of {len(chart_blocks)}"),
                         widths=[PAIR_WIDTH_PX if id(b) in halves else CHART_WIDTH_PX for b in chart_blocks])
    data.timings["charts"] = time.perf_counter() - started
    pdf = ReportPDF(data)
    images: dict[int, tuple[bytes, float]] = {}
    for block, png in zip(chart_blocks, pngs):
        w, h = png_size(png)
        printed = (pdf.epw - PAIR_GAP_MM) / 2 if id(block) in halves else pdf.epw
        images[id(block)] = (png, printed * h / w)
    step(0.96, "Laying out the pages")
    _title_page(pdf, data)
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if isinstance(block, Heading):
            _heading(pdf, block, following, images)
        elif isinstance(block, Paragraph):
            _paragraph(pdf, block)
        elif isinstance(block, Bullets):
            _bullets(pdf, block)
        elif isinstance(block, Metrics):
            _metrics(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Chart):
            _chart(pdf, block, images.get(id(block)))
        elif isinstance(block, ChartPair):
            _chart_pair(pdf, block, images)
        elif isinstance(block, CaseBlock):
            _case(pdf, block)
        elif isinstance(block, PageBreak):
            pdf.add_page()
    out = bytes(pdf.output())
    data.timings["pdf"] = time.perf_counter() - started
    step(1.0, "Done")
    return out
